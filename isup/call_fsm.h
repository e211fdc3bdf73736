// Per-circuit call state machine (Q.764 clause 2: 2.1 setup, 2.2 backward
// messages, 2.3 release, 2.5 suspend/resume, 2.1.6 INR/INF, 2.1.8 continuity,
// 2.10.1.4 dual seizure), declared through the FSM kit (base/fsm.h). The
// transition table and the driver are in call_fsm.cpp; the actions in
// call_setup.cpp (2.1, 2.10.1.4), call_continuity.cpp (2.1.8) and
// call_release.cpp (2.3, 2.5 and the messages of an established call).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "base/fsm.h"
#include "base/one_shot_timer.h"
#include "isup/builder.h"
#include "isup/isup_cc_config.h"
#include "isup/isup_cc_user.h"
#include "isup/message.h"

namespace isupgw::isup {

class Circuit;

enum class CallState : std::uint8_t {
  kIdle,
  kOutSetup,      // IAM sent, awaiting the first backward message (T7)
  kOutAlerting,   // ACM received, awaiting ANM (T9)
  kInCotWait,     // IAM received with continuity check, awaiting COT (T8); not yet indicated
  kInSetup,       // IAM indicated to the user; overlap digits supervised by T35
  kInAlerting,    // ACM sent
  kAnswered,      // ANM/CON sent or received
  kSuspended,     // SUS received (T2 user / T6 network)
  kReleasing,     // REL sent, awaiting RLC (T1, T5)
  kCotFailWait,   // incoming: COT failure received, awaiting CCR (T27)
  kCcrLoop,       // incoming: CCR received, loop connected, awaiting COT or REL (T36)
  kOutCotRetest,  // outgoing: continuity failed, repeat check after T25 / T26
  kOutOverload,   // outgoing: OLM received in answer to our IAM, circuit held until T3 (Q.764 Annex A)
  kInReserved,    // ANSI: CRM received, CRA sent, awaiting the IAM (T_CRA; T1.113.4 circuit reservation)
  kInOverload,    // incoming: IAM answered by OLM (we are overloaded), held until the peer's REL (its T3) or a reset
};
inline constexpr std::size_t kCallStates = static_cast<std::size_t>(CallState::kInOverload) + 1;
std::string_view to_string(CallState s);

enum class CallEvent : std::uint8_t {
  // Received messages.
  kIamRx,
  kIamCotRx,
  kIamGlareWinRx,
  kIamGlareLoseRx,     // our IAM loses the dual seizure; the peer's asks for no continuity check
  kIamCotGlareLoseRx,  // ... the peer's asks for a continuity check (wait for COT)
  kSamRx,
  kAcmRx,
  kConRx,
  kAnmRx,
  kCpgRx,
  kRelRx,
  kRlcRx,
  kSusRx,
  kResRx,
  kInrRx,
  kInfRx,
  kUsrRx,
  kFacRx,
  kOlmRx,  // overload: temporary trunk blocking asked by the peer (Q.763 Table 39)
  kCotOkRx,
  kCotFailRx,
  kCcrRx,
  kCrmRx,  // ANSI circuit reservation (T1.113.3 message type 0xEA)
  kExmRx,  // ANSI exit message (0xED)
  // Requests from the user.
  kSetupReq,
  kDigitsReq,
  kAlertReq,
  kProgressReq,
  kAnswerReq,
  kReleaseReq,
  kOverloadReq,  // refuse the IAM with OLM: temporary trunk blocking (national, Q.763 Table 39)
  kSuspendReq,
  kResumeReq,
  kInrReq,
  kInfReq,
  kUsrReq,
  kFacReq,
  kNotifyReq,
  kCotOkInd,
  kCotFailInd,
  // Timers.
  kT1,
  kT2,
  kT3,
  kT5,
  kT6,
  kT7,
  kT8,
  kT9,
  kT24,
  kT25,
  kT27,
  kT33,
  kT35,
  kT36,
  kTcra,  // ANSI: CRA sent -> IAM
  // Circuit events: BLO/UCIC received before any backward message.
  kBlockedRx,
  kUnequippedRx,  // UCIC received in answer to our IAM (Q.764 2.12)
  // Circuit reset (RSC/GRS), hardware blocking, UCIC: the call is cleared without signalling.
  kClear,
};
inline constexpr std::size_t kCallEvents = static_cast<std::size_t>(CallEvent::kClear) + 1;
std::string_view to_string(CallEvent e);

class CallFsm {
 public:
  using Row = fsm::Row<CallState, CallEvent, void (CallFsm::*)()>;
  using Meter = fsm::Meter<Row>;
  // The kind's counters (isup.call.*) and log identity (fsm=call), built once
  // at wiring time and shared by every circuit's machine.
  static Meter make_meter(Logger& log, Counters& counters);

  explicit CallFsm(Circuit& c);
  CallFsm(const CallFsm&) = delete;
  CallFsm& operator=(const CallFsm&) = delete;

  CallState state() const { return m_.state(); }
  CallId call_id() const { return call_id_; }
  bool idle() const { return m_.state() == CallState::kIdle; }
  bool outgoing() const { return outgoing_; }
  bool acm_sent() const { return acm_sent_; }

  // A received call-control message for this circuit; false if the state
  // machine had no transition for it (counted and logged).
  bool on_message(const Message& m);

