#include "sigtran/as_fsm.h"

namespace isupgw::sigtran::m3ua {
namespace {

using S = AsState;
using E = AsEvent;
using A = AsAction;
using Row = FsmRow<S, E, A>;

// RFC 4666 4.3.2 (AS states, figure 4), seen through our ASP and NTFY.
constexpr std::array kTable = {
    Row{S::kDown, E::kAspInactive, S::kInactive, A::kNone},
    Row{S::kDown, E::kAspActive, S::kActive, A::kNone},
    Row{S::kInactive, E::kAspActive, S::kActive, A::kNone},
    Row{S::kInactive, E::kNtfyAsActive, S::kActive, A::kNone},  // another ASP activated the AS
    Row{S::kInactive, E::kNtfyAsPending, S::kPending, A::kNone},
    Row{S::kInactive, E::kAspDown, S::kDown, A::kNone},
    Row{S::kActive, E::kAspInactive, S::kInactive, A::kNone},
    Row{S::kActive, E::kNtfyAsInactive, S::kInactive, A::kNone},
    Row{S::kActive, E::kNtfyAsPending, S::kPending, A::kNone},
    Row{S::kActive, E::kAspDown, S::kDown, A::kNone},
    Row{S::kPending, E::kAspActive, S::kActive, A::kNone},
    Row{S::kPending, E::kNtfyAsActive, S::kActive, A::kNone},
    Row{S::kPending, E::kNtfyAsInactive, S::kInactive, A::kNone},  // T(r) expired at the SGP
    Row{S::kPending, E::kAspDown, S::kDown, A::kNone},
};

}  // namespace

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

AsFsm::AsFsm(std::uint32_t routing_context, Logger& log, Counters& counters)
    : rc_(routing_context), log_(log), ignored_(counters.get("m3ua.as_fsm.ignored_events")) {}

bool AsFsm::handle(AsEvent e) {
  const Row* row = find_row(kTable, state_, e);
  if (!row) {
    ignored_.inc();
    log_.debug(Subsystem::kM3ua, "as_fsm_ignored",
               {{"rc", rc_}, {"state", to_string(state_)}, {"event", to_string(e)}});
    return false;
  }
  const S from = state_;
  state_ = row->to;
  log_.info(Subsystem::kM3ua, "as_fsm_transition",
            {{"rc", rc_}, {"from", to_string(from)}, {"event", to_string(e)}, {"to", to_string(state_)}});
  return true;
}

}  // namespace isupgw::sigtran::m3ua
