// What SIP traffic from sources no trunk lists may cost (issue 23). Every
// datagram, and every message cut from a stream, is judged by its source
// address before it is parsed: a source listed by a trunk (its address and
// allowed_sources) passes untouched; any other gets a small budget of its own
// and all of them share one more, and what exceeds either is dropped unread --
// one table lookup instead of a parse, a transaction and a 403. Stream
// connections from unlisted sources are limited per source and in total (so
// they never take the listed peers' room), and closed when they bring no
// complete message within the idle time (half-open and slow senders). Memory
// is bounded: a fixed table of sources, a count per open connection.
// Counters guard.sip.*; refusals logged at most once a second.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/counters.h"
#include "base/ip_address.h"
#include "base/log.h"
#include "base/rate_limit.h"
#include "base/source_limiter.h"

namespace isupgw::sip {

struct SourceGuardConfig {
  std::vector<IpPrefix> listed;                     // trunk peers: never limited here
  RateLimit unlisted_per_source{20, 40};            // messages a second from one unlisted source
  RateLimit unlisted_total{200, 400};               // from every unlisted source together
  std::size_t tracked_sources = 4096;               // the per-source table (fixed memory)
  std::size_t unlisted_connections_per_source = 8;  // TCP/TLS
  std::size_t unlisted_connections_total = 256;
  Clock::duration unlisted_idle_timeout = std::chrono::seconds(10);  // 0 = never
};

class SourceGuard {
 public:
  SourceGuard(SourceGuardConfig cfg, const Clock& clock, Logger& log, Counters& counters);

  // Addresses in network byte order, 4 or 16 octets.
  bool listed(std::span<const std::uint8_t> address) const;
  // One datagram or stream message from `address`: false = drop it unread.
  bool admit_message(std::span<const std::uint8_t> address);
  // A stream connection from an unlisted `address` (the caller asks only for
  // those): false = refuse it; else release_connection() when it ends.
  bool admit_connection(std::span<const std::uint8_t> address);
  void release_connection(std::span<const std::uint8_t> address);
  // An unlisted stream closed for bringing no complete message in time.
  void idle_closed(std::span<const std::uint8_t> address);
  const SourceGuardConfig& config() const { return cfg_; }
  // Reload (issue 16): the trunks' sources as the new configuration lists them.
  void set_listed(std::vector<IpPrefix> listed) { cfg_.listed = std::move(listed); }
  std::size_t unlisted_connections() const { return connections_total_; }

 private:
  struct KeyHash {
    std::size_t operator()(const SourceKey& k) const { return static_cast<std::size_t>(k.hash()); }
  };
  void refused(std::string_view why, std::span<const std::uint8_t> address, Counter& counter);

  SourceGuardConfig cfg_;
  const Clock& clock_;
  Logger& log_;
  SourceLimiter per_source_;
  TokenBucket total_;
  std::unordered_map<SourceKey, std::size_t, KeyHash> connections_;
  std::size_t connections_total_ = 0;
  Counter& dropped_source_;
  Counter& dropped_total_;
  Counter& refused_conn_source_;
  Counter& refused_conn_total_;
  Counter& idle_closed_;
  LogThrottle throttle_;
};

}  // namespace isupgw::sip
