#include "sip/transaction_layer.h"

#include "sip/response.h"

namespace isupgw::sip {

namespace {

constexpr std::string_view kMagicCookie = "z9hG4bK";  // RFC 3261 8.1.1.7

bool rfc3261_branch(std::string_view b) { return b.size() > kMagicCookie.size() && b.starts_with(kMagicCookie); }

void append_port(std::string& k, std::uint16_t port) {
  k += ':';
  k += std::to_string(port);
}

// 17.2.3: branch, sent-by and method (ACK matches the INVITE). Requests from
// RFC 2543 clients (no magic cookie) are keyed by their dialog and CSeq and
// top Via instead (17.2.3, second half, simplified).
void server_key(std::string& k, const Message& m, Method method) {
  k.clear();
  const std::string_view branch = m.top_via.branch();
  if (rfc3261_branch(branch)) {
    k += branch;
    k += '|';
    k += m.top_via.host;
    append_port(k, m.top_via.port);
  } else {
    k += "2543|";
    k += m.call_id;
    k += '|';
    k += m.from.tag();
    k += '|';
    k += std::to_string(m.cseq.number);
    k += '|';
    k += m.top_via.text;
  }
  k += '|';
  k += to_string(method);
}

// 17.1.3: top Via branch and CSeq method.
void client_key(std::string& k, std::string_view branch, Method method) {
  k.clear();
  k += branch;
  k += '|';
  k += to_string(method);
}

}  // namespace

TransactionLayer::TransactionLayer(TransactionContext& ctx, TransactionUser& user, Counters& counters)
    : ctx_(ctx),
      user_(user),
      rx_retransmissions_(counters.get("sip.tx_layer.rx_retransmissions")),
      rx_stray_responses_(counters.get("sip.tx_layer.stray_responses")),
      merged_requests_(counters.get("sip.tx_layer.merged_requests")),
      loops_(counters.get("sip.tx_layer.loops")),
      timeouts_(counters.get("sip.tx_layer.timeouts")) {}

TransactionLayer::~TransactionLayer() { clear(); }

void TransactionLayer::clear() {
  // Destroying the machines cancels their timers; nothing is reported.
  txs_.clear();
  client_.clear();
  server_.clear();
  merge_.clear();
}

Peer TransactionLayer::reply_destination(const Message& req, const Peer& from) {
  // 18.2.2: reliable transports answer on the connection the request came
  // in on (the transport finds it by the source address and port).
  if (TransportLayer::reliable(from.transport)) return from;
  Peer to = from;  // "received": the source address
  // RFC 3581 4: rport -> the source port; else the sent-by port (default 5060).
  if (!req.top_via.rport()) to.port = req.top_via.port ? req.top_via.port : 5060;
  return to;
}

void TransactionLayer::receive(const Message& m, const Peer& from) {
  if (m.is_request())
    receive_request(m, from);
  else
    receive_response(m, from);
}

bool TransactionLayer::has_server_transaction(const Message& m) {
  server_key(key_, m, m.method);
  return server_.count(key_) != 0;
}

void TransactionLayer::receive_request(const Message& m, const Peer& from) {
  const Method method = m.method == Method::kAck ? Method::kInvite : m.method;
  server_key(key_, m, method);
  auto it = server_.find(key_);
  if (it != server_.end()) {
    Entry& e = txs_.at(it->second);
    if (m.method == Method::kAck) {
      if (e.ist)
        e.ist->on_ack(m);
      else
        user_.on_ack(m, from);
      return;
    }
    rx_retransmissions_.inc();
    // Either call may end in tx_terminated(), which erases `e`.
    if (e.ist)
      e.ist->on_retransmission();
    else if (e.nist)
      e.nist->on_retransmission();
    return;
  }
  if (m.method == Method::kAck) {
    user_.on_ack(m, from);  // 2xx ACK: a new branch, for the dialog (17.2.3 note)
    return;
  }
  // A request carrying the branch of one of our own client transactions has
  // come back to us (a routing loop): 482 Loop Detected (RFC 3261 16.3 item 4,
  // applied by the UA).
  client_key(loop_key_, m.top_via.branch(), m.method);
  if (client_.count(loop_key_)) {
    loops_.inc();
    ctx_.log.info(Subsystem::kSip, "loop_detected",
                  {{"call_id", std::string(m.call_id)}, {"branch", m.top_via.branch()}});
    OutMessage r = make_response(m, from, 482, {.to_tag = "loop"});
    ctx_.transport.send(reply_destination(m, from), r.serialize());
    return;
  }
  // 8.2.2.2: no To tag, and From tag, Call-ID and CSeq of a transaction in
  // progress, but not that transaction: the same request reached us twice
  // by different paths.
  std::string merge_key;
  if (m.to.tag().empty()) {
    merge_key.reserve(m.call_id.size() + 32);
    merge_key += m.from.tag();
    merge_key += '|';
    merge_key += m.call_id;
    merge_key += '|';
    merge_key += std::to_string(m.cseq.number);
    merge_key += m.method_text;
    if (merge_.count(merge_key)) {
      reject_merged(m, from);
      return;
    }
  }
  const TransactionId id = ++last_id_;
  Entry& e = txs_[id];
  e.key = key_;
  const Peer reply_to = reply_destination(m, from);
  if (m.method == Method::kInvite)
    e.ist = std::make_unique<InviteServerTransaction>(id, ctx_, owner(), reply_to);
  else
    e.nist = std::make_unique<NonInviteServerTransaction>(id, ctx_, owner(), reply_to);
  server_.emplace(e.key, id);
  if (!merge_key.empty()) {
    merge_.emplace(merge_key, id);
    e.merge_key = std::move(merge_key);
  }
  user_.on_request(id, m, from);
}

void TransactionLayer::reject_merged(const Message& m, const Peer& from) {
  merged_requests_.inc();
  ctx_.log.info(Subsystem::kSip, "merged_request",
                {{"call_id", std::string(m.call_id)}, {"cseq", m.cseq.number}, {"branch", m.top_via.branch()}});
  // Stateless 482 (8.2.2.2).
  OutMessage r = make_response(m, from, 482, {.to_tag = "merged"});
  ctx_.transport.send(reply_destination(m, from), r.serialize());
}

void TransactionLayer::receive_response(const Message& m, const Peer& from) {
  client_key(key_, m.top_via.branch(), m.cseq_method);
  auto it = client_.find(key_);
  if (it == client_.end()) {
    rx_stray_responses_.inc();
    user_.on_stray_response(m, from);
    return;
  }
  Entry& e = txs_.at(it->second);
  if (e.ict)
    e.ict->on_response(m);  // may erase `e`
  else if (e.nict)
    e.nict->on_response(m);
}

TransactionId TransactionLayer::send_request(Method method, std::string_view branch, const Peer& to,
                                             std::string bytes) {
  const TransactionId id = ++last_id_;
  Entry& e = txs_[id];
  client_key(e.key, branch, method);
  client_.emplace(e.key, id);
  if (method == Method::kInvite) {
    e.ict = std::make_unique<InviteClientTransaction>(id, ctx_, owner(), to, std::move(bytes));
    e.ict->start();
  } else {
    e.nict = std::make_unique<NonInviteClientTransaction>(id, ctx_, owner(), to, std::move(bytes));
    e.nict->start();
  }
  return id;
}

bool TransactionLayer::respond(TransactionId id, int status, std::string bytes) {
  auto it = txs_.find(id);
  if (it == txs_.end()) return false;
  if (it->second.ist) {
    it->second.ist->respond(status, std::move(bytes));
    return true;
  }
  if (it->second.nist) {
    it->second.nist->respond(status, std::move(bytes));
    return true;
  }
  return false;
}

bool TransactionLayer::proceeding(TransactionId id) const {
  auto it = txs_.find(id);
  if (it == txs_.end()) return false;
  if (it->second.ist) return it->second.ist->proceeding();
  if (it->second.nist) return it->second.nist->proceeding();
  return false;
}

TransactionId TransactionLayer::invite_for_cancel(const Message& cancel) const {
  std::string k;
  server_key(k, cancel, Method::kInvite);
  auto it = server_.find(k);
  return it == server_.end() ? 0 : it->second;
}

void TransactionLayer::transport_failed(const Peer& p) {
  auto same = [&p](const Peer& q) { return q.transport == p.transport && q.port == p.port && q.host == p.host; };
  std::vector<TransactionId> hit;
  for (const auto& [id, e] : txs_)
    if ((e.ict && same(e.ict->peer())) || (e.nict && same(e.nict->peer()))) hit.push_back(id);
  for (TransactionId id : hit) {
    auto it = txs_.find(id);  // an earlier one may have ended others
    if (it == txs_.end()) continue;
    if (it->second.ict)
      it->second.ict->on_transport_error();
    else if (it->second.nict)
      it->second.nict->on_transport_error();
  }
}

void TransactionLayer::tx_response(TransactionId id, const Message& response) { user_.on_response(id, response); }

void TransactionLayer::tx_failed(TransactionId id, EndReason why) {
  if (why == EndReason::kTimeout) timeouts_.inc();
  user_.on_transaction_failed(id, why);
}

void TransactionLayer::tx_ack(TransactionId, const Message& ack) {
  user_.on_ack(ack, Peer{});  // RFC 6026 7.1: ACK in Accepted goes to the TU
}

void TransactionLayer::tx_terminated(TransactionId id) {
  auto it = txs_.find(id);
  if (it == txs_.end()) return;
  Entry& e = it->second;
  if (e.server()) {
    server_.erase(e.key);
    if (!e.merge_key.empty()) merge_.erase(e.merge_key);
  } else {
    client_.erase(e.key);
  }
  txs_.erase(it);
}

}  // namespace isupgw::sip
