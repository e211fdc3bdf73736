// Reload that keeps calls (issue 16): SIGHUP and the management model's
// reload action re-read the configuration file. A file that does not load
// changes nothing (FILE:LINE: reason, counted). Otherwise the live items apply
// at once and every item that needs a restart is named in one warning line,
// counted, and keeps running as it was started (README "Reload"):
//   live: logging, runtime, routes, SIP listeners added, sip.trunks (addresses, access lists,
//         profiles, number plans), trunk groups' CIC ranges (withdrawn CICs
//         drain, then are blocked towards the exchange; new ones are reset);
//   restart: node, SIP listeners removed, sip.max_tcp_connections, sip.guard, a SIP
//         trunk's OPTIONS keepalive target, every ss7 item but CIC ranges,
//         trunk groups added or removed, media_gateways.
// Calls in progress keep the routes and trunks they were set up with
// (CallEngine::reload); the next calls take the new ones.
#include <chrono>
#include <string>

#include "config/diff.h"
#include "daemon/runtime.h"

namespace isupgw::daemon {

void Runtime::reload() { (void)reload_now(); }

void Runtime::reload(std::function<void(Result<mgmt::ReloadReport, std::string>)> done) { done(reload_now()); }

Result<mgmt::ReloadReport, std::string> Runtime::reload_now() {
  const auto t0 = std::chrono::steady_clock::now();  // the event loop is held for this long
  counters_.get("config.reload_requests").inc();
  auto loaded = config_path_.empty() ? config::load_default_config() : config::load_config_file(config_path_);
  if (!loaded) {
    counters_.get("config.reload_failures").inc();
    log_.error(Subsystem::kConfig, "reload_rejected",
               {{"error", loaded.error().to_string()}, {"action", "keeping the running configuration"}});
    return Err(loaded.error().to_string());
  }
  mgmt::ReloadReport report{loaded->source, {}};
  // Live items against the file last applied; restart items against the start.
  const config::ConfigDiff live = config::diff(config_, *loaded);
  const config::ConfigDiff since_start = config::diff(started_, *loaded);
  std::size_t restart = 0;
  for (const auto& c : since_start.needs_restart()) {
    ++restart;
    counters_.get("config.reload_needs_restart").inc();
    log_.warn(Subsystem::kConfig, "reload_needs_restart", {{"item", c.item}, {"change", c.what}});
    report.notes.push_back(c.item + ": " + c.what + ", needs restart");
  }
  for (const auto& c : live.live()) {
    log_.notice(Subsystem::kConfig, "reload_applies", {{"item", c.item}, {"change", c.what}});
    report.notes.push_back(c.item + ": " + c.what + ", applied");
  }
  if (live.logging) apply_logging(loaded->config.logging(), log_);
  if (live.routing && engine_) {
    std::map<std::string, isup::GroupId, std::less<>> groups;
    if (ss7_) groups = ss7_->groups();
    engine_->reload(engine::make_engine_config(loaded->config, loaded->settings, std::move(groups)));
    if (sip_guard_) sip_guard_->set_listed(loaded->settings.sip_guard.listed);
    // An ss7 daemon started without routes refused every IAM itself; with routes the engine takes them.
    if (ss7_ && config_.config.routes_size() == 0 && loaded->config.routes_size() > 0)
      ss7_->set_call_user(engine_.get());
  }
  for (const auto& change : live.cics) apply_cics(change, report);
  for (int i : live.listeners_added) {
    const auto c = listener_config(loaded->config.sip().listeners(i));
    const std::string item = "sip.listeners[" + std::string(sip::to_string(c.transport)) + " " + c.address + ":" +
                             std::to_string(c.port) + "]";
    if (auto ec = ua_ ? ua_->add_listener(c) : std::make_error_code(std::errc::operation_not_supported)) {
      counters_.get("config.reload_needs_restart").inc();
      log_.error(Subsystem::kSip, "listen_failed",
                 {{"item", item}, {"error", ec.message()}, {"action", "needs restart"}});
      report.notes.push_back(item + ": cannot listen (" + ec.message() + "), needs restart");
    } else {
      // Bound now as if at start: removing it later is a change that needs a restart.
      *started_.config.mutable_sip()->add_listeners() = loaded->config.sip().listeners(i);
      log_.notice(Subsystem::kSip, "listening",
                  {{"transport", sip::to_string(c.transport)}, {"address", c.address}, {"port", c.port}});
    }
  }
  config_ = std::move(*loaded);
  counters_.get("config.reloads_applied").inc();
  const auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
  log_.notice(Subsystem::kConfig, "reloaded",
              {{"source", config_.source},
               {"applied", live.live().size()},
               {"needs_restart", restart},
               {"took_us", took.count()}});
  return report;
}

// CIC ranges (Q.764 2.8.2, 2.10.3): removed CICs drain (no new call, an
// established one runs to its end) and are then blocked towards the exchange
// with BLO/CGB maintenance; added ones are reset (GRS/RSC) before they carry
// calls, or unblocked (UBL/CGU) when a reload had withdrawn them.
void Runtime::apply_cics(const config::CicChange& change, mgmt::ReloadReport& report) {
  const std::string item = "ss7.trunk_groups[" + change.group + "].cics";
  if (!ss7_) return;
  const auto& groups = ss7_->groups();
  auto id = groups.find(change.group);
  if (id == groups.end()) return;  // a group this file adds: needs a restart, said above
  if (!change.removed.empty()) {
    (void)ss7_->isup().withdraw(id->second, change.removed);
    report.notes.push_back(item + ": " + config::cic_list(change.removed) + " withdrawn (drain, then BLO/CGB)");
  }
  if (!change.added.empty()) {
    (void)ss7_->equip(id->second, change.added);
    report.notes.push_back(item + ": " + config::cic_list(change.added) + " equipped (reset, or UBL/CGU)");
  }
}

}  // namespace isupgw::daemon
