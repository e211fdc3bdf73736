#include "sip/non_invite_server_transaction.h"

#include "sip/transaction_meters.h"

namespace isupgw::sip {

using S = NonInviteServerTransaction::State;
using E = NonInviteServerTransaction::Event;

std::string_view to_string(S s) {
  switch (s) {
    case S::kTrying: return "trying";
    case S::kProceeding: return "proceeding";
    case S::kCompleted: return "completed";
    case S::kTerminated: return "terminated";
  }
  return "?";
}

std::string_view to_string(E e) {
  switch (e) {
    case E::kRetransmission: return "request";
    case E::kSend1xx: return "send_1xx";
    case E::kSendFinal: return "send_final";
    case E::kTimerJ: return "timer_j";
    case E::kTransportError: return "transport_error";
  }
  return "?";
}

// RFC 3261 Figure 8.
const auto& NonInviteServerTransaction::table() {
  static constexpr auto kTable = fsm::make_table<kStates, kEvents, Row>({
      {S::kTrying, E::kRetransmission, fsm::stay, Action::kNone},           // nothing sent yet
      {S::kTrying, E::kSend1xx, S::kProceeding, Action::kSend},             //
      {S::kTrying, E::kSendFinal, S::kCompleted, Action::kSendFinal},       // J
      {S::kTrying, E::kTransportError, S::kTerminated, Action::kFail},      //
      {S::kProceeding, E::kRetransmission, fsm::stay, Action::kResend},     //
      {S::kProceeding, E::kSend1xx, fsm::stay, Action::kSend},              //
      {S::kProceeding, E::kSendFinal, S::kCompleted, Action::kSendFinal},   //
      {S::kProceeding, E::kTransportError, S::kTerminated, Action::kFail},  //
      {S::kCompleted, E::kRetransmission, fsm::stay, Action::kResend},      //
      {S::kCompleted, E::kTimerJ, S::kTerminated, Action::kNone},           //
      {S::kCompleted, E::kTransportError, S::kTerminated, Action::kFail},   //
  });
  return kTable;
}

fsm::Meter<NonInviteServerTransaction::Row> NonInviteServerTransaction::make_meter(Logger& log, Counters& counters) {
  return fsm::Meter<Row>(table(), log, counters,
                         {.counters = "sip.nist",
                          .subsystem = Subsystem::kSip,
                          .transition_level = LogLevel::kTrace,
                          .refused_level = LogLevel::kDebug,
                          .transition_log = "nist_transition",
                          .refused_log = "nist_ignored",
                          .id_key = "tx"});
}

NonInviteServerTransaction::NonInviteServerTransaction(TransactionId id, TransactionContext& ctx,
                                                       TransactionOwner& owner, Peer reply_to)
    : id_(id),
      ctx_(ctx),
      owner_(owner),
      reply_to_(std::move(reply_to)),
      m_(ctx.meters().nist, S::kTrying, fsm::Label{{}, id}) {}

void NonInviteServerTransaction::respond(int status, std::string bytes) {
  pending_ = std::move(bytes);
  fire(provisional(status) ? E::kSend1xx : E::kSendFinal);
}

void NonInviteServerTransaction::fire(Event e) {
  const Row* row = m_.step(e);  // refused: counted (sip.nist.refused) and logged
  if (!row) return;
  act(row->action);
  if (send_failed_ && m_.state() != S::kTerminated) {
    send_failed_ = false;
    fire(E::kTransportError);
    return;
  }
  if (m_.state() == S::kTerminated) owner_.tx_terminated(id_);  // may destroy *this
}

void NonInviteServerTransaction::act(Action a) {
  switch (a) {
    case Action::kNone: break;
    case Action::kSend:
    case Action::kSendFinal:
      last_ = std::move(pending_);
      if (!ctx_.transport.send(reply_to_, last_)) send_failed_ = true;
      if (a == Action::kSendFinal) {
        // 17.2.2: J = 64*T1 over UDP, zero over reliable transports.
        const auto j = TransportLayer::reliable(reply_to_.transport) ? Clock::duration::zero() : ctx_.t.t64();
        timer_j_.arm(j, [this] { fire(E::kTimerJ); });
      }
      break;
    case Action::kResend:
      if (!last_.empty() && !ctx_.transport.send(reply_to_, last_)) send_failed_ = true;
      break;
    case Action::kFail: owner_.tx_failed(id_, EndReason::kTransportError); break;
  }
}

}  // namespace isupgw::sip
