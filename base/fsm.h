// The FSM kit: every state machine of isupgw is declared as data and driven
// through it.
//
// A machine is a constexpr table of rows {from, event, to, action}: in any
// state of `from` the machine accepts `event`, moves to `to` (or stays, with
// fsm::stay) and its owner runs `action` (an enum, a member function pointer:
// any literal type; a value-initialised action means "none"). The table is
// checked when it is compiled (a state/event pair covered twice, or a value
// beyond the declared counts, does not compile) and indexed densely, so a
// dispatch is one array lookup. What a state does not accept is refused:
// counted and logged, never silently taken. As in libosmocore's osmo_fsm, the
// table yields each state's accepted events and permitted next states
// (accepts(), successors()); when the next state depends on the input, the
// owner classifies the input into distinct events before firing (IAM vs
// IAM with continuity check), so the table stays a function of (state, event).
//
// Three pieces:
//   Table   the declaration (make_table<kStates, kEvents, Row>({...})).
//   Meter   a kind of machine wired to a Logger and Counters: counters are
//           resolved here, once, and shared by every instance of the kind.
//   Machine one instance: its state and a label for its log lines. step()
//           commits and logs the transition before the owner runs the action,
//           so the action may fire further events or destroy the owner.
// Per event: no heap allocation, one lookup, two relaxed atomic increments;
// the log line is built only when its level is enabled.
//
// Names: to_string(State) and to_string(Event) found by argument-dependent
// lookup give the names in log lines and counters.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/counters.h"
#include "base/log.h"

