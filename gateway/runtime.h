// The daemon's runtime: one Asio io_context, the SIP stack (sip::UserAgent),
// the SS7 stack, the call engine joining them, simulated exchanges, signal
// handling (SIGINT/SIGTERM: graceful stop within runtime.shutdown_grace_ms;
// SIGHUP: configuration reload) and the counters that explain what happened.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/counters.h"
#include "base/log.h"
#include "gateway/call_engine.h"
#include "gateway/config_loader.h"
#include "gateway/media_stack.h"
#include "gateway/sim_exchange.h"
#include "gateway/ss7_stack.h"
#include "sip/user_agent.h"

namespace isupgw::gateway {

// Applies the logging section to a Logger (levels and format).
void apply_logging(const config::Logging& logging, Logger& log);

class Runtime {
 public:
  // `config_path` empty = embedded default (SIGHUP then re-reads the default).
  Runtime(LoadedConfig config, std::string config_path, Logger& log);
  ~Runtime();

  // Binds listeners and runs until stopped. Returns the process exit code:
  // 0 after a graceful stop, 1 when start-up failed (e.g. a port in use).
  int run();

  // Same as SIGTERM; safe to call from the io_context thread.
  void request_stop(const std::string& reason);
  // Same as SIGHUP.
  void reload();

  Counters& counters() { return counters_; }

 private:
  bool start_sip();
  void wait_for_signal();
  void stop_if_drained();
  void print_demo_usage() const;
  void log_circuits() const;
  std::size_t busy_circuits() const;

  LoadedConfig config_;
  std::string config_path_;
  Logger& log_;
  Counters counters_;
  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer stop_timer_;
  boost::asio::steady_timer drain_timer_;
  SteadyClock clock_;
  // ISUP holds the media stack as its continuity checker: it must outlive ss7_.
  std::unique_ptr<MediaStack> media_;               // when the configuration has media_gateways
  std::vector<std::unique_ptr<SimExchange>> sims_;  // ss7.simulated_exchanges
  std::unique_ptr<Ss7Stack> ss7_;                   // when it has an ss7 section
  std::unique_ptr<CallEngine> engine_;
  std::unique_ptr<sip::UserAgent> ua_;  // the SIP stack (listeners, transactions, dialogs)
  bool stopping_ = false;
  bool ss7_stop_requested_ = false;
};

}  // namespace isupgw::gateway
