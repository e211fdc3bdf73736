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
#include "mapping/sip_profile.h"
#include "sip/message.h"
#include "sip/sdp.h"
#include "sip/session_api.h"

namespace isupgw::mapping {

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
  std::string_view isup_base;
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
sip::HeaderList body_headers(const sip::Body& body);  // handling=required for a lone ISUP body
sip::HeaderList body_headers(const sip::Body& body, const SipProfile& profile);

// An ISUP message from its body form (no CIC, RFC 3204); nullopt if it does not decode.
std::optional<isup::Message> decode_isup_body(std::span<const std::uint8_t> body, isup::Variant v);
// The body form (no CIC, RFC 3204) of an ISUP message; empty if it cannot be encoded.
std::vector<std::uint8_t> isup_body_octets(const isup::Message& m, isup::Variant v);
// A REL in body form with cause indicators (ITU-T coding, the given location,
// default BI: network beyond interworking point), for SIP-I BYE / final responses.
std::vector<std::uint8_t> isup_rel_octets(std::uint8_t cause, isup::Variant v,
                                          std::uint8_t location = kLocationBeyondInterworking);
// The cause of a REL carried in an ISUP body, if the body is one.
std::optional<std::uint8_t> cause_of_isup_body(std::span<const std::uint8_t> body, isup::Variant v);

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
// The new digits never carry ST: SIP does not say when the number is complete.
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

// Release cause for a final error response: an encapsulated REL (SIP-I/SIP-T)
// wins, then Reason: Q.850 (Q.1912.5, RFC 3326), else the status table
// (cause_map, default Q.1912.5). nullopt for 487 to our own CANCEL.
std::optional<std::uint8_t> cause_from_response(const sip::Message& response);
std::optional<std::uint8_t> cause_from_response(const sip::Message& response, const SipProfile& profile);
// Release cause for BYE or CANCEL: an encapsulated REL, then Reason: Q.850,
// else BYE 16 normal call clearing, CANCEL 31 normal unspecified (Q.1912.5).
std::uint8_t cause_from_request(const sip::Message& request);
// The same on a trunk: the REL body is read in the trunk's ISUP variant and
// only on SIP-I/SIP-T trunks (Q.1912.5 profile C, RFC 3372: the encapsulated
// REL is authoritative for ISUP parameters); a plain SIP trunk (profile A/B)
// carries no ISUP, so Reason decides there.
std::uint8_t cause_from_request(const sip::Message& request, const SipProfile& profile);
// SIP-I/SIP-T: the cause location (Q.850 2.2.3) of the REL encapsulated in a
// BYE, CANCEL or final response, for the REL we send on: a transit passes the
// location on unchanged. nullopt on a plain SIP trunk or without such a REL.
std::optional<std::uint8_t> release_location(const sip::Message& m, const SipProfile& profile);

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
  // Nonzero: do not send the INVITE, release the IAM with this cause (25:
  // hop counter exhausted, Q.764 2.1.1.1 / Q.1912.5; 28: no usable called number).
  std::uint8_t release_cause = 0;
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

// ANM / CON -> 200 OK extras (SIP-I/SIP-T body: the message, or a plain ANM when
// none is given; nothing for plain SIP).
ProvisionalFields answer_fields(const isup::Message* anm_or_con, const SipProfile& profile);

// REL before answer -> final response: status (cause_map, Q.1912.5 choices) and Reason: Q.850.
struct FinalResponse {
  int status = 500;
  sip::HeaderList headers;         // Reason
  std::vector<std::uint8_t> isup;  // SIP-I/SIP-T: a REL in body form (cause, location BI)
};
// `location`: the received REL's (Q.850 2.2.3; cause 21 from the user -> 603),
// also the location of the encapsulated REL. `rel`: the REL received from ISUP,
// encapsulated unchanged (RFC 3372 transparency); without one a REL is built.
FinalResponse response_for_release(std::uint8_t cause, const SipProfile& profile,
                                   std::uint8_t location = kLocationBeyondInterworking,
                                   const isup::Message* rel = nullptr);
// REL after answer (BYE) or forward before answer (CANCEL): the Reason header.
sip::HeaderList reason_for_release(std::uint8_t cause);
// REL after answer -> BYE (Q.1912.5, RFC 3372 "REL -> BYE"): Reason: Q.850 and,
// on SIP-I/SIP-T trunks, the REL encapsulated as application/ISUP (cause with
// location BI). A CANCEL takes reason_for_release() only: no ISUP body.
struct ByeFields {
  sip::HeaderList headers;  // Reason, then Content-Disposition for the lone ISUP body
  sip::Body body;           // application/ISUP REL; empty for plain SIP
};
ByeFields bye_for_release(std::uint8_t cause, const SipProfile& profile,
                          std::uint8_t location = kLocationBeyondInterworking, const isup::Message* rel = nullptr);

// A mid-call ISUP message without SIP equivalent (INR/INF, USR, FAC, APM, SUS/RES,
// CPG after answer) -> INFO body (SIP-I/SIP-T only; nullopt for plain SIP).
std::optional<sip::Body> info_for_isup(const isup::Message& m, const SipProfile& profile);

// SIP-I/SIP-T INFO (or any request) carrying an ISUP message without SIP
// equivalent (USR, FAC, INR/INF, SAM, APM, ...) -> that message for call
// control: its type and every parameter (fixed, variable, optional, in that
// order) as owned values. nullopt: no ISUP body, plain SIP trunk, or not decodable.
struct IsupMessageFromSip {
  std::uint8_t type = 0;
  std::vector<isup::OwnedParam> params;
  const isup::OwnedParam* find(std::uint8_t code) const {
    for (const auto& p : params)
      if (p.code == code) return &p;
    return nullptr;
  }
};
std::optional<IsupMessageFromSip> isup_from_info(const sip::Message& info, const SipProfile& profile);

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

// Both directions count the gateway as one hop (Q.764 2.1.1.1 decrement): SIP
// -> ISUP hop counter = min(Max-Forwards, 31) - 1; ISUP -> SIP Max-Forwards =
// hop counter - 1. 0 = exhausted: reject 483 / release cause 25.
inline constexpr std::uint32_t kDefaultMaxForwards = 70;  // RFC 3261 8.1.1.6, IAM without hop counter
std::uint8_t hop_counter_from_max_forwards(std::uint32_t max_forwards);
std::uint32_t max_forwards_from_hop_counter(std::uint8_t hop_counter);

}  // namespace isupgw::mapping
