#include "sip/invite_server_transaction.h"

#include "sip/transaction_meters.h"

#include <algorithm>

namespace isupgw::sip {

using S = InviteServerTransaction::State;
using E = InviteServerTransaction::Event;

std::string_view to_string(S s) {
  switch (s) {
    case S::kProceeding: return "proceeding";
    case S::kCompleted: return "completed";
    case S::kConfirmed: return "confirmed";
    case S::kAccepted: return "accepted";
    case S::kTerminated: return "terminated";
  }
  return "?";
}

std::string_view to_string(E e) {
  switch (e) {
    case E::kRetransmission: return "invite";
    case E::kSend1xx: return "send_1xx";
    case E::kSend2xx: return "send_2xx";
    case E::kSendFinal: return "send_3xx-6xx";
    case E::kAck: return "ack";
    case E::kTimerG: return "timer_g";
    case E::kTimerH: return "timer_h";
    case E::kTimerI: return "timer_i";
    case E::kTimerL: return "timer_l";
    case E::kTransportError: return "transport_error";
  }
  return "?";
}

// RFC 3261 Figure 7 plus RFC 6026 Figure 5 (Accepted).
const auto& InviteServerTransaction::table() {
  static constexpr auto kTable = fsm::make_table<kStates, kEvents, Row>({
      {S::kProceeding, E::kRetransmission, fsm::stay, Action::kResend},     // last provisional again
      {S::kProceeding, E::kSend1xx, fsm::stay, Action::kSend},              //
      {S::kProceeding, E::kSend2xx, S::kAccepted, Action::kSend},           // RFC 6026: L
      {S::kProceeding, E::kSendFinal, S::kCompleted, Action::kSendFinal},   // G (UDP), H
      {S::kProceeding, E::kTransportError, S::kTerminated, Action::kFail},  //
      {S::kCompleted, E::kRetransmission, fsm::stay, Action::kResend},      //
      {S::kCompleted, E::kTimerG, fsm::stay, Action::kRetransmitFinal},     // G = min(2G, T2)
      {S::kCompleted, E::kTimerH, S::kTerminated, Action::kTimeout},        // no ACK
      {S::kCompleted, E::kAck, S::kConfirmed, Action::kNone},               // I
      {S::kCompleted, E::kTransportError, S::kTerminated, Action::kFail},   //
      {S::kConfirmed, E::kAck, fsm::stay, Action::kNone},                   // absorbed
      {S::kConfirmed, E::kRetransmission, fsm::stay, Action::kNone},        //
      {S::kConfirmed, E::kTimerI, S::kTerminated, Action::kNone},           //
      {S::kAccepted, E::kRetransmission, fsm::stay, Action::kNone},         // the TU retransmits the 2xx
      {S::kAccepted, E::kSend2xx, fsm::stay, Action::kSend},                // 2xx retransmission from the TU
      {S::kAccepted, E::kAck, fsm::stay, Action::kPassAck},                 //
      {S::kAccepted, E::kTimerL, S::kTerminated, Action::kNone},            //
      {S::kAccepted, E::kTransportError, fsm::stay, Action::kNone},         // the TU's 2xx timer decides
  });
  return kTable;
}

fsm::Meter<InviteServerTransaction::Row> InviteServerTransaction::make_meter(Logger& log, Counters& counters) {
  return fsm::Meter<Row>(table(), log, counters,
                         {.counters = "sip.ist",
                          .subsystem = Subsystem::kSip,
                          .transition_level = LogLevel::kTrace,
                          .refused_level = LogLevel::kDebug,
                          .transition_log = "ist_transition",
                          .refused_log = "ist_ignored",
                          .id_key = "tx"});
}

InviteServerTransaction::InviteServerTransaction(TransactionId id, TransactionContext& ctx, TransactionOwner& owner,
                                                 Peer reply_to)
    : id_(id),
      ctx_(ctx),
      owner_(owner),
      reply_to_(std::move(reply_to)),
      m_(ctx.meters().ist, S::kProceeding, fsm::Label{{}, id}) {}

void InviteServerTransaction::respond(int status, std::string bytes) {
  pending_ = std::move(bytes);
  fire(provisional(status) ? E::kSend1xx : success(status) ? E::kSend2xx : E::kSendFinal, nullptr);
}

void InviteServerTransaction::fire(Event e, const Message* m) {
  const Row* row = m_.step(e);  // refused: counted (sip.ist.refused) and logged
  if (!row) return;
  act(row->action, m);
  if (send_failed_ && m_.state() != S::kTerminated) {
    send_failed_ = false;
    fire(E::kTransportError, nullptr);
    return;
  }
  if (m_.state() == S::kTerminated) owner_.tx_terminated(id_);  // may destroy *this
}

void InviteServerTransaction::act(Action a, const Message* m) {
  const bool reliable = TransportLayer::reliable(reply_to_.transport);
  auto send = [this](const std::string& b) {
    if (!ctx_.transport.send(reply_to_, b)) send_failed_ = true;
  };
  switch (a) {
    case Action::kNone:
      if (m_.state() == S::kConfirmed && !timer_i_.armed()) {
        timer_g_.cancel();
        timer_h_.cancel();
        arm(timer_i_, reliable ? Clock::duration::zero() : ctx_.t.t4, E::kTimerI);
      }
      break;
    case Action::kSend:
      last_ = std::move(pending_);
      send(last_);
      if (m_.state() == S::kAccepted) {
        if (!timer_l_.armed()) arm(timer_l_, ctx_.t.t64(), E::kTimerL);
        // RFC 6026 8.5: in Accepted the TU retransmits its 2xx; the transaction never resends one, so it
        // keeps no copy for Timer L's 32 s (issue 19: memory per call).
        std::string().swap(last_);
      }
      break;
    case Action::kSendFinal:
      last_ = std::move(pending_);
      send(last_);
      if (!reliable) {
        g_interval_ = ctx_.t.t1;
        arm(timer_g_, g_interval_, E::kTimerG);
      }
      arm(timer_h_, ctx_.t.t64(), E::kTimerH);
      break;
    case Action::kResend:
      if (!last_.empty()) send(last_);
      break;
    case Action::kRetransmitFinal:
      send(last_);
      g_interval_ = std::min(2 * g_interval_, ctx_.t.t2);
      arm(timer_g_, g_interval_, E::kTimerG);
      break;
    case Action::kTimeout: owner_.tx_failed(id_, EndReason::kTimeout); break;
    case Action::kFail: owner_.tx_failed(id_, EndReason::kTransportError); break;
    case Action::kPassAck: owner_.tx_ack(id_, *m); break;
  }
}

}  // namespace isupgw::sip
