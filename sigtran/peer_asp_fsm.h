// M3UA's view of the REMOTE ASP (SGP / responding IPSP side, RFC 4666 4.3.1,
// 4.3.4): the shared table (ua_asp_fsm.h) with the M3UA acks and NTFY.
#pragma once

#include "sigtran/asp_fsm.h"

namespace isupgw::sigtran::m3ua {

using sigtran::kPeerAspEvents;
using sigtran::kPeerAspStates;
using sigtran::PeerAspEvent;
using sigtran::PeerAspState;

using PeerAspFsm = UaPeerAspFsm<AspMessages>;

}  // namespace isupgw::sigtran::m3ua
