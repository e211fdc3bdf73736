#include "base/asio_timer_service.h"

namespace isupgw {

AsioTimerService::~AsioTimerService() {
  *alive_ = false;
  for (auto& [id, e] : timers_) e->timer.cancel();
}

TimerService::Id AsioTimerService::start(Clock::duration after, Callback fn) {
  const Id id = ++last_id_;
  auto entry = std::make_unique<Entry>(io_);
  entry->fn = std::move(fn);
  entry->timer.expires_after(std::chrono::duration_cast<boost::asio::steady_timer::duration>(after));
  entry->timer.async_wait([this, id, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive) return;
    auto it = timers_.find(id);
    if (it == timers_.end()) return;
    Callback cb = std::move(it->second->fn);
    timers_.erase(it);
    cb();
  });
  timers_.emplace(id, std::move(entry));
  return id;
}

void AsioTimerService::cancel(Id id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  it->second->timer.cancel();
  timers_.erase(it);
}

}  // namespace isupgw
