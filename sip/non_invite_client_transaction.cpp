#include "sip/non_invite_client_transaction.h"

#include "sip/transaction_meters.h"

#include <algorithm>

namespace isupgw::sip {

using S = NonInviteClientTransaction::State;
using E = NonInviteClientTransaction::Event;

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
    case E::kStart: return "start";
    case E::kTimerE: return "timer_e";
    case E::kTimerF: return "timer_f";
    case E::kTimerK: return "timer_k";
    case E::kProvisional: return "1xx";
    case E::kFinal: return "final";
    case E::kTransportError: return "transport_error";
  }
  return "?";
}

// RFC 3261 Figure 6.
const auto& NonInviteClientTransaction::table() {
  static constexpr auto kTable = fsm::make_table<kStates, kEvents, Row>({
      {S::kTrying, E::kStart, fsm::stay, Action::kSend},                    // E (UDP), F
      {S::kTrying, E::kTimerE, fsm::stay, Action::kRetransmit},             // E = min(2E, T2)
      {S::kTrying, E::kTimerF, S::kTerminated, Action::kTimeout},           //
      {S::kTrying, E::kProvisional, S::kProceeding, Action::kPass},         //
      {S::kTrying, E::kFinal, S::kCompleted, Action::kPassFinal},           // K
      {S::kTrying, E::kTransportError, S::kTerminated, Action::kFail},      //
      {S::kProceeding, E::kTimerE, fsm::stay, Action::kRetransmit},         // E = T2
      {S::kProceeding, E::kTimerF, S::kTerminated, Action::kTimeout},       //
      {S::kProceeding, E::kProvisional, fsm::stay, Action::kPass},          //
      {S::kProceeding, E::kFinal, S::kCompleted, Action::kPassFinal},       //
      {S::kProceeding, E::kTransportError, S::kTerminated, Action::kFail},  //
      {S::kCompleted, E::kProvisional, fsm::stay, Action::kNone},           // absorbed
      {S::kCompleted, E::kFinal, fsm::stay, Action::kNone},                 // absorbed
      {S::kCompleted, E::kTimerK, S::kTerminated, Action::kNone},           //
  });
  return kTable;
}

fsm::Meter<NonInviteClientTransaction::Row> NonInviteClientTransaction::make_meter(Logger& log, Counters& counters) {
  return fsm::Meter<Row>(table(), log, counters,
                         {.counters = "sip.nict",
                          .subsystem = Subsystem::kSip,
                          .transition_level = LogLevel::kTrace,
                          .refused_level = LogLevel::kDebug,
                          .transition_log = "nict_transition",
                          .refused_log = "nict_ignored",
                          .id_key = "tx"});
}

NonInviteClientTransaction::NonInviteClientTransaction(TransactionId id, TransactionContext& ctx,
                                                       TransactionOwner& owner, Peer to, std::string request)
    : id_(id),
      ctx_(ctx),
      owner_(owner),
      to_(std::move(to)),
      request_(std::move(request)),
      m_(ctx.meters().nict, S::kTrying, fsm::Label{{}, id}) {}

void NonInviteClientTransaction::fire(Event e, const Message* m) {
  const Row* row = m_.step(e);  // refused: counted (sip.nict.refused) and logged
  if (!row) return;
  act(row->action, m);
  if (send_failed_ && m_.state() != S::kTerminated) {
    send_failed_ = false;
    fire(E::kTransportError, nullptr);
    return;
  }
  if (m_.state() == S::kTerminated) owner_.tx_terminated(id_);  // may destroy *this
}

void NonInviteClientTransaction::act(Action a, const Message* m) {
  const bool reliable = TransportLayer::reliable(to_.transport);
  switch (a) {
    case Action::kNone: break;
    case Action::kSend:
      if (!ctx_.transport.send(to_, request_)) send_failed_ = true;
      if (!reliable) {
        e_interval_ = ctx_.t.t1;
        arm(timer_e_, e_interval_, E::kTimerE);
      }
      arm(timer_f_, ctx_.t.t64(), E::kTimerF);
      break;
    case Action::kRetransmit:
      if (!ctx_.transport.send(to_, request_)) send_failed_ = true;
      e_interval_ = m_.state() == S::kProceeding ? ctx_.t.t2 : std::min(2 * e_interval_, ctx_.t.t2);
      arm(timer_e_, e_interval_, E::kTimerE);
      break;
    case Action::kTimeout: owner_.tx_failed(id_, EndReason::kTimeout); break;
    case Action::kFail: owner_.tx_failed(id_, EndReason::kTransportError); break;
    case Action::kPass: owner_.tx_response(id_, *m); break;
    case Action::kPassFinal:
      timer_e_.cancel();
      timer_f_.cancel();
      arm(timer_k_, reliable ? Clock::duration::zero() : ctx_.t.t4, E::kTimerK);
      owner_.tx_response(id_, *m);
      break;
  }
}

}  // namespace isupgw::sip
