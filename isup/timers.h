// Timer service (header-only) for the Q.764 supervision timers, driven by an isupgw::Clock.
//
// Nothing here reads the wall clock or owns a thread: the owner calls
// run_due() whenever the clock may have passed a deadline (the runtime from its
// event loop at next_deadline(), tests after ManualClock::advance), so virtual
// time makes every timer deterministic. A binary min-heap ordered by
// (deadline, start sequence) fires simultaneous timers in the order they were
// started; cancellation is lazy (the heap entry is skipped when it surfaces).
#pragma once

#include <algorithm>
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
  static bool later(const Entry& a, const Entry& b) { return a.when != b.when ? a.when > b.when : a.seq > b.seq; }
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

inline TimerService::Id TimerService::start(Clock::duration after, Callback cb) {
  if (after < Clock::duration::zero()) after = Clock::duration::zero();
  const Id id = next_id_++;
  heap_.push_back(Entry{clock_.now() + after, seq_++, id});
  std::push_heap(heap_.begin(), heap_.end(), later);
  callbacks_.emplace(id, std::move(cb));
  return id;
}

inline bool TimerService::cancel(Id id) { return callbacks_.erase(id) != 0; }

inline void TimerService::drop_cancelled() {
  while (!heap_.empty() && callbacks_.count(heap_.front().id) == 0) {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    heap_.pop_back();
  }
}

inline std::optional<Clock::time_point> TimerService::next_deadline() {
  drop_cancelled();
  if (heap_.empty()) return std::nullopt;
  return heap_.front().when;
}

inline std::size_t TimerService::run_due() {
  std::size_t fired = 0;
  while (true) {
    drop_cancelled();
    if (heap_.empty() || heap_.front().when > clock_.now()) break;
    const Id id = heap_.front().id;
    std::pop_heap(heap_.begin(), heap_.end(), later);
    heap_.pop_back();
    auto it = callbacks_.find(id);
    Callback cb = std::move(it->second);
    callbacks_.erase(it);  // before the call: the callback may restart "its" timer
    cb();
    ++fired;
  }
  return fired;
}

}  // namespace isupgw::isup
