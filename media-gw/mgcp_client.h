// MGCP Call Agent side toward one media gateway (RFC 3435 3.5): transaction
// ids, retransmission with exponential back-off, provisional responses,
// response acknowledgement, commands from the MG (RSIP, NTFY) and an AUEP
// keepalive feeding the per-MG health state machine.
//
// No sockets here: bytes leave through a DatagramSender and arrive through
// receive(); time comes from Clock& and TimerService& so that tests drive
// every retransmission in virtual time. mgcp_udp.h binds it to Asio UDP.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/result.h"
#include "base/timer_service.h"
#include "media-gw/mg_health_fsm.h"
#include "media-gw/mgcp_message.h"

namespace isupgw::mediagw {

class DatagramSender {
 public:
  virtual ~DatagramSender() = default;
  // false if the datagram could not be handed to the network.
  virtual bool send(std::span<const std::uint8_t> datagram) = 0;
};

struct ClientConfig {
  std::string mg_name = "mg";  // for logs and the health FSM
  // RFC 3435 3.5.5: exponential back-off from an initial timer, capped; after
  // Max2 retransmissions the transaction fails. Values are the commonly used
  // defaults (RFC text recommends 200 ms initial, 4 s cap; unconfirmed).
  Clock::duration initial_rto = std::chrono::milliseconds(200);
  Clock::duration max_rto = std::chrono::seconds(4);
  unsigned max_retransmissions = 7;
  // RFC 3435 3.5.6: after a provisional response the command is repeated only
  // every LONGTRAN-TIMER (5 s) until the final response, bounded here by
  // provisional_timeout so a transaction cannot outlive the MG's T-HIST.
  Clock::duration longtran = std::chrono::seconds(5);
  Clock::duration provisional_timeout = std::chrono::seconds(30);
  // RFC 3435 3.5.4 T-HIST: responses we gave to MG commands are kept this long
  // and repeated for a retransmitted command.
  Clock::duration response_history = std::chrono::seconds(30);
  std::size_t max_pending = 4096;
  // 0 = derive from the clock, so a restarted Call Agent does not reuse ids the
  // MG still holds in its T-HIST (RFC 3435 3.5.4).
  std::uint32_t first_transaction_id = 0;
  // Keepalive: AUEP on this endpoint every keepalive_interval (empty = off).
  // Any response, even an error code, proves the MG is reachable.
  std::string keepalive_endpoint;
  Clock::duration keepalive_interval = std::chrono::seconds(10);
  unsigned keepalive_misses = 1;  // consecutive lost audits before DOWN
};

enum class TransactionError : std::uint8_t {
  kTimeout,         // no final response after every retransmission
  kTransient,       // 4xx final response
  kPermanent,       // 5xx final response
  kUnexpectedCode,  // 0xx/3xx/6xx..9xx final response
  kSendFailed,      // the socket refused the datagram
  kOverload,        // too many transactions pending
  kCancelled,       // cancel_all() (shutdown)
};
std::string_view to_string(TransactionError e);

struct TransactionFailure {
  TransactionError error = TransactionError::kTimeout;
  std::uint16_t code = 0;  // MGCP return code when the MG answered
  std::string comment;
};

using Outcome = Result<mgcp::Response, TransactionFailure>;
using ResponseHandler = std::function<void(const Outcome&)>;

// RSIP from the MG, handed to the owner after we answered it.
struct RestartNotice {
  std::string endpoint;  // may be a wildcard such as "ds/e1-0/*@mg1" or "*@mg1"
  mgcp::RestartMethod method = mgcp::RestartMethod::kRestart;
  std::optional<std::uint32_t> delay_seconds;  // RD:
  std::string reason;                          // E:
};

class MgcpClient {
 public:
  MgcpClient(ClientConfig config, DatagramSender& sender, TimerService& timers, Clock& clock, Logger& log,
             Counters& counters);
  ~MgcpClient();
  MgcpClient(const MgcpClient&) = delete;
  MgcpClient& operator=(const MgcpClient&) = delete;

  // Assigns the transaction id (overwriting cmd.transaction_id), sends, and
  // calls `done` exactly once with the final response or the failure.
  std::uint32_t send(mgcp::Command cmd, ResponseHandler done);
  // One received datagram (possibly several piggy-backed messages).
  void receive(std::span<const std::uint8_t> datagram);
  // Fails every pending transaction with kCancelled and stops the keepalive.
  void cancel_all();

  void start_keepalive();
  void stop_keepalive();

  void on_restart(std::function<void(const RestartNotice&)> f) { on_restart_ = std::move(f); }
  void on_notify(std::function<void(const mgcp::Command&)> f) { on_notify_ = std::move(f); }
  MgHealthFsm& health() { return health_; }
  const MgHealthFsm& health() const { return health_; }
  std::size_t pending() const { return transactions_.size(); }

 private:
  struct Transaction {
    std::string wire;
    ResponseHandler done;
    mgcp::Verb verb = mgcp::Verb::kAuep;
    Clock::duration rto{};
    unsigned retransmissions = 0;
    bool provisional = false;
    Clock::time_point provisional_since{};
    TimerService::Id timer = 0;
  };
  struct SentResponse {
    std::string wire;
    Clock::time_point at;
  };

  std::uint32_t next_transaction_id();
  void arm(std::uint32_t tid, Clock::duration after);
  void on_timer(std::uint32_t tid);
  void finish(std::uint32_t tid, const Outcome& outcome);
  void handle_response(mgcp::Response r);
  void handle_command(const mgcp::Command& c);
  void answer(const mgcp::Command& c, std::uint16_t code, std::string_view comment);
  void send_wire(const std::string& wire);
  void expire_history();
  void keepalive_tick();

  ClientConfig cfg_;
  DatagramSender& sender_;
  TimerService& timers_;
  Clock& clock_;
  Logger& log_;
  MgHealthFsm health_;
  std::uint32_t last_tid_;
  std::map<std::uint32_t, Transaction> transactions_;
  std::map<std::uint32_t, SentResponse> history_;  // by the MG's transaction id
  std::function<void(const RestartNotice&)> on_restart_;
  std::function<void(const mgcp::Command&)> on_notify_;
  TimerService::Id keepalive_timer_ = 0;
  bool keepalive_running_ = false;
  bool keepalive_in_flight_ = false;
  unsigned keepalive_missed_ = 0;

  Counter& tx_commands_;
  Counter& tx_retransmissions_;
  Counter& tx_send_failures_;
  Counter& tx_acks_;
  Counter& rx_datagrams_;
  Counter& rx_parse_errors_;
  Counter& rx_responses_;
  Counter& rx_provisional_;
  Counter& rx_stray_responses_;
  Counter& rx_commands_;
  Counter& rx_duplicate_commands_;
  Counter& rx_unsupported_commands_;
  Counter& rx_rsip_;
  Counter& rx_ntfy_;
  Counter& tr_timeouts_;
  Counter& tr_transient_;
  Counter& tr_permanent_;
  Counter& tr_unexpected_;
  Counter& tr_overload_;
  Counter& tr_cancelled_;
  Counter& keepalive_lost_;
};

}  // namespace isupgw::mediagw
