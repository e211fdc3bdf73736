// Call diversion between ISUP and SIP (Q.1912.5 CDIV interworking):
// original called number (Q.763 3.39), redirecting number (3.44) and
// redirection information (3.45) <-> History-Info (RFC 7044, cause URI
// parameter of RFC 4458) or Diversion (RFC 5806).
//
//   History-Info: entry index=1 is the original called number; the diverting
//   user (redirecting number) is the entry before the last; the last entry is
//   the current target and carries cause=<code> for the last diversion reason.
//   Diversion: the top header is the last diverting user (redirecting number,
//   reason, counter), the bottom one the original called number.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "isup/isup_cc_user.h"
#include "isup/message.h"
#include "isup/number.h"
#include "isup/params.h"
#include "mapping/sip_profile.h"
#include "sip/message.h"
#include "sip/session_api.h"

namespace isupgw::mapping {

// Q.763 3.45 redirecting indicator values used here.
inline constexpr std::uint8_t kRedirNone = 0, kRedirRerouted = 1, kRedirReroutedAllRestricted = 2, kRedirDiverted = 3,
                              kRedirDivertedAllRestricted = 4;
// ISUP redirection counter maximum (Q.763 3.45, Q.732.2).
inline constexpr std::uint8_t kMaxRedirectionCounter = 5;

struct Redirection {
  std::optional<isup::Number> original_called;  // kRedirecting layout
  std::optional<isup::Number> redirecting;      // kRedirecting layout
  std::optional<isup::RedirectionInformation> info;
  bool present() const { return original_called || redirecting || info; }
};

// Redirection reason (Q.763 3.45) <-> RFC 4458 cause (History-Info):
// 0 unknown 404, 1 user busy 486, 2 no reply 408, 3 unconditional 302,
// 4 deflection during alerting 487, 5 deflection immediate response 480,
// 6 mobile subscriber not reachable 503.
int history_cause_for_reason(std::uint8_t reason);
std::optional<std::uint8_t> reason_for_history_cause(int cause);
// Redirection reason <-> Diversion reason (RFC 5806 4).
std::string_view diversion_reason_for(std::uint8_t reason);
std::uint8_t reason_for_diversion(std::string_view reason);

// ISUP side.
Redirection redirection_from_iam(const isup::Message& iam);
// Optional parameters for an IAM (original called number, redirecting number,
// redirection information), in that order.
std::vector<isup::OwnedParam> redirection_params(const Redirection& r);

// SIP side. Reads History-Info if present, else Diversion.
Redirection redirection_from_sip(const sip::Message& invite, const SipProfile& profile);
// History-Info or Diversion headers (per profile) for an INVITE towards `called_uri`.
sip::HeaderList redirection_headers(const Redirection& r, std::string_view called_uri, const SipProfile& profile);

// A 3xx followed by the gateway (RFC 3261 8.1.3.4): the headers of the INVITE to
// `new_uri`, from those of the INVITE sent to `old_uri` that got `status`. The
// profile's header gains the retargeting: History-Info (RFC 7044 9.4, RFC 4458)
// a new last entry <new_uri;cause=status>, indexed as the child of the last entry
// (the old target indexed 1 first when the INVITE had no History-Info); Diversion
// (RFC 5806 3) a new top entry naming the old target with the reason for the
// status (RFC 6044 4 table, via reason_for_history_cause; unknown otherwise) and
// counter=1. Every other header is kept as it was.
sip::HeaderList retarget_headers(const sip::HeaderList& sent, std::string_view old_uri, std::string_view new_uri,
                                 int status, const SipProfile& profile);

// The redirection a 3xx returns towards ISUP (Q.763 3.45, 3.46; REL with cause 23,
// Q.850 "redirection to new destination"): the redirection number (called party
// number layout, Q.763 3.46) from the contact's telephone number, and the
// redirection information: call diverted, the reason for `status` (as above), the
// counter one more than the IAM's (`iam_info`, none: 1), the original reason the
// IAM's or this one. Empty when the contact names no telephone number.
std::vector<isup::OwnedParam> returned_redirection_params(std::string_view contact_uri, int status,
                                                          const std::optional<isup::RedirectionInformation>& iam_info,
                                                          const SipProfile& profile);

}  // namespace isupgw::mapping
