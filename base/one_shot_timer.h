// One protocol timer (Q.704 T2, RFC 4666 T(ack), ...) on a TimerService:
// arm() starts it (restarting it when it runs), cancel() stops it, and the
// owner's destruction cancels it, so a callback never outlives its owner.
// The callback runs with the timer already stopped: it may re-arm it.
#pragma once

#include <utility>

#include "base/timer_service.h"

namespace isupgw {

class OneShotTimer {
 public:
  explicit OneShotTimer(TimerService& timers) : timers_(timers) {}
  ~OneShotTimer() { cancel(); }
  OneShotTimer(const OneShotTimer&) = delete;
  OneShotTimer& operator=(const OneShotTimer&) = delete;

  template <class Fn>
  void arm(Clock::duration after, Fn fn) {
    cancel();
    // The callback stays here and the service gets a one-pointer closure: a
    // small callback ([this, event]) then needs no heap in either std::function.
    fn_ = std::move(fn);
    id_ = timers_.start(after, [this] {
      id_ = 0;
      TimerService::Callback f = std::move(fn_);
      f();  // may re-arm this timer (fn_ is free again) or destroy its owner
    });
  }
  void cancel() {
    if (id_ == 0) return;
    timers_.cancel(id_);
    id_ = 0;
    fn_ = nullptr;
  }
  bool armed() const { return id_ != 0; }

 private:
  TimerService& timers_;
  TimerService::Id id_ = 0;
  TimerService::Callback fn_;
};

}  // namespace isupgw
