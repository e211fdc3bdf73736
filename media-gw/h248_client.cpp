#include "media-gw/h248_client.h"

#include <algorithm>

namespace isupgw::mediagw {

using h248::CommandType;
using h248::ServiceChangeMethod;

namespace {
constexpr std::size_t kMaxHistory = 4096;
// 0 is valid on the wire, but we keep it for "no transaction" in our API.
constexpr std::uint32_t kMaxTransactionId = 0xFFFFFFFFu;

std::string_view method_name(ServiceChangeMethod m) { return h248::to_string(m); }
}  // namespace

std::optional<h248::ErrorDescriptor> reply_error(const h248::TransactionReply& r) {
  if (r.error) return r.error;
  for (const auto& a : r.actions) {
    for (const auto& c : a.replies)
      if (c.error) return c.error;
    if (a.error) return a.error;
  }
  return std::nullopt;
}

H248Client::H248Client(H248Config config, DatagramSender& sender, TimerService& timers, Clock& clock, Logger& log,
                       Counters& counters)
    : cfg_(std::move(config)),
      sender_(sender),
      timers_(timers),
      clock_(clock),
      log_(log),
      health_(cfg_.mg_name, log, counters),
      counters_(counters),
      tx_transactions_(counters.get("h248.tx.transactions")),
      tx_retransmissions_(counters.get("h248.tx.retransmissions")),
      rx_datagrams_(counters.get("h248.rx.datagrams")),
      rx_replies_(counters.get("h248.rx.replies")),
      rx_stray_replies_(counters.get("h248.rx.stray_replies")) {
  if (cfg_.first_transaction_id != 0) {
    last_tid_ = cfg_.first_transaction_id - 1;
  } else {
    // A restarted MGC should not reuse ids the MG may still hold replies for (D.1.1).
    auto ns = static_cast<std::uint64_t>(clock_.now().time_since_epoch().count());
    last_tid_ = static_cast<std::uint32_t>(ns % 1'000'000'000u);
  }
}

H248Client::~H248Client() {
  keepalive_running_ = false;
  if (keepalive_timer_) timers_.cancel(keepalive_timer_);
  for (auto& [tid, t] : transactions_)
    if (t.timer) timers_.cancel(t.timer);
}

std::uint32_t H248Client::next_transaction_id() {
  do {
    last_tid_ = last_tid_ >= kMaxTransactionId ? 1 : last_tid_ + 1;
  } while (transactions_.contains(last_tid_));
  return last_tid_;
}

std::uint32_t H248Client::send(std::vector<h248::Action> actions, H248Handler done) {
  if (transactions_.size() >= cfg_.max_pending) {
    counters_.get("h248.transaction.overload").inc();
    log_.warn(Subsystem::kMgcp, "h248.transaction_refused", {{"mg", cfg_.mg_name}, {"reason", "too many pending"}});
    done(Err(TransactionFailure{TransactionError::kOverload, 0, "too many pending transactions"}));
    return 0;
  }
  const std::uint32_t tid = next_transaction_id();
  h248::Message m;
  m.mid = cfg_.mid;
  h248::TransactionRequest req;
  req.id = tid;
  req.actions = std::move(actions);
  m.transactions.emplace_back(std::move(req));
  Transaction t;
  t.wire = h248::serialize(m, cfg_.style);
  t.done = std::move(done);
  t.rto = cfg_.initial_rto;
  tx_transactions_.inc();
  if (log_.enabled(Subsystem::kMgcp, LogLevel::kDebug))
    log_.debug(Subsystem::kMgcp, "h248.tx_transaction", {{"mg", cfg_.mg_name}, {"tid", tid}});
  auto [it, inserted] = transactions_.emplace(tid, std::move(t));
  (void)inserted;
  send_wire(it->second.wire);
  arm(tid, cfg_.initial_rto);
  return tid;
}

void H248Client::send_wire(const std::string& wire) {
  if (!sender_.send(std::span(reinterpret_cast<const std::uint8_t*>(wire.data()), wire.size()))) {
    counters_.get("h248.tx.send_failures").inc();
    log_.warn(Subsystem::kMgcp, "h248.send_failed", {{"mg", cfg_.mg_name}, {"bytes", wire.size()}});
  }
}

void H248Client::send_message(std::vector<h248::Transaction> ts) {
  h248::Message m;
  m.mid = cfg_.mid;
  m.transactions = std::move(ts);
  send_wire(h248::serialize(m, cfg_.style));
}

void H248Client::arm(std::uint32_t tid, Clock::duration after) {
  auto it = transactions_.find(tid);
  if (it == transactions_.end()) return;
  if (it->second.timer) timers_.cancel(it->second.timer);
  it->second.timer = timers_.start(after, [this, tid] { on_timer(tid); });
}

void H248Client::on_timer(std::uint32_t tid) {
  auto it = transactions_.find(tid);
  if (it == transactions_.end()) return;
  Transaction& t = it->second;
  t.timer = 0;
  if (t.pending) {
    finish(tid, Err(TransactionFailure{TransactionError::kTimeout, 0, "no reply after TransactionPending"}));
    return;
  }
  if (t.retransmissions >= cfg_.max_retransmissions) {
    finish(tid, Err(TransactionFailure{TransactionError::kTimeout, 0, "no reply"}));
    return;
  }
  ++t.retransmissions;
  tx_retransmissions_.inc();
  log_.debug(Subsystem::kMgcp, "h248.retransmit", {{"mg", cfg_.mg_name}, {"tid", tid}, {"attempt", t.retransmissions}});
  send_wire(t.wire);
  t.rto = std::min(t.rto * 2, cfg_.max_rto);
  arm(tid, t.rto);
}

void H248Client::finish(std::uint32_t tid, const H248Outcome& outcome) {
  auto it = transactions_.find(tid);
  if (it == transactions_.end()) return;
  Transaction t = std::move(it->second);
  transactions_.erase(it);
  if (t.timer) timers_.cancel(t.timer);
  if (!outcome.ok()) {
    const auto& f = outcome.error();
    if (f.error == TransactionError::kTimeout) abandon(tid);
    counters_.get(std::string("h248.transaction.") + std::string(to_string(f.error))).inc();
    log_.log(
        Subsystem::kMgcp, f.error == TransactionError::kCancelled ? LogLevel::kDebug : LogLevel::kWarn,
        "h248.transaction_failed",
        {{"mg", cfg_.mg_name}, {"tid", tid}, {"error", to_string(f.error)}, {"code", f.code}, {"text", f.comment}});
  }
  if (t.done) t.done(outcome);
}

void H248Client::receive(std::span<const std::uint8_t> datagram) {
  rx_datagrams_.inc();
  auto parsed = h248::parse(std::string_view(reinterpret_cast<const char*>(datagram.data()), datagram.size()));
  if (!parsed) {
    counters_.get("h248.rx.parse_errors").inc();
    log_.warn(Subsystem::kMgcp, "h248.rx_parse_error",
              {{"mg", cfg_.mg_name},
               {"error", h248::to_string(parsed.error().error)},
               {"offset", parsed.error().offset},
               {"bytes", datagram.size()}});
    return;
  }
  if (parsed->error) {
    // A message-level error (e.g. 400 syntax error): it names no transaction; the retransmission
    // timers of what it was about carry on.
    counters_.get("h248.rx.message_errors").inc();
    log_.warn(Subsystem::kMgcp, "h248.rx_message_error",
              {{"mg", cfg_.mg_name}, {"code", parsed->error->code}, {"text", parsed->error->text}});
    return;
  }
  for (auto& t : parsed->transactions) {
    if (auto* r = std::get_if<h248::TransactionReply>(&t)) {
      handle_reply(std::move(*r));
    } else if (const auto* p = std::get_if<h248::TransactionPending>(&t)) {
      handle_pending(p->id);
    } else if (const auto* q = std::get_if<h248::TransactionRequest>(&t)) {
      handle_request(*q);
    } else {
      // TransactionResponseAck: we never ask for one (no ImmAckRequired); our history expires on its own.
      counters_.get("h248.rx.response_acks").inc();
    }
  }
}

void H248Client::handle_pending(std::uint32_t tid) {
  counters_.get("h248.rx.pending").inc();
  auto it = transactions_.find(tid);
  if (it == transactions_.end()) return;
  // 8.2.3: the MG works on it; stop repeating the request and wait the long timer.
  it->second.pending = true;
  arm(tid, cfg_.pending_timeout);
}

void H248Client::handle_reply(h248::TransactionReply r) {
  rx_replies_.inc();
  const std::uint32_t tid = r.id;
  if (r.immediate_ack_required) {
    // 8.2.3 / 7.2? ImmAckRequired: acknowledge at once, also a late duplicate (our ack may have been lost).
    counters_.get("h248.tx.response_acks").inc();
    send_message({h248::TransactionResponseAck{{{tid, tid}}}});
  }
  auto it = transactions_.find(tid);
  if (it == transactions_.end()) {
    if (take_abandoned(tid)) {
      subtract_late(r);
      return;
    }
    rx_stray_replies_.inc();
    log_.debug(Subsystem::kMgcp, "h248.rx_stray_reply", {{"mg", cfg_.mg_name}, {"tid", tid}});
    return;
  }
  if (r.error) {
    finish(tid, Err(TransactionFailure{TransactionError::kPermanent, r.error->code, r.error->text}));
    return;
  }
  finish(tid, std::move(r));
}

void H248Client::abandon(std::uint32_t tid) {
  const auto now = clock_.now();
  while (!abandoned_.empty() &&
         (now - abandoned_.front().at >= cfg_.response_history || abandoned_.size() >= kMaxHistory))
    abandoned_.pop_front();
  abandoned_.push_back({tid, now});
}

bool H248Client::take_abandoned(std::uint32_t tid) {
  auto it = std::find_if(abandoned_.begin(), abandoned_.end(), [tid](const Abandoned& a) { return a.tid == tid; });
  if (it == abandoned_.end() || clock_.now() - it->at >= cfg_.response_history) return false;
  abandoned_.erase(it);
  return true;
}

void H248Client::subtract_late(const h248::TransactionReply& r) {
  counters_.get("h248.rx.late_replies").inc();
  // 7.2.3: Subtract removes a termination from its context (the last one out deletes the context). What
  // the reply's Adds name, in the contexts it names, is what the MG made for the request we gave up.
  for (const auto& a : r.actions) {
    if (a.context.kind != h248::ContextId::Kind::kId) continue;
    std::vector<h248::Command> subtracts;
    for (const auto& c : a.replies) {
      if (c.type != CommandType::kAdd || c.error || c.termination_id.empty()) continue;
      h248::Command s;
      s.type = CommandType::kSubtract;
      s.termination_id = c.termination_id;
      subtracts.push_back(std::move(s));
    }
    if (subtracts.empty()) continue;
    counters_.get("h248.late_reply_subtract").inc();
    log_.notice(Subsystem::kMgcp, "h248.late_reply_subtract",
                {{"mg", cfg_.mg_name}, {"tid", r.id}, {"context", a.context.id}, {"terminations", subtracts.size()}});
    const std::uint32_t ctx = a.context.id;
    send({h248::Action{a.context, std::move(subtracts)}}, [this, ctx](const H248Outcome& o) {
      if (o.ok() && !reply_error(*o)) return;
      if (!o.ok() && o.error().error == TransactionError::kCancelled) return;
      counters_.get("h248.late_reply_subtract_failed").inc();
      log_.warn(Subsystem::kMgcp, "h248.late_reply_subtract_failed", {{"mg", cfg_.mg_name}, {"context", ctx}});
    });
  }
}

void H248Client::expire_history() {
  const auto now = clock_.now();
  std::erase_if(history_, [&](const auto& kv) { return now - kv.second.at >= cfg_.response_history; });
  while (history_.size() >= kMaxHistory) {
    auto oldest = std::min_element(history_.begin(), history_.end(),
                                   [](const auto& a, const auto& b) { return a.second.at < b.second.at; });
    history_.erase(oldest);
  }
}

void H248Client::handle_request(const h248::TransactionRequest& t) {
  counters_.get("h248.rx.requests").inc();
  expire_history();
  if (auto h = history_.find(t.id); h != history_.end()) {
    // D.1.1: a repeated request is not executed again; the reply is repeated.
    counters_.get("h248.rx.duplicate_requests").inc();
    send_wire(h->second.wire);
    return;
  }
  h248::TransactionReply reply;
  reply.id = t.id;
  std::vector<ServiceChangeNotice> notices;
  std::vector<std::pair<h248::Command, h248::ContextId>> notifies;
  for (const auto& a : t.actions) {
    h248::ActionReply ar;
    ar.context = a.context;
    for (const auto& c : a.commands) {
      h248::CommandReply cr;
      cr.type = c.type;
      cr.termination_id = c.termination_id;
      if (c.type == CommandType::kServiceChange && c.service_change && c.service_change->method) {
        counters_.get("h248.rx.service_changes").inc();
        ServiceChangeNotice n;
        n.termination_id = c.termination_id;
        n.method = *c.service_change->method;
        n.reason = c.service_change->reason_code();
        n.delay = c.service_change->delay;
        notices.push_back(std::move(n));
        if (h248::is_root(c.termination_id)) {
          // 7.2.8: the reply to a registration may carry our choices; we accept the MG's profile as is.
          cr.service_change = h248::ServiceChangeDescriptor{};
          cr.service_change->profile = c.service_change->profile;
          if (!cr.service_change->profile) cr.service_change.reset();
        }
      } else if (c.type == CommandType::kNotify) {
        counters_.get("h248.rx.notifies").inc();
        notifies.emplace_back(c, a.context);
      } else {
        // H.248.8 error 501 Not Implemented: an MG sends the MGC nothing else.
        counters_.get("h248.rx.unsupported_commands").inc();
        cr.error = h248::ErrorDescriptor{501, "Not Implemented"};
      }
      ar.replies.push_back(std::move(cr));
    }
    reply.actions.push_back(std::move(ar));
  }
  h248::Message m;
  m.mid = cfg_.mid;
  m.transactions.emplace_back(std::move(reply));
  std::string wire = h248::serialize(m, cfg_.style);
  send_wire(wire);
  history_[t.id] = SentReply{std::move(wire), clock_.now()};
  for (const auto& n : notices) {
    log_.notice(Subsystem::kMgcp, "h248.rx_service_change",
                {{"mg", cfg_.mg_name},
                 {"termination", n.termination_id},
                 {"method", method_name(n.method)},
                 {"reason", n.reason.value_or(0)}});
    if (h248::is_root(n.termination_id)) {
      switch (n.method) {
        case ServiceChangeMethod::kGraceful: health_.handle(HealthEvent::kRsipGraceful); break;
        case ServiceChangeMethod::kForced:
          registered_ = false;
          health_.handle(HealthEvent::kRsipForced);
          break;
        case ServiceChangeMethod::kDisconnected:
          registered_ = true;
          health_.handle(HealthEvent::kRsipDisconnected);
          break;
        case ServiceChangeMethod::kRestart:
        case ServiceChangeMethod::kFailover:
        case ServiceChangeMethod::kHandOff:
          registered_ = true;
          health_.handle(HealthEvent::kRsipRestart);
          break;
      }
    }
    if (on_service_change_) on_service_change_(n);
  }
  for (const auto& [c, ctx] : notifies)
    if (on_notify_) on_notify_(c, ctx);
}

void H248Client::cancel_all() {
  stop_keepalive();
  while (!transactions_.empty())
    finish(transactions_.begin()->first,
           Err(TransactionFailure{TransactionError::kCancelled, 0, "client shutting down"}));
}

void H248Client::start_keepalive() {
  if (!cfg_.keepalive || keepalive_running_) return;
  keepalive_running_ = true;
  keepalive_timer_ = timers_.start(Clock::duration::zero(), [this] { keepalive_tick(); });
}

void H248Client::stop_keepalive() {
  keepalive_running_ = false;
  if (keepalive_timer_) timers_.cancel(keepalive_timer_);
  keepalive_timer_ = 0;
}

void H248Client::keepalive_tick() {
  keepalive_timer_ = 0;
  if (!keepalive_running_ || keepalive_in_flight_) return;
  keepalive_in_flight_ = true;
  h248::Command av;
  av.type = CommandType::kAuditValue;
  av.termination_id = "ROOT";
  av.audit = h248::AuditDescriptor{};
  send({h248::Action{h248::ContextId::null(), {av}}}, [this](const H248Outcome& o) {
    keepalive_in_flight_ = false;
    if (!o.ok() && o.error().error == TransactionError::kCancelled) return;
    // Any reply, even an error, proves the MG is there.
    const bool answered = o.ok() || o.error().code != 0;
    if (answered) {
      keepalive_missed_ = 0;
      health_.handle(HealthEvent::kAuditAnswered);
    } else {
      counters_.get("h248.keepalive.lost").inc();
      if (++keepalive_missed_ >= cfg_.keepalive_misses) health_.handle(HealthEvent::kAuditLost);
    }
    if (keepalive_running_) keepalive_timer_ = timers_.start(cfg_.keepalive_interval, [this] { keepalive_tick(); });
  });
}

}  // namespace isupgw::mediagw
