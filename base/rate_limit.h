// Rate limits for what strangers and misbehaving peers may cost (issue 23): a
// token bucket (RFC 2697's single-rate idea: `per_second` tokens a second, at
// most `burst` saved up) and a log throttle, so that a flood of refusals is
// counted in full but logged about once a second. Time comes from the caller
// (a Clock), so tests run them in virtual time. No allocation, no locking.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "base/clock.h"

namespace isupgw {

struct RateLimit {
  double per_second = 0;  // 0: unlimited
  double burst = 0;       // tokens saved up at most; 0: one second's worth
  bool unlimited() const { return per_second <= 0; }
};

class TokenBucket {
 public:
  TokenBucket() = default;
  explicit TokenBucket(RateLimit limit)
      : rate_(limit.per_second), burst_(limit.burst > 0 ? limit.burst : limit.per_second), tokens_(burst_) {}

  // Spends `n` tokens at `now`: false (and nothing spent) when fewer are left.
  bool take(Clock::time_point now, double n = 1) {
    if (rate_ <= 0) return true;
    refill(now);
    if (tokens_ < n) return false;
    tokens_ -= n;
    return true;
  }
  double tokens(Clock::time_point now) {
    refill(now);
    return tokens_;
  }
  bool unlimited() const { return rate_ <= 0; }

 private:
  void refill(Clock::time_point now) {
    if (!started_) {
      started_ = true;
      last_ = now;
      return;
    }
    if (now <= last_) return;
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    last_ = now;
  }

  double rate_ = 0;
  double burst_ = 0;
  double tokens_ = 0;
  bool started_ = false;
  Clock::time_point last_{};
};

// At most one log line per `interval` for one kind of event; the lines held
// back are counted and reported with the next one written.
class LogThrottle {
 public:
  explicit LogThrottle(Clock::duration interval = std::chrono::seconds(1)) : interval_(interval) {}

  // True when a line may be written now; `held_back` is then the number of
  // lines suppressed since the last one written (and is reset).
  bool allow(Clock::time_point now, std::uint64_t& held_back) {
    if (written_ && now - last_ < interval_) {
      ++held_;
      return false;
    }
    written_ = true;
    last_ = now;
    held_back = held_;
    held_ = 0;
    return true;
  }

 private:
  Clock::duration interval_;
  Clock::time_point last_{};
  bool written_ = false;
  std::uint64_t held_ = 0;
};

}  // namespace isupgw
