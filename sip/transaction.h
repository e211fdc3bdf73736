// Pieces shared by the four RFC 3261 17 transaction state machines (tables on
// the FSM kit, base/fsm.h): timer values, the context they run in and the
// owner they report to. Each machine lives in its own file
// (invite_client_transaction, non_invite_client_transaction,
// invite_server_transaction, non_invite_server_transaction).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/counters.h"
#include "base/fsm.h"
#include "base/log.h"
#include "base/one_shot_timer.h"
#include "base/timer_service.h"
#include "sip/message.h"
#include "sip/session_api.h"
#include "sip/transport_layer.h"

namespace isupgw::sip {

using TransactionId = std::uint64_t;  // 0 = none

// RFC 3261 17.1.1.1 / Table 4.
struct TimerValues {
  Clock::duration t1 = std::chrono::milliseconds(500);  // RTT estimate
  Clock::duration t2 = std::chrono::seconds(4);         // maximum retransmit interval (non-INVITE, INVITE responses)
  Clock::duration t4 = std::chrono::seconds(5);         // maximum time a message stays in the network
  Clock::duration timer_d = std::chrono::seconds(32);   // >= 32 s for unreliable transports
  Clock::duration t64() const { return 64 * t1; }       // Timers B, F, H, J, L, M
};

class TransactionMeters;  // sip/transaction_meters.h

// What the machines run on. The four machines' FSM meters (sip.ict.*,
// sip.ist.*, sip.nict.*, sip.nist.*) are resolved here, once; without
// `counters` they count into a registry of the context's own.
struct TransactionContext {
  TransactionContext(TimerService& timers, TransportLayer& transport, Logger& log, TimerValues t = {},
                     Counters* counters = nullptr);
  ~TransactionContext();
  TransactionContext(const TransactionContext&) = delete;
  TransactionContext& operator=(const TransactionContext&) = delete;

  TimerService& timers;
  TransportLayer& transport;
  Logger& log;
  TimerValues t;
  const TransactionMeters& meters() const { return *meters_; }

 private:
  std::unique_ptr<Counters> own_counters_;
  std::unique_ptr<TransactionMeters> meters_;
};

// One RFC 3261 17 timer of a transaction (A, B, D, E, ..., M): arming it again
// restarts it, cancel() stops it, and the machine's destruction cancels it, so
// no callback outlives the machine. armed() is false again once it fired.
using TxTimer = OneShotTimer;

// Who a transaction reports to (the transaction layer, which passes on to
// the transaction user). Calls into the owner are the last thing a machine
// does in a transition, so the owner may destroy it on terminated().
class TransactionOwner {
 public:
  virtual ~TransactionOwner() = default;
  // Client: a response for the TU (1xx, 2xx and the first 3xx-6xx).
  virtual void tx_response(TransactionId id, const Message& response) = 0;
  // Client: Timer B/F, or a send failed. Server: Timer H (no ACK), or a send failed.
  virtual void tx_failed(TransactionId id, EndReason why) = 0;
  // Server INVITE in Accepted (RFC 6026 7.1): an ACK matching it goes to the TU.
  virtual void tx_ack(TransactionId /*id*/, const Message& /*ack*/) {}
  // The machine reached Terminated; the owner removes it.
  virtual void tx_terminated(TransactionId id) = 0;
};

// Response classes as FSM events see them.
inline bool provisional(int status) { return status >= 100 && status < 200; }
inline bool success(int status) { return status >= 200 && status < 300; }

}  // namespace isupgw::sip
