// ISUP transparency through SIP-I (Q.1912.5 profile C) and SIP-T (RFC 3372,
// RFC 3204): which encapsulated message is the basis of the ISUP message the
// gateway sends, and whether an INFO's ISUP body is usable at all.
//
//   SIP -> ISUP  the ACM/CPG of an 18x, the ANM/CON of a 200, the REL of a BYE,
//                CANCEL or final response: the basis of the ISUP message call
//                control sends in its place (isup/message_basis.h); nothing
//                else. INFO: CPG, USR, FAC, SUS, RES, SAM, INR, INF go into
//                ISUP; a body that is no usable ISUP is refused (415 with
//                Accept for a type or version we do not take, RFC 3261 8.2.3 /
//                RFC 3204 3.1; 400 for an undecodable one or a message INFO
//                does not carry), never answered 200 and dropped.
//   ISUP -> SIP  the received message, encapsulated unchanged (body form, no
//                CIC): ACM/CPG in 18x, ANM/CON in the 200, REL in the BYE or
//                final response, CPG/USR/FAC/SUS/RES/INR/INF mid-call in INFO.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "isup/message.h"
#include "mapping/interworking.h"
#include "mapping/sip_profile.h"
#include "sip/message.h"

namespace isupgw::mapping {

// The ISUP message a SIP message encapsulates, decoded in the trunk's variant
// (views into `m`'s body: valid while `m` is). nullopt on a plain SIP trunk,
// without an application/ISUP part, or when it does not decode.
std::optional<isup::Message> encapsulated_isup(const sip::Message& m, const SipProfile& profile);

// An 18x's or 2xx's encapsulated ACM, CPG, ANM or CON: the basis of the
// backward message sent into ISUP. Any other encapsulated type is no basis.
std::optional<isup::Message> backward_basis(const sip::Message& response, const SipProfile& profile);
// A BYE's, CANCEL's or final response's encapsulated REL: the basis of our REL.
std::optional<isup::Message> release_basis(const sip::Message& m, const SipProfile& profile);

// Whether an application/ISUP part of that version/base can be read as the
// trunk's ISUP (RFC 3204 3.1: version is agreed bilaterally; base names a
// standard to parse it with): the trunk's own version, or a base token of the
// trunk's variant (itu-t92+ / itu-t88 for ITU, etsi356 / etsi121 / itu-t92+
// for ETSI, ansi00 / ansi88 / gr317 for ANSI) as version or base.
bool isup_version_usable(std::string_view version, std::string_view base, const SipProfile& profile);
// The Accept value listing what this trunk takes in an INFO (RFC 3261 21.4.13).
std::string info_accept(const SipProfile& profile);

// The ISUP message of an INFO, for call control's forward(). nullopt: no body
// (nothing to do; RFC 6086 legacy INFO: 200). Rejection: the status to answer
// (415, with Accept: info_accept(), for a body that is no ISUP, a plain SIP trunk, or a version
// we cannot read; 400 for an undecodable ISUP body or a message type INFO does
// not carry: only CPG, USR, FAC, SUS, RES, SAM, INR, INF).
Result<std::optional<isup::Message>, Rejection> isup_in_info(const sip::Message& info, const SipProfile& profile);

}  // namespace isupgw::mapping
