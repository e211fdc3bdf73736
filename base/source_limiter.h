// Per-source token buckets in a table of fixed size (issue 23): each source
// address (an IPv6 source by its /64, what one subscriber usually holds) gets
// its own rate limit, and memory stays the same whatever the number of
// sources. A source not in the table takes a slot of its probe window, the one
// seen longest ago when all are taken: a flood from ever new (spoofed)
// addresses only recycles slots, so callers add a limit over all sources too.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/clock.h"
#include "base/rate_limit.h"

namespace isupgw {

// A source as the limiter tells them apart: an IPv4 address, or an IPv6 /64.
struct SourceKey {
  std::array<std::uint8_t, 8> bytes{};
  bool v6 = false;

  // From an address in network byte order: 4 octets (IPv4) or 16 (IPv6; an
  // IPv4-mapped ::ffff:a.b.c.d counts as a.b.c.d). Other sizes give the zero key.
  static SourceKey from(std::span<const std::uint8_t> address);
  std::uint64_t hash() const;
  friend bool operator==(const SourceKey&, const SourceKey&) = default;
};

class SourceLimiter {
 public:
  struct Config {
    RateLimit per_source;         // unlimited: admit() always true, nothing tracked
    std::size_t capacity = 4096;  // sources tracked at once (rounded up to a power of two)
  };
  explicit SourceLimiter(Config cfg);

  // Spends one of the source's tokens: false when it has none left.
  bool admit(const SourceKey& source, Clock::time_point now);
  std::size_t tracked() const { return tracked_; }
  std::size_t capacity() const { return slots_.size(); }
  std::uint64_t evictions() const { return evictions_; }

 private:
  static constexpr std::size_t kWindow = 8;  // slots probed from the source's hash
  struct Slot {
    SourceKey key;
    TokenBucket bucket;
    Clock::time_point seen{};
    bool used = false;
  };
  RateLimit limit_;
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t tracked_ = 0;
  std::uint64_t evictions_ = 0;
};

}  // namespace isupgw
