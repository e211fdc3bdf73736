// One SIP trunk's interworking settings (profile, numbering, bodies) and the
// bearer kinds, shared by every mapping rule.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "isup/variant.h"
#include "mapping/cause_map.h"
#include "mapping/number_map.h"
#include "sip/uri.h"

namespace isupgw::mapping {

// Which header carries redirection towards SIP (both are read from SIP).
enum class RedirectionHeader : std::uint8_t { kHistoryInfo, kDiversion };

// Bearer of a call, in SIP terms and ISUP terms (Q.1912.5 / TS 29.163 bearer mapping).
enum class Bearer : std::uint8_t {
  kSpeech,   // TMR 0 speech, USI ITC speech
  kAudio31,  // TMR 3 3.1 kHz audio, USI ITC 3.1 kHz audio
  kUdi64,    // TMR 2 64 kbit/s unrestricted, USI ITC unrestricted digital; SDP CLEARMODE (RFC 4040)
};
std::string_view to_string(Bearer b);

// One SIP trunk's interworking settings.
struct SipProfile {
  enum Kind : std::uint8_t {
    kSip,   // Q.1912.5 profile A / RFC 3398: no ISUP body
    kSipI,  // Q.1912.5 profile C: ISUP encapsulated (application/ISUP)
    kSipT,  // RFC 3372 / RFC 3204
  };
  Kind kind = kSip;
  NumberPlan plan;
  isup::Variant variant = isup::Variant::kItu;
  std::string isup_version = "itu-t92+";  // application/ISUP;version=
  std::string isup_base;                  // ;base= (empty: not sent)
  bool isup_handling_required = true;     // Content-Disposition: signal;handling=required|optional
  std::string host;                       // host part of the sip: URIs we build ("192.0.2.10")
  bool tel_uri = false;                   // Request-URI / To / PAI as tel: instead of sip:...;user=phone
  bool trust_pai = true;                  // trusted peer (RFC 3325): send and believe P-Asserted-Identity
  RedirectionHeader redirection = RedirectionHeader::kHistoryInfo;
  // Numbers on the SIP side in global "+CC..." form (E.164) or as dialled with
  // the trunk's prefixes ("0" national, "00" international).
  bool global_numbers = true;
  std::string national_prefix = "0";
  std::string international_prefix = "00";
  bool append_st = true;                   // SIP -> ISUP en bloc: end the called number with ST
  bool a_law = true;                       // G.711 law on the TDM side (E1 A-law, T1 mu-law): codec order, USI layer 1
  Bearer audio_bearer = Bearer::kAudio31;  // TMR for an ordinary audio offer (Q.1912.5: 3.1 kHz audio)
  std::uint8_t initial_hop_counter = 31;   // when the INVITE has no Max-Forwards
  CauseTable cause_table = CauseTable::kQ1912_5;
  // No trusted P-Asserted-Identity: send the From number as the generic number
  // "additional calling party number" (user provided, not verified; ITU/ETSI
  // only), never as calling party number; false: neither.
  bool calling_from_from = true;
  // SIP -> ISUP: every IAM asks for the connected line identity (Q.763 3.38 bit H), not only those whose
  // INVITE has Supported: from-change (RFC 4916); config key request_colp.
  bool request_colp = false;

  DialPrefixes prefixes() const { return {national_prefix, international_prefix}; }
};

// Telephone-number URIs as this trunk writes them: "sip:+4930123@host;user=phone"
// or "tel:+4930123" (a local tel number gets ;phone-context=+CC, RFC 3966 5.1.5).
std::string phone_uri(std::string_view user, const SipProfile& profile);
// The SIP user part for an ISUP number on this trunk (global "+" form or dialled form).
std::string sip_user_for(const IsupNumber& n, const SipProfile& profile);
// The telephone number a URI names: the tel: number, or the user part of a
// sip:/sips: URI with user=phone or made of digits (optional '+', visual
// separators). Escapes (%XX) decoded. nullopt: not a telephone number.
std::optional<std::string> phone_user(const sip::Uri& uri);
// An ISUP number from a SIP user part on this trunk.
Result<IsupNumber, NumberError> isup_number_for(std::string_view user, const SipProfile& profile, bool complete);

}  // namespace isupgw::mapping
