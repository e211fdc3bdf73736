#include "isup/call_fsm.h"

#include "isup/circuit.h"
#include "isup/codes.h"
#include "isup/message_basis.h"
#include "isup/params.h"
#include "isup/trunk_group.h"

namespace isupgw::isup {

using S = CallState;
using E = CallEvent;
using F = CallFsm;
using fsm::in;

static_assert(kCallStates == 15 && kCallEvents == 58, "new states/events: update to_string and the table");

std::string_view to_string(CallState s) {
  switch (s) {
    case S::kIdle: return "idle";
    case S::kOutSetup: return "out_setup";
    case S::kOutAlerting: return "out_alerting";
    case S::kInCotWait: return "in_cot_wait";
    case S::kInSetup: return "in_setup";
    case S::kInAlerting: return "in_alerting";
    case S::kAnswered: return "answered";
    case S::kSuspended: return "suspended";
    case S::kReleasing: return "releasing";
    case S::kCotFailWait: return "cot_fail_wait";
    case S::kCcrLoop: return "ccr_loop";
    case S::kOutCotRetest: return "out_cot_retest";
    case S::kOutOverload: return "out_overload";
    case S::kInReserved: return "in_reserved";
    case S::kInOverload: return "in_overload";
  }
  return "?";
}

std::string_view to_string(CallEvent e) {
  switch (e) {
    case E::kIamRx: return "IAM";
    case E::kIamCotRx: return "IAM(cot)";
    case E::kIamGlareWinRx: return "IAM(dual_seizure_controlling)";
    case E::kIamGlareLoseRx: return "IAM(dual_seizure_non_controlling)";
    case E::kIamCotGlareLoseRx: return "IAM(cot,dual_seizure_non_controlling)";
    case E::kSamRx: return "SAM";
    case E::kAcmRx: return "ACM";
    case E::kConRx: return "CON";
    case E::kAnmRx: return "ANM";
    case E::kCpgRx: return "CPG";
    case E::kRelRx: return "REL";
    case E::kRlcRx: return "RLC";
    case E::kSusRx: return "SUS";
    case E::kResRx: return "RES";
    case E::kInrRx: return "INR";
    case E::kInfRx: return "INF";
    case E::kUsrRx: return "USR";
    case E::kFacRx: return "FAC";
    case E::kOlmRx: return "OLM";
    case E::kCotOkRx: return "COT(success)";
    case E::kCotFailRx: return "COT(failure)";
    case E::kCcrRx: return "CCR";
    case E::kCrmRx: return "CRM";
    case E::kExmRx: return "EXM";
    case E::kSetupReq: return "setup_req";
    case E::kDigitsReq: return "digits_req";
    case E::kAlertReq: return "alert_req";
    case E::kProgressReq: return "progress_req";
    case E::kAnswerReq: return "answer_req";
    case E::kReleaseReq: return "release_req";
    case E::kOverloadReq: return "overload_req";
    case E::kSuspendReq: return "suspend_req";
    case E::kResumeReq: return "resume_req";
    case E::kInrReq: return "inr_req";
    case E::kInfReq: return "inf_req";
    case E::kUsrReq: return "usr_req";
    case E::kFacReq: return "fac_req";
    case E::kNotifyReq: return "notify_req";
    case E::kCotOkInd: return "continuity_ok";
    case E::kCotFailInd: return "continuity_failed";
    case E::kT1: return "T1";
    case E::kT2: return "T2";
    case E::kT3: return "T3";
    case E::kT5: return "T5";
    case E::kT6: return "T6";
    case E::kT7: return "T7";
    case E::kT8: return "T8";
    case E::kT9: return "T9";
    case E::kT24: return "T24";
    case E::kT25: return "T25/T26";
    case E::kT27: return "T27";
    case E::kT33: return "T33";
    case E::kT35: return "T35";
    case E::kT36: return "T36";
    case E::kTcra: return "T_CRA";
    case E::kBlockedRx: return "blocked_before_backward";
    case E::kUnequippedRx: return "UCIC";
    case E::kClear: return "clear";
  }
  return "?";
}

namespace {
// States in which the user knows the call.
constexpr fsm::Set<S> kCallUp =
    in(S::kOutSetup, S::kOutAlerting, S::kInSetup, S::kInAlerting, S::kAnswered, S::kSuspended);
// States without a user call.
constexpr fsm::Set<S> kNoCall =
    in(S::kIdle, S::kReleasing, S::kCotFailWait, S::kCcrLoop, S::kOutCotRetest, S::kOutOverload, S::kInReserved,
       S::kInOverload);
// Every state but idle: the circuit carries (or is clearing) a call.
constexpr fsm::Set<S> kBusy =
    kCallUp | in(S::kInCotWait, S::kReleasing, S::kCotFailWait, S::kCcrLoop, S::kOutCotRetest, S::kOutOverload,
                 S::kInReserved, S::kInOverload);
}  // namespace

// The call state machine (Q.764 clause 2). One row per (states, event).
const auto& CallFsm::table() {
  static constexpr auto kTable = fsm::make_table<kCallStates, kCallEvents, Row>({
      // 2.1 set-up.
      {S::kIdle, E::kSetupReq, S::kOutSetup, &F::a_send_iam},
      {S::kIdle, E::kIamRx, S::kInSetup, &F::a_incoming_setup},
      {S::kIdle, E::kIamCotRx, S::kInCotWait, &F::a_incoming_cot_wait},
      // 2.10.1.4 dual seizure: the controlling exchange ignores the IAM, the other backs off.
      {S::kOutSetup, E::kIamGlareWinRx, fsm::stay, &F::a_glare_win},
      {S::kOutSetup, E::kIamGlareLoseRx, S::kInSetup, &F::a_glare_lose},
      {S::kOutSetup, E::kIamCotGlareLoseRx, S::kInCotWait, &F::a_glare_lose_cot},
      // Outgoing side.
      {S::kOutSetup, E::kDigitsReq, fsm::stay, &F::a_send_sam},
      {S::kOutSetup, E::kCotOkInd, fsm::stay, &F::a_send_cot_ok},
      {S::kOutSetup, E::kCotFailInd, S::kOutCotRetest, &F::a_send_cot_fail},
      {S::kOutSetup, E::kT24, S::kOutCotRetest, &F::a_send_cot_fail},  // no check tone back: failure
      {S::kOutSetup, E::kAcmRx, S::kOutAlerting, &F::a_acm_rx},
      {S::kOutSetup, E::kConRx, S::kAnswered, &F::a_answer_rx},
      {in(S::kOutSetup, S::kOutAlerting), E::kAnmRx, S::kAnswered, &F::a_answer_rx},
      {in(S::kOutSetup, S::kOutAlerting, S::kAnswered), E::kCpgRx, fsm::stay, &F::a_cpg_rx},
      {S::kOutSetup, E::kT7, S::kReleasing, &F::a_t7},
      {S::kOutAlerting, E::kT9, S::kReleasing, &F::a_t9},
      {S::kOutSetup, E::kBlockedRx, S::kReleasing, &F::a_blocked_rx},
      {S::kOutSetup, E::kUnequippedRx, S::kIdle, &F::a_unequipped_rx},
      // Temporary trunk blocking (national, Q.763 Table 39 OLM; Q.764 Annex A T3): the call is
      // released to the user (cause 42), the circuit held until T3, then released; the peer's REL first:
      // RLC.
      {S::kOutSetup, E::kOlmRx, S::kOutOverload, &F::a_olm_rx},
      {S::kOutOverload, E::kT3, S::kReleasing, &F::a_t3},
      {S::kOutOverload, E::kRelRx, S::kIdle, &F::a_rel_rx_quiet},
      // ... and on the incoming side, our own overload: the IAM is answered by OLM, the call never reaches
      // the user, the circuit stays seized until the originating exchange's T3 sends REL (RLC), or a reset.
      {S::kInSetup, E::kOverloadReq, S::kInOverload, &F::a_send_olm},
      {S::kInOverload, E::kRelRx, S::kIdle, &F::a_rel_rx_quiet},
      {in(S::kOutSetup, S::kOutAlerting, S::kAnswered), E::kInrRx, fsm::stay, &F::a_inr_rx},
      // ANSI T1.113.4 circuit reservation (CRM/CRA, message types 0xEA/0xE9): the circuit is reserved
      // for the IAM that follows (T_CRA); the peer's REL or T_CRA's expiry frees it again.
      {S::kIdle, E::kCrmRx, S::kInReserved, &F::a_crm_rx},
      {S::kInReserved, E::kIamRx, S::kInSetup, &F::a_reserved_iam},
      {S::kInReserved, E::kIamCotRx, S::kInCotWait, &F::a_reserved_iam_cot},
      {S::kInReserved, E::kCotOkRx, fsm::stay, &F::a_reserved_cot_ok},
      {S::kInReserved, E::kTcra, S::kReleasing, &F::a_tcra},
      {S::kInReserved, E::kRelRx, S::kIdle, &F::a_rel_rx_quiet},
      // ANSI exit message (0xED): the call left the succeeding network, before the ACM; nothing to pass on.
      {S::kOutSetup, E::kExmRx, fsm::stay, &F::a_exm_rx},
      {in(S::kOutSetup, S::kOutAlerting, S::kAnswered), E::kInfReq, fsm::stay, &F::a_send_inf},
      // 2.1.8 continuity re-check on the outgoing side.
      {S::kOutCotRetest, E::kT25, fsm::stay, &F::a_t25},
      {S::kOutCotRetest, E::kCotOkInd, S::kReleasing, &F::a_retest_ok},
      {S::kOutCotRetest, E::kCotFailInd, fsm::stay, &F::a_retest_fail},
      {S::kOutCotRetest, E::kT24, fsm::stay, &F::a_retest_fail},
      // 2.1.8 continuity on the incoming side.
      {S::kInCotWait, E::kCotOkRx, S::kInSetup, &F::a_cot_ok_rx},
      {S::kInCotWait, E::kCotFailRx, S::kCotFailWait, &F::a_cot_fail_rx},
      {S::kInCotWait, E::kT8, S::kReleasing, &F::a_t8},
      {S::kCotFailWait, E::kCcrRx, S::kCcrLoop, &F::a_ccr_rx},
      {S::kCotFailWait, E::kT27, S::kIdle, &F::a_t27},
      {S::kCcrLoop, E::kCotOkRx, S::kIdle, &F::a_ccr_loop_cot_ok},
      {S::kCcrLoop, E::kCotFailRx, S::kCotFailWait, &F::a_ccr_loop_cot_fail},
      {S::kCcrLoop, E::kT36, S::kIdle, &F::a_t36},
      {in(S::kInCotWait, S::kCotFailWait, S::kCcrLoop, S::kOutCotRetest), E::kRelRx, S::kIdle, &F::a_rel_rx_quiet},
      // Incoming side: overlap (T35), backward messages, INR.
      {S::kInSetup, E::kSamRx, fsm::stay, &F::a_sam_rx},
      {S::kInSetup, E::kT35, S::kReleasing, &F::a_t35},
      {S::kInSetup, E::kAlertReq, S::kInAlerting, &F::a_send_acm_alert},
      {S::kInSetup, E::kProgressReq, S::kInAlerting, &F::a_send_acm_progress},
      {S::kInAlerting, E::kAlertReq, fsm::stay, &F::a_send_cpg},
      {in(S::kInAlerting, S::kAnswered), E::kProgressReq, fsm::stay, &F::a_send_cpg},
      {S::kInSetup, E::kAnswerReq, S::kAnswered, &F::a_send_con},
      {S::kInAlerting, E::kAnswerReq, S::kAnswered, &F::a_send_anm},
      {in(S::kInSetup, S::kInAlerting), E::kInrReq, fsm::stay, &F::a_send_inr},
      {in(S::kInSetup, S::kInAlerting, S::kAnswered), E::kInfRx, fsm::stay, &F::a_inf_rx},
      {in(S::kInSetup, S::kInAlerting), E::kT33, S::kReleasing, &F::a_t33},
      // Both directions: USR (2.1.11 / Q.737), FAC, 2.5 suspend/resume.
      {kCallUp, E::kUsrRx, fsm::stay, &F::a_usr_rx},
      {kCallUp, E::kUsrReq, fsm::stay, &F::a_send_usr},
      {kCallUp, E::kFacRx, fsm::stay, &F::a_fac_rx},
      {kCallUp, E::kFacReq, fsm::stay, &F::a_send_fac},
      // Q.764 2.1.6 / Q.733.2: notifications (remote hold/retrieval) of an answered call, both directions.
      {S::kAnswered, E::kNotifyReq, fsm::stay, &F::a_send_cpg_notification},
      {S::kAnswered, E::kSusRx, S::kSuspended, &F::a_sus_rx},
      {S::kSuspended, E::kResRx, S::kAnswered, &F::a_res_rx},
      {S::kSuspended, E::kT2, S::kReleasing, &F::a_t2_t6},
      {S::kSuspended, E::kT6, S::kReleasing, &F::a_t2_t6},
      {in(S::kAnswered, S::kSuspended), E::kSuspendReq, fsm::stay, &F::a_send_sus},
      {in(S::kAnswered, S::kSuspended), E::kResumeReq, fsm::stay, &F::a_send_res},
      // 2.3 release; 2.3.1 f collision of REL; REL/RLC on an idle circuit (2.9.3).
      {kCallUp, E::kReleaseReq, S::kReleasing, &F::a_send_rel},
      {kCallUp, E::kRelRx, S::kIdle, &F::a_rel_rx},
      {S::kReleasing, E::kRlcRx, S::kIdle, &F::a_rlc_rx},
      {S::kReleasing, E::kRelRx, S::kIdle, &F::a_rel_collision},
      {S::kReleasing, E::kT1, fsm::stay, &F::a_t1},
      {S::kReleasing, E::kT5, S::kIdle, &F::a_t5},
      {S::kIdle, E::kRelRx, fsm::stay, &F::a_rlc_only},
      {S::kIdle, E::kRlcRx, fsm::stay, &F::a_ignore},
      // Circuit reset (RSC/GRS sent or received), hardware blocking, UCIC: cleared without signalling.
      {kBusy, E::kClear, S::kIdle, &F::a_clear},
  });
  return kTable;
}

CallFsm::Meter CallFsm::make_meter(Logger& log, Counters& counters) {
  return Meter(table(), log, counters,
               {.name = "call",
                .counters = "isup.call",
                .subsystem = Subsystem::kIsup,
                .transition_level = LogLevel::kDebug,
                .refused_level = LogLevel::kInfo,
                .transition_log = "fsm.transition",
                .refused_log = "fsm.unexpected",
                .refused_counter = "isup.call.unexpected",
                .label_key = "group",
                .id_key = "cic"});
}

CallFsm::CallFsm(Circuit& c)
    : c_(c),
      m_(c.env().meters().call, S::kIdle, fsm::Label{c.group_name(), c.cic()}),
      t1_(c.env().timers()),
      t3_(c.env().timers()),
      t5_(c.env().timers()),
      t7_(c.env().timers()),
      t9_(c.env().timers()),
      t2_t6_(c.env().timers()),
      t8_(c.env().timers()),
      t24_(c.env().timers()),
      t25_(c.env().timers()),
      t27_(c.env().timers()),
      t33_(c.env().timers()),
      t35_(c.env().timers()),
      t36_(c.env().timers()),
      tcra_(c.env().timers()) {}

// Every state change goes through the table: the kit moves, counts and logs,
// then the row's action runs; a call that left the user's states is detached.
bool CallFsm::dispatch(CallEvent e) {
  const Row* r = m_.step(e);
  if (r == nullptr) return false;
  c_.touched();
  (this->*(r->action))();
  if (kNoCall.contains(m_.state()) && call_id_ != 0) detach();
  return true;
}

bool CallFsm::on_message(const Message& m) {
  rx_ = &m;
  E e;
  bool known = true;
  switch (m.type) {
    case msg::kIam: {
      bool cot = false;
      if (const Param* p = m.find(par::kNatureOfConnectionIndicators)) {
        auto nci = NatureOfConnectionIndicators::decode(p->value);
        // 01 required on this circuit, 10 performed on a previous circuit: wait for COT (T8).
        cot = nci && (nci->continuity_check == 1 || nci->continuity_check == 2);
      }
      if (state() == S::kOutSetup)  // dual seizure (Q.764 2.10.1.4)
        e = c_.controlled_here() ? E::kIamGlareWinRx : cot ? E::kIamCotGlareLoseRx : E::kIamGlareLoseRx;
      else
        e = cot ? E::kIamCotRx : E::kIamRx;
      break;
    }
    case msg::kSam: e = E::kSamRx; break;
    case msg::kAcm: e = E::kAcmRx; break;
    case msg::kCon: e = E::kConRx; break;
    case msg::kAnm: e = E::kAnmRx; break;
    case msg::kCpg: e = E::kCpgRx; break;
    case msg::kRel: e = E::kRelRx; break;
    case msg::kRlc: e = E::kRlcRx; break;
    case msg::kSus: e = E::kSusRx; break;
    case msg::kRes: e = E::kResRx; break;
    case msg::kInr: e = E::kInrRx; break;
    case msg::kInf: e = E::kInfRx; break;
    case msg::kUsr: e = E::kUsrRx; break;
    case msg::kFac: e = E::kFacRx; break;
    case msg::kOlm: e = E::kOlmRx; break;
    case msg::kCcr: e = E::kCcrRx; break;
    case msg::kCrm: e = E::kCrmRx; break;
    case msg::kExm: e = E::kExmRx; break;
    case msg::kCot: {
      const Param* p = m.find(par::kContinuityIndicators);
      auto ci = p ? FlagOctet::decode(p->value) : Result<FlagOctet, DecodeError>(Err(DecodeError::kBadValue));
      e = (ci && ci->flag) ? E::kCotOkRx : E::kCotFailRx;
      break;
    }
    default:
      known = false;
      e = E::kRelRx;
      break;
  }
  bool ok = known && dispatch(e);
  rx_ = nullptr;
  return ok;
}

// --- user requests ---

bool CallFsm::setup(CallId id, SetupRequest req, unsigned attempt) {
  if (!idle()) return false;
  call_id_ = id;
  indicated_ = true;
  outgoing_ = true;
  attempt_ = attempt;
  setup_ = std::move(req);
  return dispatch(E::kSetupReq);
}
bool CallFsm::digits(const Number& subsequent) {
  digits_ = &subsequent;
  bool ok = dispatch(E::kDigitsReq);
  digits_ = nullptr;
  return ok;
}
bool CallFsm::alert(bool inband) {
  flag_ = inband;
  event_ = 1;  // ALERTING (Q.763 3.21)
  return dispatch(E::kAlertReq);
}
bool CallFsm::progress(std::uint8_t event, bool inband) {
  flag_ = inband;
  event_ = event;
  return dispatch(E::kProgressReq);
}
bool CallFsm::answer() { return dispatch(E::kAnswerReq); }
bool CallFsm::overload() { return dispatch(E::kOverloadReq); }

bool CallFsm::release(int cause, std::uint8_t location) {
  cause_ = cause;
  location_ = location;
  const bool ok = dispatch(E::kReleaseReq);
  location_ = kLocationPublicLocal;  // the FSM's own releases (timers, failures) are ours
  return ok;
}
bool CallFsm::suspend(bool network) {
  flag_ = network;
  return dispatch(E::kSuspendReq);
}
bool CallFsm::resume(bool network) {
  flag_ = network;
  return dispatch(E::kResumeReq);
}
bool CallFsm::request_information(const InformationRequestIndicators& ind) {
  inr_ = &ind;
  bool ok = dispatch(E::kInrReq);
  inr_ = nullptr;
  return ok;
}
bool CallFsm::information(const InformationIndicators& ind, std::vector<OwnedParam> params) {
  inf_ = &ind;
  params_ = std::move(params);
  bool ok = dispatch(E::kInfReq);
  inf_ = nullptr;
  params_.clear();
  return ok;
}
bool CallFsm::user_to_user(std::vector<std::uint8_t> uui) {
  uui_ = std::move(uui);
  bool ok = dispatch(E::kUsrReq);
  uui_.clear();
  return ok;
}
bool CallFsm::notify(std::uint8_t notification) {
  event_ = notification;
  return dispatch(E::kNotifyReq);
}
bool CallFsm::facility(std::vector<OwnedParam> params) {
  params_ = std::move(params);
  bool ok = dispatch(E::kFacReq);
  params_.clear();
  return ok;
}
void CallFsm::continuity_result(bool ok) {
  t24_.cancel();
  dispatch(ok ? E::kCotOkInd : E::kCotFailInd);
}

bool CallFsm::blocked_before_backward() { return state() == S::kOutSetup && dispatch(E::kBlockedRx); }
bool CallFsm::unequipped_before_backward() { return state() == S::kOutSetup && dispatch(E::kUnequippedRx); }

void CallFsm::clear(int cause, std::string_view why) {
  if (idle()) return;  // nothing to clear
  c_.env().logger().debug(Subsystem::kIsup, "call.clear",
                          {{"group", c_.group_name()}, {"cic", c_.cic()}, {"why", why}});
  clear_cause_ = cause;
  dispatch(E::kClear);
}

// --- helpers ---

void CallFsm::stop_timers() {
  for (OneShotTimer* t : {&t1_, &t3_, &t5_, &t7_, &t9_, &t2_t6_, &t8_, &t24_, &t25_, &t27_, &t33_, &t35_, &t36_, &tcra_}) t->cancel();
}

void CallFsm::start(OneShotTimer& t, milliseconds d, CallEvent e) {
  t.arm(d, [this, e] { dispatch(e); });
}

void CallFsm::send(const MessageBuilder& b) {
  if (basis_ == nullptr) return c_.env().send(c_, b);
  // An ANSI ACM ahead of the ANM a CON stands for takes the ANM's mandatory
  // parameters only; the ANM itself takes the whole basis.
  const Message& own = b.message();
  const bool whole = own.type == basis_->type || !(own.type == msg::kAcm && basis_->type == msg::kAnm);
  MessageBuilder based(own.type, own.cic);
  rebase(based, own, *basis_, whole && !basis_used_ ? true : own.type == basis_->type);
  basis_used_ = true;
  c_.env().send(c_, based);
}

void CallFsm::send_rel(int cause) {
  MessageBuilder b(msg::kRel, c_.cic());
  CauseIndicators ci;
  ci.location = rel_location_;
  ci.value = static_cast<std::uint8_t>(cause & 0x7f);
  b.variable(par::kCauseIndicators, ci);
  // Q.764 2.11: while this exchange is congested, every REL it generates carries the automatic congestion
  // level parameter (Q.763 3.4: 1 level 1 exceeded, 2 level 2 exceeded).
  if (const std::uint8_t acl = c_.env().own_congestion_level(); acl != 0) {
    const std::uint8_t v[1] = {acl};
    b.optional(par::kAutomaticCongestionLevel, std::span<const std::uint8_t>(v, 1));
  }
  send(b);
}

void CallFsm::send_rlc() {
  MessageBuilder b(msg::kRlc, c_.cic());
  send(b);
}

void CallFsm::detach() {
  if (call_id_ != 0) c_.env().call_detached(c_, call_id_);
  call_id_ = 0;
  indicated_ = false;
}

void CallFsm::notify_release(int cause, std::uint8_t location, const Message* rel) {
  if (!indicated_ || call_id_ == 0) return;
  const CallId id = call_id_;
  detach();
  c_.env().user().on_release(id, ReleaseIndication{cause, location, rel});
}

}  // namespace isupgw::isup
