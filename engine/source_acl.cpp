#include "engine/source_acl.h"

#include <arpa/inet.h>

#include <charconv>

namespace isupgw::engine {

namespace {

bool parse_addr(std::string_view text, bool& v6, std::array<std::uint8_t, 16>& out) {
  const std::string s(text);
  out.fill(0);
  if (inet_pton(AF_INET, s.c_str(), out.data()) == 1) {
    v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), out.data()) == 1) {
    v6 = true;
    return true;
  }
  return false;
}

}  // namespace

void SourceAcl::add(std::string_view entry) {
  Net n;
  const auto slash = entry.find('/');
  if (!parse_addr(entry.substr(0, slash), n.v6, n.addr)) return;
  n.bits = n.v6 ? 128 : 32;
  if (slash != std::string_view::npos) {
    unsigned bits = 0;
    auto len = entry.substr(slash + 1);
    auto [p, ec] = std::from_chars(len.data(), len.data() + len.size(), bits);
    if (ec != std::errc() || p != len.data() + len.size() || bits > n.bits) return;
    n.bits = bits;
  }
  nets_.push_back(n);
}

bool SourceAcl::allows(std::string_view address) const {
  bool v6 = false;
  std::array<std::uint8_t, 16> a{};
  if (!parse_addr(address, v6, a)) return false;
  for (const auto& n : nets_) {
    if (n.v6 != v6) continue;
    unsigned full = n.bits / 8, rest = n.bits % 8;
    bool match = true;
    for (unsigned i = 0; i < full && match; ++i) match = a[i] == n.addr[i];
    if (match && rest != 0) {
      const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
      match = (a[full] & mask) == (n.addr[full] & mask);
    }
    if (match) return true;
  }
  return false;
}

}  // namespace isupgw::engine
