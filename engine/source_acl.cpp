#include "engine/source_acl.h"

#include <algorithm>

namespace isupgw::engine {

bool SourceAcl::add(std::string_view entry) {
  auto net = IpPrefix::parse(entry);
  if (net) nets_.push_back(*net);
  return net.has_value();
}

bool SourceAcl::allows(std::string_view address) const {
  const auto host = IpPrefix::parse(address);
  if (!host || host->bits != (host->v6 ? 128u : 32u)) return false;  // a transport source: one address
  return std::any_of(nets_.begin(), nets_.end(), [&](const IpPrefix& n) { return n.contains(*host); });
}

}  // namespace isupgw::engine
