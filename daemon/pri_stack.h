// The daemon's PRI spans (issue 21, config pri_spans): per span one IUA association as ASP towards the
// signalling gateway that terminates the span's Q.921 (RFC 4233; mg-sim in the lab), DL-ESTABLISH requested
// once the ASP is active (RFC 4233 3.3.1.3), and the span's Q.931 layer (q931/pri_span.h: calls, B channels,
// restart 5.5) on the data link.
//
// Calls: each span's call events go to the SpanUser (the call engine, engine/call_engine_pri.cpp), which
// carries them to and from SIP (or ISUP). Without a user (no routes) an incoming SETUP is refused with cause
// 47 (resource unavailable, unspecified), counted and logged (pri.setup_in_refused).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/asio.h"
#include "base/asio_timer_service.h"
#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/result.h"
#include "config/settings.h"
#include "q931/span_user.h"

namespace isupgw::daemon {

class PriStack {
 public:
  // What `show pri` prints: the association, the data link, the restart state, the channels not idle.
  struct SpanView {
    std::string name;
    std::string asp_state;  // RFC 4233 ASP state (ASP-ACTIVE when primitives flow)
    bool data_link = false;  // DL-ESTABLISH confirmed / indicated
    std::string restart;     // Q.931 5.5 state: null, restart_request, restart
    std::size_t channels = 0;
    std::vector<std::uint8_t> busy;  // busy or restarting B channels
    std::size_t calls = 0;
  };

  static Result<std::unique_ptr<PriStack>, std::string> create(boost::asio::io_context& io,
                                                               const std::vector<config::PriSpanSettings>& spans,
                                                               Logger& log, Counters& counters);
  ~PriStack();
  PriStack(const PriStack&) = delete;
  PriStack& operator=(const PriStack&) = delete;

  void start();  // connects every association
  void stop();   // ASPDN, close
  std::vector<SpanView> view() const;
  // The call engine; before start().
  void set_user(q931::SpanUser* user);
  std::vector<q931::Span*> spans();
  TimerService& timers() { return timers_; }

 private:
  class SpanUnit;
  PriStack(boost::asio::io_context& io, Logger& log, Counters& counters);

  boost::asio::io_context& io_;
  Logger& log_;
  Counters& counters_;
  SteadyClock clock_;
  AsioTimerService timers_;
  std::vector<std::unique_ptr<SpanUnit>> spans_;
};

}  // namespace isupgw::daemon
