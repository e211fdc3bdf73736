#include "media-gw/mgcp_client.h"

#include <algorithm>

#include "media-gw/mgcp_codec.h"

namespace isupgw::mediagw {

using mgcp::CodeClass;
using mgcp::Command;
using mgcp::Response;
using mgcp::Verb;

namespace {
constexpr std::uint32_t kMaxTransactionId = 999'999'999;  // RFC 3435 3.2.1
constexpr std::size_t kMaxHistory = 4096;
}  // namespace

std::string_view to_string(TransactionError e) {
  switch (e) {
    case TransactionError::kTimeout: return "timeout";
    case TransactionError::kTransient: return "transient_error";
    case TransactionError::kPermanent: return "permanent_error";
    case TransactionError::kUnexpectedCode: return "unexpected_code";
    case TransactionError::kSendFailed: return "send_failed";
    case TransactionError::kOverload: return "overload";
    case TransactionError::kCancelled: return "cancelled";
  }
  return "?";
}

MgcpClient::MgcpClient(ClientConfig config, DatagramSender& sender, TimerService& timers, Clock& clock, Logger& log,
                       Counters& counters)
    : cfg_(std::move(config)),
      sender_(sender),
      timers_(timers),
      clock_(clock),
      log_(log),
      health_(cfg_.mg_name, log, counters),
      tx_commands_(counters.get("mgcp.tx.commands")),
      tx_retransmissions_(counters.get("mgcp.tx.retransmissions")),
      tx_send_failures_(counters.get("mgcp.tx.send_failures")),
      tx_acks_(counters.get("mgcp.tx.response_acks")),
      rx_datagrams_(counters.get("mgcp.rx.datagrams")),
      rx_parse_errors_(counters.get("mgcp.rx.parse_errors")),
      rx_responses_(counters.get("mgcp.rx.responses")),
      rx_provisional_(counters.get("mgcp.rx.provisional")),
      rx_stray_responses_(counters.get("mgcp.rx.stray_responses")),
      rx_commands_(counters.get("mgcp.rx.commands")),
      rx_duplicate_commands_(counters.get("mgcp.rx.duplicate_commands")),
      rx_unsupported_commands_(counters.get("mgcp.rx.unsupported_commands")),
      rx_rsip_(counters.get("mgcp.rx.rsip")),
      rx_ntfy_(counters.get("mgcp.rx.ntfy")),
      tr_timeouts_(counters.get("mgcp.transaction.timeouts")),
      tr_transient_(counters.get("mgcp.transaction.transient_errors")),
      tr_permanent_(counters.get("mgcp.transaction.permanent_errors")),
      tr_unexpected_(counters.get("mgcp.transaction.unexpected_codes")),
      tr_overload_(counters.get("mgcp.transaction.overload")),
      tr_cancelled_(counters.get("mgcp.transaction.cancelled")),
      keepalive_lost_(counters.get("mgcp.keepalive.lost")) {
  if (cfg_.first_transaction_id != 0) {
    last_tid_ = std::min(cfg_.first_transaction_id, kMaxTransactionId) - 1;
  } else {
    auto ns = static_cast<std::uint64_t>(clock_.now().time_since_epoch().count());
    last_tid_ = static_cast<std::uint32_t>(ns % kMaxTransactionId);
  }
}

MgcpClient::~MgcpClient() {
  // No callbacks from a destructor: only release the timers.
  keepalive_running_ = false;
  if (keepalive_timer_) timers_.cancel(keepalive_timer_);
  for (auto& [tid, t] : transactions_)
    if (t.timer) timers_.cancel(t.timer);
}

std::uint32_t MgcpClient::next_transaction_id() {
  do {
    last_tid_ = last_tid_ >= kMaxTransactionId ? 1 : last_tid_ + 1;
  } while (transactions_.contains(last_tid_));
  return last_tid_;
}

std::uint32_t MgcpClient::send(Command cmd, ResponseHandler done) {
  if (transactions_.size() >= cfg_.max_pending) {
    tr_overload_.inc();
    log_.warn(Subsystem::kMgcp, "transaction_refused",
              {{"mg", cfg_.mg_name}, {"reason", "too many pending"}, {"limit", cfg_.max_pending}});
    done(Err(TransactionFailure{TransactionError::kOverload, 0, "too many pending transactions"}));
    return 0;
  }
  const std::uint32_t tid = next_transaction_id();
  cmd.transaction_id = tid;
  Transaction t;
  t.wire = mgcp::serialize(cmd);
  t.done = std::move(done);
  t.verb = cmd.verb;
  t.rto = cfg_.initial_rto;
  tx_commands_.inc();
  log_.debug(Subsystem::kMgcp, "tx_command",
             {{"mg", cfg_.mg_name}, {"verb", mgcp::to_string(cmd.verb)}, {"tid", tid}, {"endpoint", cmd.endpoint}});
  auto [it, inserted] = transactions_.emplace(tid, std::move(t));
  (void)inserted;
  send_wire(it->second.wire);
  arm(tid, cfg_.initial_rto);
  return tid;
}

void MgcpClient::send_wire(const std::string& wire) {
  if (!sender_.send(std::span(reinterpret_cast<const std::uint8_t*>(wire.data()), wire.size()))) {
    // Treated like a lost datagram: the retransmission timer tries again.
    tx_send_failures_.inc();
    log_.warn(Subsystem::kMgcp, "send_failed", {{"mg", cfg_.mg_name}, {"bytes", wire.size()}});
  }
}

void MgcpClient::arm(std::uint32_t tid, Clock::duration after) {
  auto it = transactions_.find(tid);
  if (it == transactions_.end()) return;
  if (it->second.timer) timers_.cancel(it->second.timer);
  it->second.timer = timers_.start(after, [this, tid] { on_timer(tid); });
}

void MgcpClient::on_timer(std::uint32_t tid) {
  auto it = transactions_.find(tid);
  if (it == transactions_.end()) return;
  Transaction& t = it->second;
  t.timer = 0;
  if (t.provisional) {
    if (clock_.now() - t.provisional_since >= cfg_.provisional_timeout) {
      finish(tid, Err(TransactionFailure{TransactionError::kTimeout, 0, "no final response after provisional"}));
      return;
    }
    tx_retransmissions_.inc();
    send_wire(t.wire);
    arm(tid, std::min(cfg_.longtran, cfg_.provisional_timeout - (clock_.now() - t.provisional_since)));
    return;
  }
  if (t.retransmissions >= cfg_.max_retransmissions) {
    finish(tid, Err(TransactionFailure{TransactionError::kTimeout, 0, "no response"}));
    return;
  }
  // RFC 3435 3.5.5: exponential back-off, capped.
  ++t.retransmissions;
  tx_retransmissions_.inc();
  log_.debug(Subsystem::kMgcp, "retransmit",
             {{"mg", cfg_.mg_name}, {"tid", tid}, {"attempt", t.retransmissions}, {"verb", mgcp::to_string(t.verb)}});
  send_wire(t.wire);
  t.rto = std::min(t.rto * 2, cfg_.max_rto);
  arm(tid, t.rto);
}

void MgcpClient::finish(std::uint32_t tid, const Outcome& outcome) {
  auto it = transactions_.find(tid);
  if (it == transactions_.end()) return;
  Transaction t = std::move(it->second);
  transactions_.erase(it);
  if (t.timer) timers_.cancel(t.timer);
  if (!outcome.ok()) {
    const auto& f = outcome.error();
    switch (f.error) {
      case TransactionError::kTimeout: tr_timeouts_.inc(); break;
      case TransactionError::kTransient: tr_transient_.inc(); break;
      case TransactionError::kPermanent: tr_permanent_.inc(); break;
      case TransactionError::kUnexpectedCode: tr_unexpected_.inc(); break;
      case TransactionError::kCancelled: tr_cancelled_.inc(); break;
      case TransactionError::kOverload: tr_overload_.inc(); break;
      case TransactionError::kSendFailed: break;
    }
    log_.log(Subsystem::kMgcp, f.error == TransactionError::kCancelled ? LogLevel::kDebug : LogLevel::kWarn,
             "transaction_failed",
             {{"mg", cfg_.mg_name},
              {"verb", mgcp::to_string(t.verb)},
              {"tid", tid},
              {"error", to_string(f.error)},
              {"code", f.code},
              {"comment", f.comment}});
  }
  if (t.done) t.done(outcome);
}

void MgcpClient::receive(std::span<const std::uint8_t> datagram) {
  rx_datagrams_.inc();
  auto parsed = mgcp::parse_datagram(datagram);
  if (!parsed) {
    rx_parse_errors_.inc();
    log_.warn(Subsystem::kMgcp, "rx_parse_error",
              {{"mg", cfg_.mg_name}, {"error", mgcp::to_string(parsed.error())}, {"bytes", datagram.size()}});
    return;
  }
  for (auto& m : *parsed) {
    if (auto* r = std::get_if<Response>(&m)) {
      handle_response(std::move(*r));
    } else {
      handle_command(std::get<Command>(m));
    }
  }
}

void MgcpClient::handle_response(Response r) {
  rx_responses_.inc();
  const std::uint32_t tid = r.transaction_id;
  if (r.code == 0) {
    // A response acknowledgement: we never ask for one, nothing to do.
    log_.debug(Subsystem::kMgcp, "rx_response_ack", {{"mg", cfg_.mg_name}, {"tid", tid}});
    return;
  }
  auto it = transactions_.find(tid);
  if (it == transactions_.end()) {
    // A late duplicate, or a response to a transaction that already timed out.
    rx_stray_responses_.inc();
    log_.debug(Subsystem::kMgcp, "rx_stray_response", {{"mg", cfg_.mg_name}, {"tid", tid}, {"code", r.code}});
    if (r.param(mgcp::param::kResponseAck) != nullptr) {
      // RFC 3435 3.5.6: the acknowledgement itself may have been lost; repeat it.
      tx_acks_.inc();
      send_wire("000 " + std::to_string(tid) + "\r\n");
    }
    return;
  }
  Transaction& t = it->second;
  const CodeClass cls = mgcp::code_class(r.code);
  if (cls == CodeClass::kProvisional) {
    rx_provisional_.inc();
    log_.debug(Subsystem::kMgcp, "rx_provisional", {{"mg", cfg_.mg_name}, {"tid", tid}, {"code", r.code}});
    if (!t.provisional) {
      // RFC 3435 3.5.6: the MG is working on it; slow down to LONGTRAN-TIMER.
      t.provisional = true;
      t.provisional_since = clock_.now();
      arm(tid, std::min(cfg_.longtran, cfg_.provisional_timeout));
    }
    return;
  }
  if (r.param(mgcp::param::kResponseAck) != nullptr) {
    // RFC 3435 3.5.6: a final response after a provisional one carries an
    // empty K: and must be acknowledged with 000.
    tx_acks_.inc();
    send_wire("000 " + std::to_string(tid) + "\r\n");
  }
  log_.debug(Subsystem::kMgcp, "rx_response",
             {{"mg", cfg_.mg_name}, {"tid", tid}, {"code", r.code}, {"verb", mgcp::to_string(t.verb)}});
  switch (cls) {
    case CodeClass::kSuccess: finish(tid, std::move(r)); return;
    case CodeClass::kTransient:
      finish(tid, Err(TransactionFailure{TransactionError::kTransient, r.code, r.comment}));
      return;
    case CodeClass::kPermanent:
      finish(tid, Err(TransactionFailure{TransactionError::kPermanent, r.code, r.comment}));
      return;
    default: finish(tid, Err(TransactionFailure{TransactionError::kUnexpectedCode, r.code, r.comment})); return;
  }
}

void MgcpClient::expire_history() {
  const auto now = clock_.now();
  std::erase_if(history_, [&](const auto& kv) { return now - kv.second.at >= cfg_.response_history; });
  while (history_.size() >= kMaxHistory) {
    auto oldest = std::min_element(history_.begin(), history_.end(),
                                   [](const auto& a, const auto& b) { return a.second.at < b.second.at; });
    history_.erase(oldest);
  }
}

void MgcpClient::answer(const Command& c, std::uint16_t code, std::string_view comment) {
  Response r;
  r.code = code;
  r.transaction_id = c.transaction_id;
  r.comment = std::string(comment);
  std::string wire = mgcp::serialize(r);
  send_wire(wire);
  history_[c.transaction_id] = SentResponse{std::move(wire), clock_.now()};
}

void MgcpClient::handle_command(const Command& c) {
  rx_commands_.inc();
  expire_history();
  if (auto h = history_.find(c.transaction_id); h != history_.end()) {
    // RFC 3435 3.5.4: a retransmitted command gets the same response again
    // and is not executed twice.
    rx_duplicate_commands_.inc();
    log_.debug(Subsystem::kMgcp, "rx_duplicate_command",
               {{"mg", cfg_.mg_name}, {"verb", mgcp::to_string(c.verb)}, {"tid", c.transaction_id}});
    send_wire(h->second.wire);
    return;
  }
  switch (c.verb) {
    case Verb::kRsip: {
      rx_rsip_.inc();
      RestartNotice n;
      n.endpoint = c.endpoint;
      // RM: absent is taken as "restart", the value an MG coming up uses.
      if (const auto* rm = c.param(mgcp::param::kRestartMethod)) {
        auto m = mgcp::restart_method_from_string(*rm);
        if (!m) {
          rx_unsupported_commands_.inc();
          log_.warn(Subsystem::kMgcp, "rsip_rejected",
                    {{"mg", cfg_.mg_name}, {"endpoint", c.endpoint}, {"restart_method", *rm}});
          answer(c, 536, "unknown restart method");
          return;
        }
        n.method = *m;
      }
      if (const auto* rd = c.param(mgcp::param::kRestartDelay)) {
        std::uint32_t v = 0;
        bool ok = !rd->empty() && rd->size() <= 9;
        for (char ch : *rd) {
          if (ch < '0' || ch > '9') ok = false;
          v = v * 10 + static_cast<std::uint32_t>(ch - '0');
        }
        if (ok) n.delay_seconds = v;
      }
      if (const auto* e = c.param(mgcp::param::kReasonCode)) n.reason = *e;
      answer(c, 200, "OK");
      log_.notice(Subsystem::kMgcp, "rx_rsip",
                  {{"mg", cfg_.mg_name},
                   {"endpoint", n.endpoint},
                   {"restart_method", mgcp::to_string(n.method)},
                   {"delay", n.delay_seconds.value_or(0)}});
      switch (n.method) {
        case mgcp::RestartMethod::kGraceful: health_.handle(HealthEvent::kRsipGraceful); break;
        case mgcp::RestartMethod::kForced: health_.handle(HealthEvent::kRsipForced); break;
        case mgcp::RestartMethod::kRestart: health_.handle(HealthEvent::kRsipRestart); break;
        case mgcp::RestartMethod::kDisconnected: health_.handle(HealthEvent::kRsipDisconnected); break;
        case mgcp::RestartMethod::kCancelGraceful: health_.handle(HealthEvent::kRsipCancelGraceful); break;
      }
      if (on_restart_) on_restart_(n);
      return;
    }
    case Verb::kNtfy:
      rx_ntfy_.inc();
      answer(c, 200, "OK");
      if (on_notify_) on_notify_(c);
      return;
    default:
      // RFC 3435 2.4: 504 unknown or unsupported command (the MG must not send us others).
      rx_unsupported_commands_.inc();
      log_.warn(Subsystem::kMgcp, "rx_unsupported_command",
                {{"mg", cfg_.mg_name}, {"verb", mgcp::to_string(c.verb)}, {"tid", c.transaction_id}});
      answer(c, 504, "unsupported command");
      return;
  }
}

void MgcpClient::cancel_all() {
  stop_keepalive();
  while (!transactions_.empty())
    finish(transactions_.begin()->first,
           Err(TransactionFailure{TransactionError::kCancelled, 0, "client shutting down"}));
}

void MgcpClient::start_keepalive() {
  if (cfg_.keepalive_endpoint.empty() || keepalive_running_) return;
  keepalive_running_ = true;
  keepalive_timer_ = timers_.start(Clock::duration::zero(), [this] { keepalive_tick(); });
}

void MgcpClient::stop_keepalive() {
  keepalive_running_ = false;
  if (keepalive_timer_) timers_.cancel(keepalive_timer_);
  keepalive_timer_ = 0;
}

void MgcpClient::keepalive_tick() {
  keepalive_timer_ = 0;
  if (!keepalive_running_ || keepalive_in_flight_) return;
  keepalive_in_flight_ = true;
  Command auep;
  auep.verb = Verb::kAuep;
  auep.endpoint = cfg_.keepalive_endpoint;
  send(std::move(auep), [this](const Outcome& o) {
    keepalive_in_flight_ = false;
    if (!o.ok() && o.error().error == TransactionError::kCancelled) return;
    const bool answered = o.ok() || o.error().code != 0;  // any return code proves reachability
    if (answered) {
      keepalive_missed_ = 0;
      health_.handle(HealthEvent::kAuditAnswered);
    } else {
      keepalive_lost_.inc();
      if (++keepalive_missed_ >= cfg_.keepalive_misses) health_.handle(HealthEvent::kAuditLost);
    }
    if (keepalive_running_) keepalive_timer_ = timers_.start(cfg_.keepalive_interval, [this] { keepalive_tick(); });
  });
}

}  // namespace isupgw::mediagw
