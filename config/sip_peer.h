// The SIP side of the configuration's transports: one place for the transport of a listener or trunk and a
// trunk's peer with its default port (RFC 3261 19.1.2: 5060, 5061 for TLS).
#pragma once

#include "config/config.pb.h"
#include "sip/session_api.h"

namespace isupgw::config {

sip::Transport sip_transport(Transport t);
// The trunk's address, transport and port (its default when the port is 0).
sip::Peer trunk_peer(const SipTrunk& t);

}  // namespace isupgw::config
