// Minimal INVITE <-> IAM rules the engine falls back on while
// mapping/interworking.cpp still answers "not implemented" for a rule
// (it is being filled in): called/calling numbers through mapping/number_map
// (RFC 3398 7.2.1 / 8.2.1) and the SDP of a plain application/sdp body.
// Whatever mapping/ implements takes precedence (see call_engine.cpp).
#pragma once

#include <optional>
#include <string_view>

#include "base/result.h"
#include "isup/isup_cc_user.h"
#include "mapping/interworking.h"
#include "sip/message.h"

namespace isupgw::engine {

// True when a mapping rule returned its placeholder rather than a decision.
inline bool not_implemented(const mapping::Rejection& r) { return r.warning == "not implemented"; }

// The SDP of a request/response whose body is application/sdp (or a multipart holding one).
std::optional<std::string_view> sdp_body(const sip::Message& m);

// INVITE -> IAM: called number from the Request-URI user, calling number from
// P-Asserted-Identity (else From), hop counter from Max-Forwards. 484 for no
// usable called number, 483 for Max-Forwards 0.
Result<isup::SetupRequest, mapping::Rejection> basic_setup_from_invite(const sip::Message& invite,
                                                                       const mapping::SipProfile& profile);

// IAM -> INVITE fields: sip:<user>@host;user=phone for Request-URI and To,
// the calling number in From (anonymous when presentation is restricted).
mapping::InviteFields basic_invite_from_setup(const isup::IncomingSetup& setup, const mapping::SipProfile& profile);

}  // namespace isupgw::engine
