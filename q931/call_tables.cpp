// The two Q.931 call state tables (EN 300 403-1 Annex A; Q.931 5.1-5.3, 5.8):
// for each side, the states in which each event is accepted, the next state
// and the action. Clearing (5.3), status (5.8.10-11) and the RELEASE rows are
// shared by both sides' numbers, so they are written once per side below.
#include "q931/call_fsm.h"

namespace isupgw::q931 {

using S = CcState;
using E = CcEvent;
using C = Call;
using fsm::in;
using fsm::stay;

namespace {
// `set` without `s` (the FSM kit's Set has union only).
constexpr fsm::Set<S> without(fsm::Set<S> set, S s) {
  return fsm::Set<S>::from_bits(set.bits() & ~fsm::Set<S>(s).bits());
}
}  // namespace

// User side (Q.931 Figure A.3 / EN 300 403-1 Annex A, user).
const auto& Call::user_table() {
  constexpr auto kCalling =
      in(S::k1CallInitiated, S::k2OverlapSending, S::k3OutgoingCallProceeding, S::k4CallDelivered);
  constexpr auto kCalled =
      in(S::k6CallPresent, S::k7CallReceived, S::k8ConnectRequest, S::k9IncomingCallProceeding, S::k25OverlapReceiving);
  constexpr auto kUp = kCalling | kCalled | S::k10Active;
  constexpr auto kUpButPresent = kCalling | in(S::k7CallReceived, S::k8ConnectRequest, S::k9IncomingCallProceeding,
                                               S::k25OverlapReceiving, S::k10Active);
  constexpr auto kClearing = in(S::k11DisconnectRequest, S::k12DisconnectIndication, S::k19ReleaseRequest);
  constexpr auto kAny = kUp | kClearing;
  static constexpr auto kTable = fsm::make_table<kCcStates, kCcEvents, Row>({
      // Outgoing call (5.1).
      {S::k0Null, E::kSetupReq, S::k1CallInitiated, &C::a_send_setup},
      {S::k1CallInitiated, E::kT303First, stay, &C::a_resend_setup},
      {S::k1CallInitiated, E::kT303Second, S::k0Null, &C::a_t303_cleared},
      {S::k1CallInitiated, E::kSetupAck, S::k2OverlapSending, &C::a_setup_ack_rx},
      {in(S::k1CallInitiated, S::k2OverlapSending), E::kCallProceeding, S::k3OutgoingCallProceeding,
       &C::a_proceeding_rx},
      {in(S::k1CallInitiated, S::k2OverlapSending, S::k3OutgoingCallProceeding), E::kAlerting, S::k4CallDelivered,
       &C::a_alerting_rx},
      {kCalling, E::kConnect, S::k10Active, &C::a_connect_rx},
      {in(S::k2OverlapSending, S::k3OutgoingCallProceeding, S::k4CallDelivered, S::k10Active), E::kProgress, stay,
       &C::a_progress_rx},
      {S::k2OverlapSending, E::kT304, S::k11DisconnectRequest, &C::a_t304},
      {in(S::k3OutgoingCallProceeding, S::k4CallDelivered, S::k8ConnectRequest), E::kT301, S::k11DisconnectRequest,
       &C::a_t301_t310_t313},
      {S::k3OutgoingCallProceeding, E::kT310, S::k11DisconnectRequest, &C::a_t301_t310_t313},
      // Incoming call (5.2 seen from the user).
      {S::k0Null, E::kSetup, S::k6CallPresent, &C::a_indicate},
      {S::k6CallPresent, E::kSetupAckReq, S::k25OverlapReceiving, &C::a_send_setup_ack},
      {S::k25OverlapReceiving, E::kInformation, stay, &C::a_indicate_t302},
      {S::k25OverlapReceiving, E::kT302, stay, &C::a_t302},
      {in(S::k6CallPresent, S::k25OverlapReceiving), E::kProceedingReq, S::k9IncomingCallProceeding,
       &C::a_send_proceeding},
      {in(S::k6CallPresent, S::k9IncomingCallProceeding, S::k25OverlapReceiving), E::kAlertingReq, S::k7CallReceived,
       &C::a_send_alerting},
      {in(S::k6CallPresent, S::k7CallReceived, S::k9IncomingCallProceeding, S::k25OverlapReceiving), E::kConnectReq,
       S::k8ConnectRequest, &C::a_send_connect},
      {in(S::k7CallReceived, S::k9IncomingCallProceeding, S::k25OverlapReceiving), E::kProgressReq, stay,
       &C::a_send_progress},
      {S::k8ConnectRequest, E::kConnectAck, S::k10Active, &C::a_connect_ack_rx},
      {S::k8ConnectRequest, E::kT313, S::k11DisconnectRequest, &C::a_t301_t310_t313},
      {S::k6CallPresent, E::kRejectReq, S::k0Null, &C::a_reject},
      {in(S::k2OverlapSending, S::k3OutgoingCallProceeding, S::k4CallDelivered, S::k7CallReceived,
          S::k9IncomingCallProceeding, S::k10Active, S::k25OverlapReceiving),
       E::kInfoReq, stay, &C::a_send_info},
      {without(kUp | S::k11DisconnectRequest | S::k12DisconnectIndication, S::k25OverlapReceiving), E::kInformation,
       stay, &C::a_indicate},
      {without(kUp, S::k6CallPresent), E::kNotify, stay, &C::a_indicate},
      // Clearing (5.3.3 user-initiated, 5.3.4 network-initiated, 5.3.5 collision).
      {kUpButPresent, E::kDisconnectReq, S::k11DisconnectRequest, &C::a_send_disconnect},
      {S::k11DisconnectRequest, E::kT305, S::k19ReleaseRequest, &C::a_t305},
      {S::k11DisconnectRequest, E::kDisconnect, S::k19ReleaseRequest, &C::a_disconnect_clash},
      {kUp, E::kDisconnect, S::k12DisconnectIndication, &C::a_disconnect_rx},
      {S::k12DisconnectIndication, E::kReleaseReq, S::k19ReleaseRequest, &C::a_send_release},
      {without(kAny, S::k19ReleaseRequest), E::kRelease, S::k0Null, &C::a_release_rx},
      {S::k19ReleaseRequest, E::kRelease, S::k0Null, &C::a_release_in_release_request},
      {kAny, E::kReleaseComplete, S::k0Null, &C::a_release_complete_rx},
      {S::k19ReleaseRequest, E::kT308First, stay, &C::a_resend_release},
      {S::k19ReleaseRequest, E::kT308Second, S::k0Null, &C::a_t308_cleared},
      // Status (5.8.10, 5.8.11).
      {kAny, E::kStatusEnquiry, stay, &C::a_answer_status_enquiry},
      {kAny, E::kStatusEnquiryReq, stay, &C::a_send_status_enquiry},
      {kAny, E::kStatus, stay, &C::a_status_rx},
      {kAny, E::kStatusPeerNull, S::k0Null, &C::a_status_null_rx},
      {kAny, E::kT322First, stay, &C::a_resend_status_enquiry},
      {kUpButPresent, E::kT322Second, S::k11DisconnectRequest, &C::a_t322_cleared},
      {kClearing | S::k6CallPresent, E::kT322Second, stay},
  });
  return kTable;
}

// Network side (Q.931 Figure A.4 / EN 300 403-1 Annex A, network).
const auto& Call::network_table() {
  // N1-N4: the user called (we received SETUP); N6-N9, N25: we called the user.
  constexpr auto kCalling =
      in(S::k1CallInitiated, S::k2OverlapSending, S::k3OutgoingCallProceeding, S::k4CallDelivered);
  constexpr auto kCalled = in(S::k6CallPresent, S::k7CallReceived, S::k9IncomingCallProceeding, S::k25OverlapReceiving);
  constexpr auto kUp = kCalling | kCalled | S::k10Active;
  constexpr auto kClearing = in(S::k11DisconnectRequest, S::k12DisconnectIndication, S::k19ReleaseRequest);
  constexpr auto kAny = kUp | kClearing;
  static constexpr auto kTable = fsm::make_table<kCcStates, kCcEvents, Row>({
      // Incoming call from the user (5.1 seen from the network).
      {S::k0Null, E::kSetup, S::k1CallInitiated, &C::a_indicate},
      {S::k1CallInitiated, E::kSetupAckReq, S::k2OverlapSending, &C::a_send_setup_ack},
      {S::k2OverlapSending, E::kInformation, stay, &C::a_indicate_t302},
      {S::k2OverlapSending, E::kT302, stay, &C::a_t302},
      {in(S::k1CallInitiated, S::k2OverlapSending), E::kProceedingReq, S::k3OutgoingCallProceeding,
       &C::a_send_proceeding},
      {in(S::k1CallInitiated, S::k2OverlapSending, S::k3OutgoingCallProceeding), E::kAlertingReq, S::k4CallDelivered,
       &C::a_send_alerting},
      {kCalling, E::kConnectReq, S::k10Active, &C::a_send_connect},
      {in(S::k2OverlapSending, S::k3OutgoingCallProceeding, S::k4CallDelivered), E::kProgressReq, stay,
       &C::a_send_progress},
      {S::k1CallInitiated, E::kRejectReq, S::k0Null, &C::a_reject},
      {S::k10Active, E::kConnectAck, stay},  // the user may acknowledge our CONNECT (5.1.8)
      // Outgoing call to the user (5.2).
      {S::k0Null, E::kSetupReq, S::k6CallPresent, &C::a_send_setup},
      {S::k6CallPresent, E::kT303First, stay, &C::a_resend_setup},
      {S::k6CallPresent, E::kT303Second, S::k0Null, &C::a_t303_cleared},
      {S::k6CallPresent, E::kSetupAck, S::k25OverlapReceiving, &C::a_setup_ack_rx},
      {in(S::k6CallPresent, S::k25OverlapReceiving), E::kCallProceeding, S::k9IncomingCallProceeding,
       &C::a_proceeding_rx},
      {in(S::k6CallPresent, S::k9IncomingCallProceeding, S::k25OverlapReceiving), E::kAlerting, S::k7CallReceived,
       &C::a_alerting_rx},
      {kCalled, E::kConnect, S::k10Active, &C::a_connect_rx},
      {in(S::k7CallReceived, S::k9IncomingCallProceeding, S::k25OverlapReceiving, S::k10Active), E::kProgress, stay,
       &C::a_progress_rx},
      {S::k7CallReceived, E::kT301, S::k12DisconnectIndication, &C::a_t301_t310_t313},
      {S::k9IncomingCallProceeding, E::kT310, S::k12DisconnectIndication, &C::a_t301_t310_t313},
      {in(S::k2OverlapSending, S::k3OutgoingCallProceeding, S::k4CallDelivered, S::k7CallReceived,
          S::k9IncomingCallProceeding, S::k10Active, S::k25OverlapReceiving),
       E::kInfoReq, stay, &C::a_send_info},
      {without(kUp | S::k11DisconnectRequest | S::k12DisconnectIndication, S::k2OverlapSending), E::kInformation, stay,
       &C::a_indicate},
      {without(kUp, S::k1CallInitiated), E::kNotify, stay, &C::a_indicate},
      // Clearing (5.3.2 network-initiated, 5.3.3 user-initiated, 5.3.5 collision).
      {without(kUp, S::k6CallPresent), E::kDisconnectReq, S::k12DisconnectIndication, &C::a_send_disconnect},
      {S::k12DisconnectIndication, E::kT305, S::k19ReleaseRequest, &C::a_t305},
      {S::k12DisconnectIndication, E::kDisconnect, S::k19ReleaseRequest, &C::a_disconnect_clash},
      {kUp, E::kDisconnect, S::k11DisconnectRequest, &C::a_disconnect_rx},
      {S::k11DisconnectRequest, E::kReleaseReq, S::k19ReleaseRequest, &C::a_send_release},
      {without(kAny, S::k19ReleaseRequest), E::kRelease, S::k0Null, &C::a_release_rx},
      {S::k19ReleaseRequest, E::kRelease, S::k0Null, &C::a_release_in_release_request},
      {kAny, E::kReleaseComplete, S::k0Null, &C::a_release_complete_rx},
      {S::k19ReleaseRequest, E::kT308First, stay, &C::a_resend_release},
      {S::k19ReleaseRequest, E::kT308Second, S::k0Null, &C::a_t308_cleared},
      {S::k6CallPresent, E::kReleaseReq, S::k0Null, &C::a_reject},  // abandoned before any answer (5.3.2)
      // Status (5.8.10, 5.8.11).
      {kAny, E::kStatusEnquiry, stay, &C::a_answer_status_enquiry},
      {kAny, E::kStatusEnquiryReq, stay, &C::a_send_status_enquiry},
      {kAny, E::kStatus, stay, &C::a_status_rx},
      {kAny, E::kStatusPeerNull, S::k0Null, &C::a_status_null_rx},
      {kAny, E::kT322First, stay, &C::a_resend_status_enquiry},
      {without(kUp, S::k6CallPresent), E::kT322Second, S::k12DisconnectIndication, &C::a_t322_cleared},
      {kClearing | S::k6CallPresent, E::kT322Second, stay},
  });
  return kTable;
}

Call::Meter Call::make_meter(Side side, Logger& log, Counters& counters) {
  const bool net = side == Side::kNetwork;
  fsm::Options o;
  o.name = net ? "q931_network" : "q931_user";
  o.counters = net ? "q931.network.call" : "q931.user.call";
  o.subsystem = Subsystem::kCall;
  o.transition_log = "q931_call_transition";
  o.refused_log = "q931_call_refused";
  o.label_key = "span";
  o.id_key = "cr";
  if (net) return Meter(network_table(), log, counters, o);
  return Meter(user_table(), log, counters, o);
}

}  // namespace isupgw::q931
