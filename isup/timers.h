// Timer service for the Q.764 supervision timers, driven by an isupgw::Clock.
//
// Nothing here reads the wall clock or owns a thread: the owner calls
// run_due() whenever the clock may have passed a deadline (the runtime from its
// event loop at next_deadline(), tests after ManualClock::advance), so virtual
// time makes every timer deterministic. A binary min-heap ordered by
// (deadline, start sequence) fires simultaneous timers in the order they were
// started; cancellation is lazy (the heap entry is skipped when it surfaces).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

#include "base/clock.h"

namespace isupgw::isup {

class TimerService {
 public:
  using Id = std::uint64_t;  // 0 is never a valid id
  using Callback = std::function<void()>;

  explicit TimerService(const Clock& clock) : clock_(clock) {}
  TimerService(const TimerService&) = delete;
  TimerService& operator=(const TimerService&) = delete;

  const Clock& clock() const { return clock_; }

  // Starts a one-shot timer firing `after` from now (negative counts as zero).
  Id start(Clock::duration after, Callback cb);
  // True if the timer was pending (it will not fire).
  bool cancel(Id id);
  bool pending(Id id) const { return callbacks_.count(id) != 0; }
  std::size_t size() const { return callbacks_.size(); }

  // Fires every timer whose deadline is <= now, earliest first. Callbacks may
  // start and cancel timers; a timer started with zero delay inside a callback
  // fires in the same call. Returns the number fired.
  std::size_t run_due();
  // Earliest pending deadline.
  std::optional<Clock::time_point> next_deadline();

 private:
  struct Entry {
    Clock::time_point when;
    std::uint64_t seq;
    Id id;
  };
  static bool later(const Entry& a, const Entry& b) {
    return a.when != b.when ? a.when > b.when : a.seq > b.seq;
  }
  void drop_cancelled();

  const Clock& clock_;
  std::vector<Entry> heap_;  // std::push_heap / pop_heap with `later`: a min-heap
  std::unordered_map<Id, Callback> callbacks_;
  std::uint64_t seq_ = 0;
  Id next_id_ = 1;
};

// One named supervision timer of a state machine (T1, T7, ...): restarting
// cancels the previous run, destruction cancels it.
class Timer {
 public:
  explicit Timer(TimerService& svc) : svc_(&svc) {}
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  ~Timer() { stop(); }

  void start(Clock::duration after, TimerService::Callback cb) {
    stop();
    id_ = svc_->start(after, std::move(cb));
  }
  void stop() {
    if (id_ != 0) svc_->cancel(id_);
    id_ = 0;
  }
  bool running() const { return id_ != 0 && svc_->pending(id_); }

 private:
  TimerService* svc_;
  TimerService::Id id_ = 0;
};

}  // namespace isupgw::isup
