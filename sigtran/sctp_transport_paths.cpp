#include "sigtran/sctp_transport_paths.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "base/ip_address.h"

namespace isupgw::sigtran {

Result<PackedAddresses, std::string> pack_addresses(std::span<const std::string> addresses, std::uint16_t port) {
  PackedAddresses out;
  if (addresses.empty()) return Err(std::string("no address"));
  for (const auto& a : addresses) {
    sockaddr_in in{};
    sockaddr_in6 in6{};
    int family = 0;
    if (::inet_pton(AF_INET, a.c_str(), &in.sin_addr) == 1) {
      family = AF_INET;
    } else if (::inet_pton(AF_INET6, a.c_str(), &in6.sin6_addr) == 1) {
      family = AF_INET6;
    } else {
      return Err("'" + a + "' is not an IPv4 or IPv6 address");
    }
    if (out.family != 0 && out.family != family) return Err("'" + a + "' mixes IPv4 and IPv6");
    out.family = family;
    const auto* p = reinterpret_cast<const std::uint8_t*>(family == AF_INET ? static_cast<void*>(&in) : &in6);
    std::size_t n = 0;
    if (family == AF_INET) {
      in.sin_family = AF_INET;
      in.sin_port = htons(port);
      n = sizeof in;
    } else {
      in6.sin6_family = AF_INET6;
      in6.sin6_port = htons(port);
      n = sizeof in6;
    }
    out.bytes.insert(out.bytes.end(), p, p + n);
    ++out.count;
  }
  return out;
}

std::string address_text(const void* sa) {
  sa_family_t family = 0;
  std::memcpy(&family, static_cast<const std::uint8_t*>(sa) + offsetof(sockaddr, sa_family), sizeof family);
  if (family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, sa, sizeof in);
    return ip_text({reinterpret_cast<const std::uint8_t*>(&in.sin_addr), 4});
  }
  if (family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, sa, sizeof in6);
    const auto host = IpPrefix::host({reinterpret_cast<const std::uint8_t*>(&in6.sin6_addr), 16});
    return ip_text({host.addr.data(), host.v6 ? 16u : 4u});  // ::ffff:a.b.c.d reads a.b.c.d
  }
  return {};
}

std::vector<std::string> unpack_addresses(const void* addrs, int count) {
  std::vector<std::string> out;
  const auto* p = static_cast<const std::uint8_t*>(addrs);
  for (int i = 0; i < count; ++i) {
    sa_family_t family = 0;
    std::memcpy(&family, p + offsetof(sockaddr, sa_family), sizeof family);
    if (family != AF_INET && family != AF_INET6) break;
    out.push_back(address_text(p));
    p += family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
  }
  return out;
}

TransportPath& PathTable::find_or_add(const std::string& address) {
  for (auto& p : paths_)
    if (p.address == address) return p;
  paths_.push_back(TransportPath{address, true, false});
  return paths_.back();
}

int PathTable::apply(const std::string& address, PathEvent e) {
  switch (e) {
    case PathEvent::kUnreachable: {
      auto& p = find_or_add(address);
      if (!p.active) return 0;
      p.active = false;
      down_.inc();
      return -1;
    }
    case PathEvent::kConfirmed:  // a new address's first heartbeat answered: not a path regained
      find_or_add(address).active = true;
      return 0;
    case PathEvent::kAvailable: {
      auto& p = find_or_add(address);
      if (p.active) return 0;
      p.active = true;
      up_.inc();
      return 1;
    }
    case PathEvent::kAdded: find_or_add(address); return 0;
    case PathEvent::kRemoved:
      std::erase_if(paths_, [&](const TransportPath& p) { return p.address == address; });
      return 0;
    case PathEvent::kMadePrimary:
      for (auto& p : paths_) p.primary = p.address == address;
      find_or_add(address).primary = true;
      return 0;
    case PathEvent::kOther: return 0;
  }
  return 0;
}

}  // namespace isupgw::sigtran
