// OPTIONS (RFC 3261 11): answered like an INVITE would be, and sent to each
// configured trunk as a keepalive (issue 5 item 6).
#include "sip/ua_session.h"

namespace isupgw::sip {

using namespace ua;

// RFC 3261 11.2: OPTIONS is answered as an INVITE would be, with Allow,
// Accept and Supported (the trunk keepalive of issue 5 item 6).
void UserAgent::answer_options(TransactionId tx, const Message& m, const Peer& from) {
  const std::string tag = m.to.tag().empty() ? new_tag() : std::string();
  OutMessage r = make_response(m, from, 200, {.to_tag = tag});
  r.add(HeaderId::kContact, contact(from.transport));
  add_capabilities(r);
  r.add(HeaderId::kAccept, std::string(ua::kAccept));
  add_agent(r, HeaderId::kServer, from);
  tx_.respond(tx, 200, r.serialize());
}

void UserAgent::send_ping(std::size_t i) {
  if (stopped_ || i >= options_.ping_targets.size()) return;
  const Peer& p = options_.ping_targets[i];
  // The previous ping still has no final response when the next is due: it failed (issue 18, trunk
  // health -- a dead peer is seen within one interval, not only at Timer F, 64*T1, RFC 3261 17.1.2.2).
  // Its transaction runs on; what it brings later is no longer ours.
  if (pings_[i].outstanding != 0) {
    tx_refs_.erase(pings_[i].outstanding);
    on_ping_result(i, false);
  }
  std::string host = p.host.find(':') != std::string::npos ? "[" + p.host + "]" : p.host;
  const std::string target = "sip:" + host + ":" + std::to_string(p.port);
  const std::string branch = new_branch();
  OutMessage m = OutMessage::request("OPTIONS", target);
  m.add(HeaderId::kVia, via(p.transport, branch));
  m.add(HeaderId::kMaxForwards, "70");
  m.add(HeaderId::kFrom, "<sip:isupgw@" + transport_->local_host(p.transport) + ">;tag=" + new_tag());
  m.add(HeaderId::kTo, "<" + target + ">");
  m.add(HeaderId::kCallId, new_call_id(p));
  m.add(HeaderId::kCSeq, "1 OPTIONS");
  m.add(HeaderId::kContact, contact(p.transport));
  m.add(HeaderId::kAccept, std::string(ua::kAccept));
  add_agent(m, HeaderId::kUserAgent, p);
  const TransactionId tx = tx_.send_request(Method::kOptions, branch, p, m.serialize());
  tx_refs_[tx] = TxRef{0, Purpose::kPing, i, 0};
  pings_[i].outstanding = tx;
  // No final response within ping_timeout: failed now rather than when the next ping is due, so that a dead
  // peer is seen within one interval of its death (issue 18). The transaction runs on (Timer F).
  if (pings_[i].timeout) timers_->cancel(pings_[i].timeout);
  pings_[i].timeout = timers_->start(ping_timeout(), [this, i, tx] {
    pings_[i].timeout = 0;
    if (pings_[i].outstanding != tx) return;
    tx_refs_.erase(tx);
    on_ping_result(i, false);
  });
  pings_[i].timer = timers_->start(options_.ping_interval, [this, i] {
    pings_[i].timer = 0;
    send_ping(i);
  });
}

Clock::duration UserAgent::ping_timeout() const {
  const Clock::duration timer_f = 64 * options_.timers.t1;
  Clock::duration t = options_.ping_timeout != Clock::duration::zero() ? options_.ping_timeout
                                                                       : std::min(options_.ping_interval / 2, timer_f);
  return std::min(t, options_.ping_interval);
}

void UserAgent::on_ping_result(std::size_t i, bool up) {
  if (i >= pings_.size()) return;
  pings_[i].outstanding = 0;
  user_.on_ping_result(options_.ping_targets[i], up);
  const int now = up ? 1 : 0;
  if (pings_[i].up == now) return;
  pings_[i].up = now;
  const Peer& p = options_.ping_targets[i];
  log_.notice(Subsystem::kSip, up ? "trunk_up" : "trunk_down",
              {{"peer", p.host}, {"port", p.port}, {"transport", to_string(p.transport)}});
  counters_.get(up ? "sip.trunk.up" : "sip.trunk.down").inc();
  user_.on_peer_state(p, up);
}

std::optional<int> UserAgent::ping_state(const Peer& p) const {
  for (std::size_t i = 0; i < options_.ping_targets.size() && i < pings_.size(); ++i) {
    const Peer& t = options_.ping_targets[i];
    if (t.host == p.host && t.port == p.port && t.transport == p.transport) return pings_[i].up;
  }
  return std::nullopt;
}

std::optional<UserAgent::SessionInfo> UserAgent::session_info(SessionId id) const {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  const Session& s = *it->second;
  return SessionInfo{s.dialog.call_id, s.dialog.local_tag, s.dialog.remote_tag, s.peer, s.uac};
}

SessionApi::DialogIds UserAgent::dialog_ids(SessionId id) const {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return {};
  const Session& s = *it->second;
  return DialogIds{s.dialog.call_id, s.dialog.local_tag, s.dialog.remote_tag};
}

}  // namespace isupgw::sip
