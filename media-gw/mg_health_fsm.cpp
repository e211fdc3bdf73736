#include "media-gw/mg_health_fsm.h"

namespace isupgw::mediagw {
namespace {

using S = HealthState;
using E = HealthEvent;
using fsm::in;
constexpr auto kAny = in(S::kUnknown, S::kUp, S::kDown, S::kOutOfService);

// Every event is accepted in every state; the table says where it leads.
constexpr auto kTable = fsm::make_table<kHealthStateCount, kHealthEventCount, MgHealthFsm::Row>({
    {in(S::kUnknown, S::kUp, S::kDown), E::kAuditAnswered, S::kUp},
    // Reachable but out of service: an audit answer proves reachability only.
    {S::kOutOfService, E::kAuditAnswered, fsm::stay},
    {kAny, E::kAuditLost, S::kDown},
    {kAny, E::kRsipRestart, S::kUp},
    {kAny, E::kRsipDisconnected, S::kUp},
    {kAny, E::kRsipGraceful, S::kOutOfService},
    {kAny, E::kRsipForced, S::kOutOfService},
    {kAny, E::kRsipCancelGraceful, S::kUp},
    {kAny, E::kReset, S::kUnknown},
});
static_assert(kTable.accepts(S::kOutOfService).bits() == (1u << kHealthEventCount) - 1, "total in every state");

}  // namespace

std::string_view to_string(HealthState s) {
  switch (s) {
    case HealthState::kUnknown: return "UNKNOWN";
    case HealthState::kUp: return "UP";
    case HealthState::kDown: return "DOWN";
    case HealthState::kOutOfService: return "OUT_OF_SERVICE";
  }
  return "?";
}

std::string_view to_string(HealthEvent e) {
  switch (e) {
    case HealthEvent::kAuditAnswered: return "audit_answered";
    case HealthEvent::kAuditLost: return "audit_lost";
    case HealthEvent::kRsipRestart: return "rsip_restart";
    case HealthEvent::kRsipDisconnected: return "rsip_disconnected";
    case HealthEvent::kRsipGraceful: return "rsip_graceful";
    case HealthEvent::kRsipForced: return "rsip_forced";
    case HealthEvent::kRsipCancelGraceful: return "rsip_cancel_graceful";
    case HealthEvent::kReset: return "reset";
  }
  return "?";
}

MgHealthFsm::MgHealthFsm(std::string mg_name, Logger& log, Counters& counters)
    : name_(std::move(mg_name)),
      log_(log),
      transitions_(counters.get("mgcp.health.transitions")),
      went_down_(counters.get("mgcp.health.down")),
      meter_(kTable, log, counters,
             {.counters = "mgcp.health.fsm",
              .subsystem = Subsystem::kMgcp,
              .transition_level = LogLevel::kTrace,
              .transition_log = "mg_health_event",
              .label_key = "mg"}),
      m_(meter_, S::kUnknown, fsm::Label{name_}) {}

HealthState MgHealthFsm::next(HealthState s, HealthEvent e) {
  const MgHealthFsm::Row* r = kTable.find(s, e);
  return r ? r->to.after(s) : s;
}

HealthState MgHealthFsm::handle(HealthEvent e) {
  const HealthState from = m_.state();
  if (m_.step(e) == nullptr) return from;
  const HealthState to = m_.state();
  if (to == from) return to;
  transitions_.inc();
  if (to == HealthState::kDown || to == HealthState::kOutOfService) went_down_.inc();
  log_.log(Subsystem::kMgcp,
           to != HealthState::kUp && to != HealthState::kUnknown ? LogLevel::kWarn : LogLevel::kNotice,
           "mg_health_transition",
           {{"mg", name_}, {"from", to_string(from)}, {"to", to_string(to)}, {"event", to_string(e)}});
  if (listener_) listener_(from, to, e);
  return to;
}

}  // namespace isupgw::mediagw
