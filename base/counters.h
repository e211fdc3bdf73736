// Named monotonic counters ("sip.rx.datagrams", "m3ua.tx.data", ...) so that
// every drop or error is visible. Owned by the runtime, handed out by reference;
// lookups happen at wiring time, increments on the hot path are one atomic add.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace isupgw {

class Counter {
 public:
  void inc(std::uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

class Counters {
 public:
  // Returns the counter with this name, creating it at zero. The reference
  // stays valid for the lifetime of the Counters object.
  Counter& get(std::string_view name);
  std::uint64_t value(std::string_view name) const;
  // Sorted (name, value) pairs.
  std::vector<std::pair<std::string, std::uint64_t>> snapshot() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Counter>, std::less<>> counters_;
};

}  // namespace isupgw
