// The interworking API the call engine calls: SIP (plain, SIP-I, SIP-T) <->
// ISUP, as pure functions over the message models (ITU-T Q.1912.5, RFC 3398,
// RFC 3372 / 3204, RFC 3578). No I/O, no state: the engine keeps the call state
// (ACM sent? answered?) and passes what a rule needs.
//
// Directions, named for the message that arrives:
//   SIP -> ISUP: INVITE -> IAM (setup_from_invite), 18x -> ACM/CPG
//                (backward_from_provisional), final error / BYE / CANCEL -> REL
//                cause (cause_from_response, cause_from_request), INVITE with
//                more digits -> SAM (overlap_digits).
//   ISUP -> SIP: IAM -> INVITE (invite_from_setup), ACM/CPG -> 18x or INFO
//                (provisional_from_backward), REL -> final response or
//                BYE/CANCEL Reason (response_for_release, reason_for_release),
//                SAM -> next INVITE (invite_with_more_digits).
// Bodies: received_bodies() splits SDP / application/ISUP, make_body() builds
// SDP alone or multipart/mixed with application/ISUP (RFC 3204).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "isup/isup_cc_user.h"
#include "isup/message.h"
#include "isup/variant.h"
#include "mapping/number_map.h"
#include "sip/message.h"
#include "sip/sdp.h"
#include "sip/session_api.h"

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
};

// A SIP request refused: the final response to send, with a Warning text.
struct Rejection {
  int status = 500;
  std::string warning;
  friend bool operator==(const Rejection&, const Rejection&) = default;
};

// ---------------------------------------------------------------- bodies

// What the engine needs out of any received body.
struct ReceivedBodies {
  std::optional<std::string_view> sdp;
  std::optional<std::span<const std::uint8_t>> isup;  // from the message type octet (RFC 3204)
  std::string_view isup_version;
  bool isup_handling_required = false;
};
// Splits the body of a received request or response (Content-Type and
// Content-Disposition of `m`). Errors: 415 for an unknown part with
// handling=required (RFC 3204 / RFC 3261 20.11), 400 for a broken multipart.
Result<ReceivedBodies, Rejection> received_bodies(const sip::Message& m);

// SDP alone, application/ISUP alone, or multipart/mixed of both. The ISUP part
// is left out unless the profile is SIP-I or SIP-T. Empty result: no body.
sip::Body make_body(const std::optional<std::string>& sdp, std::span<const std::uint8_t> isup_octets,
                    const SipProfile& profile);
// Extra headers that go with make_body() (Content-Disposition for a lone ISUP
// body, MIME-Version for multipart).
sip::HeaderList body_headers(const sip::Body& body);

// The body form (no CIC, RFC 3204) of an ISUP message; empty if it cannot be encoded.
std::vector<std::uint8_t> isup_body_octets(const isup::Message& m, isup::Variant v);

// ---------------------------------------------------------------- SIP -> ISUP

// INVITE -> IAM. SIP-I/SIP-T with an ISUP IAM body: the encapsulated IAM is the
// base (parameters SIP cannot express pass through unchanged, Q.1912.5
// transparency) and what the SIP headers govern is overwritten: called number
// from the Request-URI, calling number from P-Asserted-Identity/Privacy,
// redirection from History-Info/Diversion, hop counter from Max-Forwards.
// Errors: 484 (no usable called number), 483 (Max-Forwards 0), 488 (SDP
// without a usable audio/clearmode stream), 415/400 (bodies).
Result<isup::SetupRequest, Rejection> setup_from_invite(const sip::Message& invite, const SipProfile& profile);

// RFC 3578 overlap, SIP -> ISUP: a further INVITE of the same call with a
// longer Request-URI. Returns the new digits only (a kSubsequent number, ST
// appended when the profile sends en bloc numbers complete). 484-style
// Rejection when the new number does not extend `previous_called` (that is a
// new call, not more digits).
Result<isup::Number, Rejection> overlap_digits(const isup::Number& previous_called, const sip::Message& invite,
                                               const SipProfile& profile);

// What an 18x means for ISUP (the engine calls IsupCallControl::alert/progress).
struct BackwardAction {
  enum Kind : std::uint8_t { kNone, kAlert, kProgress };
  Kind kind = kNone;
  std::uint8_t event = 0;  // CPG event information (Q.763 3.21) when an ACM was already sent
  bool inband = false;     // optional backward call indicators bit A: early media / SDP present
  friend bool operator==(const BackwardAction&, const BackwardAction&) = default;
};
// 180 -> ACM "subscriber free" / CPG alerting (1); 183 -> ACM "no indication" /
// CPG progress (2), in-band information (3) with SDP; 181 -> CPG forwarded
// (4/5/6 by Diversion/History-Info reason); 182 -> CPG progress.
BackwardAction backward_from_provisional(const sip::Message& response, bool acm_sent, const SipProfile& profile);

