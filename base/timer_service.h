// One-shot timers behind an interface so that protocol state machines run in
// virtual time under test (ManualTimerService + ManualClock) and on an Asio
// io_context in the daemon (AsioTimerService, base/asio_timer_service.h). Used by
// sip/ (RFC 3261 17 transaction timers) and media-gw/ (MGCP retransmission, T24).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <utility>

#include "base/clock.h"

namespace isupgw {

class TimerService {
 public:
  using Id = std::uint64_t;  // never 0
  using Callback = std::function<void()>;
  virtual ~TimerService() = default;
  // Calls `fn` once, `after` from now, unless cancelled first.
  virtual Id start(Clock::duration after, Callback fn) = 0;
  // Idempotent; cancelling a fired or unknown id does nothing.
  virtual void cancel(Id id) = 0;
};

// Virtual time: timers fire only inside advance(), in deadline order (ties in
// start order), with the clock set to each deadline as it fires.
class ManualTimerService final : public TimerService {
 public:
  explicit ManualTimerService(ManualClock& clock) : clock_(clock) {}

  Id start(Clock::duration after, Callback fn) override {
    const Id id = ++last_id_;
    const Key key{clock_.now() + (after < Clock::duration::zero() ? Clock::duration::zero() : after), id};
    timers_.emplace(key, std::move(fn));
    deadlines_.emplace(id, key.first);
    return id;
  }

  void cancel(Id id) override {
    auto it = deadlines_.find(id);
    if (it == deadlines_.end()) return;
    timers_.erase(Key{it->second, id});
    deadlines_.erase(it);
  }

  // Moves the clock forward by `d`, firing every timer that falls due,
  // including timers started by callbacks on the way.
  void advance(Clock::duration d) {
    const auto until = clock_.now() + d;
    while (!timers_.empty() && timers_.begin()->first.first <= until) {
      auto node = timers_.extract(timers_.begin());
      deadlines_.erase(node.key().second);
      if (node.key().first > clock_.now()) clock_.advance(node.key().first - clock_.now());
      node.mapped()();
    }
    if (until > clock_.now()) clock_.advance(until - clock_.now());
  }

  std::size_t pending() const { return timers_.size(); }
  std::optional<Clock::time_point> next_deadline() const {
    if (timers_.empty()) return std::nullopt;
    return timers_.begin()->first.first;
  }

 private:
  using Key = std::pair<Clock::time_point, Id>;
  ManualClock& clock_;
  Id last_id_ = 0;
  std::map<Key, Callback> timers_;
  std::map<Id, Clock::time_point> deadlines_;
};

}  // namespace isupgw
