// Who may open a SIGTRAN association with a listening link (issue 23): an
// M3UA or M2PA server accepts a connection only from a configured peer
// address (block), and from the configured port where one is set; a
// connection arriving while the link's association is established is refused
// too, so a stranger never displaces or blocks the real peer. The transports
// ask judge() for every connection they accept, and close the refused ones at
// once with a reset (TCP RST, SCTP ABORT): nothing of ours reaches a stranger.
// Every refusal is counted (guard.sigtran.<link>.refused_<why>) and logged,
// at most one line a second per link with the number held back.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/counters.h"
#include "base/ip_address.h"
#include "base/log.h"
#include "base/rate_limit.h"

namespace isupgw::sigtran {

struct AllowedPeer {
  IpPrefix net;            // an address (/32, /128) or a block
  std::uint16_t port = 0;  // 0: any source port
};

struct PeerGuardConfig {
  std::string link;                  // names counters and log lines
  std::vector<AllowedPeer> allowed;  // empty: nobody
  Subsystem subsystem = Subsystem::kM3ua;
};

enum class AcceptVerdict : std::uint8_t {
  kAdmit,
  kUnlistedAddress,  // no allowed entry covers the source address
  kWrongPort,        // the address is allowed, from other ports only
  kBusy,             // the link's association is established: never displaced
};
std::string_view to_string(AcceptVerdict v);

class PeerGuard {
 public:
  PeerGuard(PeerGuardConfig cfg, const Clock& clock, Logger& log, Counters& counters);

  // A connection accepted from `address` (4 or 16 octets, network order) and
  // `port`, while the link is `busy` or not. Refusals are counted and logged here.
  AcceptVerdict judge(std::span<const std::uint8_t> address, std::uint16_t port, bool busy);
  // The address and port checks alone.
  AcceptVerdict check(std::span<const std::uint8_t> address, std::uint16_t port) const;
  const PeerGuardConfig& config() const { return cfg_; }

 private:
  PeerGuardConfig cfg_;
  const Clock& clock_;
  Logger& log_;
  Counter& admitted_;
  Counter& refused_address_;
  Counter& refused_port_;
  Counter& refused_busy_;
  LogThrottle throttle_;
};

}  // namespace isupgw::sigtran
