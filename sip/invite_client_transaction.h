// INVITE client transaction (RFC 3261 17.1.1, with the Accepted state of
// RFC 6026 7.2): retransmits the INVITE over UDP (Timer A), gives up after
// Timer B, ACKs 3xx-6xx itself (17.1.1.3) and absorbs their retransmissions
// for Timer D; a 2xx goes to the TU, whose dialog sends the ACK, and 2xx
// retransmissions keep flowing to the TU until Timer M.
#pragma once

#include <string>

#include "sip/transaction.h"

namespace isupgw::sip {

class InviteClientTransaction {
 public:
  enum class State : std::uint8_t { kCalling, kProceeding, kCompleted, kAccepted, kTerminated };
  enum class Event : std::uint8_t {
    kStart,
    kTimerA,
    kTimerB,
    kTimerD,
    kTimerM,
    kProvisional,
    kSuccess,
    kFailure,
    kTransportError,
  };
  static constexpr std::size_t kStates = static_cast<std::size_t>(State::kTerminated) + 1;
  static constexpr std::size_t kEvents = static_cast<std::size_t>(Event::kTransportError) + 1;
  // The table's actions (the rows are in the .cpp).
  enum class Action : std::uint8_t { kNone, kSend, kRetransmit, kTimeout, kPass, kAckAndPass, kResendAck, kFail };
  using Row = fsm::Row<State, Event, Action>;
  // sip.ict.* counters and ict_transition trace lines; built once per TransactionContext.
  static fsm::Meter<Row> make_meter(Logger& log, Counters& counters);

  InviteClientTransaction(TransactionId id, TransactionContext& ctx, TransactionOwner& owner, Peer to,
                          std::string request);
  InviteClientTransaction(const InviteClientTransaction&) = delete;
  InviteClientTransaction& operator=(const InviteClientTransaction&) = delete;

  void start() { fire(Event::kStart, nullptr); }
  void on_response(const Message& response);
  // The transport could not deliver to the peer (stream connect/TLS failure, 17.1.4).
  void on_transport_error() { fire(Event::kTransportError, nullptr); }

  State state() const { return m_.state(); }
  TransactionId id() const { return id_; }
  const Peer& peer() const { return to_; }
  // The INVITE as sent; empty once a final response came (Accepted and Completed never send it again).
  const std::string& request() const { return request_; }

 private:
  static const auto& table();

  void fire(Event e, const Message* m);
  void act(Action a, const Message* m);
  void send(const std::string& bytes);
  void arm(TxTimer& t, Clock::duration after, Event e) {
    t.arm(after, [this, e] { fire(e, nullptr); });
  }
  std::string build_ack(const Message& response) const;

  TransactionId id_;
  TransactionContext& ctx_;
  TransactionOwner& owner_;
  Peer to_;
  std::string request_;
  std::string ack_;
  fsm::Machine<Row> m_;
  Clock::duration a_interval_{};
  TxTimer timer_a_{ctx_.timers}, timer_b_{ctx_.timers}, timer_d_{ctx_.timers}, timer_m_{ctx_.timers};
  bool send_failed_ = false;
};

std::string_view to_string(InviteClientTransaction::State s);
std::string_view to_string(InviteClientTransaction::Event e);

}  // namespace isupgw::sip
