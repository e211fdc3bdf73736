#include "base/ip_address.h"

#include <arpa/inet.h>

#include <algorithm>

namespace isupgw {

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

bool valid_ip(const std::string& address) {
  unsigned char buf[16];
  return inet_pton(AF_INET, address.c_str(), buf) == 1 || inet_pton(AF_INET6, address.c_str(), buf) == 1;
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
  IpPrefix p;
  const auto slash = text.find('/');
  if (!parse_addr(text.substr(0, slash), p.v6, p.addr)) return std::nullopt;
  const unsigned max = p.v6 ? 128 : 32;
  p.bits = max;
  if (slash == std::string_view::npos) return p;
  const auto len = text.substr(slash + 1);
  if (len.empty() || len.size() > 3 ||
      !std::all_of(len.begin(), len.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  unsigned bits = 0;
  for (char c : len) bits = bits * 10 + static_cast<unsigned>(c - '0');
  if (bits > max) return std::nullopt;
  p.bits = bits;
  return p;
}

bool IpPrefix::contains(const IpPrefix& host) const {
  if (host.v6 != v6 || host.bits < bits) return false;
  const auto& a = host.addr;
  const unsigned full = bits / 8, rest = bits % 8;
  for (unsigned i = 0; i < full; ++i)
    if (a[i] != addr[i]) return false;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (addr[full] & mask);
}

IpPrefix IpPrefix::host(std::span<const std::uint8_t> a) {
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (a.size() == 16 && std::equal(a.begin(), a.begin() + 12, kMapped)) a = a.subspan(12);
  IpPrefix h;
  h.v6 = a.size() == 16;
  h.bits = h.v6 ? 128 : 32;
  std::copy(a.begin(), a.begin() + std::min<std::size_t>(a.size(), 16), h.addr.begin());
  return h;
}

std::string ip_text(std::span<const std::uint8_t> a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.size() == 4) inet_ntop(AF_INET, a.data(), buf, sizeof buf);
  if (a.size() == 16) inet_ntop(AF_INET6, a.data(), buf, sizeof buf);
  return buf;
}

}  // namespace isupgw
