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
#include "base/result.h"
#include "config/diff.h"
#include "config/loader.h"
#include "daemon/cdr_output.h"
#include "daemon/media_stack.h"
#include "daemon/pri_stack.h"
#include "daemon/radius_accounting.h"
#include "daemon/sip_dns.h"
#include "daemon/ss7_stack.h"
#include "daemon/trace_output.h"
#include "daemon/vty_server.h"
#include "engine/call_engine.h"
#include "http/server.h"
#include "mgmt/model.h"
#include "sigtran/point_code.h"
#include "sip/source_guard.h"
#include "sip/user_agent.h"

namespace isupgw::daemon {

// A simulated exchange the configuration asks for (ss7.simulated_exchanges).
// The simulator lives in tools/, outside the daemon library: the isupgw
// executable hands the Runtime a factory (daemon/main.cpp).
class ExchangeSimulator {
 public:
  virtual ~ExchangeSimulator() = default;
  virtual void start() = 0;
  virtual void stop() = 0;
};
using ExchangeSimulatorFactory = std::function<Result<std::unique_ptr<ExchangeSimulator>, std::string>(
    boost::asio::io_context& io, const config::SimulatedExchangeSettings& cfg, Logger& log, Counters& counters)>;

// Applies the logging section to a Logger (levels and format).
void apply_logging(const config::Logging& logging, Logger& log);

// The Runtime is also what the management model reads from (mgmt::Stacks).
class Runtime final : public mgmt::Stacks {
 public:
  // `config_path` empty = embedded default (SIGHUP then re-reads the default).
  // `sims` builds ss7.simulated_exchanges; without it such a configuration fails to start.
  Runtime(config::LoadedConfig config, std::string config_path, Logger& log, ExchangeSimulatorFactory sims = {});
  ~Runtime() override;

  // Binds listeners and runs until stopped. Returns the process exit code:
  // 0 after a graceful stop, 1 when start-up failed (e.g. a port in use).
  int run();

  // Same as SIGTERM; safe to call from the io_context thread.
  void request_stop(const std::string& reason);
  // Same as SIGHUP.
  void reload();

  // The management model over this runtime's stacks (issue 16); the REST API
  // and /metrics (daemon/http_api.h) render it. Valid for the Runtime's lifetime.
  mgmt::Model& model() { return model_; }
  // The PRI spans (issue 21); nullptr without pri_spans.
  const PriStack* pri() const { return pri_.get(); }
  boost::asio::io_context& io() { return io_; }

  // --- mgmt::Stacks ---
  Counters& counters() override { return counters_; }
  const Clock& clock() override { return clock_; }
  sigtran::PointCodeFormat point_code_format() const override;
  engine::CallEngine* engine() override { return engine_.get(); }
  sip::UserAgent* sip() override { return ua_.get(); }
  isup::IsupCallControl* isup() override { return ss7_ ? &ss7_->isup() : nullptr; }
  const std::map<std::string, isup::GroupId, std::less<>>& trunk_groups() override;
  sigtran::m3ua::Mtp3* m3ua() override { return ss7_ ? &ss7_->mtp3() : nullptr; }
  std::span<const std::unique_ptr<sigtran::mtp3::LinkSet>> linksets() override;
  std::vector<mgmt::MediaGatewayRef> media_gateways() override;
  std::vector<mgmt::PriSpanView> pri_spans() override;
  void post(std::function<void()> fn) override { boost::asio::post(io_, std::move(fn)); }
  void reload(std::function<void(Result<mgmt::ReloadReport, std::string>)> done) override;

 private:
  bool start_sip();
  sip::ListenerConfig listener_config(const config::SipListener& lc) const;
  // management.vty: the VTY thread and its listener (daemon/runtime_vty.cpp); false when it cannot bind.
  bool start_vty();
  // The SIGHUP path (daemon/reload.cpp): re-reads the file; what it applied,
  // or why it refused (README "Reload").
  Result<mgmt::ReloadReport, std::string> reload_now();
  void apply_cics(const config::CicChange& change, mgmt::ReloadReport& report);
  void wait_for_signal();
  void stop_if_drained();
  void sample_overload();
  void print_demo_usage() const;
  void log_circuits() const;
  std::size_t busy_circuits() const;

  config::LoadedConfig config_;   // the file last loaded (its live items applied)
  config::LoadedConfig started_;  // as started: what the items that need a restart run with
  std::string config_path_;
  Logger& log_;
  Counters counters_;
  ExchangeSimulatorFactory make_sim_;
  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer stop_timer_;
  boost::asio::steady_timer drain_timer_;
  // Node-wide overload control (issue 19): samples the SIP receive queues and the loop's lag for the engine.
  boost::asio::steady_timer overload_timer_;
  std::chrono::steady_clock::time_point overload_due_{};
  std::uint64_t overload_drops_ = 0;  // the SIP sockets' drop count at the last sample
  SteadyClock clock_;
  // The trace section (issue 17): the stacks' taps and the engine feed its capture, so it outlives them.
  std::unique_ptr<TraceOutput> trace_;
  // ISUP holds the media stack as its continuity checker: it must outlive ss7_.
  std::unique_ptr<MediaStack> media_;                     // when the configuration has media_gateways
  std::vector<std::unique_ptr<ExchangeSimulator>> sims_;  // ss7.simulated_exchanges
  std::unique_ptr<Ss7Stack> ss7_;                         // when it has an ss7 section
  std::unique_ptr<PriStack> pri_;                         // when it has pri_spans (issue 21)
  std::unique_ptr<RadiusAccounting> radius_;              // the radius section; before engine_ (its sinks)
  std::unique_ptr<CdrOutput> cdr_;  // the cdr section; before engine_: the engine's sink writes to it
  std::unique_ptr<SipDns> dns_;     // trunks by host name (RFC 3263); before engine_ and ua_: they ask it
  std::unique_ptr<engine::CallEngine> engine_;
  std::unique_ptr<sip::SourceGuard> sip_guard_;  // sources no trunk allows (issue 23); outlives ua_
  std::unique_ptr<sip::UserAgent> ua_;           // the SIP stack (listeners, transactions, dialogs)
  std::map<std::string, isup::GroupId, std::less<>> no_groups_;
  mgmt::Model model_{*this};
  std::unique_ptr<http::Server> http_;  // the management API (management.listen); after model_: its routes use it
  std::unique_ptr<VtyServer> vty_;      // after model_: stopped before the model goes
  bool stopping_ = false;
  bool ss7_stop_requested_ = false;
};

}  // namespace isupgw::daemon
