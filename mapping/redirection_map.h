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

}  // namespace isupgw::mapping
