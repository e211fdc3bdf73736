// ANSI T1.113 circuit reservation (CRM 0xEA / CRA 0xE9) and exit message (EXM
// 0xED), the incoming side's part of the call state machine (call_fsm.cpp's table).
//
// What T1.113 calls these: CRM is the *circuit reservation message*, CRA the
// *circuit reservation acknowledgement*. The reserving exchange sends CRM
// (mandatory fixed part: the nature of connection indicators, so a continuity
// check can be asked for) before it has the digits -- typically when the call
// arrives on an MF (non-SS7) trunk -- so the SS7 circuit is seized, and
// tested, while the digits are still being collected; the IAM follows the CRA
// on the same circuit. The "continuity recheck" is this: the CRM may
// start a continuity check of the reserved circuit before the IAM. T_CRA
// (vendors' manuals: Dialogic "TCRA, typically 15 s"; HP OpenCall "T_CRA";
// configurable, IsupTimerConfig::tcra) supervises the IAM: on expiry the
// reservation ends with REL, cause 41 temporary failure, and the usual RLC.
//
// EXM (exit message) goes backwards from a gateway exchange, before the ACM,
// to say the call set-up information has been passed to an adjacent network.
// For us, the originating side of such a call, it carries nothing to pass on
// to SIP: it is counted (isup.rx.exm) and the call goes on.
#include "isup/call_fsm.h"

#include "isup/circuit.h"
#include "isup/codes.h"
#include "isup/params.h"
#include "isup/trunk_group.h"

namespace isupgw::isup {

using E = CallEvent;

void CallFsm::a_crm_rx() {
  outgoing_ = false;
  // Continuity check asked for in the CRM (NCI DC = 01, required on this circuit): loop back
  // the check tone as for an IAM (Q.764 2.1.8); the COT comes before the IAM.
  if (const Param* p = rx_->find(par::kNatureOfConnectionIndicators)) {
    auto nci = NatureOfConnectionIndicators::decode(p->value);
    if (nci && nci->continuity_check == 1 && c_.env().continuity()) {
      c_.env().continuity()->connect_loop(c_.group().id(), c_.cic());
      loop_connected_ = true;
    }
  }
  MessageBuilder b(msg::kCra, c_.cic());
  send(b);
  start(tcra_, c_.timer_config().tcra, E::kTcra);
}

// The IAM on the reserved circuit: set-up goes on as from idle.
void CallFsm::a_reserved_iam() {
  tcra_.cancel();
  disconnect_loop();
  indicate_setup(*rx_);
}

void CallFsm::a_reserved_iam_cot() {
  tcra_.cancel();
  disconnect_loop();
  a_incoming_cot_wait();
}

// The continuity check asked for by the CRM passed: the loop comes off, the IAM is still awaited.
void CallFsm::a_reserved_cot_ok() { disconnect_loop(); }

void CallFsm::a_tcra() {
  c_.env().alarm(c_, "tcra_expired");
  start_release(cause::kTemporaryFailure);
}

void CallFsm::a_exm_rx() {
  c_.env().logger().info(Subsystem::kIsup, "call.exit_message", {{"group", c_.group_name()}, {"cic", c_.cic()}});
}

}  // namespace isupgw::isup
