// Injectable time source. Every state machine takes a Clock& so tests run in
// virtual time (ManualClock) and the daemon in real time (SteadyClock).
#pragma once

#include <chrono>

namespace isupgw {

class Clock {
 public:
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<std::chrono::steady_clock, duration>;
  virtual ~Clock() = default;
  virtual time_point now() const = 0;
};

class SteadyClock final : public Clock {
 public:
  time_point now() const override { return std::chrono::steady_clock::now(); }
};

// Virtual time for tests: only advances when told to.
class ManualClock final : public Clock {
 public:
  time_point now() const override { return now_; }
  void advance(duration d) { now_ += d; }

 private:
  time_point now_{};
};

}  // namespace isupgw