  // User requests; false = not valid in this state.
  bool setup(CallId id, SetupRequest req, unsigned attempt);
  bool digits(const Number& subsequent);
  bool alert(bool inband);
  bool progress(std::uint8_t event, bool inband);
  bool answer();
  bool release(int cause, std::uint8_t location = kLocationPublicLocal);
  // An IAM this node is too overloaded to take: OLM instead of REL 42; the circuit stays seized.
  bool overload();
  bool suspend(bool network);
  bool resume(bool network);
  bool request_information(const InformationRequestIndicators& ind);
  bool information(const InformationIndicators& ind, std::vector<OwnedParam> params);
  bool user_to_user(std::vector<std::uint8_t> uui);
  bool facility(std::vector<OwnedParam> params);
  // CPG with a generic notification (Q.763 3.25) once answered, either direction.
  bool notify(std::uint8_t notification);
  void continuity_result(bool ok);
  // SIP-I/SIP-T: the encapsulated message the next request's messages are
  // rebuilt on (message_basis.h); nullptr clears it. Valid until cleared.
  void set_basis(const Message* basis) {
    basis_ = basis;
    basis_used_ = false;
  }

  // Circuit reset (RSC/GRS sent or received), hardware blocking, UCIC: the
  // call is cleared without signalling; the user gets on_release(cause).
  void clear(int cause, std::string_view why);
  // BLO/UCIC received while an outgoing call awaits its first backward
  // message: release it and repeat the attempt elsewhere (Q.764 2.8.2.1).
  bool blocked_before_backward();
  // UCIC in answer to our IAM: no REL (the peer has no such circuit), repeat elsewhere.
  bool unequipped_before_backward();

 private:
  static const auto& table();
  bool dispatch(CallEvent e);
  void stop_timers();
  void send(const MessageBuilder& b);
  void send_rel(int cause);
  void send_rlc();
  void notify_release(int cause, std::uint8_t location = kLocationPublicLocal, const Message* rel = nullptr);
  void detach();
  void start_release(int cause);  // send REL, start T1 and T5
  void start(OneShotTimer& t, milliseconds d, CallEvent e);
  void indicate_setup(const Message& iam);
  void disconnect_loop();

  // Actions (see the table).
  void a_send_iam();
  void a_send_sam();
  void a_acm_rx();
  void a_cpg_rx();
  void a_answer_rx();
  void a_rel_rx();
  void a_rel_rx_quiet();
  void a_rlc_rx();
  void a_rel_collision();
  void a_rlc_only();
  void a_ignore();
  void a_glare_win();
  void a_glare_lose();
  void a_incoming_setup();
  void a_incoming_cot_wait();
  void a_cot_ok_rx();
  void a_cot_fail_rx();
  void a_ccr_rx();
  void a_ccr_loop_cot_ok();
  void a_ccr_loop_cot_fail();
  void a_t8();
  void a_t27();
  void a_t36();
  void a_sam_rx();
  void a_send_acm_alert();
  void a_send_acm_progress();
  void a_send_cpg();
  void a_send_con();
  void a_send_anm();
  void a_send_rel();
  void a_t1();
  void a_t5();
  void a_t7();
  void a_t9();
  void a_t35();
  void a_t33();
  void a_t2_t6();
  void a_sus_rx();
  void a_res_rx();
  void a_send_sus();
  void a_send_res();
  void a_inr_rx();
  void a_send_inr();
  void a_inf_rx();
  void a_send_inf();
  void a_usr_rx();
  void a_send_usr();
  void a_fac_rx();
  void a_send_fac();
  void a_send_cpg_notification();
  void a_send_cot_ok();
  void a_send_cot_fail();
  void a_t25();
  void start_continuity_test();
  void a_retest_ok();
  void a_retest_fail();
  void a_blocked_rx();
  void a_unequipped_rx();
  void a_clear();
  void a_glare_lose_cot();
  void a_olm_rx();
  void a_send_olm();
  void a_t3();
  // ANSI circuit reservation and exit message (circuit_reservation.cpp).
  void a_crm_rx();
  void a_reserved_iam();
  void a_reserved_iam_cot();
  void a_reserved_cot_ok();
  void a_tcra();
  void a_exm_rx();

  // An outgoing call given up on this circuit, to be repeated on another one.
  struct Attempt {
    CallId id;
    SetupRequest req;
    unsigned attempt;
  };
  Attempt give_up_attempt();
  Attempt back_off();  // Q.764 2.10.1.4 b
  void repeat_elsewhere(Attempt a);

  Circuit& c_;
  fsm::Machine<Row> m_;
  CallId call_id_ = 0;
  bool outgoing_ = false;
  bool indicated_ = false;  // the user knows the call
  bool acm_sent_ = false;
  bool loop_connected_ = false;
  unsigned attempt_ = 0;
  unsigned cot_failures_ = 0;
  int rel_cause_ = 16;
  std::uint8_t rel_location_ = kLocationPublicLocal;  // of the REL sent (Q.850 2.2.3)
  std::optional<SetupRequest> setup_;                 // outgoing: kept for repeat attempts
  bool complete_ = true;                              // incoming: all digits received
  std::vector<std::uint8_t> stored_iam_;              // incoming IAM held until COT success

  // Event inputs (valid during one dispatch).
  const Message* rx_ = nullptr;
  const Number* digits_ = nullptr;
  bool flag_ = false;       // alert/progress inband, suspend/resume network
  std::uint8_t event_ = 0;  // progress event; notification for kNotifyReq
  int cause_ = 16;
  std::uint8_t location_ = kLocationPublicLocal;
  int clear_cause_ = 16;
  const InformationRequestIndicators* inr_ = nullptr;
  const InformationIndicators* inf_ = nullptr;
  std::vector<OwnedParam> params_;
  std::vector<std::uint8_t> uui_;
  const Message* basis_ = nullptr;  // set_basis()
  bool basis_used_ = false;

  OneShotTimer t1_, t3_, t5_, t7_, t9_, t2_t6_, t8_, t24_, t25_, t27_, t33_, t35_, t36_, tcra_;
};

}  // namespace isupgw::isup
