// A SIP trunk's access list: which transport sources may send it INVITEs
// (addresses and address/prefix-length blocks, IPv4 and IPv6).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace isupgw::engine {

class SourceAcl {
 public:
  // Entries as validated by the configuration loader; invalid ones are ignored.
  void add(std::string_view entry);
  bool allows(std::string_view address) const;
  bool empty() const { return nets_.empty(); }

 private:
  struct Net {
    bool v6 = false;
    std::array<std::uint8_t, 16> addr{};
    unsigned bits = 0;
  };
  std::vector<Net> nets_;
};

}  // namespace isupgw::engine
