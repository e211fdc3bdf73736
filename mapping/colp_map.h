// Connected line identity (issue 20, COLP/COLR) between ISUP and SIP, in the answer: the ANM / CON
// connected number (Q.763 3.16: NPI, address presentation restricted indicator, screening indicator) <->
// the 200 OK's P-Asserted-Identity and Privacy (RFC 3325 9.1 in responses, RFC 3323). The rows are those of
// the calling identity (identity_map.h, Q.1912.5 CLIP/CLIR), applied to the connected party:
//   ISUP -> SIP  connected number, APRI allowed, screening network provided or user provided verified
//                -> P-Asserted-Identity (trusted trunk only); APRI restricted (COLR) -> PAI + Privacy: id;
//                address not available / absent / untrusted trunk -> nothing.
//   SIP -> ISUP  a trusted 200's PAI -> connected number (screening network provided), APRI restricted when
//                Privacy has id, header or user; no PAI or an untrusted trunk -> no connected number.
// The request (Q.763 3.38 optional forward call indicators bit H, "connected line identity requested";
// Q.731.5: the destination exchange returns the connected number only when asked):
//   SIP -> ISUP  the INVITE's Supported: from-change (RFC 4916 4: the caller takes a changed identity) or
//                the trunk's request_colp -> the IAM's bit H set;
//   ISUP -> SIP  the IAM's bit H -> the engine puts the 200's PAI into the ANM / CON as connected number;
//                not set -> no connected number.
// After the answer (RFC 4916 4, connected identity): a SIP caller that supports from-change and reached a
// connected number other than the one it called gets an UPDATE (RFC 3311, no offer) with P-Asserted-Identity
// (+ Privacy) of the connected party; the gateway's From in that dialog becomes the connected party's URI,
// anonymous under COLR (RFC 3323 4.1.1.3). A connected number arriving later than the ANM/CON: ISUP has no
// message for it (Q.763: the connected number travels in ANM and CON only).
#pragma once

#include <optional>
#include <vector>

#include "isup/isup_cc_user.h"
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

// ISUP -> SIP: the IAM asks for the connected line identity (Q.763 3.38 bit H).
bool colp_requested(const isup::Message& iam);
// SIP -> ISUP: the INVITE asks for it (Supported: from-change, RFC 4916 4) or the trunk always does.
bool colp_requested(const sip::Message& invite, const SipProfile& profile);
// The INVITE has Supported: from-change (RFC 4916 4).
bool supports_from_change(const sip::Message& invite);

// RFC 4916 4: what goes to the SIP caller after the ANM/CON: the gateway's new From URI in the dialog and the
// UPDATE's headers (P-Asserted-Identity, Privacy). nullopt: no connected number that SIP may hear (absent, not
// available, untrusted trunk) or the same number as `called` (the IAM's called party number).
struct IdentityUpdate {
  std::string from_uri;
  sip::HeaderList headers;
};
std::optional<IdentityUpdate> identity_update(const isup::Message* anm_or_con, const isup::Number& called,
                                              const SipProfile& profile);

// Sets bit H of the optional forward call indicators among an IAM's optional parameters (Q.763 3.38),
// adding the parameter (other bits 0) when absent; the other bits of one already there are kept.
void request_colp(std::vector<isup::OwnedParam>& optional);

}  // namespace isupgw::mapping
