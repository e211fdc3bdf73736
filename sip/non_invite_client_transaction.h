// Non-INVITE client transaction (RFC 3261 17.1.2, Figure 6): Timer E
// retransmits over UDP (doubling to T2, at T2 once a provisional arrived),
// Timer F ends it with a timeout, Timer K absorbs response retransmissions.
#pragma once

#include <string>

#include "sip/transaction.h"

namespace isupgw::sip {

class NonInviteClientTransaction {
 public:
  enum class State : std::uint8_t { kTrying, kProceeding, kCompleted, kTerminated };
  enum class Event : std::uint8_t { kStart, kTimerE, kTimerF, kTimerK, kProvisional, kFinal, kTransportError };
  static constexpr std::size_t kStates = static_cast<std::size_t>(State::kTerminated) + 1;
  static constexpr std::size_t kEvents = static_cast<std::size_t>(Event::kTransportError) + 1;
  // The table's actions (the rows are in the .cpp).
  enum class Action : std::uint8_t { kNone, kSend, kRetransmit, kTimeout, kPass, kPassFinal, kFail };
  using Row = fsm::Row<State, Event, Action>;
  // sip.nict.* counters and nict_transition trace lines; built once per TransactionContext.
  static fsm::Meter<Row> make_meter(Logger& log, Counters& counters);

  NonInviteClientTransaction(TransactionId id, TransactionContext& ctx, TransactionOwner& owner, Peer to,
                             std::string request);
  NonInviteClientTransaction(const NonInviteClientTransaction&) = delete;
  NonInviteClientTransaction& operator=(const NonInviteClientTransaction&) = delete;

  void start() { fire(Event::kStart, nullptr); }
  void on_transport_error() { fire(Event::kTransportError, nullptr); }
  const Peer& peer() const { return to_; }
  void on_response(const Message& r) { fire(provisional(r.status) ? Event::kProvisional : Event::kFinal, &r); }

  State state() const { return m_.state(); }
  TransactionId id() const { return id_; }

 private:
  static const auto& table();

  void fire(Event e, const Message* m);
  void act(Action a, const Message* m);
  void arm(TxTimer& t, Clock::duration after, Event e) {
    t.arm(after, [this, e] { fire(e, nullptr); });
  }

  TransactionId id_;
  TransactionContext& ctx_;
  TransactionOwner& owner_;
  Peer to_;
  std::string request_;
  fsm::Machine<Row> m_;
  Clock::duration e_interval_{};
  TxTimer timer_e_{ctx_.timers}, timer_f_{ctx_.timers}, timer_k_{ctx_.timers};
  bool send_failed_ = false;
};

std::string_view to_string(NonInviteClientTransaction::State s);
std::string_view to_string(NonInviteClientTransaction::Event e);

}  // namespace isupgw::sip
