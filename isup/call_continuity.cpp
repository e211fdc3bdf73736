// Q.764 2.1.8 continuity check: the outgoing test (T24) and its re-check
// (CCR, T25/T26), the incoming side's loop (T8, T27, T36).
#include "isup/call_fsm.h"

#include "isup/circuit.h"
#include "isup/codes.h"
#include "isup/params.h"
#include "isup/trunk_group.h"

namespace isupgw::isup {

using S = CallState;
using E = CallEvent;

// Q.764 2.1.8: T24 supervises the return of the check tone.
void CallFsm::start_continuity_test() {
  start(t24_, c_.timer_config().t24, E::kT24);
  if (c_.env().continuity()) c_.env().continuity()->start_test(c_.group().id(), c_.cic());
}

void CallFsm::a_send_cot_ok() {
  MessageBuilder b(msg::kCot, c_.cic());
  b.fixed(par::kContinuityIndicators, FlagOctet{true, 0});
  send(b);
}

void CallFsm::a_send_cot_fail() {
  // Q.764 2.1.8: report the failure, repeat the call on another circuit and
  // re-check this one after T25.
  MessageBuilder b(msg::kCot, c_.cic());
  b.fixed(par::kContinuityIndicators, FlagOctet{false, 0});
  send(b);
  c_.env().meters().continuity_failed.inc();
  stop_timers();
  cot_failures_ = 1;
  Attempt ours = give_up_attempt();
  start(t25_, c_.timer_config().t25, E::kT25);
  repeat_elsewhere(std::move(ours));
}

void CallFsm::a_t25() {
  MessageBuilder b(msg::kCcr, c_.cic());
  send(b);
  start_continuity_test();
}

void CallFsm::a_retest_ok() {
  cot_failures_ = 0;
  // The re-check passed: release the circuit back to idle.
  start_release(16);
}

void CallFsm::a_retest_fail() {
  MessageBuilder b(msg::kCot, c_.cic());
  b.fixed(par::kContinuityIndicators, FlagOctet{false, 0});
  send(b);
  ++cot_failures_;
  c_.env().alarm(c_, "continuity_recheck_failed");
  // Second and later failures: T26 between re-checks.
  start(t25_, c_.timer_config().t26, E::kT25);
}

void CallFsm::a_incoming_cot_wait() {
  outgoing_ = false;
  // Keep the IAM: it is indicated to the user only once COT reports success.
  auto bytes = encode(*rx_, c_.variant());
  stored_iam_ = bytes ? std::move(*bytes) : std::vector<std::uint8_t>{};
  const Param* p = rx_->find(par::kNatureOfConnectionIndicators);
  auto nci = NatureOfConnectionIndicators::decode(p->value);
  if (nci && nci->continuity_check == 1 && c_.env().continuity()) {
    c_.env().continuity()->connect_loop(c_.group().id(), c_.cic());
    loop_connected_ = true;
  }
  start(t8_, c_.timer_config().t8, E::kT8);
}

void CallFsm::disconnect_loop() {
  if (loop_connected_ && c_.env().continuity()) c_.env().continuity()->disconnect_loop(c_.group().id(), c_.cic());
  loop_connected_ = false;
}

void CallFsm::a_cot_ok_rx() {
  t8_.cancel();
  disconnect_loop();
  auto iam = decode(stored_iam_, c_.variant());
  if (!iam) {
    c_.env().meters().stored_iam_invalid.inc();
    return;
  }
  indicate_setup(*iam);
  stored_iam_.clear();
}

void CallFsm::a_cot_fail_rx() {
  // Q.764 2.1.8: await the re-check (CCR) under T27.
  t8_.cancel();
  disconnect_loop();
  stored_iam_.clear();
  c_.env().meters().continuity_failed.inc();
  start(t27_, c_.timer_config().t27, E::kT27);
}

void CallFsm::a_t8() {
  c_.env().meters().t8_expired.inc();
  stored_iam_.clear();
  start_release(cause::kTemporaryFailure);
}

void CallFsm::a_ccr_rx() {
  t27_.cancel();
  if (c_.env().continuity()) {
    c_.env().continuity()->connect_loop(c_.group().id(), c_.cic());
    loop_connected_ = true;
  }
  start(t36_, c_.timer_config().t36, E::kT36);
}

void CallFsm::a_ccr_loop_cot_ok() {
  t36_.cancel();
  disconnect_loop();
}

void CallFsm::a_ccr_loop_cot_fail() {
  t36_.cancel();
  disconnect_loop();
  start(t27_, c_.timer_config().t27, E::kT27);
}

void CallFsm::a_t27() {
  // Q.764 2.1.8: no re-check request: reset the circuit (RSC, T16/T17).
  c_.env().alarm(c_, "t27_expired");
  c_.reset().handle(ResetEvent::kResetReq);
}

void CallFsm::a_t36() {
  disconnect_loop();
  c_.env().alarm(c_, "t36_expired");
  c_.reset().handle(ResetEvent::kResetReq);
}

void CallFsm::a_rel_rx_quiet() {
  stop_timers();
  disconnect_loop();
  stored_iam_.clear();
  send_rlc();
}

}  // namespace isupgw::isup
