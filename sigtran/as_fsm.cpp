#include "sigtran/as_fsm.h"

namespace isupgw::sigtran {

using S = AsState;
using E = AsEvent;
using fsm::in;

std::string_view to_string(AsState s) {
  switch (s) {
    case S::kDown: return "AS-DOWN";
    case S::kInactive: return "AS-INACTIVE";
    case S::kActive: return "AS-ACTIVE";
    case S::kPending: return "AS-PENDING";
  }
  return "?";
}

std::string_view to_string(AsEvent e) {
  switch (e) {
    case E::kAspDown: return "asp_down";
    case E::kAspInactive: return "asp_inactive";
    case E::kAspActive: return "asp_active";
    case E::kNtfyAsInactive: return "ntfy_as_inactive";
    case E::kNtfyAsActive: return "ntfy_as_active";
    case E::kNtfyAsPending: return "ntfy_as_pending";
  }
  return "?";
}

// RFC 4666 4.3.2 (AS states, figure 4), seen through our ASP and NTFY.
const auto& AsFsm::table() {
  static constexpr auto kTable = fsm::make_table<kAsStates, kAsEvents, Row>({
      {S::kDown, E::kAspInactive, S::kInactive},
      {in(S::kDown, S::kInactive, S::kPending), E::kAspActive, S::kActive},
      {S::kInactive, E::kNtfyAsActive, S::kActive},  // another ASP activated the AS
      {in(S::kInactive, S::kActive), E::kNtfyAsPending, S::kPending},
      {in(S::kInactive, S::kActive, S::kPending), E::kAspDown, S::kDown},
      {S::kActive, E::kAspInactive, S::kInactive},
      {in(S::kActive, S::kPending), E::kNtfyAsInactive, S::kInactive},  // from PENDING: T(r) expired at the SGP
      {S::kPending, E::kNtfyAsActive, S::kActive},
  });
  return kTable;
}

AsFsm::Meter AsFsm::make_meter(Logger& log, Counters& counters, Ua ua) {
  return Meter(table(), log, counters,
               {.name = {},
                .counters = ua == Ua::kIua ? "iua.as_fsm" : "m3ua.as_fsm",
                .subsystem = Subsystem::kM3ua,
                .transition_level = LogLevel::kInfo,
                .refused_level = LogLevel::kDebug,
                .transition_log = "as_fsm_transition",
                .refused_log = "as_fsm_ignored",
                .refused_counter = ua == Ua::kIua ? "iua.as_fsm.ignored_events" : "m3ua.as_fsm.ignored_events",
                .label_key = {},
                .id_key = "rc"});
}

AsFsm::AsFsm(std::uint32_t routing_context, const Meter& meter)
    : rc_(routing_context), m_(meter, S::kDown, fsm::Label{{}, routing_context}) {}

}  // namespace isupgw::sigtran
