// INVITE server transaction (RFC 3261 17.2.1, Figure 7, with the Accepted
// state of RFC 6026 7.1): absorbs INVITE retransmissions by resending the
// last response, retransmits a 3xx-6xx over UDP (Timer G) until the ACK
// (Timer H gives up), absorbs ACK retransmissions for Timer I. A 2xx moves it
// to Accepted for Timer L; the TU's dialog retransmits the 2xx (13.3.1.4).
#pragma once

#include <string>

#include "sip/transaction.h"

namespace isupgw::sip {

class InviteServerTransaction {
 public:
  enum class State : std::uint8_t { kProceeding, kCompleted, kConfirmed, kAccepted, kTerminated };
  enum class Event : std::uint8_t {
    kRetransmission,  // the INVITE again
    kSend1xx,
    kSend2xx,
    kSendFinal,  // 3xx-6xx
    kAck,
    kTimerG,
    kTimerH,
    kTimerI,
    kTimerL,
    kTransportError,
  };
  static constexpr std::size_t kStates = static_cast<std::size_t>(State::kTerminated) + 1;
  static constexpr std::size_t kEvents = static_cast<std::size_t>(Event::kTransportError) + 1;
  // The table's actions (the rows are in the .cpp).
  enum class Action : std::uint8_t { kNone, kSend, kSendFinal, kResend, kRetransmitFinal, kTimeout, kFail, kPassAck };
  using Row = fsm::Row<State, Event, Action>;
  // sip.ist.* counters and ist_transition trace lines; built once per TransactionContext.
  static fsm::Meter<Row> make_meter(Logger& log, Counters& counters);

  InviteServerTransaction(TransactionId id, TransactionContext& ctx, TransactionOwner& owner, Peer reply_to);
  InviteServerTransaction(const InviteServerTransaction&) = delete;
  InviteServerTransaction& operator=(const InviteServerTransaction&) = delete;

  void on_retransmission() { fire(Event::kRetransmission, nullptr); }
  void on_ack(const Message& ack) { fire(Event::kAck, &ack); }
  // Sends a response built by the TU.
  void respond(int status, std::string bytes);

  State state() const { return m_.state(); }
  TransactionId id() const { return id_; }
  const Peer& reply_to() const { return reply_to_; }
  // True until a final response was sent.
  bool proceeding() const { return m_.state() == State::kProceeding; }

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
  Peer reply_to_;
  std::string last_;  // the last response sent
  std::string pending_;
  fsm::Machine<Row> m_;
  Clock::duration g_interval_{};
  TxTimer timer_g_{ctx_.timers}, timer_h_{ctx_.timers}, timer_i_{ctx_.timers}, timer_l_{ctx_.timers};
  bool send_failed_ = false;
};

std::string_view to_string(InviteServerTransaction::State s);
std::string_view to_string(InviteServerTransaction::Event e);

}  // namespace isupgw::sip
