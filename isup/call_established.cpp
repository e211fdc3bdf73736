// An established call: Q.764 2.5 suspend/resume (SUS, RES; T2, T6), user-to-user
// information (USR, Q.737), facility (FAC) and notifications in CPG (Q.733.2).
#include "isup/call_fsm.h"

#include "isup/circuit.h"
#include "isup/codes.h"
#include "isup/params.h"
#include "isup/trunk_group.h"

namespace isupgw::isup {

using S = CallState;
using E = CallEvent;

void CallFsm::a_send_cpg_notification() {
  // Event "progress" with the generic notification indicator, extension bit set (Q.763 3.21, 3.25).
  MessageBuilder b(msg::kCpg, c_.cic());
  b.fixed(par::kEventInformation, EventInformation{2, false});
  const std::uint8_t gni = static_cast<std::uint8_t>(0x80 | (event_ & 0x7f));
  b.optional(par::kGenericNotificationIndicator, std::span<const std::uint8_t>(&gni, 1));
  send(b);
}

void CallFsm::a_usr_rx() {
  if (call_id_) c_.env().user().on_user_to_user(call_id_, *rx_);
}

void CallFsm::a_send_usr() {
  MessageBuilder b(msg::kUsr, c_.cic());
  b.variable(par::kUserToUserInformation, uui_);
  send(b);
}

void CallFsm::a_fac_rx() {
  if (call_id_) c_.env().user().on_facility(call_id_, *rx_);
}

void CallFsm::a_send_fac() {
  MessageBuilder b(msg::kFac, c_.cic());
  for (const auto& p : params_) b.optional(p.code, p.value);
  send(b);
}

void CallFsm::a_sus_rx() {
  // Q.764 2.5.1: T2 for a user-initiated, T6 for a network-initiated suspension.
  bool network = false;
  if (const Param* p = rx_->find(par::kSuspendResumeIndicators)) {
    auto f = FlagOctet::decode(p->value);
    network = f && f->flag;
  }
  const auto& t = c_.timer_config();
  if (network) {
    start(t2_t6_, t.t6, E::kT6);
  } else {
    start(t2_t6_, t.t2, E::kT2);
  }
  if (call_id_) c_.env().user().on_suspend(call_id_, network, *rx_);
}

void CallFsm::a_res_rx() {
  t2_t6_.cancel();
  bool network = false;
  if (const Param* p = rx_->find(par::kSuspendResumeIndicators)) {
    auto f = FlagOctet::decode(p->value);
    network = f && f->flag;
  }
  if (call_id_) c_.env().user().on_resume(call_id_, network, *rx_);
}

void CallFsm::a_t2_t6() {
  // Q.764 2.5.3: no RES: release with cause 102.
  c_.env().meters().suspend_timeout.inc();
  start_release(cause::kRecoveryOnTimerExpiry);
  notify_release(cause::kRecoveryOnTimerExpiry);
}

void CallFsm::a_send_sus() {
  MessageBuilder b(msg::kSus, c_.cic());
  b.fixed(par::kSuspendResumeIndicators, FlagOctet{flag_, 0});
  send(b);
}

void CallFsm::a_send_res() {
  MessageBuilder b(msg::kRes, c_.cic());
  b.fixed(par::kSuspendResumeIndicators, FlagOctet{flag_, 0});
  send(b);
}

}  // namespace isupgw::isup