// Release cause for a final error response: Reason: Q.850 wins, else the
// status table (cause_map). nullopt for 487 to our own CANCEL.
std::optional<std::uint8_t> cause_from_response(const sip::Message& response);
// Release cause for BYE or CANCEL: Reason: Q.850 wins, else 16 normal clearing.
std::uint8_t cause_from_request(const sip::Message& request);

// ---------------------------------------------------------------- ISUP -> SIP

// The INVITE the engine sends for an incoming IAM.
struct InviteFields {
  std::string request_uri;
  std::string from;         // name-addr, no tag
  std::string to;           // name-addr, no tag
  sip::HeaderList headers;  // Max-Forwards, P-Asserted-Identity, Privacy, History-Info / Diversion
  Bearer bearer = Bearer::kAudio31;
  std::vector<std::string> codecs;  // for sip::LocalMedia::codecs
  bool telephone_event = true;      // offer RFC 4733 (not with CLEARMODE)
  std::vector<std::uint8_t> isup;   // SIP-I/SIP-T: the IAM in body form; empty for plain SIP
};
InviteFields invite_from_setup(const isup::IncomingSetup& setup, const SipProfile& profile);

// RFC 3578 overlap, ISUP -> SIP: the next INVITE after a SAM (same Call-ID and
// From tag: the engine's job) with all digits so far in the Request-URI and To.
InviteFields invite_with_more_digits(const InviteFields& previous, const isup::Number& called_so_far,
                                     const SipProfile& profile);

// ACM / CPG -> what to send on the SIP side.
struct ProvisionalFields {
  enum Kind : std::uint8_t { kNone, kProvisional, kInfo };
  Kind kind = kNone;
  int status = 0;            // 180, 181, 183
  bool early_media = false;  // include the SDP answer (in-band information available)
  sip::HeaderList headers;
  std::vector<std::uint8_t> isup;  // SIP-I/SIP-T: the ACM/CPG in body form
};
// Before answer: ACM subscriber free / CPG alerting -> 180; no indication /
// progress / in-band -> 183; CPG forwarded events -> 181. After answer (a CPG)
// and for SIP-I/SIP-T only: INFO carrying it; plain SIP: kNone.
ProvisionalFields provisional_from_backward(const isup::BackwardIndication& ind, bool answered,
                                            const SipProfile& profile);

// ANM / CON -> 200 OK extras (SIP-I/SIP-T body; empty headers otherwise).
ProvisionalFields answer_fields(const isup::Message* anm_or_con, const SipProfile& profile);

// REL before answer -> final response: status (cause_map, Q.1912.5 choices) and Reason: Q.850.
struct FinalResponse {
  int status = 500;
  sip::HeaderList headers;  // Reason
};
FinalResponse response_for_release(std::uint8_t cause, const SipProfile& profile);
// REL after answer (BYE) or forward before answer (CANCEL): the Reason header.
sip::HeaderList reason_for_release(std::uint8_t cause);

// A mid-call ISUP message without SIP equivalent (INR/INF, USR, FAC, APM, SUS/RES,
// CPG after answer) -> INFO body (SIP-I/SIP-T only; nullopt for plain SIP).
std::optional<sip::Body> info_for_isup(const isup::Message& m, const SipProfile& profile);

// ---------------------------------------------------------------- media

// SDP offer -> bearer: CLEARMODE only -> 64 kbit/s UDI, otherwise the profile's
// audio bearer. nullopt: no usable audio stream.
std::optional<Bearer> bearer_from_sdp(const sip::Sdp& sdp, const SipProfile& profile);
// IAM TMR (ITU/ETSI) or USI (ANSI) -> bearer.
Bearer bearer_from_iam(const isup::Message& iam, isup::Variant v);
std::uint8_t tmr_for(Bearer b);
std::vector<std::uint8_t> usi_for(Bearer b, bool a_law);
// Codecs to offer / accept for the bearer (sip::LocalMedia::codecs).
std::vector<std::string> codecs_for(Bearer b, bool a_law);

// ---------------------------------------------------------------- hop counter

// Max-Forwards -> hop counter (Q.1912.5) and back.
std::uint8_t hop_counter_from_max_forwards(std::uint32_t max_forwards);
std::uint32_t max_forwards_from_hop_counter(std::uint8_t hop_counter);

}  // namespace isupgw::mapping
