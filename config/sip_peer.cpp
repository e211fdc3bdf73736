#include "config/sip_peer.h"

namespace isupgw::config {

sip::Transport sip_transport(Transport t) {
  return t == TRANSPORT_TCP ? sip::Transport::kTcp : t == TRANSPORT_TLS ? sip::Transport::kTls : sip::Transport::kUdp;
}

sip::Peer trunk_peer(const SipTrunk& t) {
  sip::Peer p;
  p.host = t.address();
  p.transport = sip_transport(t.transport());
  p.port = static_cast<std::uint16_t>(t.port() != 0 ? t.port() : p.transport == sip::Transport::kTls ? 5061 : 5060);
  return p;
}

}  // namespace isupgw::config
