#include "isup/call_fsm.h"

#include "isup/circuit.h"
#include "isup/codes.h"
#include "isup/params.h"
#include "isup/trunk_group.h"

namespace isupgw::isup {

using S = CallState;
using E = CallEvent;
using F = CallFsm;

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
    case S::kStay: return "stay";
    case S::kByAction: return "by_action";
  }
  return "?";
}

std::string_view to_string(CallEvent e) {
  switch (e) {
    case E::kIamRx: return "IAM";
    case E::kIamCotRx: return "IAM(cot)";
    case E::kIamGlareWinRx: return "IAM(dual_seizure_controlling)";
    case E::kIamGlareLoseRx: return "IAM(dual_seizure_non_controlling)";
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
    case E::kCotOkRx: return "COT(success)";
    case E::kCotFailRx: return "COT(failure)";
    case E::kCcrRx: return "CCR";
    case E::kSetupReq: return "setup_req";
    case E::kDigitsReq: return "digits_req";
    case E::kAlertReq: return "alert_req";
    case E::kProgressReq: return "progress_req";
    case E::kAnswerReq: return "answer_req";
    case E::kReleaseReq: return "release_req";
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
    case E::kBlockedRx: return "blocked_before_backward";
    case E::kUnequippedRx: return "UCIC";
  }
  return "?";
}

namespace {
// States in which the user knows the call.
constexpr std::uint32_t kCallUp =
    in(S::kOutSetup, S::kOutAlerting, S::kInSetup, S::kInAlerting, S::kAnswered, S::kSuspended);
// States without a user call.
constexpr std::uint32_t kNoCall = in(S::kIdle, S::kReleasing, S::kCotFailWait, S::kCcrLoop, S::kOutCotRetest);

// Cause values used on timer expiry and failures (Q.850).
constexpr int kCauseNoAnswer = 19;
constexpr int kCauseInvalidNumberFormat = 28;
constexpr int kCauseNoCircuit = 34;
constexpr int kCauseTemporaryFailure = 41;
constexpr int kCauseRecoveryOnTimerExpiry = 102;
}  // namespace

