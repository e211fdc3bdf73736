#include "isup/timers.h"

#include <algorithm>

namespace isupgw::isup {

TimerService::Id TimerService::start(Clock::duration after, Callback cb) {
  if (after < Clock::duration::zero()) after = Clock::duration::zero();
  const Id id = next_id_++;
  heap_.push_back(Entry{clock_.now() + after, seq_++, id});
  std::push_heap(heap_.begin(), heap_.end(), later);
  callbacks_.emplace(id, std::move(cb));
  return id;
}

bool TimerService::cancel(Id id) { return callbacks_.erase(id) != 0; }

void TimerService::drop_cancelled() {
  while (!heap_.empty() && callbacks_.count(heap_.front().id) == 0) {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    heap_.pop_back();
  }
}

std::optional<Clock::time_point> TimerService::next_deadline() {
  drop_cancelled();
  if (heap_.empty()) return std::nullopt;
  return heap_.front().when;
}

std::size_t TimerService::run_due() {
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
