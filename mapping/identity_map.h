// Calling party identity between ISUP and SIP (Q.1912.5 CLIP/CLIR
// interworking, RFC 3325 P-Asserted-Identity, RFC 3323 Privacy):
//
//   ISUP -> SIP  calling party number, APRI allowed, screening network provided
//                or user provided verified and passed -> P-Asserted-Identity
//                (trusted peer) and From; APRI restricted -> PAI + Privacy: id,
//                From anonymous; not available / absent -> no PAI, From anonymous.
//                A generic number with qualifier 6 (additional calling party
//                number, user provided) becomes the From user instead.
//   SIP -> ISUP  trusted PAI -> calling party number (screening network
//                provided, NI complete, APRI restricted when Privacy has id,
//                header or user); a From number that differs -> generic number
//                qualifier 6 (screening user provided not verified); no PAI ->
//                no calling party number (nothing network-asserted, and Q.763
//                3.10 reserves "user provided, not verified" for it), the From
//                number as that generic number if the trunk allows.
//                ISUP -> SIP without a usable calling party number: From from
//                the generic number (presentation allowed), else anonymous.
#pragma once

#include <optional>
#include <string>

#include "isup/number.h"
#include "mapping/sip_profile.h"
#include "sip/message.h"
#include "sip/session_api.h"

namespace isupgw::mapping {

// Q.763 3.10 calling party number indicators.
inline constexpr std::uint8_t kApriAllowed = 0, kApriRestricted = 1, kApriNotAvailable = 2;
inline constexpr std::uint8_t kScreenUserNotVerified = 0, kScreenUserVerifiedPassed = 1, kScreenUserFailed = 2,
                              kScreenNetworkProvided = 3;
// Q.763 3.26 number qualifier indicator: additional calling party number.
inline constexpr std::uint8_t kQualifierAdditionalCalling = 6;

inline constexpr std::string_view kAnonymousFrom = "\"Anonymous\" <sip:anonymous@anonymous.invalid>";

struct SipIdentity {
  std::string from;         // name-addr without tag
  sip::HeaderList headers;  // P-Asserted-Identity, Privacy
};
SipIdentity sip_identity_from_isup(const std::optional<isup::Number>& calling,
                                   const std::optional<isup::Number>& additional_calling, const SipProfile& profile);

struct IsupIdentity {
  std::optional<isup::Number> calling;             // kCalling
  std::optional<isup::Number> additional_calling;  // kGeneric, qualifier 6
};
IsupIdentity isup_identity_from_sip(const sip::Message& invite, const SipProfile& profile);

}  // namespace isupgw::mapping