// The call state machine (Q.764 clause 2). One row per (states, event).
const CallFsm::Row CallFsm::kTable[] = {
    // 2.1 set-up.
    {in(S::kIdle), E::kSetupReq, S::kOutSetup, &F::a_send_iam},
    {in(S::kIdle), E::kIamRx, S::kInSetup, &F::a_incoming_setup},
    {in(S::kIdle), E::kIamCotRx, S::kInCotWait, &F::a_incoming_cot_wait},
    // 2.10.1.4 dual seizure: the controlling exchange ignores the IAM, the other backs off.
    {in(S::kOutSetup), E::kIamGlareWinRx, S::kStay, &F::a_glare_win},
    {in(S::kOutSetup), E::kIamGlareLoseRx, S::kByAction, &F::a_glare_lose},
    // Outgoing side.
    {in(S::kOutSetup), E::kDigitsReq, S::kStay, &F::a_send_sam},
    {in(S::kOutSetup), E::kCotOkInd, S::kStay, &F::a_send_cot_ok},
    {in(S::kOutSetup), E::kCotFailInd, S::kOutCotRetest, &F::a_send_cot_fail},
    {in(S::kOutSetup), E::kT24, S::kOutCotRetest, &F::a_send_cot_fail},  // no check tone back: failure
    {in(S::kOutSetup), E::kAcmRx, S::kOutAlerting, &F::a_acm_rx},
    {in(S::kOutSetup), E::kConRx, S::kAnswered, &F::a_answer_rx},
    {in(S::kOutSetup, S::kOutAlerting), E::kAnmRx, S::kAnswered, &F::a_answer_rx},
    {in(S::kOutSetup, S::kOutAlerting, S::kAnswered), E::kCpgRx, S::kStay, &F::a_cpg_rx},
    {in(S::kOutSetup), E::kT7, S::kReleasing, &F::a_t7},
    {in(S::kOutAlerting), E::kT9, S::kReleasing, &F::a_t9},
    {in(S::kOutSetup), E::kBlockedRx, S::kReleasing, &F::a_blocked_rx},
    {in(S::kOutSetup), E::kUnequippedRx, S::kIdle, &F::a_unequipped_rx},
    {in(S::kOutSetup, S::kOutAlerting, S::kAnswered), E::kInrRx, S::kStay, &F::a_inr_rx},
    {in(S::kOutSetup, S::kOutAlerting, S::kAnswered), E::kInfReq, S::kStay, &F::a_send_inf},
    // 2.1.8 continuity re-check on the outgoing side.
    {in(S::kOutCotRetest), E::kT25, S::kStay, &F::a_t25},
    {in(S::kOutCotRetest), E::kCotOkInd, S::kReleasing, &F::a_retest_ok},
    {in(S::kOutCotRetest), E::kCotFailInd, S::kStay, &F::a_retest_fail},
    {in(S::kOutCotRetest), E::kT24, S::kStay, &F::a_retest_fail},
    // 2.1.8 continuity on the incoming side.
    {in(S::kInCotWait), E::kCotOkRx, S::kInSetup, &F::a_cot_ok_rx},
    {in(S::kInCotWait), E::kCotFailRx, S::kCotFailWait, &F::a_cot_fail_rx},
    {in(S::kInCotWait), E::kT8, S::kReleasing, &F::a_t8},
    {in(S::kCotFailWait), E::kCcrRx, S::kCcrLoop, &F::a_ccr_rx},
    {in(S::kCotFailWait), E::kT27, S::kIdle, &F::a_t27},
    {in(S::kCcrLoop), E::kCotOkRx, S::kIdle, &F::a_ccr_loop_cot_ok},
    {in(S::kCcrLoop), E::kCotFailRx, S::kCotFailWait, &F::a_ccr_loop_cot_fail},
    {in(S::kCcrLoop), E::kT36, S::kIdle, &F::a_t36},
    {in(S::kInCotWait, S::kCotFailWait, S::kCcrLoop, S::kOutCotRetest), E::kRelRx, S::kIdle, &F::a_rel_rx_quiet},
    // Incoming side: overlap (T35), backward messages, INR.
    {in(S::kInSetup), E::kSamRx, S::kStay, &F::a_sam_rx},
    {in(S::kInSetup), E::kT35, S::kReleasing, &F::a_t35},
    {in(S::kInSetup), E::kAlertReq, S::kInAlerting, &F::a_send_acm_alert},
    {in(S::kInSetup), E::kProgressReq, S::kInAlerting, &F::a_send_acm_progress},
    {in(S::kInAlerting), E::kAlertReq, S::kStay, &F::a_send_cpg},
    {in(S::kInAlerting, S::kAnswered), E::kProgressReq, S::kStay, &F::a_send_cpg},
    {in(S::kInSetup), E::kAnswerReq, S::kAnswered, &F::a_send_con},
    {in(S::kInAlerting), E::kAnswerReq, S::kAnswered, &F::a_send_anm},
    {in(S::kInSetup, S::kInAlerting), E::kInrReq, S::kStay, &F::a_send_inr},
    {in(S::kInSetup, S::kInAlerting, S::kAnswered), E::kInfRx, S::kStay, &F::a_inf_rx},
    {in(S::kInSetup, S::kInAlerting), E::kT33, S::kReleasing, &F::a_t33},
    // Both directions: USR (2.1.11 / Q.737), FAC, 2.5 suspend/resume.
    {kCallUp, E::kUsrRx, S::kStay, &F::a_usr_rx},
    {kCallUp, E::kUsrReq, S::kStay, &F::a_send_usr},
    {kCallUp, E::kFacRx, S::kStay, &F::a_fac_rx},
    {kCallUp, E::kFacReq, S::kStay, &F::a_send_fac},
    // Q.764 2.1.6 / Q.733.2: notifications (remote hold/retrieval) of an answered call, both directions.
    {in(S::kAnswered), E::kNotifyReq, S::kStay, &F::a_send_cpg_notification},
    {in(S::kAnswered), E::kSusRx, S::kSuspended, &F::a_sus_rx},
    {in(S::kSuspended), E::kResRx, S::kAnswered, &F::a_res_rx},
    {in(S::kSuspended), E::kT2, S::kReleasing, &F::a_t2_t6},
    {in(S::kSuspended), E::kT6, S::kReleasing, &F::a_t2_t6},
    {in(S::kAnswered, S::kSuspended), E::kSuspendReq, S::kStay, &F::a_send_sus},
    {in(S::kAnswered, S::kSuspended), E::kResumeReq, S::kStay, &F::a_send_res},
    // 2.3 release; 2.3.1 f collision of REL; REL/RLC on an idle circuit (2.9.3).
    {kCallUp, E::kReleaseReq, S::kReleasing, &F::a_send_rel},
    {kCallUp, E::kRelRx, S::kIdle, &F::a_rel_rx},
    {in(S::kReleasing), E::kRlcRx, S::kIdle, &F::a_rlc_rx},
    {in(S::kReleasing), E::kRelRx, S::kIdle, &F::a_rel_collision},
    {in(S::kReleasing), E::kT1, S::kStay, &F::a_t1},
    {in(S::kReleasing), E::kT5, S::kIdle, &F::a_t5},
    {in(S::kIdle), E::kRelRx, S::kStay, &F::a_rlc_only},
    {in(S::kIdle), E::kRlcRx, S::kStay, &F::a_ignore},
};
const std::size_t CallFsm::kTableSize = std::size(CallFsm::kTable);

