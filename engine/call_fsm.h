// The state of one interworking call (issue 7): an incoming leg A (SIP dialog
// or ISUP circuit) joined to an outgoing leg B, as a state/event table on the
// FSM kit (base/fsm.h). The table names the action the engine performs for
// each transition; every transition is logged (subsystem call, event "state",
// with the action and the cause) and counted (call.fsm.*).
//
//   idle     --setup-->      outgoing  start leg B (first route target)
//   idle     --refused-->    released  refuse leg A (no route, bad request)
//   idle     --a_released--> released  A gave up while its digits were collected (overlap)
//   outgoing --retry-->      outgoing  leg B congested (34/42): next target
//   outgoing --progress-->   early     ACM/CPG/18x forwarded to A
//   early    --progress-->   early
//   outgoing --answer-->     active    ANM/CON/200 forwarded to A
//   early    --answer-->     active
//   outgoing --b_failed-->   released  leg B refused/released: A refused with the mapped cause
//   early    --b_failed-->   released
//   outgoing --a_released--> released  CANCEL/REL/BYE from A: B cancelled/released
//   early    --a_released--> released
//   active   --a_released--> released  A cleared: B released
//   active   --b_released--> released  B cleared: A released
//   idle     --cleared-->    released  operator release while digits are collected: A refused
//   outgoing --cleared-->    released  operator release (issue 16): B released, A refused with the cause
//   early    --cleared-->    released
//   active   --cleared-->    released  operator release: both legs released
//
// Anything else (a late event after release, a duplicate) is refused: counted
// (call.ignored_events, call.ignored_events.<event>) and logged (event_ignored).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/counters.h"
#include "base/fsm.h"
#include "base/log.h"

namespace isupgw::engine {

enum class CallState : std::uint8_t { kIdle, kOutgoing, kEarly, kActive, kReleased };
inline constexpr std::size_t kCallStates = 5;
enum class CallEvent : std::uint8_t {
  kSetup,
  kRefused,
  kRetry,
  kProgress,
  kAnswer,
  kBFailed,
  kAReleased,
  kBReleased,
  kCleared,  // the operator released the call (management)
};
inline constexpr std::size_t kCallEvents = 9;
enum class CallAction : std::uint8_t {
  kStartB,
  kRefuseA,
  kTryNext,
  kForwardProgress,
  kForwardAnswer,
  kRefuseAWithCause,
  kReleaseB,
  kReleaseA,
  kClearBoth,  // B released, A released (answered) or refused (not yet)
  kNone,
};

std::string_view to_string(CallState s);
std::string_view to_string(CallEvent e);
std::string_view to_string(CallAction a);

struct CallTransition {
  CallState from;
  CallEvent event;
  CallState to;
  CallAction action;
};

using CallRow = fsm::Row<CallState, CallEvent, CallAction>;
using CallMeter = fsm::Meter<CallRow>;
using CallMachine = fsm::Machine<CallRow>;

// The table wired to a Logger and Counters; one per CallEngine.
CallMeter make_call_meter(Logger& log, Counters& counters);

// The row for (state, event), or nullopt when the event is not valid there.
std::optional<CallTransition> call_transition(CallState s, CallEvent e);

}  // namespace isupgw::engine
