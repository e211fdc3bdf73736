// Q.931 call control actions and timers (EN 300 403-1 5.1-5.3, 5.8; Q.931 9.1).
// The tables are in call_tables.cpp.
#include "q931/call_fsm.h"

namespace isupgw::q931 {

using S = CcState;
using E = CcEvent;
using namespace std::chrono_literals;

std::string_view to_string(CcState s) {
  switch (s) {
    case S::k0Null: return "0_null";
    case S::k1CallInitiated: return "1_call_initiated";
    case S::k2OverlapSending: return "2_overlap_sending";
    case S::k3OutgoingCallProceeding: return "3_outgoing_call_proceeding";
    case S::k4CallDelivered: return "4_call_delivered";
    case S::k6CallPresent: return "6_call_present";
    case S::k7CallReceived: return "7_call_received";
    case S::k8ConnectRequest: return "8_connect_request";
    case S::k9IncomingCallProceeding: return "9_incoming_call_proceeding";
    case S::k10Active: return "10_active";
    case S::k11DisconnectRequest: return "11_disconnect_request";
    case S::k12DisconnectIndication: return "12_disconnect_indication";
    case S::k19ReleaseRequest: return "19_release_request";
    case S::k25OverlapReceiving: return "25_overlap_receiving";
  }
  return "?";
}

std::string_view to_string(CcEvent e) {
  static constexpr std::string_view kNames[kCcEvents] = {"setup_req",
                                                         "info_req",
                                                         "setup_ack_req",
                                                         "proceeding_req",
                                                         "alerting_req",
                                                         "progress_req",
                                                         "connect_req",
                                                         "disconnect_req",
                                                         "release_req",
                                                         "reject_req",
                                                         "status_enquiry_req",
                                                         "SETUP",
                                                         "SETUP_ACK",
                                                         "CALL_PROCEEDING",
                                                         "ALERTING",
                                                         "PROGRESS",
                                                         "CONNECT",
                                                         "CONNECT_ACK",
                                                         "DISCONNECT",
                                                         "RELEASE",
                                                         "RELEASE_COMPLETE",
                                                         "INFORMATION",
                                                         "NOTIFY",
                                                         "STATUS_ENQUIRY",
                                                         "STATUS",
                                                         "STATUS_null",
                                                         "T301",
                                                         "T302",
                                                         "T303_first",
                                                         "T303_second",
                                                         "T304",
                                                         "T305",
                                                         "T308_first",
                                                         "T308_second",
                                                         "T310",
                                                         "T313",
                                                         "T322_first",
                                                         "T322_second"};
  const auto i = static_cast<std::size_t>(e);
  return i < kCcEvents ? kNames[i] : "?";
}

std::optional<CcEvent> event_of(const Message& m) {
  switch (m.type) {
    case msg::kSetup: return E::kSetup;
    case msg::kSetupAck: return E::kSetupAck;
    case msg::kCallProceeding: return E::kCallProceeding;
    case msg::kAlerting: return E::kAlerting;
    case msg::kProgress: return E::kProgress;
    case msg::kConnect: return E::kConnect;
    case msg::kConnectAck: return E::kConnectAck;
    case msg::kDisconnect: return E::kDisconnect;
    case msg::kRelease: return E::kRelease;
    case msg::kReleaseComplete: return E::kReleaseComplete;
    case msg::kInformation: return E::kInformation;
    case msg::kNotify: return E::kNotify;
    case msg::kStatusEnquiry: return E::kStatusEnquiry;
    case msg::kStatus:
      // 5.8.11: a STATUS reporting the Null state releases the call.
      return m.call_state && m.call_state->value == 0 ? E::kStatusPeerNull : E::kStatus;
    default: return std::nullopt;
  }
}

// EN 300 403-1 Table 9-1 (network) and Table 9-2 (user); T301 "minimum 3 min",
// T309 is the data link's (not here), T310 network 10 s / user 30-120 s.
Timers Timers::network() { return Timers{180s, 15s, 4s, 20s, 30s, 4s, 10s, 4s, 4s}; }
Timers Timers::user() { return Timers{180s, 15s, 4s, 30s, 30s, 4s, 30s, 4s, 4s}; }

Call::Call(Side side, CallReference ref, const Meter& meter, TimerService& timers, Timers t, Hooks hooks)
    : side_(side),
      ref_(ref),
      m_(meter, S::k0Null, fsm::Label{side == Side::kNetwork ? "network" : "user", ref.value}),
      t_(t),
      hooks_(std::move(hooks)),
      timer_(timers),
      t322_(timers) {}

bool Call::receive(const Message& m) {
  auto e = event_of(m);
  if (!e) return false;
  pending_ = m;
  return fire(*e);
}

bool Call::request(CcEvent e, Message m) {
  if (static_cast<std::size_t>(e) > static_cast<std::size_t>(E::kStatusEnquiryReq)) return false;
  pending_ = std::move(m);
  return fire(e);
}

bool Call::fire(CcEvent e) {
  const S before = state();
  const Row* row = m_.step(e);
  if (!row) return false;
  if (state() != before) {
    retried_ = false;
    arm_for_state();
    if (state() == S::k0Null) t322_.cancel();
  }
  if (row->action) (this->*row->action)();
  return true;
}

// The one timer each state runs (5.1-5.3; Q.931 Table 9-1/9-2 "normal stop").
void Call::arm_for_state() {
  const bool net = side_ == Side::kNetwork;
  auto on = [this](Clock::duration d, auto classify) { timer_.arm(d, [this, classify] { fire(classify()); }); };
  switch (state()) {
    case S::k1CallInitiated:
      if (!net)
        on(t_.t303, [this] { return retried_ ? E::kT303Second : E::kT303First; });
      else
        timer_.cancel();
      break;
    case S::k6CallPresent:
      if (net)
        on(t_.t303, [this] { return retried_ ? E::kT303Second : E::kT303First; });
      else
        timer_.cancel();
      break;
    case S::k2OverlapSending:
      if (net)
        on(t_.t302, [] { return E::kT302; });
      else
        on(t_.t304, [] { return E::kT304; });
      break;
    case S::k25OverlapReceiving:
      if (!net)
        on(t_.t302, [] { return E::kT302; });
      else
        timer_.cancel();
      break;
    case S::k3OutgoingCallProceeding:
      if (!net)
        on(t_.t310, [] { return E::kT310; });
      else
        timer_.cancel();
      break;
    case S::k9IncomingCallProceeding:
      if (net)
        on(t_.t310, [] { return E::kT310; });
      else
        timer_.cancel();
      break;
    case S::k4CallDelivered:
      if (!net)
        on(t_.t301, [] { return E::kT301; });
      else
        timer_.cancel();
      break;
    case S::k7CallReceived:
      if (net)
        on(t_.t301, [] { return E::kT301; });
      else
        timer_.cancel();
      break;
    case S::k8ConnectRequest:
      if (!net)
        on(t_.t313, [] { return E::kT313; });
      else
        timer_.cancel();
      break;
    case S::k11DisconnectRequest:
      if (!net)
        on(t_.t305, [] { return E::kT305; });
      else
        timer_.cancel();
      break;
    case S::k12DisconnectIndication:
      if (net)
        on(t_.t305, [] { return E::kT305; });
      else
        timer_.cancel();
      break;
    case S::k19ReleaseRequest: on(t_.t308, [this] { return retried_ ? E::kT308Second : E::kT308First; }); break;
    default: timer_.cancel(); break;
  }
}

void Call::send(std::uint8_t type, Message m) {
  m.type = type;
  m.call_ref = ref_;
  if (hooks_.send) hooks_.send(std::move(m));
}

Message Call::clearing(std::uint8_t type, std::uint8_t cause) {
  Message m;
  m.type = type;
  // Location: user (0) from the user side, public network serving the local user (2) from the network.
  m.causes.push_back(Cause{0, static_cast<std::uint8_t>(side_ == Side::kNetwork ? 2 : 0), std::nullopt, cause, {}});
  cause_ = cause;
  return m;
}

void Call::a_send_setup() {
  last_setup_ = pending_;
  send(msg::kSetup, pending_);
}
void Call::a_resend_setup() {  // 5.1.1 / 5.2.1: first expiry of T303
  retried_ = true;
  send(msg::kSetup, last_setup_);
  arm_for_state();
}
void Call::a_t303_cleared() {
  // Second expiry: the network clears towards the caller with cause 18 "no user responding" (5.2.1); the user
  // side clears internally (5.1.1), cause 102 "recovery on timer expiry".
  const std::uint8_t cause = side_ == Side::kNetwork ? 18 : 102;
  if (side_ == Side::kNetwork) send(msg::kReleaseComplete, clearing(msg::kReleaseComplete, 102));
  cause_ = cause;
  if (hooks_.released) hooks_.released(cause, false);
}
void Call::a_send_info() {
  send(msg::kInformation, pending_);
  if (state() == S::k2OverlapSending && side_ == Side::kUser) arm_for_state();  // 5.1.3: T304 restarted
}
void Call::a_send_setup_ack() { send(msg::kSetupAck, pending_); }
void Call::a_send_proceeding() { send(msg::kCallProceeding, pending_); }
void Call::a_send_alerting() { send(msg::kAlerting, pending_); }
void Call::a_send_progress() { send(msg::kProgress, pending_); }
void Call::a_send_connect() { send(msg::kConnect, pending_); }

std::uint8_t cause_of(const Message& m, std::uint8_t fallback) {
  return m.causes.empty() ? fallback : m.causes.front().value;
}

void Call::a_send_disconnect() {
  auto m = pending_.causes.empty() ? clearing(msg::kDisconnect, 16) : pending_;
  cause_ = cause_of(m, 16);
  send(msg::kDisconnect, std::move(m));
}
void Call::a_send_release() {
  auto m = pending_.causes.empty() ? clearing(msg::kRelease, cause_) : pending_;
  last_release_ = m;
  send(msg::kRelease, std::move(m));
}
void Call::a_reject() {
  // 5.2.5.1 / 5.3.2: RELEASE COMPLETE to a SETUP not answered yet.
  auto m = pending_.causes.empty() ? clearing(msg::kReleaseComplete, 16) : pending_;
  cause_ = cause_of(m, 16);
  send(msg::kReleaseComplete, std::move(m));
  if (hooks_.released) hooks_.released(cause_, false);
}
void Call::a_send_status_enquiry() {
  t322_retried_ = false;
  send(msg::kStatusEnquiry, {});
  t322_.arm(t_.t322, [this] { fire(t322_retried_ ? E::kT322Second : E::kT322First); });
}
void Call::a_resend_status_enquiry() {  // 5.8.10: STATUS ENQUIRY may be repeated once
  t322_retried_ = true;
  send(msg::kStatusEnquiry, {});
  t322_.arm(t_.t322, [this] { fire(E::kT322Second); });
}
void Call::a_t322_cleared() {  // 5.8.10: no STATUS after the repetition: clear with cause 41
  send(msg::kDisconnect, clearing(msg::kDisconnect, 41));
}

void Call::a_indicate() {
  if (hooks_.indication) hooks_.indication(pending_);
}
void Call::a_indicate_t302() {  // 5.2.4 / 5.1.3: each INFORMATION restarts T302
  arm_for_state();
  a_indicate();
}
void Call::a_t302() {
  if (hooks_.digits_timeout) hooks_.digits_timeout();
}
void Call::a_setup_ack_rx() { a_indicate(); }
void Call::a_proceeding_rx() { a_indicate(); }
void Call::a_alerting_rx() { a_indicate(); }
void Call::a_progress_rx() {
  // 5.1.6 (user side): PROGRESS with progress description 1 or 8 in U3 stops T310.
  if (side_ == Side::kUser && state() == S::k3OutgoingCallProceeding)
    for (const auto& p : pending_.progress)
      if (p.description == 1 || p.description == 8) timer_.cancel();
  a_indicate();
}
void Call::a_connect_rx() {
  // 5.1.8 / 5.2.8: the CONNECT is acknowledged.
  send(msg::kConnectAck, {});
  a_indicate();
}
void Call::a_connect_ack_rx() {}
void Call::a_disconnect_rx() {
  cause_ = cause_of(pending_, 16);
  a_indicate();
  // 5.3.3 (network): on DISCONNECT the network releases the B channel and sends RELEASE at once.
  if (side_ == Side::kNetwork) {
    pending_ = {};
    fire(E::kReleaseReq);
  }
}
void Call::a_disconnect_clash() {  // 5.3.5: DISCONNECT while ours is outstanding -> RELEASE
  pending_ = {};
  a_send_release();
}
void Call::a_t305() {  // 5.3.3 / 5.3.4: no answer to our DISCONNECT: RELEASE with the same cause
  pending_ = {};
  a_send_release();
}
void Call::a_release_rx() {
  cause_ = cause_of(pending_, cause_);
  send(msg::kReleaseComplete, {});
  if (hooks_.released) hooks_.released(cause_, false);
}
void Call::a_release_in_release_request() {  // 5.3.5: RELEASE crossing ours = RELEASE COMPLETE
  if (hooks_.released) hooks_.released(cause_, false);
}
void Call::a_release_complete_rx() {
  cause_ = cause_of(pending_, cause_);
  if (hooks_.released) hooks_.released(cause_, false);
}
void Call::a_resend_release() {  // 5.3.4.3: first expiry of T308
  retried_ = true;
  send(msg::kRelease, last_release_);
  arm_for_state();
}
void Call::a_t308_cleared() {
  // Second expiry: the call reference is released; the B channel goes to maintenance (needs RESTART).
  if (hooks_.released) hooks_.released(cause_, true);
}
void Call::a_t301_t310_t313() {
  // T301 (5.2.5.3 network / 5.1.7 user), T310 (5.2.5.2 network / 5.1.7 user), T313 (5.2.8 user): DISCONNECT to
  // the peer with cause 102 "recovery on timer expiry". (Towards the other leg the network reports 19 after
  // T301 and 18 after T310: the interworking's concern, it sees which state timed out.)
  send(msg::kDisconnect, clearing(msg::kDisconnect, 102));
}
void Call::a_t304() {  // 5.1.3: no answer to overlap digits within T304: DISCONNECT, cause 102
  send(msg::kDisconnect, clearing(msg::kDisconnect, 102));
}
void Call::a_answer_status_enquiry() {  // 5.8.10: STATUS, cause 30, our call state
  Message m;
  m.causes.push_back(Cause{0, static_cast<std::uint8_t>(side_ == Side::kNetwork ? 2 : 0), std::nullopt, 30, {}});
  m.call_state = CallState{0, state_number()};
  send(msg::kStatus, std::move(m));
}
void Call::a_status_rx() { t322_.cancel(); }
void Call::a_status_null_rx() {  // 5.8.11
  cause_ = cause_of(pending_, 101);
  if (hooks_.released) hooks_.released(cause_, false);
}

}  // namespace isupgw::q931
