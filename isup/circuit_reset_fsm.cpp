#include "isup/circuit_reset_fsm.h"

#include "isup/circuit.h"
#include "isup/codes.h"

namespace isupgw::isup {

using S = ResetState;
using E = ResetEvent;
using F = CircuitResetFsm;

std::string_view to_string(ResetState s) {
  switch (s) {
    case S::kIdle: return "idle";
    case S::kResetting: return "resetting";
  }
  return "?";
}

std::string_view to_string(ResetEvent e) {
  switch (e) {
    case E::kResetReq: return "reset_req";
    case E::kResetAfterT5: return "T5_expired";
    case E::kRlcRx: return "RLC";
    case E::kT16: return "T16";
    case E::kT17: return "T17";
    case E::kGroupReset: return "group_reset";
  }
  return "?";
}

// Q.764 2.10.3.1 (RSC) and 2.3.1 e (T5 expiry).
const auto& CircuitResetFsm::table() {
  static constexpr auto kTable = fsm::make_table<kResetStates, kResetEvents, Row>({
      {S::kIdle, E::kResetReq, S::kResetting, &F::a_rsc_t16_t17},
      {S::kIdle, E::kResetAfterT5, S::kResetting, &F::a_rsc_t17},
      {S::kResetting, E::kResetReq, fsm::stay, &F::a_ignore},
      {S::kResetting, E::kResetAfterT5, fsm::stay, &F::a_ignore},
      {S::kResetting, E::kRlcRx, S::kIdle, &F::a_stop},
      {S::kResetting, E::kGroupReset, S::kIdle, &F::a_stop},
      {S::kResetting, E::kT16, fsm::stay, &F::a_t16},
      {S::kResetting, E::kT17, fsm::stay, &F::a_t17},
  });
  return kTable;
}

CircuitResetFsm::Meter CircuitResetFsm::make_meter(Logger& log, Counters& counters) {
  return Meter(table(), log, counters,
               {.name = "reset",
                .counters = "isup.reset",
                .subsystem = Subsystem::kIsup,
                .refused_log = "fsm.unexpected",
                .refused_counter = "isup.reset.unexpected",
                .label_key = "group",
                .id_key = "cic"});
}

CircuitResetFsm::CircuitResetFsm(Circuit& c)
    : c_(c),
      m_(c.env().meters().reset, S::kIdle, fsm::Label{c.group_name(), c.cic()}),
      t16_(c.env().timers()),
      t17_(c.env().timers()) {}

bool CircuitResetFsm::handle(ResetEvent e) {
  const bool accepted = m_.fire(e, [this](auto action) { (this->*action)(); });
  if (accepted) c_.touched();
  return accepted;
}

void CircuitResetFsm::send_rsc() {
  MessageBuilder b(msg::kRsc, c_.cic());
  c_.env().send(c_, b);
}

void CircuitResetFsm::a_rsc_t16_t17() {
  send_rsc();
  t16_.arm(c_.timer_config().t16, [this] { handle(E::kT16); });
  t17_.arm(c_.timer_config().t17, [this] { handle(E::kT17); });
}

// After T5 expiry only the long timer runs (Q.764 Table A.1: T16 "RSC sent not due to T5").
void CircuitResetFsm::a_rsc_t17() {
  send_rsc();
  t17_.arm(c_.timer_config().t17, [this] { handle(E::kT17); });
}

void CircuitResetFsm::a_stop() {
  t16_.cancel();
  t17_.cancel();
}

void CircuitResetFsm::a_t16() {
  send_rsc();
  t16_.arm(c_.timer_config().t16, [this] { handle(E::kT16); });
}

// T17: repeat RSC, alert maintenance, restart T17 until maintenance intervenes; T16 stops.
void CircuitResetFsm::a_t17() {
  t16_.cancel();
  c_.env().alarm(c_, "rsc_unacknowledged");
  send_rsc();
  t17_.arm(c_.timer_config().t17, [this] { handle(E::kT17); });
}

void CircuitResetFsm::a_ignore() {}

}  // namespace isupgw::isup
