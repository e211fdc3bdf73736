// The daemon's runtime: one Asio io_context, the SIP listeners, signal
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
#include "gateway/config_loader.h"
#include "gateway/media_stack.h"
#include "gateway/ss7_stack.h"
#include "sip/transport_listener.h"

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
  bool start_listeners();
  void wait_for_signal();
  void on_sip_bytes(const sip::Received& r);
  // Parses a datagram: unparseable -> sip.rx.unparseable, dropped; a request
  // with a fault -> 400 with Warning through the listener it came in on.
  void check_datagram(const sip::Received& r);
  void stop_if_drained();

  LoadedConfig config_;
  std::string config_path_;
  Logger& log_;
  Counters counters_;
  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer stop_timer_;
  boost::asio::steady_timer drain_timer_;
  std::vector<std::unique_ptr<sip::TransportListener>> listeners_;
  SteadyClock clock_;
  // ISUP holds the media stack as its continuity checker: it must outlive ss7_.
  std::unique_ptr<MediaStack> media_;  // when the configuration has media_gateways
  std::unique_ptr<Ss7Stack> ss7_;      // when it has an ss7 section
  bool stopping_ = false;
  bool ss7_stop_requested_ = false;
};

}  // namespace isupgw::gateway
