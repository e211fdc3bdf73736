// ANSI jurisdiction information parameter (JIP, T1.113.3 parameter 0xC4, issue 20): the NPA-NXX of the
// originating switch or line, six BCD digits without indicators (T1.113.3: digits only, 3 octets).
// SIP side: no IETF, ITU or ATIS text available here maps it. The form used is the one Ribbon (Sonus) SBC
// Core documents for carrier trunks ("SIP JIP Profile": sendJipIn jipPAI, jipParameterAs userInfo,
// publicdoc.rbbn.com): a `jip` parameter in the user part of the P-Asserted-Identity,
//   P-Asserted-Identity: <sip:+12025550100;jip=202555@gw;user=phone>
// accepted on SIP -> ISUP also as a PAI URI parameter (jipParameterAs uriParam). A vendor practice, not a
// standard; the SIP-T/SIP-I body carries the IAM's JIP as it is in any case.
//   ISUP -> SIP  ANSI IAM with a 6-digit JIP and a PAI sent -> ;jip= in the PAI's user part
//                (no PAI: the JIP is not mapped; a JIP not of 6 digits is ignored)
//   SIP -> ISUP  trusted PAI with jip=<6 digits> (visual separators dropped) -> JIP on an ANSI trunk
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "isup/message.h"
#include "sip/message.h"

namespace isupgw::mapping {

// The IAM's JIP, six digits; nullopt when absent or not six decimal digits.
std::optional<std::string> jip_of_iam(const isup::Message& iam);
// The parameter's value for `digits`: three BCD octets; nullopt unless six decimal digits.
std::optional<std::vector<std::uint8_t>> encode_jip(std::string_view digits);
// The jip of the first P-Asserted-Identity (user-part or URI parameter); nullopt when none or malformed.
std::optional<std::string> jip_from_pai(const sip::Message& invite);
// A P-Asserted-Identity value ("<sip:+1...@host;user=phone>" or "<tel:+1...>") with ;jip= in its user part.
std::string pai_with_jip(std::string_view pai, std::string_view jip);

}  // namespace isupgw::mapping
