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
  static constexpr std::size_t kStates = static_cast<std::size_t>(State::kTerminated) + 1;
  static constexpr std::size_t kEvents = static_cast<std::size_t>(Event::kTransportError) + 1;
  // The table's actions (the rows are in the .cpp).
  enum class Action : std::uint8_t { kNone, kSend, kSendFinal, kResend, kFail };
  using Row = fsm::Row<State, Event, Action>;
  // sip.nist.* counters and nist_transition trace lines; built once per TransactionContext.
  static fsm::Meter<Row> make_meter(Logger& log, Counters& counters);

  NonInviteServerTransaction(TransactionId id, TransactionContext& ctx, TransactionOwner& owner, Peer reply_to);
  NonInviteServerTransaction(const NonInviteServerTransaction&) = delete;
  NonInviteServerTransaction& operator=(const NonInviteServerTransaction&) = delete;

  void on_retransmission() { fire(Event::kRetransmission); }
  void respond(int status, std::string bytes);

  State state() const { return m_.state(); }
  TransactionId id() const { return id_; }
  const Peer& reply_to() const { return reply_to_; }
  bool proceeding() const { return m_.state() == State::kTrying || m_.state() == State::kProceeding; }

 private:
  static const auto& table();

  void fire(Event e);
  void act(Action a);

  TransactionId id_;
  TransactionContext& ctx_;
  TransactionOwner& owner_;
  Peer reply_to_;
  std::string last_;
  std::string pending_;
  fsm::Machine<Row> m_;
  TxTimer timer_j_{ctx_.timers};
  bool send_failed_ = false;
};

std::string_view to_string(NonInviteServerTransaction::State s);
std::string_view to_string(NonInviteServerTransaction::Event e);

}  // namespace isupgw::sip
