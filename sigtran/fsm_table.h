// Explicit state/event tables: every state machine in sigtran/ is an array of
// rows {from, event, to, action}; anything not in the table is an ignored
// (logged, counted) event.
#pragma once

#include <array>
#include <cstddef>

namespace isupgw::sigtran {

template <class State, class Event, class Action>
struct FsmRow {
  State from;
  Event event;
  State to;
  Action action;
};

template <class State, class Event, class Action, std::size_t N>
constexpr const FsmRow<State, Event, Action>* find_row(const std::array<FsmRow<State, Event, Action>, N>& table,
                                                       State s, Event e) {
  for (const auto& r : table)
    if (r.from == s && r.event == e) return &r;
  return nullptr;
}

}  // namespace isupgw::sigtran
