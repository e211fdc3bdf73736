#include "media-gw/mg_health_fsm.h"

namespace isupgw::mediagw {
namespace {

using S = HealthState;
constexpr S U = S::kUnknown;
constexpr S P = S::kUp;
constexpr S D = S::kDown;
constexpr S O = S::kOutOfService;

// kTable[state][event] -> next state.
//              AuditAnswered AuditLost RsipRestart RsipDisconn RsipGraceful RsipForced CancelGraceful Reset
constexpr std::array<std::array<S, kHealthEventCount>, kHealthStateCount> kTable = {{
    /* UNKNOWN        */ {P, D, P, P, O, O, P, U},
    /* UP             */ {P, D, P, P, O, O, P, U},
    /* DOWN           */ {P, D, P, P, O, O, P, U},
    // Reachable but out of service: an audit answer proves reachability only.
    /* OUT_OF_SERVICE */ {O, D, P, P, O, O, P, U},
}};

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
      went_down_(counters.get("mgcp.health.down")) {}

HealthState MgHealthFsm::next(HealthState s, HealthEvent e) {
  return kTable[static_cast<std::size_t>(s)][static_cast<std::size_t>(e)];
}

HealthState MgHealthFsm::handle(HealthEvent e) {
  const HealthState from = state_;
  const HealthState to = next(from, e);
  if (to == from) {
    log_.trace(Subsystem::kMgcp, "mg_health_event",
               {{"mg", name_}, {"state", to_string(from)}, {"event", to_string(e)}});
    return to;
  }
  state_ = to;
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
