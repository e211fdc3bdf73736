// TimerService on an Asio io_context (real time, SteadyClock). Its own library
// (isupgw_base_asio) so that isupgw_base stays free of Boost.
#pragma once

#include <map>
#include <memory>

#include "base/asio.h"

#include "base/timer_service.h"

namespace isupgw {

class AsioTimerService final : public TimerService {
 public:
  explicit AsioTimerService(boost::asio::io_context& io) : io_(io) {}
  ~AsioTimerService() override;
  AsioTimerService(const AsioTimerService&) = delete;
  AsioTimerService& operator=(const AsioTimerService&) = delete;

  Id start(Clock::duration after, Callback fn) override;
  void cancel(Id id) override;
  std::size_t pending() const { return timers_.size(); }

 private:
  struct Entry {
    explicit Entry(boost::asio::io_context& io) : timer(io) {}
    boost::asio::steady_timer timer;
    Callback fn;
  };
  boost::asio::io_context& io_;
  Id last_id_ = 0;
  std::map<Id, std::unique_ptr<Entry>> timers_;
  // Shared with pending handlers so that a handler running after this
  // service is gone does nothing.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace isupgw
