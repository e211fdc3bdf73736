#include "sip/non_invite_client_transaction.h"

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

namespace {
std::string_view event_name(E e) {
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
}  // namespace

// RFC 3261 Figure 6.
const NonInviteClientTransaction::Row NonInviteClientTransaction::kTable[] = {
    {S::kTrying, E::kStart, S::kTrying, Action::kSend},                   // E (UDP), F
    {S::kTrying, E::kTimerE, S::kTrying, Action::kRetransmit},            // E = min(2E, T2)
    {S::kTrying, E::kTimerF, S::kTerminated, Action::kTimeout},           //
    {S::kTrying, E::kProvisional, S::kProceeding, Action::kPass},         //
    {S::kTrying, E::kFinal, S::kCompleted, Action::kPassFinal},           // K
    {S::kTrying, E::kTransportError, S::kTerminated, Action::kFail},      //
    {S::kProceeding, E::kTimerE, S::kProceeding, Action::kRetransmit},    // E = T2
    {S::kProceeding, E::kTimerF, S::kTerminated, Action::kTimeout},       //
    {S::kProceeding, E::kProvisional, S::kProceeding, Action::kPass},     //
    {S::kProceeding, E::kFinal, S::kCompleted, Action::kPassFinal},       //
    {S::kProceeding, E::kTransportError, S::kTerminated, Action::kFail},  //
    {S::kCompleted, E::kProvisional, S::kCompleted, Action::kNone},       // absorbed
    {S::kCompleted, E::kFinal, S::kCompleted, Action::kNone},             // absorbed
    {S::kCompleted, E::kTimerK, S::kTerminated, Action::kNone},           //
};

NonInviteClientTransaction::NonInviteClientTransaction(TransactionId id, TransactionContext& ctx,
                                                       TransactionOwner& owner, Peer to, std::string request)
    : id_(id), ctx_(ctx), owner_(owner), to_(std::move(to)), request_(std::move(request)) {}

void NonInviteClientTransaction::fire(Event e, const Message* m) {
  const Row* row = find_transition(kTable, state_, e);
  if (!row) return;
  const State from = state_;
  state_ = row->to;
  if (ctx_.log.enabled(Subsystem::kSip, LogLevel::kTrace))
    ctx_.log.trace(Subsystem::kSip, "nict_transition",
                   {{"tx", id_}, {"from", to_string(from)}, {"event", event_name(e)}, {"to", to_string(state_)}});
  act(row->action, m);
  if (send_failed_ && state_ != S::kTerminated) {
    send_failed_ = false;
    fire(E::kTransportError, nullptr);
    return;
  }
  if (state_ == S::kTerminated) owner_.tx_terminated(id_);  // may destroy *this
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
      e_interval_ = state_ == S::kProceeding ? ctx_.t.t2 : std::min(2 * e_interval_, ctx_.t.t2);
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
