#include "sip/invite_client_transaction.h"

#include "sip/transaction_meters.h"

#include "sip/serializer.h"

namespace isupgw::sip {

using S = InviteClientTransaction::State;
using E = InviteClientTransaction::Event;

std::string_view to_string(S s) {
  switch (s) {
    case S::kCalling: return "calling";
    case S::kProceeding: return "proceeding";
    case S::kCompleted: return "completed";
    case S::kAccepted: return "accepted";
    case S::kTerminated: return "terminated";
  }
  return "?";
}

std::string_view to_string(E e) {
  switch (e) {
    case E::kStart: return "start";
    case E::kTimerA: return "timer_a";
    case E::kTimerB: return "timer_b";
    case E::kTimerD: return "timer_d";
    case E::kTimerM: return "timer_m";
    case E::kProvisional: return "1xx";
    case E::kSuccess: return "2xx";
    case E::kFailure: return "3xx-6xx";
    case E::kTransportError: return "transport_error";
  }
  return "?";
}

// RFC 3261 Figure 5 plus RFC 6026 Figure 3 (Accepted).
const auto& InviteClientTransaction::table() {
  static constexpr auto kTable = fsm::make_table<kStates, kEvents, Row>({
      {S::kCalling, E::kStart, fsm::stay, Action::kSend},                   // 17.1.1.2: A (UDP) and B
      {S::kCalling, E::kTimerA, fsm::stay, Action::kRetransmit},            // A doubles
      {S::kCalling, E::kTimerB, S::kTerminated, Action::kTimeout},          // 408 to the TU
      {S::kCalling, E::kProvisional, S::kProceeding, Action::kPass},        //
      {S::kCalling, E::kSuccess, S::kAccepted, Action::kPass},              // RFC 6026: M
      {S::kCalling, E::kFailure, S::kCompleted, Action::kAckAndPass},       // 17.1.1.3: D
      {S::kCalling, E::kTransportError, S::kTerminated, Action::kFail},     // 17.1.4
      {S::kProceeding, E::kProvisional, fsm::stay, Action::kPass},          //
      {S::kProceeding, E::kSuccess, S::kAccepted, Action::kPass},           //
      {S::kProceeding, E::kFailure, S::kCompleted, Action::kAckAndPass},    //
      {S::kProceeding, E::kTimerB, fsm::stay, Action::kNone},               // B only guards Calling
      {S::kProceeding, E::kTransportError, S::kTerminated, Action::kFail},  // 17.1.4
      {S::kCompleted, E::kFailure, fsm::stay, Action::kResendAck},          // retransmitted final
      {S::kCompleted, E::kProvisional, fsm::stay, Action::kNone},           //
      {S::kCompleted, E::kTimerD, S::kTerminated, Action::kNone},           //
      {S::kCompleted, E::kTransportError, S::kTerminated, Action::kNone},   //
      {S::kAccepted, E::kSuccess, fsm::stay, Action::kPass},                // 2xx retransmission: TU ACKs
      {S::kAccepted, E::kProvisional, fsm::stay, Action::kNone},            //
      {S::kAccepted, E::kFailure, fsm::stay, Action::kNone},                //
      {S::kAccepted, E::kTimerM, S::kTerminated, Action::kNone},            //
  });
  return kTable;
}

fsm::Meter<InviteClientTransaction::Row> InviteClientTransaction::make_meter(Logger& log, Counters& counters) {
  return fsm::Meter<Row>(table(), log, counters,
                         {.counters = "sip.ict",
                          .subsystem = Subsystem::kSip,
                          .transition_level = LogLevel::kTrace,
                          .refused_level = LogLevel::kDebug,
                          .transition_log = "ict_transition",
                          .refused_log = "ict_ignored",
                          .id_key = "tx"});
}

InviteClientTransaction::InviteClientTransaction(TransactionId id, TransactionContext& ctx, TransactionOwner& owner,
                                                 Peer to, std::string request)
    : id_(id),
      ctx_(ctx),
      owner_(owner),
      to_(std::move(to)),
      request_(std::move(request)),
      m_(ctx.meters().ict, S::kCalling, fsm::Label{{}, id}) {}

void InviteClientTransaction::on_response(const Message& r) {
  fire(provisional(r.status) ? E::kProvisional : success(r.status) ? E::kSuccess : E::kFailure, &r);
}

void InviteClientTransaction::send(const std::string& bytes) {
  if (!ctx_.transport.send(to_, bytes)) send_failed_ = true;
}

void InviteClientTransaction::fire(Event e, const Message* m) {
  const Row* row = m_.step(e);  // refused: counted (sip.ict.refused) and logged
  if (!row) return;
  act(row->action, m);
  if (send_failed_ && m_.state() != S::kTerminated) {
    send_failed_ = false;
    fire(E::kTransportError, nullptr);
    return;
  }
  if (m_.state() == S::kTerminated) {
    owner_.tx_terminated(id_);  // may destroy *this: nothing after
    return;
  }
}

void InviteClientTransaction::act(Action a, const Message* m) {
  const bool reliable = TransportLayer::reliable(to_.transport);
  switch (a) {
    case Action::kNone: break;
    case Action::kSend:
      send(request_);
      if (!reliable) {
        a_interval_ = ctx_.t.t1;
        arm(timer_a_, a_interval_, E::kTimerA);
      }
      arm(timer_b_, ctx_.t.t64(), E::kTimerB);
      break;
    case Action::kRetransmit:
      send(request_);
      a_interval_ *= 2;  // 17.1.1.2: A doubles without bound; B ends it
      arm(timer_a_, a_interval_, E::kTimerA);
      break;
    case Action::kTimeout: owner_.tx_failed(id_, EndReason::kTimeout); break;
    case Action::kFail: owner_.tx_failed(id_, EndReason::kTransportError); break;
    case Action::kPass:
      timer_a_.cancel();
      if (m_.state() == S::kAccepted && !timer_m_.armed()) {
        arm(timer_m_, ctx_.t.t64(), E::kTimerM);
        // RFC 6026 8.4: Accepted never sends the INVITE again, and the TU ACKs the 2xx: the bytes can go
        // now rather than after Timer M (issue 19: memory per call, ~32 s of lingering transactions).
        std::string().swap(request_);
      }
      owner_.tx_response(id_, *m);
      break;
    case Action::kAckAndPass:
      timer_a_.cancel();
      ack_ = build_ack(*m);
      send(ack_);
      std::string().swap(request_);  // 17.1.1.3: Completed resends only the ACK
      arm(timer_d_, reliable ? Clock::duration::zero() : ctx_.t.timer_d, E::kTimerD);
      owner_.tx_response(id_, *m);
      break;
    case Action::kResendAck: send(ack_); break;
  }
}

// RFC 3261 17.1.1.3: Request-URI, Call-ID, From, CSeq number, the top Via
// and Route of the INVITE; To of the response (with its tag); CSeq method ACK.
std::string InviteClientTransaction::build_ack(const Message& response) const {
  Message inv;
  if (!parse_message(request_, inv)) return {};
  OutMessage ack = OutMessage::request("ACK", std::string(inv.request_uri_text));
  ack.add(HeaderId::kVia, std::string(*inv.first(HeaderId::kVia)));
  for (const Header& h : inv.headers())
    if (h.id == HeaderId::kRoute) ack.add(HeaderId::kRoute, std::string(h.value));
  ack.add(HeaderId::kMaxForwards, "70");
  ack.add(HeaderId::kFrom, std::string(*inv.first(HeaderId::kFrom)));
  ack.add(HeaderId::kTo, std::string(*response.first(HeaderId::kTo)));
  ack.add(HeaderId::kCallId, std::string(inv.call_id));
  ack.add(HeaderId::kCSeq, std::to_string(inv.cseq.number) + " ACK");
  return ack.serialize();
}

}  // namespace isupgw::sip
