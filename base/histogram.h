// A fixed-bucket histogram of durations (Prometheus-style cumulative buckets),
// for the call path's timings (post-dial delay, the time the gateway adds to
// call setup). Buckets are chosen at construction; observing is a scan of a
// dozen bounds and two relaxed atomic adds, no allocation, so it can sit on the
// hot path. A snapshot may be read while observations go on.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/clock.h"

namespace isupgw {

struct HistogramSnapshot {
  std::vector<double> bounds;             // upper bounds in seconds, ascending (the +Inf bucket is implicit)
  std::vector<std::uint64_t> cumulative;  // observations <= bounds[i]; size = bounds.size()
  std::uint64_t count = 0;                // all observations (the +Inf bucket)
  double sum = 0;                         // seconds
};

class Histogram {
 public:
  explicit Histogram(std::vector<Clock::duration> bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void observe(Clock::duration d) {
    std::size_t i = 0;
    while (i < bounds_.size() && d > bounds_[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    const auto ns = d.count() > 0 ? static_cast<std::uint64_t>(d.count()) : 0;
    sum_ns_.fetch_add(ns, std::memory_order_relaxed);
  }
  HistogramSnapshot snapshot() const;

 private:
  std::vector<Clock::duration> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1 (the last one is +Inf)
  std::atomic<std::uint64_t> sum_ns_{0};
};

}  // namespace isupgw
