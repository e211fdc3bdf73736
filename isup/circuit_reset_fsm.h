// Reset of one circuit with RSC (Q.764 2.10.3.1, timers T16/T17). T5 expiry
// starts it without T16 (Q.764 2.3.1 e, Table A.1).
#pragma once

#include <cstdint>
#include <string_view>

#include "base/fsm.h"
#include "base/one_shot_timer.h"

namespace isupgw::isup {

class Circuit;

enum class ResetState : std::uint8_t {
  kIdle,
  kResetting,  // RSC sent, awaiting RLC
};
inline constexpr std::size_t kResetStates = 2;
std::string_view to_string(ResetState s);

enum class ResetEvent : std::uint8_t { kResetReq, kResetAfterT5, kRlcRx, kT16, kT17, kGroupReset };
inline constexpr std::size_t kResetEvents = 6;
std::string_view to_string(ResetEvent e);

class CircuitResetFsm {
 public:
  using Row = fsm::Row<ResetState, ResetEvent, void (CircuitResetFsm::*)()>;
  using Meter = fsm::Meter<Row>;
  // isup.reset.* counters, fsm=reset log lines; built once at wiring time.
  static Meter make_meter(Logger& log, Counters& counters);

  explicit CircuitResetFsm(Circuit& c);
  ResetState state() const { return m_.state(); }
  bool resetting() const { return m_.state() == ResetState::kResetting; }
  // False when the event is refused in this state (counted and logged).
  bool handle(ResetEvent e);

 private:
  static const auto& table();
  void send_rsc();
  void a_rsc_t16_t17();
  void a_rsc_t17();
  void a_stop();
  void a_t16();
  void a_t17();
  void a_ignore();

  Circuit& c_;
  fsm::Machine<Row> m_;
  OneShotTimer t16_, t17_;
};

}  // namespace isupgw::isup
