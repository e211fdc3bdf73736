// Connected line identity (issue 20, COLP/COLR) between ISUP and SIP, in the answer: the ANM / CON
// connected number (Q.763 3.16: NPI, address presentation restricted indicator, screening indicator) <->
// the 200 OK's P-Asserted-Identity and Privacy (RFC 3325 9.1 in responses, RFC 3323). The rows are those of
// the calling identity (identity_map.h, Q.1912.5 CLIP/CLIR), applied to the connected party:
//   ISUP -> SIP  connected number, APRI allowed, screening network provided or user provided verified
//                -> P-Asserted-Identity (trusted trunk only); APRI restricted (COLR) -> PAI + Privacy: id;
//                address not available / absent / untrusted trunk -> nothing.
//   SIP -> ISUP  a trusted 200's PAI -> connected number (screening network provided), APRI restricted when
//                Privacy has id, header or user; no PAI or an untrusted trunk -> no connected number.
// Not done: the UPDATE after answer that carries a changed identity (RFC 4916), the IAM's connected line
// identity request indicator (we answer with the number whether or not it was asked for).
#pragma once

#include <optional>

#include "isup/message.h"
#include "isup/number.h"
#include "mapping/sip_profile.h"
#include "sip/message.h"
#include "sip/session_api.h"

namespace isupgw::mapping {

// ISUP -> SIP: the 200 OK headers for the ANM / CON (nullptr: none).
sip::HeaderList colp_headers(const isup::Message* anm_or_con, const SipProfile& profile);

// SIP -> ISUP: the connected number (kConnected) the 200 OK asserts, if any.
std::optional<isup::Number> connected_from_answer(const sip::Message& ok, const SipProfile& profile);

}  // namespace isupgw::mapping
