// Number portability across the interworking (issue 20), on top of mapping/number_portability.h:
// RFC 4694 rn / npdi of a Request-URI <-> the IAM's number portability forward information
// (Q.763 3.101, parameter 0x8D) and network routing number (Q.763 3.90, 0x84, national format).
// ITU/ETSI only (ANSI LNP carries the LRN in the called party number and the dialled number in the GAP:
// mapping/np_ansi.h). A routing number prefixed to the called number (Q.769.1 concatenated address) needs
// the national routing-number length: not done.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "isup/isup_cc_user.h"
#include "isup/message.h"
#include "mapping/number_portability.h"
#include "mapping/sip_profile.h"
#include "sip/uri.h"

namespace isupgw::mapping {

// The telephone number a Request-URI names, without its NP parameters, and those parameters (tel: URI
// parameters, or the parameters of a sip: user part, RFC 4694 4). nullopt number: not a telephone number.
// np_error: rn/npdi present but malformed (RFC 4694 5.1: then they are ignored).
struct PhoneNp {
  std::optional<std::string> number;
  TelNp np;
  bool np_error = false;
};
PhoneNp phone_np(const sip::Uri& uri);

// SIP -> ISUP: the IAM's optional parameters for `np` (0x8D, then 0x84 with a routing number); empty for
// none, on an ANSI trunk, or for an rn of another country (RFC 4694 5.1: a gateway ignores what it cannot use).
std::vector<isup::OwnedParam> np_params_for_iam(const TelNp& np, const SipProfile& profile);

// ISUP -> SIP: what the IAM carries (status kNoIndication and no rn: nothing).
IsupNp np_from_iam(const isup::Message& iam, const SipProfile& profile);

// For routing (routes' rn_prefix): the network routing number (Q.763 3.90) among an outgoing IAM's
// optional parameters or in a received IAM, national significant digits; "" = none or undecodable.
std::string routing_number_of(const std::vector<isup::OwnedParam>& optional);
std::string routing_number_of(const isup::Message& iam);

}  // namespace isupgw::mapping
