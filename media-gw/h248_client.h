// H.248.1 MGC side toward one media gateway, text encoding over UDP (Annex D.1):
// transaction ids, retransmission with exponential back-off until a reply,
// TransactionPending (8.2.3: no more retransmissions, wait the long timer for
// the reply; each Pending restarts it), TransactionResponseAck for a reply that
// asks for it (ImmAckRequired), at-most-once execution of the MG's requests
// (D.1.1: a repeated request gets the same reply again), the MG's ServiceChange
// (registration, restart, forced, disconnected, graceful: 7.2.8) and Notify,
// and an AuditValue on ROOT as keepalive feeding the same health FSM as MGCP.
// A reply that comes after we gave the transaction up (its retransmissions or
// the long timer ran out, the caller was told kTimeout) may still name what the
// MG made for it: every termination its Adds put into a context is subtracted
// again (7.2.3), so an Add we abandoned leaves nothing behind on the MG.
//
// No sockets here: bytes leave through a DatagramSender (mgcp_udp.h binds one
// to Asio UDP) and arrive through receive(); time comes from Clock& and
// TimerService&, so tests drive every timer in virtual time.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/result.h"
#include "base/timer_service.h"
#include "media-gw/h248_codec.h"
#include "media-gw/h248_message.h"
#include "media-gw/mg_health_fsm.h"
#include "media-gw/mgcp_client.h"  // DatagramSender, TransactionError, TransactionFailure

namespace isupgw::mediagw {

struct H248Config {
  std::string mg_name = "mg";
  std::string mid = "[127.0.0.1]:2944";  // our mId, the header of every message we send (7.2.8, B.2)
  h248::Style style = h248::Style::kPretty;
  // Annex D.1.2: retransmission timers are the sender's choice; the MGCP
  // values serve here too (200 ms doubling to 4 s, 7 repeats: ~16 s in all).
  Clock::duration initial_rto = std::chrono::milliseconds(200);
  Clock::duration max_rto = std::chrono::seconds(4);
  unsigned max_retransmissions = 7;
  // 8.2.3: after TransactionPending the reply is awaited this long (the
  // long timer: MGExecutionTime x the MG's pending limit); every further
  // Pending starts it again.
  Clock::duration pending_timeout = std::chrono::seconds(30);
  // D.1.1 at-most-once: our replies to the MG's requests are kept this long.
  Clock::duration response_history = std::chrono::seconds(30);
  std::size_t max_pending = 4096;
  std::uint32_t first_transaction_id = 0;  // 0 = derived from the clock
  // Keepalive: AuditValue = ROOT { Audit { } } every keepalive_interval.
  bool keepalive = true;
  Clock::duration keepalive_interval = std::chrono::seconds(10);
  unsigned keepalive_misses = 1;
};

// A reply, or why none came. A transaction-level error is kPermanent with the
// H.248 error code; errors inside actions are in the reply (reply_error()).
using H248Outcome = Result<h248::TransactionReply, TransactionFailure>;
using H248Handler = std::function<void(const H248Outcome&)>;

// The first error anywhere in a reply (transaction, action, command), if any.
std::optional<h248::ErrorDescriptor> reply_error(const h248::TransactionReply& r);

// A ServiceChange from the MG, handed to the owner after we replied to it.
struct ServiceChangeNotice {
  std::string termination_id;  // "ROOT" or terminations, possibly wildcarded ("tdm/e1-1/*")
  h248::ServiceChangeMethod method = h248::ServiceChangeMethod::kRestart;
  std::optional<std::uint16_t> reason;  // 901 cold boot, 902 warm boot, 905 taken out of service, ...
  std::optional<std::uint32_t> delay;
};

class H248Client {
 public:
  H248Client(H248Config config, DatagramSender& sender, TimerService& timers, Clock& clock, Logger& log,
             Counters& counters);
  ~H248Client();
  H248Client(const H248Client&) = delete;
  H248Client& operator=(const H248Client&) = delete;

  // One transaction with these actions; `done` is called exactly once.
  std::uint32_t send(std::vector<h248::Action> actions, H248Handler done);
  void receive(std::span<const std::uint8_t> datagram);
  void cancel_all();  // fails every pending transaction with kCancelled, stops the keepalive

  void start_keepalive();
  void stop_keepalive();

  void on_service_change(std::function<void(const ServiceChangeNotice&)> f) { on_service_change_ = std::move(f); }
  void on_notify(std::function<void(const h248::Command&, const h248::ContextId&)> f) { on_notify_ = std::move(f); }
  MgHealthFsm& health() { return health_; }
  const MgHealthFsm& health() const { return health_; }
  std::size_t pending() const { return transactions_.size(); }
  // The MG has registered (a ServiceChange on ROOT other than Graceful/Forced was accepted).
  bool registered() const { return registered_; }
  // Our mId, once the socket is bound (the daemon knows the port only then).
  void set_mid(std::string mid) { cfg_.mid = std::move(mid); }

 private:
  struct Transaction {
    std::string wire;
    H248Handler done;
    Clock::duration rto{};
    unsigned retransmissions = 0;
    bool pending = false;  // TransactionPending seen
    TimerService::Id timer = 0;
  };
  struct SentReply {
    std::string wire;
    Clock::time_point at;
  };
  // A transaction given up on a timeout: its reply may still come.
  struct Abandoned {
    std::uint32_t tid;
    Clock::time_point at;
  };

  std::uint32_t next_transaction_id();
  void arm(std::uint32_t tid, Clock::duration after);
  void on_timer(std::uint32_t tid);
  void finish(std::uint32_t tid, const H248Outcome& outcome);
  void handle_reply(h248::TransactionReply r);
  void handle_pending(std::uint32_t tid);
  void handle_request(const h248::TransactionRequest& t);
  void send_message(std::vector<h248::Transaction> ts);
  void send_wire(const std::string& wire);
  void expire_history();
  void abandon(std::uint32_t tid);
  bool take_abandoned(std::uint32_t tid);
  void subtract_late(const h248::TransactionReply& r);
  void keepalive_tick();

  H248Config cfg_;
  DatagramSender& sender_;
  TimerService& timers_;
  Clock& clock_;
  Logger& log_;
  MgHealthFsm health_;
  std::uint32_t last_tid_ = 0;
  std::map<std::uint32_t, Transaction> transactions_;
  std::map<std::uint32_t, SentReply> history_;  // by the MG's transaction id
  std::deque<Abandoned> abandoned_;             // oldest first; kept for response_history
  std::function<void(const ServiceChangeNotice&)> on_service_change_;
  std::function<void(const h248::Command&, const h248::ContextId&)> on_notify_;
  TimerService::Id keepalive_timer_ = 0;
  bool keepalive_running_ = false;
  bool keepalive_in_flight_ = false;
  unsigned keepalive_missed_ = 0;
  bool registered_ = false;
  Counters& counters_;
  // The counters of every transaction, looked up once (Counters::get locks and searches a map).
  Counter& tx_transactions_;
  Counter& tx_retransmissions_;
  Counter& rx_datagrams_;
  Counter& rx_replies_;
  Counter& rx_stray_replies_;
};

}  // namespace isupgw::mediagw
