// IP address literals as the configuration accepts them (SIP trunks and
// listeners, M3UA/M2PA endpoints, media gateways), and address blocks
// (a SIP trunk's allowed sources).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace isupgw {

// True for an IPv4 dotted-quad or an IPv6 literal (inet_pton(3) AF_INET or
// AF_INET6); host names, brackets, ports and prefixes are not addresses.
bool valid_ip(const std::string& address);

// An address block: "192.0.2.0/24", "2001:db8::/32", or one address (a /32 or /128).
struct IpPrefix {
  bool v6 = false;
  std::array<std::uint8_t, 16> addr{};  // network byte order; IPv4 in the first 4 octets
  unsigned bits = 0;

  // nullopt unless an IP literal, optionally followed by /LEN (1-3 digits, at most 32 or 128).
  static std::optional<IpPrefix> parse(std::string_view text);
  // A host (a full-length prefix) from an address's octets as a socket gives
  // them: 4, or 16 (an IPv4-mapped IPv6 address ::ffff:a.b.c.d is the IPv4 host).
  static IpPrefix host(std::span<const std::uint8_t> octets);
  // True when `host` (a parsed address: a full-length prefix) lies in the block.
  bool contains(const IpPrefix& host) const;
};

// An address's octets (4 or 16) as text (inet_ntop); empty for any other length.
std::string ip_text(std::span<const std::uint8_t> octets);

}  // namespace isupgw