CallFsm::CallFsm(Circuit& c)
    : c_(c),
      t1_(c.env().timers()),
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
      t36_(c.env().timers()) {}

bool CallFsm::dispatch(CallEvent e) {
  auto& log = c_.env().logger();
  const Row* r = find_row(std::span<const Row>(kTable, kTableSize), state_, e);
  if (r == nullptr) {
    log_unexpected(log, "call", c_.group_name(), c_.cic(), to_string(state_), to_string(e));
    c_.env().counters().get("isup.call.unexpected").inc();
    return false;
  }
  const S from = state_;
  if (r->to != S::kStay && r->to != S::kByAction) state_ = r->to;
  log_transition(log, "call", c_.group_name(), c_.cic(), to_string(from), to_string(e), to_string(state_));
  (this->*(r->action))();
  if ((in(state_)&kNoCall) && call_id_ != 0) detach();
  return true;
}

void CallFsm::enter(CallState s, std::string_view event) {
  log_transition(c_.env().logger(), "call", c_.group_name(), c_.cic(), to_string(state_), event, to_string(s));
  state_ = s;
}

bool CallFsm::on_message(const Message& m) {
  rx_ = &m;
  E e;
  bool known = true;
  switch (m.type) {
    case msg::kIam: {
      if (state_ == S::kOutSetup) {
        e = c_.controlled_here() ? E::kIamGlareWinRx : E::kIamGlareLoseRx;
        break;
      }
      e = E::kIamRx;
      if (const Param* p = m.find(par::kNatureOfConnectionIndicators)) {
        auto nci = NatureOfConnectionIndicators::decode(p->value);
        // 01 required on this circuit, 10 performed on a previous circuit: wait for COT (T8).
        if (nci && (nci->continuity_check == 1 || nci->continuity_check == 2)) e = E::kIamCotRx;
      }
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
    case msg::kCcr: e = E::kCcrRx; break;
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
  if (state_ != S::kIdle) return false;
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
  t24_.stop();
  dispatch(ok ? E::kCotOkInd : E::kCotFailInd);
}

// Q.764 2.1.8: T24 supervises the return of the check tone.
void CallFsm::start_continuity_test() {
  start(t24_, c_.timer_config().t24, E::kT24);
  if (c_.env().continuity()) c_.env().continuity()->start_test(c_.group().id(), c_.cic());
}
bool CallFsm::blocked_before_backward() { return state_ == S::kOutSetup && dispatch(E::kBlockedRx); }
bool CallFsm::unequipped_before_backward() { return state_ == S::kOutSetup && dispatch(E::kUnequippedRx); }

void CallFsm::clear(int cause, std::string_view why) {
  if (state_ == S::kIdle) return;
  stop_timers();
  if (loop_connected_ && c_.env().continuity()) c_.env().continuity()->disconnect_loop(c_.group().id(), c_.cic());
  loop_connected_ = false;
  setup_.reset();
  stored_iam_.clear();
  enter(S::kIdle, why);
  notify_release(cause);
  detach();
}

// --- helpers ---

void CallFsm::stop_timers() {
  for (Timer* t : {&t1_, &t5_, &t7_, &t9_, &t2_t6_, &t8_, &t24_, &t25_, &t27_, &t33_, &t35_, &t36_}) t->stop();
}

void CallFsm::start(Timer& t, milliseconds d, CallEvent e) {
  t.start(d, [this, e] { dispatch(e); });
}

void CallFsm::send(const MessageBuilder& b) { c_.env().send(c_, b); }

void CallFsm::send_rel(int cause) {
  MessageBuilder b(msg::kRel, c_.cic());
  CauseIndicators ci;
  ci.location = rel_location_;
  ci.value = static_cast<std::uint8_t>(cause & 0x7f);
  b.variable(par::kCauseIndicators, ci);
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

void CallFsm::notify_release(int cause, std::uint8_t location) {
  if (!indicated_ || call_id_ == 0) return;
  const CallId id = call_id_;
  detach();
  c_.env().user().on_release_located(id, cause, location);
}

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

static int cause_of(const Message* m) {
  if (m == nullptr) return 31;
  const Param* p = m->find(par::kCauseIndicators);
  if (p == nullptr) return 31;
  auto ci = CauseIndicators::decode(p->value);
  return ci ? ci->value : 31;
}

static std::uint8_t location_of(const Message* m) {
  const Param* p = m != nullptr ? m->find(par::kCauseIndicators) : nullptr;
  if (p == nullptr) return kLocationPublicLocal;
  auto ci = CauseIndicators::decode(p->value);
  return ci ? ci->location : kLocationPublicLocal;
}

// --- actions: outgoing ---

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
  t7_.stop();
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
  t7_.stop();
  t9_.stop();
  if (call_id_) c_.env().user().on_answer(call_id_);
}

void CallFsm::a_t7() {
  c_.env().counters().get("isup.call.t7_expired").inc();
  start_release(kCauseRecoveryOnTimerExpiry);
  notify_release(kCauseRecoveryOnTimerExpiry);
}

void CallFsm::a_t9() {
  c_.env().counters().get("isup.call.t9_expired").inc();
  start_release(kCauseNoAnswer);
  notify_release(kCauseNoAnswer);
}

void CallFsm::a_glare_win() {
  // Q.764 2.10.1.4 a: this exchange controls the circuit; complete our call, ignore the IAM.
  c_.env().counters().get("isup.call.dual_seizure").inc();
  c_.env().logger().notice(Subsystem::kIsup, "call.dual_seizure",
                           {{"group", c_.group_name()}, {"cic", c_.cic()}, {"action", "ignore_incoming"}});
}

void CallFsm::a_glare_lose() {
  // Q.764 2.10.1.4 b: the non-controlling exchange backs off, accepts the
  // incoming call and repeats its own attempt on another circuit.
  c_.env().counters().get("isup.call.dual_seizure").inc();
  c_.env().logger().notice(Subsystem::kIsup, "call.dual_seizure",
                           {{"group", c_.group_name()}, {"cic", c_.cic()}, {"action", "back_off"}});
  stop_timers();
  const CallId id = call_id_;
  SetupRequest req = std::move(*setup_);
  setup_.reset();
  const unsigned attempt = attempt_;
  detach();
  state_ = S::kIdle;
  handle_incoming_iam();
  if (!c_.env().reattempt(id, std::move(req), attempt + 1, c_)) c_.env().user().on_release(id, kCauseNoCircuit);
}

void CallFsm::a_blocked_rx() {
  // Q.764 2.8.2.1: blocked before any backward message: release and repeat elsewhere.
  const CallId id = call_id_;
  SetupRequest req = std::move(*setup_);
  setup_.reset();
  const unsigned attempt = attempt_;
  detach();
  start_release(kCauseTemporaryFailure);
  if (!c_.env().reattempt(id, std::move(req), attempt + 1, c_)) c_.env().user().on_release(id, kCauseNoCircuit);
}

void CallFsm::a_unequipped_rx() {
  stop_timers();
  const CallId id = call_id_;
  SetupRequest req = std::move(*setup_);
  setup_.reset();
  const unsigned attempt = attempt_;
  detach();
  if (!c_.env().reattempt(id, std::move(req), attempt + 1, c_)) c_.env().user().on_release(id, kCauseNoCircuit);
}

void CallFsm::a_inr_rx() {
  if (!outgoing_) {
    c_.env().counters().get("isup.call.unexpected").inc();
    return;
  }
  auto ind = InformationRequestIndicators::decode(rx_->fixed.empty() ? Bytes{} : rx_->fixed[0].value);
  if (ind && call_id_) c_.env().user().on_information_request(call_id_, *ind);
}

void CallFsm::a_send_inf() {
  MessageBuilder b(msg::kInf, c_.cic());
  b.fixed(par::kInformationIndicators, *inf_);
  for (const auto& p : params_) b.optional(p.code, p.value);
  send(b);
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
  c_.env().counters().get("isup.call.continuity_failed").inc();
  stop_timers();
  cot_failures_ = 1;
  const CallId id = call_id_;
  SetupRequest req = std::move(*setup_);
  setup_.reset();
  const unsigned attempt = attempt_;
  detach();
  start(t25_, c_.timer_config().t25, E::kT25);
  if (!c_.env().reattempt(id, std::move(req), attempt + 1, c_)) c_.env().user().on_release(id, kCauseNoCircuit);
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

// --- actions: incoming ---

void CallFsm::handle_incoming_iam() {
  E e = E::kIamRx;
  if (const Param* p = rx_->find(par::kNatureOfConnectionIndicators)) {
    auto nci = NatureOfConnectionIndicators::decode(p->value);
    if (nci && (nci->continuity_check == 1 || nci->continuity_check == 2)) e = E::kIamCotRx;
  }
  if (e == E::kIamRx) {
    enter(S::kInSetup, to_string(e));
    a_incoming_setup();
  } else {
    enter(S::kInCotWait, to_string(e));
    a_incoming_cot_wait();
  }
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
  t8_.stop();
  disconnect_loop();
  auto iam = decode(stored_iam_, c_.variant());
  if (!iam) {
    c_.env().counters().get("isup.call.stored_iam_invalid").inc();
    return;
  }
  indicate_setup(*iam);
  stored_iam_.clear();
}

void CallFsm::a_cot_fail_rx() {
  // Q.764 2.1.8: await the re-check (CCR) under T27.
  t8_.stop();
  disconnect_loop();
  stored_iam_.clear();
  c_.env().counters().get("isup.call.continuity_failed").inc();
  start(t27_, c_.timer_config().t27, E::kT27);
}

void CallFsm::a_t8() {
  c_.env().counters().get("isup.call.t8_expired").inc();
  stored_iam_.clear();
  start_release(kCauseTemporaryFailure);
}

void CallFsm::a_ccr_rx() {
  t27_.stop();
  if (c_.env().continuity()) {
    c_.env().continuity()->connect_loop(c_.group().id(), c_.cic());
    loop_connected_ = true;
  }
  start(t36_, c_.timer_config().t36, E::kT36);
}

void CallFsm::a_ccr_loop_cot_ok() {
  t36_.stop();
  disconnect_loop();
}

void CallFsm::a_ccr_loop_cot_fail() {
  t36_.stop();
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

void CallFsm::a_sam_rx() {
  const Param* p = rx_->find(par::kSubsequentNumber);
  if (p == nullptr) return;
  auto n = Number::decode(NumberKind::kSubsequent, p->value);
  if (!n) return;
  complete_ = n->has_st();
  if (complete_) {
    t35_.stop();
  } else {
    start(t35_, c_.timer_config().t35, E::kT35);
  }
  if (call_id_) c_.env().user().on_more_digits(call_id_, n->digits.view(), complete_);
}

void CallFsm::a_t35() {
  // Q.764 2.1.2: address incomplete.
  c_.env().counters().get("isup.call.t35_expired").inc();
  start_release(kCauseInvalidNumberFormat);
  notify_release(kCauseInvalidNumberFormat);
}

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

void CallFsm::a_send_acm_alert() {
  t35_.stop();
  MessageBuilder b(msg::kAcm, c_.cic());
  b.fixed(par::kBackwardCallIndicators, default_bci(1));
  if (flag_)
    b.optional(par::kOptionalBackwardCallIndicators, OptionalBackwardCallIndicators{true, false, false, false, 0});
  send(b);
  acm_sent_ = true;
}

void CallFsm::a_send_acm_progress() {
  t35_.stop();
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

void CallFsm::a_send_cpg_notification() {
  // Event "progress" with the generic notification indicator, extension bit set (Q.763 3.21, 3.25).
  MessageBuilder b(msg::kCpg, c_.cic());
  b.fixed(par::kEventInformation, EventInformation{2, false});
  const std::uint8_t gni = static_cast<std::uint8_t>(0x80 | (event_ & 0x7f));
  b.optional(par::kGenericNotificationIndicator, std::span<const std::uint8_t>(&gni, 1));
  send(b);
}

void CallFsm::a_send_con() {
  t35_.stop();
  t33_.stop();
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
  t33_.stop();
  MessageBuilder b(msg::kAnm, c_.cic());
  send(b);
}

void CallFsm::a_send_inr() {
  MessageBuilder b(msg::kInr, c_.cic());
  b.fixed(par::kInformationRequestIndicators, *inr_);
  send(b);
  start(t33_, c_.timer_config().t33, E::kT33);
}

void CallFsm::a_inf_rx() {
  t33_.stop();
  auto ind = InformationIndicators::decode(rx_->fixed.empty() ? Bytes{} : rx_->fixed[0].value);
  if (ind && call_id_) c_.env().user().on_information(call_id_, *ind, *rx_);
}

void CallFsm::a_t33() {
  // Q.764 2.1.6: no INF: release the call and alert maintenance.
  c_.env().alarm(c_, "t33_expired");
  start_release(kCauseRecoveryOnTimerExpiry);
  notify_release(kCauseRecoveryOnTimerExpiry);
}

// --- actions: both directions ---

void CallFsm::a_usr_rx() {
  const Param* p = rx_->find(par::kUserToUserInformation);
  if (p && call_id_) c_.env().user().on_user_to_user(call_id_, p->value);
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
  if (call_id_) c_.env().user().on_suspend(call_id_, network);
}

void CallFsm::a_res_rx() {
  t2_t6_.stop();
  bool network = false;
  if (const Param* p = rx_->find(par::kSuspendResumeIndicators)) {
    auto f = FlagOctet::decode(p->value);
    network = f && f->flag;
  }
  if (call_id_) c_.env().user().on_resume(call_id_, network);
}

void CallFsm::a_t2_t6() {
  // Q.764 2.5.3: no RES: release with cause 102.
  c_.env().counters().get("isup.call.suspend_timeout").inc();
  start_release(kCauseRecoveryOnTimerExpiry);
  notify_release(kCauseRecoveryOnTimerExpiry);
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

// --- actions: release ---

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
  notify_release(cause_of(rx_), location_of(rx_));
}

void CallFsm::a_rlc_rx() { stop_timers(); }

void CallFsm::a_rel_collision() {
  // Q.764 2.3.1 f: REL received while awaiting RLC: stop T1/T5, answer RLC; the circuit is idle.
  c_.env().counters().get("isup.call.release_collision").inc();
  stop_timers();
  send_rlc();
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

}  // namespace isupgw::isup
