// Q.931 call control for one call reference, network side or user side, as
// the two state tables of ETSI EN 300 403-1 Annex A / Q.931 Annex A (states
// named and numbered as the standard names them: U0..U25 / N0..N25; the
// suspend/resume states 15/17 are not used on a PRI), timers T301-T322 on an
// injectable TimerService (virtual time in tests).
//
// The owner (the PRI span) feeds received messages (receive()) and the call
// control's requests (request()); the Call sends through Hooks::send, stamps the
// call reference, runs its timers and reports what the owner must act on.
// Inputs whose next state depends on their contents are classified into
// distinct events first (STATUS reporting Null, second expiry of T303/T308/T322).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/counters.h"
#include "base/fsm.h"
#include "base/log.h"
#include "base/one_shot_timer.h"
#include "q931/message.h"

namespace isupgw::q931 {

enum class Side : std::uint8_t { kNetwork, kUser };

// State numbers as Q.931 2.1 / EN 300 403-1 2.1 give them (U/N prefix by side).
enum class CcState : std::uint8_t {
  k0Null = 0,
  k1CallInitiated = 1,
  k2OverlapSending = 2,
  k3OutgoingCallProceeding = 3,
  k4CallDelivered = 4,
  k6CallPresent = 6,
  k7CallReceived = 7,
  k8ConnectRequest = 8,
  k9IncomingCallProceeding = 9,
  k10Active = 10,
  k11DisconnectRequest = 11,
  k12DisconnectIndication = 12,
  k19ReleaseRequest = 19,
  k25OverlapReceiving = 25,
};
inline constexpr std::size_t kCcStates = 26;

enum class CcEvent : std::uint8_t {
  // Requests of the local call control.
  kSetupReq,
  kInfoReq,
  kSetupAckReq,
  kProceedingReq,
  kAlertingReq,
  kProgressReq,
  kConnectReq,
  kDisconnectReq,
  kReleaseReq,
  kRejectReq,
  kStatusEnquiryReq,
  // Messages received.
  kSetup,
  kSetupAck,
  kCallProceeding,
  kAlerting,
  kProgress,
  kConnect,
  kConnectAck,
  kDisconnect,
  kRelease,
  kReleaseComplete,
  kInformation,
  kNotify,
  kStatusEnquiry,
  kStatus,          // STATUS reporting a state other than Null
  kStatusPeerNull,  // STATUS reporting the Null state (5.8.11)
  // Timer expiries.
  kT301,
  kT302,
  kT303First,
  kT303Second,
  kT304,
  kT305,
  kT308First,
  kT308Second,
  kT310,
  kT313,
  kT322First,
  kT322Second,
};
inline constexpr std::size_t kCcEvents = static_cast<std::size_t>(CcEvent::kT322Second) + 1;

std::string_view to_string(CcState s);
std::string_view to_string(CcEvent e);
// The event a received message is (nullopt: not a call-control message of this machine).
std::optional<CcEvent> event_of(const Message& m);

// Timer values. Defaults: EN 300 403-1 Table 9-1 (network side) / 9-2 (user side).
struct Timers {
  Clock::duration t301, t302, t303, t304, t305, t308, t310, t313, t322;
  static Timers network();
  static Timers user();
};

class Call {
 public:
  struct Hooks {
    std::function<void(Message)> send;  // call reference already set
    // A message the call control must see: SETUP (incoming call), SETUP ACK,
    // CALL PROCEEDING, ALERTING, PROGRESS, CONNECT, INFORMATION, NOTIFY, DISCONNECT.
    std::function<void(const Message&)> indication;
    // Back in the Null state: the call reference and its B channel are free,
    // unless `channel_needs_restart` (T308 expired twice: 5.3.4.3 / 5.3.5).
    std::function<void(std::uint8_t cause, bool channel_needs_restart)> released;
    // T302 expired in overlap receiving/sending: the call control decides
    // whether the number is complete (proceed) or not (clear with cause 28).
    std::function<void()> digits_timeout;
  };

  using Row = fsm::Row<CcState, CcEvent, void (Call::*)()>;
  using Meter = fsm::Meter<Row>;
  static Meter make_meter(Side side, Logger& log, Counters& counters);

  // `meter` from make_meter(side, ...). The call reference flag is set on what
  // we send when the peer allocated the value (4.3).
  Call(Side side, CallReference ref, const Meter& meter, TimerService& timers, Timers t, Hooks hooks);

  Side side() const { return side_; }
  CcState state() const { return m_.state(); }
  const CallReference& call_reference() const { return ref_; }
  // The state number as sent in a Call state IE (4.5.7).
  std::uint8_t state_number() const { return static_cast<std::uint8_t>(state()); }

  // A message from the peer with this call reference. False if the state
  // does not accept it (the owner answers STATUS, cause 101: 5.8.4).
  bool receive(const Message& m);
  // A request of the local call control; `m` carries its IEs (SETUP's numbers,
  // a cause). False if the state does not accept it.
  bool request(CcEvent e, Message m = {});

  bool timer_running() const { return timer_.armed(); }
  // The last cause sent or received in a clearing message.
  std::uint8_t cause() const { return cause_; }

 private:
  static const auto& network_table();
  static const auto& user_table();
  bool fire(CcEvent e);
  void send(std::uint8_t type, Message m);
  void arm_for_state();
  Message clearing(std::uint8_t type, std::uint8_t cause);

  void a_send_setup();
  void a_send_info();
  void a_send_setup_ack();
  void a_send_proceeding();
  void a_send_alerting();
  void a_send_progress();
  void a_send_connect();
  void a_send_disconnect();
  void a_send_release();
  void a_reject();
  void a_send_status_enquiry();
  void a_indicate();
  void a_indicate_t302();
  void a_setup_ack_rx();
  void a_proceeding_rx();
  void a_alerting_rx();
  void a_progress_rx();
  void a_connect_rx();
  void a_connect_ack_rx();
  void a_disconnect_rx();
  void a_disconnect_clash();
  void a_release_rx();
  void a_release_in_release_request();
  void a_release_complete_rx();
  void a_status_rx();
  void a_status_null_rx();
  void a_answer_status_enquiry();
  void a_t302();
  void a_resend_setup();
  void a_t303_cleared();
  void a_t304();
  void a_t305();
  void a_resend_release();
  void a_t308_cleared();
  void a_t301_t310_t313();
  void a_resend_status_enquiry();
  void a_t322_cleared();

  Side side_;
  CallReference ref_;
  fsm::Machine<Row> m_;
  Timers t_;
  Hooks hooks_;
  OneShotTimer timer_;    // the one protocol timer of the state (T301/T302/T303/T304/T305/T308/T310/T313)
  OneShotTimer t322_;     // STATUS ENQUIRY supervision runs beside it
  bool retried_ = false;  // T303/T308 already expired once
  bool t322_retried_ = false;
  std::uint8_t cause_ = 16;
  Message pending_;       // the request's IEs / the message being received
  Message last_setup_;    // retransmitted on T303's first expiry
  Message last_release_;  // retransmitted on T308's first expiry
};

}  // namespace isupgw::q931
