// Topology hiding towards trunks (issue 18): what RFC 3261 leaves optional
// names neither us nor our software to a peer configured to hide it from.
#include <algorithm>

#include "sip/rfc3263.h"
#include "sip/user_agent.h"

namespace isupgw::sip {

bool UserAgent::hidden(const Peer& p) const {
  const auto& hosts = options_.hidden_hosts;
  if (std::find(hosts.begin(), hosts.end(), p.host) != hosts.end()) return true;
  if (options_.trunk_targets == nullptr) return false;
  for (const auto& trunk : options_.hidden_trunks)
    for (const Peer& t : options_.trunk_targets->targets(trunk))
      if (t.host == p.host) return true;
  return false;
}

// 20.41 / 20.35: optional; empty user_agent sends neither.
void UserAgent::add_agent(OutMessage& m, HeaderId id, const Peer& p) const {
  if (!options_.user_agent.empty() && !hidden(p)) m.add(id, options_.user_agent);
}

// 20.43: warn-agent is a hostport or a pseudonym.
std::string UserAgent::warn_agent(const Peer& p) const {
  return options_.user_agent.empty() || hidden(p) ? std::string("isupgw") : options_.user_agent;
}

// 8.1.1.4: "localid@host" is a MAY; a hidden peer gets the random word alone.
std::string UserAgent::new_call_id(const Peer& p) {
  std::string id = new_tag() + new_tag();
  if (!hidden(p)) id += "@" + transport_->local_host(p.transport);
  return id;
}

}  // namespace isupgw::sip
