// A SIP trunk's access list: which transport sources may send it INVITEs
// (addresses and address/prefix-length blocks, IPv4 and IPv6).
#pragma once

#include <string_view>
#include <vector>

#include "base/ip_address.h"

namespace isupgw::engine {

class SourceAcl {
 public:
  void add(const IpPrefix& net) { nets_.push_back(net); }
  // The same from text ("192.0.2.0/24"); false (nothing added) when it is not an address block.
  bool add(std::string_view entry);
  bool allows(std::string_view address) const;
  bool empty() const { return nets_.empty(); }

 private:
  std::vector<IpPrefix> nets_;
};

}  // namespace isupgw::engine
