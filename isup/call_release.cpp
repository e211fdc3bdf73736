// Q.764 2.3 release (REL, RLC; T1, T5; 2.3.1 f collision) and the clearing
// of a call by circuit reset or blocking.
#include "isup/call_fsm.h"

#include "isup/circuit.h"
#include "isup/codes.h"
#include "isup/params.h"
#include "isup/trunk_group.h"

namespace isupgw::isup {

using S = CallState;
using E = CallEvent;

namespace {
int cause_of(const Message* m) {
  if (m == nullptr) return 31;
  const Param* p = m->find(par::kCauseIndicators);
  if (p == nullptr) return 31;
  auto ci = CauseIndicators::decode(p->value);
  return ci ? ci->value : 31;
}

std::uint8_t location_of(const Message* m) {
  const Param* p = m != nullptr ? m->find(par::kCauseIndicators) : nullptr;
  if (p == nullptr) return kLocationPublicLocal;
  auto ci = CauseIndicators::decode(p->value);
  return ci ? ci->location : kLocationPublicLocal;
}
}  // namespace

// Q.764 2.3.1 a: send REL, start T1 and T5.
void CallFsm::start_release(int cause) {
  stop_timers();
  if (loop_connected_ && c_.env().continuity()) c_.env().continuity()->disconnect_loop(c_.group().id(), c_.cic());
  loop_connected_ = false;
  rel_cause_ = cause;
  rel_location_ = location_;  // also on T1 repetitions
  send_rel(cause);
  const auto& t = c_.timer_config();
  start(t1_, t.t1, E::kT1);
  start(t5_, t.t5, E::kT5);
}

void CallFsm::a_send_rel() {
  setup_.reset();
  start_release(cause_);
}

void CallFsm::a_rel_rx() {
  // Q.764 2.3.1 c/d: REL received: release the path and answer with RLC.
  stop_timers();
  disconnect_loop();
  setup_.reset();
  send_rlc();
  notify_release(cause_of(rx_), location_of(rx_), rx_);
}

void CallFsm::a_rlc_rx() {
  stop_timers();
  c_.env().user().on_release_complete(c_.group().id(), c_.cic());
}

void CallFsm::a_rel_collision() {
  // Q.764 2.3.1 f: REL received while awaiting RLC: stop T1/T5, answer RLC; the circuit is idle.
  c_.env().meters().release_collision.inc();
  stop_timers();
  send_rlc();
  c_.env().user().on_release_complete(c_.group().id(), c_.cic());
}

void CallFsm::a_t1() {
  send_rel(rel_cause_);
  start(t1_, c_.timer_config().t1, E::kT1);
}

void CallFsm::a_t5() {
  // Q.764 2.3.1 e: stop T1, send RSC (T17 only), alert maintenance.
  stop_timers();
  c_.env().alarm(c_, "t5_expired");
  c_.reset().handle(ResetEvent::kResetAfterT5);
}

void CallFsm::a_rlc_only() {
  // REL for an idle circuit: acknowledge it (Q.764 2.9.3.1 / 2.3.1).
  send_rlc();
}

void CallFsm::a_ignore() {}

// Circuit reset, hardware blocking, UCIC (Q.764 2.10.3, 2.8.2, 2.12): no
// signalling for the call; the user learns the cause.
void CallFsm::a_clear() {
  stop_timers();
  disconnect_loop();
  setup_.reset();
  stored_iam_.clear();
  notify_release(clear_cause_);
}

}  // namespace isupgw::isup
