// The state of one interworking call (issue 7): an incoming leg A (SIP dialog
// or ISUP circuit) joined to an outgoing leg B, as an explicit state/event
// table. The table names the action the engine performs for each transition;
// every transition is logged (subsystem call, event "state").
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
//
// Anything else (a late event after release, a duplicate) is ignored and counted.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace isupgw::engine {

enum class CallState : std::uint8_t { kIdle, kOutgoing, kEarly, kActive, kReleased };
enum class CallEvent : std::uint8_t {
  kSetup,
  kRefused,
  kRetry,
  kProgress,
  kAnswer,
  kBFailed,
  kAReleased,
  kBReleased,
};
enum class CallAction : std::uint8_t {
  kStartB,
  kRefuseA,
  kTryNext,
  kForwardProgress,
  kForwardAnswer,
  kRefuseAWithCause,
  kReleaseB,
  kReleaseA,
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

// The row for (state, event), or nullopt when the event is not valid there.
std::optional<CallTransition> call_transition(CallState s, CallEvent e);

}  // namespace isupgw::engine