namespace isupgw::fsm {

// A set of enumerators (at most 64, values 0..63): the states a row applies to,
// the events a state accepts.
template <class E>
class Set {
 public:
  constexpr Set() = default;
  constexpr Set(E e) : bits_(bit(e)) {}  // NOLINT: a single value is a set
  constexpr Set operator|(Set o) const { return from_bits(bits_ | o.bits_); }
  constexpr Set& operator|=(Set o) {
    bits_ |= o.bits_;
    return *this;
  }
  constexpr bool contains(E e) const { return (bits_ & bit(e)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr std::uint64_t bits() const { return bits_; }
  constexpr bool operator==(const Set&) const = default;
  static constexpr Set from_bits(std::uint64_t b) {
    Set s;
    s.bits_ = b;
    return s;
  }

 private:
  static constexpr std::uint64_t bit(E e) {
    const auto v = static_cast<std::uint64_t>(e);
    return v < 64 ? std::uint64_t{1} << v : 0;
  }
  std::uint64_t bits_ = 0;
};

// in(S::kA, S::kB): the set {kA, kB}.
template <class E, class... More>
constexpr Set<E> in(E e, More... more) {
  return (Set<E>(e) | ... | Set<E>(more));
}

// The action type of a table whose rows carry none (the owner acts on the
// state alone).
struct NoAction {
  constexpr explicit operator bool() const { return false; }
};

// The `to` of a row that keeps the current state.
struct Stay {};
inline constexpr Stay stay{};

template <class S>
class Next {
 public:
  constexpr Next() : v_(kStayValue) {}
  constexpr Next(S s) : v_(static_cast<std::uint8_t>(s)) {}  // NOLINT: rows name states directly
  constexpr Next(Stay) : v_(kStayValue) {}                   // NOLINT
  constexpr bool stays() const { return v_ == kStayValue; }
  constexpr S state() const { return static_cast<S>(v_); }
  // The state after the transition from `current`.
  constexpr S after(S current) const { return stays() ? current : state(); }

 private:
  static constexpr std::uint8_t kStayValue = 0xff;
  std::uint8_t v_;
};

template <class S, class E, class A>
struct Row {
  using State = S;
  using Event = E;
  using Action = A;
  Set<S> from;
  E event;
  Next<S> to;
  A action{};
};

// The table with its dense (state, event) -> row index. Built by make_table.
template <class R, std::size_t NS, std::size_t NE, std::size_t NR>
struct Table {
  using RowType = R;
  using S = typename R::State;
  using E = typename R::Event;
  static constexpr std::size_t kStates = NS;
  static constexpr std::size_t kEvents = NE;

  std::array<R, NR> rows;
  std::array<std::uint16_t, NS * NE> index{};  // row + 1; 0 = refused

  constexpr const R* find(S s, E e) const {
    const auto si = static_cast<std::size_t>(s), ei = static_cast<std::size_t>(e);
    if (si >= NS || ei >= NE) return nullptr;
    const std::uint16_t i = index[si * NE + ei];
    return i == 0 ? nullptr : &rows[i - 1];
  }
  // The events `s` accepts (osmo_fsm's in_event_mask).
  constexpr Set<E> accepts(S s) const {
    Set<E> out;
    for (const R& r : rows)
      if (r.from.contains(s)) out |= r.event;
    return out;
  }
  // The states `s` may go to, itself included when a row stays (out_state_mask).
  constexpr Set<S> successors(S s) const {
    Set<S> out;
    for (const R& r : rows)
      if (r.from.contains(s)) out |= r.to.after(s);
    return out;
  }
};

// Checks and indexes the rows; in a constexpr context every fault below is a
// compile error. `NS`/`NE`: the number of states/events (enumerators 0..N-1).
template <std::size_t NS, std::size_t NE, class R, std::size_t NR>
constexpr Table<R, NS, NE, NR> make_table(const R (&rows)[NR]) {
  static_assert(NS >= 1 && NS <= 64 && NE >= 1 && NE <= 64, "fsm::Set holds at most 64 states/events");
  static_assert(NR < 0xffff, "too many rows");
  Table<R, NS, NE, NR> t{};
  for (std::size_t i = 0; i < NR; ++i) {
    const R& r = rows[i];
    t.rows[i] = r;
    if (r.from.empty()) throw "fsm: a row applies to no state";
    if (r.from.bits() >> NS != 0) throw "fsm: a row's state is beyond the state count";
    if (static_cast<std::size_t>(r.event) >= NE) throw "fsm: a row's event is beyond the event count";
    if (!r.to.stays() && static_cast<std::size_t>(r.to.state()) >= NS)
      throw "fsm: a row's next state is beyond the state count";
    for (std::size_t s = 0; s < NS; ++s) {
      if (!r.from.contains(static_cast<typename R::State>(s))) continue;
      auto& slot = t.index[s * NE + static_cast<std::size_t>(r.event)];
      if (slot != 0) throw "fsm: two rows for one (state, event)";
      slot = static_cast<std::uint16_t>(i + 1);
    }
  }
  return t;
}

// What the kit logs and counts for one kind of machine. Every member has a
// default, so designated initializers may name only what differs.
struct Options {
  std::string_view name{};                       // fsm=<name> in log lines (omitted when empty)
  std::string_view counters{};                   // prefix: <p>.transitions, <p>.event.<event>
  Subsystem subsystem = Subsystem::kCore;        // of the log lines
  LogLevel transition_level = LogLevel::kDebug;  // accepted events
  LogLevel refused_level = LogLevel::kInfo;      // refused events
  std::string_view transition_log = "fsm.transition";
  std::string_view refused_log = "fsm.refused";
  std::string_view refused_counter{};  // total of refused events; default <p>.refused; per event <this>.<event>
  std::string_view label_key{};        // <label_key>=<Label::text> in log lines (omitted when empty)
  std::string_view id_key{};           // <id_key>=<Label::id> (omitted when empty)
  bool log_action = false;             // action=<to_string(action)> on transition lines
};

// Which instance a log line is about (a trunk group and CIC, a transaction id).
// `text` must outlive the machine.
struct Label {
  std::string_view text;
  std::uint64_t id = 0;
};

namespace detail {
// The non-template part of a Meter: counters and the log line.
class MeterBase {
 public:
  MeterBase(Logger& log, Counters& counters, const Options& o, std::size_t events,
            std::string_view (*event_name)(std::size_t));
  MeterBase(const MeterBase&) = delete;
  MeterBase& operator=(const MeterBase&) = delete;
  Logger& logger() const { return log_; }
  const Options& options() const { return o_; }
  Counter& transitions() const { return *transitions_; }
  Counter& refused() const { return *refused_; }
  Counter& event_count(std::size_t e) const { return *accepted_[e]; }
  Counter& refused_count(std::size_t e) const { return *refused_by_event_[e]; }
  bool logs_transitions() const { return log_.enabled(o_.subsystem, o_.transition_level); }
  bool logs_refusals() const { return log_.enabled(o_.subsystem, o_.refused_level); }
  // `action` and `extra_key` are left out when empty.
  void log_transition(const Label& l, std::string_view from, std::string_view event, std::string_view to,
                      std::string_view action = {}, std::string_view extra_key = {},
                      std::int64_t extra_value = 0) const;
  void log_refusal(const Label& l, std::string_view state, std::string_view event) const;

 private:
  Logger& log_;
  // Own copies of the option strings; o_'s views point into them.
  std::string name_, label_key_, id_key_, transition_log_, refused_log_, prefix_, refused_name_;
  Options o_;
  Counter* transitions_;
  Counter* refused_;
  std::unique_ptr<Counter*[]> accepted_;
  std::unique_ptr<Counter*[]> refused_by_event_;
};
}  // namespace detail

// One kind of machine wired to a Logger and Counters. Build it once (at wiring
// time) and hand it to every instance; it must outlive them.
template <class R>
class Meter : public detail::MeterBase {
 public:
  using S = typename R::State;
  using E = typename R::Event;

  template <std::size_t NS, std::size_t NE, std::size_t NR>
  Meter(const Table<R, NS, NE, NR>& t, Logger& log, Counters& counters, const Options& o)
      : MeterBase(log, counters, o, NE, [](std::size_t e) { return std::string_view(to_string(static_cast<E>(e))); }),
        find_([](const void* tp, S s, E e) { return static_cast<const Table<R, NS, NE, NR>*>(tp)->find(s, e); }),
        table_(&t),
        events_(NE) {}

  const R* find(S s, E e) const { return find_(table_, s, e); }
  std::size_t events() const { return events_; }

 private:
  const R* (*find_)(const void*, S, E);
  const void* table_;
  std::size_t events_;
};

// One machine: its state and label.
template <class R>
class Machine {
 public:
  using S = typename R::State;
  using E = typename R::Event;

  Machine(const Meter<R>& meter, S initial, Label label = {}) : meter_(&meter), label_(label), state_(initial) {}

  S state() const { return state_; }
  bool in(Set<S> states) const { return states.contains(state_); }
  const Label& label() const { return label_; }
  // For an owner that learns its name after the machine is built (a map key).
  void set_label(Label l) { label_ = l; }
  const Meter<R>& meter() const { return *meter_; }

  // Accepted: counts the event, moves to the row's next state, logs the
  // transition and returns the row, whose action the owner runs next.
  // Refused: counts and logs it, leaves the state alone, returns nullptr.
  const R* step(E e) { return step(e, {}, 0); }
  // The same, with one more field on the transition's log line (a cause).
  const R* step(E e, std::string_view extra_key, std::int64_t extra_value) {
    const R* r = meter_->find(state_, e);
    const auto ei = static_cast<std::size_t>(e);
    if (r == nullptr) {
      meter_->refused().inc();
      if (ei < meter_->events()) meter_->refused_count(ei).inc();
      if (meter_->logs_refusals()) meter_->log_refusal(label_, to_string(state_), to_string(e));
      return nullptr;
    }
    const S from = state_;
    state_ = r->to.after(from);
    meter_->transitions().inc();
    meter_->event_count(ei).inc();
    if (meter_->logs_transitions())
      meter_->log_transition(label_, to_string(from), to_string(e), to_string(state_), action_name(*r), extra_key,
                             extra_value);
    return r;
  }

  // step(), then run(row.action) when accepted. True if accepted.
  template <class Run>
  bool fire(E e, Run&& run) {
    const R* r = step(e);
    if (r == nullptr) return false;
    run(r->action);
    return true;
  }

 private:
  std::string_view action_name(const R& r) const {
    if constexpr (requires { std::string_view(to_string(r.action)); }) {
      if (meter_->options().log_action) return to_string(r.action);
    }
    return {};
  }

  const Meter<R>* meter_;
  Label label_;
  S state_;
};

}  // namespace isupgw::fsm
