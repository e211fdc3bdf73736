// Shared plumbing of the call-control state machines: a transition table row
// and the transition log line. Every state machine (call_fsm, blocking_fsm,
// circuit_reset_fsm, circuit_group_fsm) is an explicit table of
// (set of current states, event) -> (next state, action).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "base/log.h"

namespace isupgw::isup {

template <class State>
constexpr std::uint32_t in(State s) {
  return 1u << static_cast<unsigned>(s);
}
template <class State, class... More>
constexpr std::uint32_t in(State s, More... more) {
  return in(s) | in(more...);
}

// `to` == State::kStay keeps the current state; the action may also set the
// next state itself when the row says State::kByAction.
template <class Owner, class State, class Event>
struct FsmRow {
  std::uint32_t from;
  Event event;
  State to;
  void (Owner::*action)();
};

template <class Owner, class State, class Event>
const FsmRow<Owner, State, Event>* find_row(std::span<const FsmRow<Owner, State, Event>> table, State s, Event e) {
  for (const auto& r : table)
    if (r.event == e && (r.from & in(s))) return &r;
  return nullptr;
}

inline void log_transition(Logger& log, std::string_view fsm, std::string_view group, unsigned cic,
                           std::string_view from, std::string_view event, std::string_view to) {
  log.debug(Subsystem::kIsup, "fsm.transition",
            {{"fsm", fsm}, {"group", group}, {"cic", cic}, {"from", from}, {"event", event}, {"to", to}});
}

inline void log_unexpected(Logger& log, std::string_view fsm, std::string_view group, unsigned cic,
                           std::string_view state, std::string_view event) {
  log.info(Subsystem::kIsup, "fsm.unexpected",
           {{"fsm", fsm}, {"group", group}, {"cic", cic}, {"state", state}, {"event", event}});
}

}  // namespace isupgw::isup
