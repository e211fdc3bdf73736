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
    case S::kStay: return "stay";
    case S::kByAction: return "by_action";
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
const CircuitResetFsm::Row CircuitResetFsm::kTable[] = {
    {in(S::kIdle), E::kResetReq, S::kResetting, &F::a_rsc_t16_t17},
    {in(S::kIdle), E::kResetAfterT5, S::kResetting, &F::a_rsc_t17},
    {in(S::kResetting), E::kResetReq, S::kStay, &F::a_ignore},
    {in(S::kResetting), E::kResetAfterT5, S::kStay, &F::a_ignore},
    {in(S::kResetting), E::kRlcRx, S::kIdle, &F::a_stop},
    {in(S::kResetting), E::kGroupReset, S::kIdle, &F::a_stop},
    {in(S::kResetting), E::kT16, S::kStay, &F::a_t16},
    {in(S::kResetting), E::kT17, S::kStay, &F::a_t17},
};
const std::size_t CircuitResetFsm::kTableSize = std::size(CircuitResetFsm::kTable);

CircuitResetFsm::CircuitResetFsm(Circuit& c) : c_(c), t16_(c.env().timers()), t17_(c.env().timers()) {}

bool CircuitResetFsm::handle(ResetEvent e) {
  auto& log = c_.env().logger();
  const Row* r = find_row(std::span<const Row>(kTable, kTableSize), state_, e);
  if (r == nullptr) {
    log_unexpected(log, "reset", c_.group_name(), c_.cic(), to_string(state_), to_string(e));
    c_.env().counters().get("isup.reset.unexpected").inc();
    return false;
  }
  const S from = state_;
  if (r->to != S::kStay && r->to != S::kByAction) state_ = r->to;
  if (r->action != nullptr) (this->*(r->action))();
  log_transition(log, "reset", c_.group_name(), c_.cic(), to_string(from), to_string(e), to_string(state_));
  return true;
}

void CircuitResetFsm::send_rsc() {
  MessageBuilder b(msg::kRsc, c_.cic());
  c_.env().send(c_, b);
}

void CircuitResetFsm::a_rsc_t16_t17() {
  send_rsc();
  t16_.start(c_.timer_config().t16, [this] { handle(E::kT16); });
  t17_.start(c_.timer_config().t17, [this] { handle(E::kT17); });
}

// After T5 expiry only the long timer runs (Q.764 Table A.1: T16 "RSC sent not due to T5").
void CircuitResetFsm::a_rsc_t17() {
  send_rsc();
  t17_.start(c_.timer_config().t17, [this] { handle(E::kT17); });
}

void CircuitResetFsm::a_stop() {
  t16_.stop();
  t17_.stop();
}

void CircuitResetFsm::a_t16() {
  send_rsc();
  t16_.start(c_.timer_config().t16, [this] { handle(E::kT16); });
}

// T17: repeat RSC, alert maintenance, restart T17 until maintenance intervenes; T16 stops.
void CircuitResetFsm::a_t17() {
  t16_.stop();
  c_.env().alarm(c_, "rsc_unacknowledged");
  send_rsc();
  t17_.start(c_.timer_config().t17, [this] { handle(E::kT17); });
}

void CircuitResetFsm::a_ignore() {}

}  // namespace isupgw::isup
