// SCTP multi-homing (RFC 4960 6.4, issue 19) apart from the socket: the
// address arrays sctp_bindx / sctp_connectx take and sctp_getpaddrs gives, and
// the table of an association's paths fed by SCTP_PEER_ADDR_CHANGE (RFC 6458
// 6.1.2), counting every path lost (sctp.path_down) and regained
// (sctp.path_up). Nothing here needs a kernel with SCTP: unit-tested on any host.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/counters.h"
#include "base/result.h"
#include "sigtran/transport.h"

namespace isupgw::sigtran {

// IP literals of one family with one port, packed as sctp_bindx(3) and
// sctp_connectx(3) take them: sockaddr_in or sockaddr_in6, back to back.
struct PackedAddresses {
  std::vector<std::uint8_t> bytes;
  int count = 0;
  int family = 0;  // AF_INET or AF_INET6
};
// Errors: "'X' is not an IPv4 or IPv6 address", "'X' mixes IPv4 and IPv6", "no address".
Result<PackedAddresses, std::string> pack_addresses(std::span<const std::string> addresses, std::uint16_t port);

// An array of `count` packed addresses (sctp_getpaddrs(3), or pack_addresses)
// as text; an IPv4-mapped IPv6 address is given as IPv4. Stops at an unknown family.
std::vector<std::string> unpack_addresses(const void* addrs, int count);
// One socket address (sockaddr_in / sockaddr_in6, as in a notification) as text; empty if neither.
std::string address_text(const void* sockaddr);

// What SCTP_PEER_ADDR_CHANGE says of a peer address (spc_state, RFC 6458 6.1.2).
enum class PathEvent : std::uint8_t { kAvailable, kUnreachable, kRemoved, kAdded, kMadePrimary, kConfirmed, kOther };

class PathTable {
 public:
  PathTable(Counter& down, Counter& up) : down_(down), up_(up) {}
  // An association came up with these paths (their state as the kernel gives it).
  void reset(std::vector<TransportPath> paths) { paths_ = std::move(paths); }
  void clear() { paths_.clear(); }
  // Applies an event; the change in reachability it makes: -1 lost (counted
  // path_down), +1 regained (counted path_up), 0 none (a new address's
  // confirmation, RFC 4960 5.4, makes it active without counting).
  int apply(const std::string& address, PathEvent e);
  const std::vector<TransportPath>& paths() const { return paths_; }

 private:
  TransportPath& find_or_add(const std::string& address);
  Counter& down_;
  Counter& up_;
  std::vector<TransportPath> paths_;
};

}  // namespace isupgw::sigtran
