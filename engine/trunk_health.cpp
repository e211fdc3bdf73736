#include "engine/trunk_health.h"

namespace isupgw::engine {

using S = TrunkHealthState;
using E = TrunkHealthEvent;
using fsm::in;

const auto& TrunkHealth::table() {
  static constexpr auto kTable = fsm::make_table<kTrunkHealthStates, kTrunkHealthEvents, Row>({
      {S::kUp, E::kSuccess, fsm::stay},
      {S::kUp, E::kSuccessesReached, fsm::stay},
      {S::kUp, E::kFailure, fsm::stay},
      {S::kUp, E::kFailuresReached, S::kDown},
      {S::kDown, E::kFailure, fsm::stay},
      {S::kDown, E::kFailuresReached, fsm::stay},
      {S::kDown, E::kSuccess, S::kProbing},
      {in(S::kDown, S::kProbing), E::kSuccessesReached, S::kUp},
      {S::kProbing, E::kSuccess, fsm::stay},
      {S::kProbing, E::kFailure, S::kDown},
      {S::kProbing, E::kFailuresReached, S::kDown},
  });
  return kTable;
}

std::string_view to_string(TrunkHealthState s) {
  switch (s) {
    case S::kUp: return "UP";
    case S::kDown: return "DOWN";
    case S::kProbing: return "PROBING";
  }
  return "?";
}

std::string_view to_string(TrunkHealthEvent e) {
  switch (e) {
    case E::kFailure: return "failure";
    case E::kFailuresReached: return "failures_reached";
    case E::kSuccess: return "success";
    case E::kSuccessesReached: return "successes_reached";
  }
  return "?";
}

TrunkHealth::Meter TrunkHealth::make_meter(const std::string& trunk, Logger& log, Counters& counters) {
  return Meter(table(), log, counters,
               {.name = {},
                .counters = "sip.trunk_health." + trunk,
                .subsystem = Subsystem::kCall,
                .transition_level = LogLevel::kDebug,
                .refused_level = LogLevel::kInfo,
                .transition_log = "trunk_health_event",
                .refused_log = "trunk_health_refused",
                .refused_counter = {},
                .label_key = "trunk",
                .id_key = {}});
}

TrunkHealth::TrunkHealth(std::string trunk, unsigned down_after, unsigned up_after, Logger& log, Counters& counters)
    : trunk_(std::move(trunk)),
      meter_(make_meter(trunk_, log, counters)),
      m_(meter_, S::kUp, fsm::Label{trunk_}),
      went_down_(counters.get("sip.trunk_health." + trunk_ + ".went_down")),
      went_probing_(counters.get("sip.trunk_health." + trunk_ + ".went_probing")),
      went_up_(counters.get("sip.trunk_health." + trunk_ + ".went_up")) {
  set_thresholds(down_after, up_after);
}

void TrunkHealth::entered(S before) {
  (state() == S::kDown ? went_down_ : state() == S::kUp ? went_up_ : went_probing_).inc();
  meter_.logger().notice(Subsystem::kCall, "trunk_health_transition",
                         {{"trunk", trunk_}, {"from", to_string(before)}, {"to", to_string(state())}});
}

void TrunkHealth::failure() {
  successes_ = 0;
  const S before = state();
  ++failures_;
  if (!m_.step(failures_ >= down_after_ ? E::kFailuresReached : E::kFailure)) return;
  if (state() != before) {
    failures_ = 0;
    entered(before);
  }
}

void TrunkHealth::success() {
  failures_ = 0;
  const S before = state();
  ++successes_;
  if (!m_.step(successes_ >= up_after_ ? E::kSuccessesReached : E::kSuccess)) return;
  if (state() == S::kUp) successes_ = 0;
  if (state() != before) entered(before);
}

}  // namespace isupgw::engine
