#include "engine/call_fsm.h"

#include <array>

namespace isupgw::engine {

namespace {

using S = CallState;
using E = CallEvent;
using A = CallAction;

constexpr auto kTable = fsm::make_table<kCallStates, kCallEvents, CallRow>({
    {S::kIdle, E::kSetup, S::kOutgoing, A::kStartB},
    {S::kIdle, E::kAReleased, S::kReleased, A::kNone},
    {S::kIdle, E::kRefused, S::kReleased, A::kRefuseA},
    {S::kOutgoing, E::kRetry, fsm::stay, A::kTryNext},
    {fsm::in(S::kOutgoing, S::kEarly), E::kProgress, S::kEarly, A::kForwardProgress},
    {fsm::in(S::kOutgoing, S::kEarly), E::kAnswer, S::kActive, A::kForwardAnswer},
    {fsm::in(S::kOutgoing, S::kEarly), E::kBFailed, S::kReleased, A::kRefuseAWithCause},
    {fsm::in(S::kOutgoing, S::kEarly, S::kActive), E::kAReleased, S::kReleased, A::kReleaseB},
    {S::kActive, E::kBReleased, S::kReleased, A::kReleaseA},
    {S::kIdle, E::kCleared, S::kReleased, A::kRefuseAWithCause},
    {fsm::in(S::kOutgoing, S::kEarly, S::kActive), E::kCleared, S::kReleased, A::kClearBoth},
});

}  // namespace

CallMeter make_call_meter(Logger& log, Counters& counters) {
  return CallMeter(kTable, log, counters,
                   {.counters = "call.fsm",
                    .subsystem = Subsystem::kCall,
                    .transition_level = LogLevel::kInfo,
                    .refused_level = LogLevel::kDebug,
                    .transition_log = "state",
                    .refused_log = "event_ignored",
                    .refused_counter = "call.ignored_events",
                    .id_key = "call",
                    .log_action = true});
}

std::optional<CallTransition> call_transition(CallState s, CallEvent e) {
  const CallRow* r = kTable.find(s, e);
  if (r == nullptr) return std::nullopt;
  return CallTransition{s, e, r->to.after(s), r->action};
}

std::string_view to_string(CallState s) {
  switch (s) {
    case S::kIdle: return "idle";
    case S::kOutgoing: return "outgoing";
    case S::kEarly: return "early";
    case S::kActive: return "active";
    case S::kReleased: return "released";
  }
  return "?";
}

std::string_view to_string(CallEvent e) {
  switch (e) {
    case E::kSetup: return "setup";
    case E::kRefused: return "refused";
    case E::kRetry: return "retry";
    case E::kProgress: return "progress";
    case E::kAnswer: return "answer";
    case E::kBFailed: return "b_failed";
    case E::kAReleased: return "a_released";
    case E::kBReleased: return "b_released";
    case E::kCleared: return "cleared";
  }
  return "?";
}

std::string_view to_string(CallAction a) {
  switch (a) {
    case A::kStartB: return "start_b";
    case A::kRefuseA: return "refuse_a";
    case A::kTryNext: return "try_next";
    case A::kForwardProgress: return "forward_progress";
    case A::kForwardAnswer: return "forward_answer";
    case A::kRefuseAWithCause: return "refuse_a_with_cause";
    case A::kReleaseB: return "release_b";
    case A::kReleaseA: return "release_a";
    case A::kClearBoth: return "clear_both";
    case A::kNone: return "none";
  }
  return "?";
}

}  // namespace isupgw::engine
