// ANSI number portability (issue 20): North American LNP as T1.113 carries it and RFC 4694 1 describes it.
// After the LNP database dip the switch puts the location routing number (LRN) in the called party number,
// moves the dialled number into the generic address parameter (T1.113 3.xx GAP, 0xC0) with type of address
// "ported number" (0xC0), and sets the forward call indicators' ported number translation indicator
// ("number translated"); a number found not ported keeps the called party number, no GAP, the indicator set.
// SIP side: RFC 4694 4 rn (the LRN, global form "+1...") and npdi on the Request-URI.
//   SIP -> ISUP  npdi + rn (our country)  -> CdPN = LRN (national), GAP ported number = dialled, PNTI = 1
//                npdi alone               -> CdPN = dialled, PNTI = 1
//                neither                  -> PNTI = 0, nothing else
//   ISUP -> SIP  PNTI = 1 + GAP ported    -> user = GAP digits; ;npdi;rn=+<CC><CdPN digits>
//                PNTI = 1 without GAP     -> user = CdPN; ;npdi
//                PNTI = 0                 -> nothing (a GAP "ported number" without PNTI is ignored)
// A foreign or local rn cannot be an LRN here (RFC 4694 5.1: ignored; npdi still says the dip was done).
#pragma once

#include <optional>
#include <string>

#include "isup/isup_cc_user.h"
#include "isup/message.h"
#include "mapping/number_map.h"
#include "mapping/number_portability.h"
#include "mapping/sip_profile.h"

namespace isupgw::mapping {

inline constexpr std::uint8_t kGapPortedNumber = 0xc0;  // T1.113 GAP type of address "ported number"

// SIP -> ISUP on an ANSI trunk: rewrites req.called (the LRN), sets req.forward.ported_number_translated and
// appends the GAP, as the table above says. No-op for other variants or without rn/npdi.
void apply_ansi_lnp(const TelNp& np, const SipProfile& profile, isup::SetupRequest& req);

// ISUP -> SIP on an ANSI trunk: the number the caller dialled and the RFC 4694 parameters, or nullopt when
// the IAM says nothing about portability (PNTI 0) or the variant is not ANSI.
struct AnsiLnp {
  IsupNumber dialled;  // the GAP's number, or the called party number when no GAP came
  TelNp np;
};
std::optional<AnsiLnp> ansi_lnp_from_iam(const isup::Message& iam, const isup::Number& called,
                                         const SipProfile& profile);

// SIP -> ISUP when the INVITE was mapped for an ITU trunk (its portability as Q.763 3.101 0x8D and 3.90 0x84
// among req.optional, np_params_for_iam) and the route's target is an ANSI trunk group: those parameters
// leave and the ANSI form takes their place (routing number -> LRN in the called number, the dialled number
// in the GAP "ported number"; ported / not ported -> PNTI), as apply_ansi_lnp from the Request-URI would;
// the ITU additional calling party number (a generic number, 0xC0 as the ANSI GAP) leaves too.
void ansi_lnp_from_itu_form(isup::SetupRequest& req);

// For routing an ANSI IAM (routes' rn_prefix): the LRN (the called party number's digits) and the dialled
// number (the GAP's) when the IAM is PNTI + GAP "ported number"; nullopt otherwise.
struct AnsiRouting {
  std::string dialled;
  std::string lrn;
};
std::optional<AnsiRouting> ansi_routing_of(const isup::Message& iam, const isup::Number& called);

}  // namespace isupgw::mapping
