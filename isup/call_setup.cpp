// Q.764 2.1 call set-up (IAM, SAM, ACM, CON, ANM, CPG; T7, T9, T33, T35;
// 2.1.6 INR/INF), 2.10.1.4 dual seizure, 2.8.2.1 and 2.12 repeat attempts.
#include "isup/call_fsm.h"

#include "isup/circuit.h"
#include "isup/codes.h"
#include "isup/params.h"
#include "isup/trunk_group.h"

namespace isupgw::isup {

using S = CallState;
using E = CallEvent;

namespace {
BackwardCallIndicators default_bci(std::uint8_t called_status) {
  BackwardCallIndicators bci;
  bci.charge = 2;  // charge
  bci.called_status = called_status;
  bci.called_category = 1;  // ordinary subscriber
  bci.isup_all_the_way = true;
  return bci;
}
}  // namespace

void CallFsm::a_send_iam() {
  const SetupRequest& r = *setup_;
  acm_sent_ = false;
  MessageBuilder b(msg::kIam, c_.cic());
  NatureOfConnectionIndicators nci;
  nci.continuity_check = r.continuity_check ? 1 : 0;
  b.fixed(par::kNatureOfConnectionIndicators, nci);
  b.fixed(par::kForwardCallIndicators, r.forward);
  b.fixed(par::kCallingPartysCategory, OctetValue{r.calling_category});
  if (c_.variant() == Variant::kAnsi) {
    b.variable(par::kUserServiceInformation, r.user_service_information);
  } else {
    b.fixed(par::kTransmissionMediumRequirement, OctetValue{r.transmission_medium});
  }
  b.variable(par::kCalledPartyNumber, r.called);
  if (r.calling) b.optional(par::kCallingPartyNumber, *r.calling);
  for (const auto& p : r.optional) b.optional(p.code, p.value);
  send(b);
  // T7 runs from the latest address message (Q.764 2.1.1.1, 2.1.4.8).
  start(t7_, c_.timer_config().t7, E::kT7);
  if (r.continuity_check) start_continuity_test();
}

void CallFsm::a_send_sam() {
  MessageBuilder b(msg::kSam, c_.cic());
  Number n = *digits_;
  n.kind = NumberKind::kSubsequent;
  b.variable(par::kSubsequentNumber, n);
  send(b);
  start(t7_, c_.timer_config().t7, E::kT7);
}

void CallFsm::a_acm_rx() {
  t7_.cancel();
  start(t9_, c_.timer_config().t9, E::kT9);
  BackwardIndication ind;
  ind.msg = rx_;
  if (const Param* p = rx_->find(par::kBackwardCallIndicators)) {
    auto bci = BackwardCallIndicators::decode(p->value);
    ind.alerting = bci && bci->called_status == 1;  // subscriber free
  }
  if (const Param* p = rx_->find(par::kOptionalBackwardCallIndicators)) {
    auto obci = OptionalBackwardCallIndicators::decode(p->value);
    ind.inband = obci && obci->inband_information;
  }
  if (call_id_) c_.env().user().on_progress(call_id_, ind);
}

void CallFsm::a_cpg_rx() {
  BackwardIndication ind;
  ind.msg = rx_;
  if (const Param* p = rx_->find(par::kEventInformation)) {
    auto ev = EventInformation::decode(p->value);
    if (ev) {
      ind.event = ev->event;
      ind.alerting = ev->event == 1;
      ind.inband = ev->event == 3;
    }
  }
  if (const Param* p = rx_->find(par::kOptionalBackwardCallIndicators)) {
    auto obci = OptionalBackwardCallIndicators::decode(p->value);
    ind.inband = ind.inband || (obci && obci->inband_information);
  }
  if (call_id_) c_.env().user().on_progress(call_id_, ind);
}

void CallFsm::a_answer_rx() {
  t7_.cancel();
  t9_.cancel();
  if (call_id_) c_.env().user().on_answer(call_id_, *rx_);
}

void CallFsm::a_t7() {
  c_.env().meters().t7_expired.inc();
  start_release(cause::kRecoveryOnTimerExpiry);
  notify_release(cause::kRecoveryOnTimerExpiry);
}

void CallFsm::a_t9() {
  c_.env().meters().t9_expired.inc();
  start_release(cause::kNoAnswer);
  notify_release(cause::kNoAnswer);
}

void CallFsm::a_glare_win() {
  // Q.764 2.10.1.4 a: this exchange controls the circuit; complete our call, ignore the IAM.
  c_.env().meters().dual_seizure.inc();
  c_.env().logger().notice(Subsystem::kIsup, "call.dual_seizure",
                           {{"group", c_.group_name()}, {"cic", c_.cic()}, {"action", "ignore_incoming"}});
}

void CallFsm::a_glare_lose() {
  // Q.764 2.10.1.4 b: the non-controlling exchange backs off, accepts the
  // incoming call and repeats its own attempt on another circuit.
  Attempt ours = back_off();
  a_incoming_setup();
  repeat_elsewhere(std::move(ours));
}

void CallFsm::a_glare_lose_cot() {
  Attempt ours = back_off();
  a_incoming_cot_wait();
  repeat_elsewhere(std::move(ours));
}

CallFsm::Attempt CallFsm::back_off() {
  c_.env().meters().dual_seizure.inc();
  c_.env().logger().notice(Subsystem::kIsup, "call.dual_seizure",
                           {{"group", c_.group_name()}, {"cic", c_.cic()}, {"action", "back_off"}});
  stop_timers();
  return give_up_attempt();
}

// Our outgoing call leaves this circuit; the user keeps it under its CallId.
CallFsm::Attempt CallFsm::give_up_attempt() {
  Attempt a{call_id_, std::move(*setup_), attempt_};
  setup_.reset();
  detach();
  return a;
}

// Automatic repeat attempt on another circuit (Q.764 2.10.1.4, 2.8.2.1, 2.1.8);
// none available: the call is released to the user with cause 34.
void CallFsm::repeat_elsewhere(Attempt a) {
  if (!c_.env().reattempt(a.id, std::move(a.req), a.attempt + 1, c_))
    c_.env().user().on_release(a.id, ReleaseIndication{cause::kNoCircuit});
}

void CallFsm::a_blocked_rx() {
  // Q.764 2.8.2.1: blocked before any backward message: release and repeat elsewhere.
  Attempt ours = give_up_attempt();
  start_release(cause::kTemporaryFailure);
  repeat_elsewhere(std::move(ours));
}

// OLM in answer to our IAM: the exchange behind the circuit is overloaded. The
// call is released to the user with cause 42 (switching equipment congestion;
// the router may try another route) -- no automatic repeat towards the same
// overloaded exchange -- and the circuit stays out of use until T3 expires
// (temporary trunk blocking, Q.764 Annex A: T3 2 min, then release).
void CallFsm::a_olm_rx() {
  c_.env().meters().overload_received.inc();
  c_.env().logger().notice(Subsystem::kIsup, "call.overload", {{"group", c_.group_name()}, {"cic", c_.cic()}});
  stop_timers();
  notify_release(cause::kSwitchingEquipmentCongestion);
  start(t3_, c_.timer_config().t3, E::kT3);
}

// Our own overload on an incoming IAM, on a trunk group configured for OLM (national option, Q.763 Table 39,
// Q.764 Annex A T3): OLM (no parameters) instead of REL 42. The user's call is detached without an
// indication; the circuit stays seized -- busy in a CQR, no new call on it -- until the originating
// exchange's T3 expires and its REL comes (answered with RLC), or a reset clears it.
void CallFsm::a_send_olm() {
  stop_timers();
  setup_.reset();
  c_.env().meters().overload_sent.inc();
  MessageBuilder b(msg::kOlm, c_.cic());
  send(b);
}

void CallFsm::a_t3() {
  c_.env().meters().t3_expired.inc();
  start_release(cause::kSwitchingEquipmentCongestion);
}

// Q.764 2.12: UCIC in answer to our IAM: no REL (the peer has no such circuit), repeat elsewhere.
void CallFsm::a_unequipped_rx() {
  stop_timers();
  repeat_elsewhere(give_up_attempt());
}

void CallFsm::indicate_setup(const Message& iam) {
  outgoing_ = false;
  acm_sent_ = false;
  IncomingSetup s;
  s.group = c_.group().id();
  s.cic = c_.cic();
  s.iam = &iam;
  if (const Param* p = iam.find(par::kCalledPartyNumber)) {
    auto n = Number::decode(NumberKind::kCalled, p->value);
    if (n) s.called = *n;
  }
  if (const Param* p = iam.find(par::kCallingPartyNumber)) {
    auto n = Number::decode(NumberKind::kCalling, p->value);
    if (n) s.calling = *n;
  }
  if (const Param* p = iam.find(par::kCallingPartysCategory); p && p->value.size() == 1)
    s.calling_category = p->value[0];
  // Overlap: without ST more digits may follow in SAMs, supervised by T35 (Q.764 2.1.2).
  s.complete = !c_.group().config().overlap_incoming || s.called.has_st();
  complete_ = s.complete;
  if (!complete_) start(t35_, c_.timer_config().t35, E::kT35);
  call_id_ = c_.env().new_call(c_);
  indicated_ = true;
  c_.env().user().on_setup(call_id_, s);
}

void CallFsm::a_incoming_setup() { indicate_setup(*rx_); }

void CallFsm::a_sam_rx() {
  const Param* p = rx_->find(par::kSubsequentNumber);
  if (p == nullptr) return;
  auto n = Number::decode(NumberKind::kSubsequent, p->value);
  if (!n) return;
  complete_ = n->has_st();
  if (complete_) {
    t35_.cancel();
  } else {
    start(t35_, c_.timer_config().t35, E::kT35);
  }
  if (call_id_) c_.env().user().on_more_digits(call_id_, n->digits.view(), complete_);
}

void CallFsm::a_t35() {
  // Q.764 2.1.2: address incomplete.
  c_.env().meters().t35_expired.inc();
  start_release(cause::kInvalidNumberFormat);
  notify_release(cause::kInvalidNumberFormat);
}

void CallFsm::a_send_acm_alert() {
  t35_.cancel();
  MessageBuilder b(msg::kAcm, c_.cic());
  b.fixed(par::kBackwardCallIndicators, default_bci(1));
  if (flag_)
    b.optional(par::kOptionalBackwardCallIndicators, OptionalBackwardCallIndicators{true, false, false, false, 0});
  send(b);
  acm_sent_ = true;
}

void CallFsm::a_send_acm_progress() {
  t35_.cancel();
  MessageBuilder b(msg::kAcm, c_.cic());
  b.fixed(par::kBackwardCallIndicators, default_bci(0));
  if (flag_)
    b.optional(par::kOptionalBackwardCallIndicators, OptionalBackwardCallIndicators{true, false, false, false, 0});
  send(b);
  acm_sent_ = true;
}

void CallFsm::a_send_cpg() {
  MessageBuilder b(msg::kCpg, c_.cic());
  b.fixed(par::kEventInformation, EventInformation{event_, false});
  if (flag_)
    b.optional(par::kOptionalBackwardCallIndicators, OptionalBackwardCallIndicators{true, false, false, false, 0});
  send(b);
}

void CallFsm::a_send_con() {
  t35_.cancel();
  t33_.cancel();
  if (c_.variant() == Variant::kAnsi) {
    // ANSI has no CON: ACM then ANM.
    MessageBuilder acm(msg::kAcm, c_.cic());
    acm.fixed(par::kBackwardCallIndicators, default_bci(1));
    send(acm);
    MessageBuilder anm(msg::kAnm, c_.cic());
    send(anm);
  } else {
    MessageBuilder b(msg::kCon, c_.cic());
    b.fixed(par::kBackwardCallIndicators, default_bci(1));
    send(b);
  }
  acm_sent_ = true;
}

void CallFsm::a_send_anm() {
  t33_.cancel();
  MessageBuilder b(msg::kAnm, c_.cic());
  send(b);
}

void CallFsm::a_inr_rx() {
  if (!outgoing_) {  // INR towards the incoming side is the wrong direction (Q.764 2.1.6)
    m_.meter().refused().inc();
    return;
  }
  auto ind = InformationRequestIndicators::decode(rx_->fixed.empty() ? Bytes{} : rx_->fixed[0].value);
  if (ind && call_id_) c_.env().user().on_information_request(call_id_, *ind);
}

void CallFsm::a_send_inr() {
  MessageBuilder b(msg::kInr, c_.cic());
  b.fixed(par::kInformationRequestIndicators, *inr_);
  send(b);
  start(t33_, c_.timer_config().t33, E::kT33);
}

void CallFsm::a_send_inf() {
  MessageBuilder b(msg::kInf, c_.cic());
  b.fixed(par::kInformationIndicators, *inf_);
  for (const auto& p : params_) b.optional(p.code, p.value);
  send(b);
}

void CallFsm::a_inf_rx() {
  t33_.cancel();
  auto ind = InformationIndicators::decode(rx_->fixed.empty() ? Bytes{} : rx_->fixed[0].value);
  if (ind && call_id_) c_.env().user().on_information(call_id_, *ind, *rx_);
}

void CallFsm::a_t33() {
  // Q.764 2.1.6: no INF: release the call and alert maintenance.
  c_.env().alarm(c_, "t33_expired");
  start_release(cause::kRecoveryOnTimerExpiry);
  notify_release(cause::kRecoveryOnTimerExpiry);
}

}  // namespace isupgw::isup
