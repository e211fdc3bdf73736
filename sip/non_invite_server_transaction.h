// Non-INVITE server transaction (RFC 3261 17.2.2, Figure 8): request
// retransmissions are answered with the last response sent; Timer J keeps
// the final response around for retransmissions over UDP.
#pragma once

#include <string>

#include "sip/transaction.h"

namespace isupgw::sip {

class NonInviteServerTransaction {
 public:
  enum class State : std::uint8_t { kTrying, kProceeding, kCompleted, kTerminated };
  enum class Event : std::uint8_t { kRetransmission, kSend1xx, kSendFinal, kTimerJ, kTransportError };

  NonInviteServerTransaction(TransactionId id, TransactionContext& ctx, TransactionOwner& owner, Peer reply_to);
  NonInviteServerTransaction(const NonInviteServerTransaction&) = delete;
  NonInviteServerTransaction& operator=(const NonInviteServerTransaction&) = delete;

  void on_retransmission() { fire(Event::kRetransmission); }
  void respond(int status, std::string bytes);

  State state() const { return state_; }
  TransactionId id() const { return id_; }
  const Peer& reply_to() const { return reply_to_; }
  bool proceeding() const { return state_ == State::kTrying || state_ == State::kProceeding; }

 private:
  enum class Action : std::uint8_t { kNone, kSend, kSendFinal, kResend, kFail };
  using Row = Transition<State, Event, Action>;
  static const Row kTable[];

  void fire(Event e);
  void act(Action a);

  TransactionId id_;
  TransactionContext& ctx_;
  TransactionOwner& owner_;
  Peer reply_to_;
  std::string last_;
  std::string pending_;
  State state_ = State::kTrying;
  TxTimer timer_j_{ctx_.timers};
  bool send_failed_ = false;
};

std::string_view to_string(NonInviteServerTransaction::State s);

}  // namespace isupgw::sip
