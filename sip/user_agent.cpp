#include "sip/user_agent.h"

#include <cstdio>

#include "base/asio_timer_service.h"
#include "sip/asio_transport_layer.h"
#include "sip/digest_server.h"
#include "sip/response.h"
#include "sip/serializer.h"
#include "sip/ua_session.h"

namespace isupgw::sip {

using namespace ua;

UserAgent::UserAgent(boost::asio::io_context& io, std::vector<ListenerConfig> listeners, SessionUser& user,
                     Clock& clock, Logger& log, Counters& counters, UserAgentOptions options)
    : owned_transport_(std::make_unique<AsioTransportLayer>(io, std::move(listeners), log, counters, options.tls,
                                                            options.trunk_tls, options.max_queued_bytes)),
      owned_timers_(std::make_unique<AsioTimerService>(io)),
      transport_(owned_transport_.get()),
      timers_(owned_timers_.get()),
      user_(user),
      clock_(clock),
      log_(log),
      counters_(counters),
      options_(std::move(options)),
      invite_meter_(make_invite_meter(log, counters)),
      ctx_{*timers_, *transport_, log_, options_.timers, &counters},
      tx_(ctx_, *this, counters),
      rx_unparseable_(counters.get("sip.rx.unparseable")),
      rx_bad_requests_(counters.get("sip.rx.bad_requests")),
      rx_bad_requests_unanswered_(counters.get("sip.rx.bad_requests_unanswered")),
      rx_responses_dropped_(counters.get("sip.rx.bad_responses")),
      sessions_in_(counters.get("sip.sessions.incoming")),
      sessions_out_(counters.get("sip.sessions.outgoing")),
      glare_(counters.get("sip.glare")),
      stateless_refusals_(counters.get("sip.stateless_refusals")),
      stateless_resent_(counters.get("sip.stateless_refusals_resent")),
      stateless_acks_(counters.get("sip.stateless_refusal_acks")) {
  owned_transport_->set_sink([this](const Peer& from, std::string_view bytes) {
    if (options_.rx_tap) options_.rx_tap(from, bytes);
    receive(from, bytes);
  });
  if (options_.tx_tap) owned_transport_->set_tap(options_.tx_tap);
  owned_transport_->set_guard(options_.source_guard);
  owned_transport_->set_failure_sink([this](const Peer& p) { tx_.transport_failed(p); });
  init();
}

UserAgent::UserAgent(TransportLayer& transport, TimerService& timers, SessionUser& user, Clock& clock, Logger& log,
                     Counters& counters, UserAgentOptions options)
    : transport_(&transport),
      timers_(&timers),
      user_(user),
      clock_(clock),
      log_(log),
      counters_(counters),
      options_(std::move(options)),
      invite_meter_(make_invite_meter(log, counters)),
      ctx_{*timers_, *transport_, log_, options_.timers, &counters},
      tx_(ctx_, *this, counters),
      rx_unparseable_(counters.get("sip.rx.unparseable")),
      rx_bad_requests_(counters.get("sip.rx.bad_requests")),
      rx_bad_requests_unanswered_(counters.get("sip.rx.bad_requests_unanswered")),
      rx_responses_dropped_(counters.get("sip.rx.bad_responses")),
      sessions_in_(counters.get("sip.sessions.incoming")),
      sessions_out_(counters.get("sip.sessions.outgoing")),
      glare_(counters.get("sip.glare")),
      stateless_refusals_(counters.get("sip.stateless_refusals")),
      stateless_resent_(counters.get("sip.stateless_refusals_resent")),
      stateless_acks_(counters.get("sip.stateless_refusal_acks")) {
  init();
}

void UserAgent::init() {
  if (options_.random_seed) {
    rng_.seed(options_.random_seed);
  } else {
    std::random_device rd;
    rng_.seed((static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
              static_cast<std::uint64_t>(clock_.now().time_since_epoch().count()));
  }
  pings_.resize(options_.ping_targets.size());
}

UserAgent::~UserAgent() {
  *alive_ = false;
  for (auto& [id, s] : sessions_) stop_timers(*s);
  for (auto& p : pings_) {
    if (p.timer) timers_->cancel(p.timer);
    if (p.timeout) timers_->cancel(p.timeout);
  }
  for (auto& r : regs_)
    if (r.timer) timers_->cancel(r.timer);
  tx_.clear();
}

std::error_code UserAgent::start() {
  if (owned_transport_) {
    if (auto ec = owned_transport_->start()) return ec;
  }
  for (std::size_t i = 0; i < pings_.size(); ++i) send_ping(i);
  regs_.resize(options_.registrations.size());
  for (std::size_t i = 0; i < regs_.size(); ++i) send_register(i);
  return {};
}

std::error_code UserAgent::add_listener(const ListenerConfig& c) {
  if (!owned_transport_) return std::make_error_code(std::errc::operation_not_supported);
  return owned_transport_->add_listener(c);
}

std::uint16_t UserAgent::port(Transport t) const { return transport_->local_port(t); }

RxQueue UserAgent::rx_queue() const { return owned_transport_ ? owned_transport_->rx_queue() : RxQueue{}; }

void UserAgent::defer(std::function<void()> fn) {
  timers_->start(Clock::duration::zero(), [alive = alive_, fn = std::move(fn)] {
    if (*alive) fn();
  });
}

void UserAgent::receive(const Peer& from, std::string_view bytes) {
  Message m;
  const Framing framing = from.transport == Transport::kUdp ? Framing::kDatagram : Framing::kStream;
  auto framed = parse_frame(bytes, m, framing);
  if (!framed) {
    if (framed.error().fault == Fault::kEmpty) return;  // CRLF keepalive
    rx_unparseable_.inc();
    log_.info(Subsystem::kSip, "rx_unparseable",
              {{"peer", from.host}, {"port", from.port}, {"fault", describe(framed.error().fault)}});
    return;
  }
  if (auto err = validate(m)) {
    if (m.is_request()) {
      rx_bad_requests_.inc();
      log_.info(Subsystem::kSip, "rx_bad_request",
                {{"peer", from.host}, {"port", from.port}, {"fault", describe(err->fault)}, {"where", err->where}});
      // RFC 3261 8.2.6 / 21.4.1: answer statelessly with a Warning naming the fault.
      if (auto r = build_error_response(m, *err, warn_agent(from), new_tag())) {
        const Peer to = m.top_via.host.empty() ? from : TransactionLayer::reply_destination(m, from);
        transport_->send(to, *r);
      } else {
        rx_bad_requests_unanswered_.inc();  // an ACK, or no Via to answer along (18.2.2)
      }
    } else {
      rx_responses_dropped_.inc();
      log_.info(Subsystem::kSip, "rx_bad_response",
                {{"peer", from.host}, {"port", from.port}, {"fault", describe(err->fault)}});
    }
    return;
  }
  if (screened(m, from)) return;
  tx_.receive(m, from);
}

bool UserAgent::screened(const Message& m, const Peer& from) {
  if (m.method == Method::kAck) {
    // 8.2.7: a stateless UAS ignores ACKs; the ACK of our stateless 503 ends here (17.1.1.3: the INVITE's branch).
    if (m.to.tag().empty() || !refusals_.absorb_ack(m)) return false;
    stateless_acks_.inc();
    return true;
  }
  if (m.method != Method::kInvite || !m.to.tag().empty() || stopped_) return false;
  if (const auto* sent = refusals_.find(m, clock_.now())) {
    // A retransmission of a refused INVITE: the same response (8.2.7: the same To tag).
    stateless_resent_.inc();
    transport_->send(sent->to, sent->response);
    return true;
  }
  if (tx_.has_server_transaction(m)) return false;  // a retransmission of an INVITE we keep (17.2.3)
  auto refusal = user_.screen_invite(m, from);
  if (!refusal) return false;
  OutMessage r = make_response(m, from, refusal->status, {.to_tag = new_tag()});
  r.add(HeaderId::kServer, options_.user_agent);
  add_headers(r, refusal->headers);
  const Peer to = TransactionLayer::reply_destination(m, from);
  std::string bytes = r.serialize();
  transport_->send(to, bytes);
  stateless_refusals_.inc();
  refusals_.add(m, to, std::move(bytes), clock_.now());
  return true;
}

void UserAgent::respond_simple(TransactionId tx, const Message& m, const Peer& from, int status, HeaderList extra) {
  const std::string tag = m.to.tag().empty() ? new_tag() : std::string();
  OutMessage r = make_response(m, from, status, {.to_tag = tag});
  add_agent(r, HeaderId::kServer, from);
  add_headers(r, extra);
  tx_.respond(tx, status, r.serialize());
}

void UserAgent::on_request(TransactionId tx, const Message& m, const Peer& from) {
  if (m.method == Method::kCancel) {
    on_cancel_request(tx, m, from);
    return;
  }
  if (stopped_) {
    respond_simple(tx, m, from, 503);
    return;
  }
  // 8.2.2 / 16.3: Max-Forwards 0 -> 483, except OPTIONS answered here.
  if (m.max_forwards_exhausted() && m.method != Method::kOptions) {
    respond_simple(tx, m, from, 483);
    return;
  }
  if (!m.to.tag().empty()) {
    Session* s = find_dialog(m.call_id, m.to.tag(), m.from.tag());
    if (!s) {
      if (m.method == Method::kOptions) {
        answer_options(tx, m, from);
        return;
      }
      respond_simple(tx, m, from, 481);  // 12.2.2
      return;
    }
    on_in_dialog(*s, tx, m, from);
    return;
  }
  switch (m.method) {
    case Method::kInvite: on_new_invite(tx, m, from); break;
    case Method::kOptions: answer_options(tx, m, from); break;
    case Method::kBye:
    case Method::kPrack:
    case Method::kUpdate:
    case Method::kInfo: respond_simple(tx, m, from, 481); break;
    default: respond_simple(tx, m, from, 405, {{"Allow", std::string(ua::kAllow)}}); break;
  }
}

void UserAgent::add_capabilities(OutMessage& m) const {
  m.add(HeaderId::kAllow, std::string(ua::kAllow));
  m.add(HeaderId::kSupported, std::string(ua::kSupported));
}

void UserAgent::on_in_dialog(Session& s, TransactionId tx, const Message& m, const Peer& from) {
  // 12.2.2: a CSeq lower than the last one is out of order -> 500.
  if (s.dialog.remote_cseq && m.cseq.number < *s.dialog.remote_cseq) {
    respond_simple(tx, m, from, 500);
    return;
  }
  s.dialog.remote_cseq = m.cseq.number;
  const SessionId id = s.id;
  switch (m.method) {
    case Method::kBye: {
      respond_simple(tx, m, from, 200);
      s.fsm.step(InviteEvent::kRxBye);
      // BYE in an early dialog (15): the INVITE gets 487.
      if (!s.uac && tx_.proceeding(s.invite_tx)) tx_.respond(s.invite_tx, 487, invite_response(s, 487).serialize());
      // 15.1.2: so does a re-INVITE the user has not answered yet.
      if (s.reoffer && tx_.proceeding(s.reoffer_tx)) respond_simple(s.reoffer_tx, s.reoffer->msg, s.reoffer->from, 487);
      end(id);
      user_.on_bye(id, m);
      break;
    }
    case Method::kInvite:
    case Method::kUpdate: on_refresh_request(s, tx, m, from); break;
    case Method::kPrack: on_prack(s, tx, m, from); break;
    case Method::kInfo: {
      s.fsm.step(InviteEvent::kRxInfo);
      // The engine decides: a body it cannot use is refused (RFC 3261 8.2.3), never dropped.
      InfoAnswer a = user_.on_info(id, m);
      respond_simple(tx, m, from, a.status, std::move(a.headers));
      break;
    }
    case Method::kOptions: answer_options(tx, m, from); break;
    case Method::kRefer: on_refer_request(s, tx, m, from); break;
    default: respond_simple(tx, m, from, 405, {{"Allow", std::string(ua::kAllow)}}); break;
  }
}

void UserAgent::on_response(TransactionId tx, const Message& r) {
  auto it = tx_refs_.find(tx);
  if (it == tx_refs_.end()) return;
  const TxRef ref = it->second;
  const bool final = r.status >= 200;
  if (ref.purpose == Purpose::kRegister) {
    if (final) {
      tx_refs_.erase(it);
      // A refresh answered after stop() sent the un-REGISTER says nothing of it.
      if (ref.ping < regs_.size() && regs_[ref.ping].tx == tx) on_register_response(ref.ping, ref, r);
    }
    return;
  }
  if (ref.purpose == Purpose::kPing) {
    if (final) {
      tx_refs_.erase(it);
      on_ping_result(ref.ping, true);
    }
    return;
  }
  Session* s = find(ref.session);
  if (!s) {
    if (final) tx_refs_.erase(it);
    challengeable_.erase(tx);
    return;
  }
  if ((r.status == 401 || r.status == 407) && answer_challenge(*s, tx, ref, r)) {
    tx_refs_.erase(tx);
    challengeable_.erase(tx);
    return;
  }
  if (ref.purpose == Purpose::kInvite && r.status == 503 && fail_over(*s, "503")) {
    tx_refs_.erase(tx);
    return;
  }
  if (final) challengeable_.erase(tx);
  switch (ref.purpose) {
    case Purpose::kInvite: on_invite_response(*s, r); break;
    case Purpose::kReinvite:
    case Purpose::kUpdate: on_reinvite_response(*s, tx, r); break;
    case Purpose::kBye:
      if (final && s->fsm.step(InviteEvent::kByeDone)) end(ref.session);
      break;
    case Purpose::kCancel:
    case Purpose::kPrack:
    case Purpose::kInfo:
    case Purpose::kNotify:
    case Purpose::kPing:
    case Purpose::kRegister: break;
  }
  if (final && !success(r.status)) tx_refs_.erase(tx);
}

void UserAgent::on_stray_response(const Message& r, const Peer&) {
  // A 2xx to an INVITE retransmitted after Timer M: ACK it again.
  if (r.cseq_method != Method::kInvite || !success(r.status)) return;
  Session* s = find_dialog(r.call_id, r.from.tag(), r.to.tag());
  if (s && s->uac && !s->ack_bytes.empty() && s->ack_cseq == r.cseq.number)
    transport_->send(dialog_peer(*s), s->ack_bytes);
}

void UserAgent::on_transaction_failed(TransactionId tx, EndReason why) {
  // Posted: a failed send may be reported from inside invite()/bye().
  defer([this, tx, why] {
    auto it = tx_refs_.find(tx);
    if (it == tx_refs_.end()) return;
    const TxRef ref = it->second;
    tx_refs_.erase(it);
    challengeable_.erase(tx);
    if (ref.purpose == Purpose::kRegister) {
      if (ref.ping < regs_.size() && regs_[ref.ping].tx == tx) {
        regs_[ref.ping].last_status = to_string(why);
        register_failed(ref.ping, to_string(why));
      }
      return;
    }
    if (ref.purpose == Purpose::kPing) {
      on_ping_result(ref.ping, false);
      return;
    }
    Session* s = find(ref.session);
    if (!s) return;
    switch (ref.purpose) {
      case Purpose::kInvite:
        if (fail_over(*s, to_string(why))) break;
        if (s->fsm.step(InviteEvent::kInviteFailed)) notify_ended(ref.session, why);
        break;
      case Purpose::kBye:
        s->fsm.step(InviteEvent::kByeDone);
        end(ref.session);
        break;
      case Purpose::kReinvite:
      case Purpose::kUpdate:
        // 12.2.1.2: a timeout of a request in the dialog ends it.
        if (tx != s->refresh_tx) break;
        s->refresh_tx = 0;
        if (s->fsm.step(InviteEvent::kRxRefreshFatal)) end_with_bye(*s, {}, why);
        break;
      default: break;
    }
  });
}

std::string UserAgent::new_branch() {
  char buf[48];
  std::snprintf(buf, sizeof buf, "z9hG4bK%016llx%llx", static_cast<unsigned long long>(rng_()),
                static_cast<unsigned long long>(++branch_seq_));
  return buf;
}

std::string UserAgent::new_tag() {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng_()));
  return buf;
}

std::string UserAgent::via(Transport t, std::string_view branch) const {
  std::string v = "SIP/2.0/";
  v += via_transport(t);
  v += ' ';
  const std::string host = options_.contact_host.empty() ? transport_->local_host(t) : options_.contact_host;
  if (host.find(':') != std::string::npos)
    v += "[" + host + "]";
  else
    v += host;
  v += ':';
  v += std::to_string(transport_->local_port(t));
  v += ";branch=";
  v += branch;
  v += ";rport";  // RFC 3581 3
  return v;
}

std::string UserAgent::contact(Transport t) const {
  std::string host = options_.contact_host.empty() ? transport_->local_host(t) : options_.contact_host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  // RFC 3261 8.1.1.8 / RFC 5630 3.1.3: over TLS a sips: Contact (a sips: Request-URI requires it).
  std::string c = (t == Transport::kTls ? "<sips:isupgw@" : "<sip:isupgw@") + host + ":" +
                  std::to_string(transport_->local_port(t));
  if (t == Transport::kTcp) c += ";transport=tcp";
  c += ">";
  return c;
}

Transport UserAgent::dialog_transport(const Session& s) const { return s.peer.transport; }

Peer UserAgent::dialog_peer(const Session& s) const {
  // Streams: requests in the dialog reuse the connection the dialog was
  // set up on. Datagrams: the route set or remote target (12.2.1.1), the
  // original peer when that names no IP address.
  if (TransportLayer::reliable(s.peer.transport)) return s.peer;
  if (auto p = s.dialog.next_hop(s.peer.transport)) return *p;
  return s.peer;
}

TransactionId UserAgent::send_in_dialog(Session& s, std::string method, Purpose purpose, const HeaderList& headers,
                                        const Body& body, std::uint32_t cseq) {
  if (!cseq) cseq = ++s.dialog.local_cseq;
  const Transport t = dialog_transport(s);
  const std::string branch = new_branch();
  const Method mm = method_from(method);
  OutMessage m = s.dialog.request(std::move(method), cseq, via(t, branch));
  if (mm == Method::kInvite || mm == Method::kUpdate) {
    m.add(HeaderId::kContact, contact(t));  // target refresh requests carry Contact (12.2.1.1)
    add_capabilities(m);
  } else if (mm == Method::kNotify) {
    m.add(HeaderId::kContact, contact(t));  // RFC 6665 4.1.2.2 (NOTIFY of the implicit REFER subscription)
  }
  add_agent(m, HeaderId::kUserAgent, dialog_peer(s));
  add_headers(m, headers);
  set_body(m, body);
  std::string bytes = m.serialize();
  const TransactionId tx = tx_.send_request(mm, branch, dialog_peer(s), bytes);
  s.txs.push_back(tx);
  tx_refs_[tx] = TxRef{s.id, purpose, 0, 0};
  // Kept for a 401/407 (sip/ua_auth.cpp) when this peer has credentials.
  if (!options_.digest_client.empty() &&
      (purpose == Purpose::kBye || purpose == Purpose::kReinvite || purpose == Purpose::kUpdate))
    challengeable_[tx] = std::move(bytes);
  return tx;
}

void UserAgent::send_bye(Session& s, const HeaderList& headers, const Body& body) {
  stop_timers(s);
  send_in_dialog(s, "BYE", Purpose::kBye, headers, body);
}

// BYE, on_ended: no ACK, the session expired, the dialog is gone (12.2.1.2).
void UserAgent::end_with_bye(Session& s, const HeaderList& headers, EndReason why) {
  send_bye(s, headers);
  notify_ended(s.id, why, true);
}

void UserAgent::bye(SessionId id, HeaderList headers, Body body) {
  Session* s = find(id);
  if (!s) return;
  const InviteRow* row = s->fsm.step(InviteEvent::kBye);
  if (!row) return;
  switch (row->action) {
    case InviteAction::kSendBye: send_bye(*s, headers, body); break;
    case InviteAction::kRejectForBye: send_reject(*s, 480, headers, body); break;
    case InviteAction::kCancelLater:
    case InviteAction::kSendCancel:
      // CANCEL carries no body (RFC 3261 9.1 copies no body; Q.1912.5: no ISUP
      // body in CANCEL): the headers that described one go with it.
      std::erase_if(headers, [](const auto& h) {
        return grammar::iequals(h.first, "Content-Disposition") || grammar::iequals(h.first, "MIME-Version");
      });
      s->cancel_headers = std::move(headers);
      if (row->action == InviteAction::kSendCancel) send_cancel(*s);
      break;
    default: break;
  }
}

void UserAgent::info(SessionId id, HeaderList headers, Body body) {
  Session* s = find(id);
  if (!s || s->dialog.remote_tag.empty() || !s->fsm.step(InviteEvent::kInfo)) return;
  send_in_dialog(*s, "INFO", Purpose::kInfo, headers, body);
}

UserAgent::Session* UserAgent::find(SessionId id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.get();
}

UserAgent::Session* UserAgent::find_dialog(std::string_view call_id, std::string_view local_tag,
                                           std::string_view remote_tag) {
  auto it = dialogs_.find(Dialog::key(call_id, local_tag, remote_tag));
  return it == dialogs_.end() ? nullptr : find(it->second);
}

void UserAgent::index_dialog(Session& s) {
  std::string k = s.dialog.key();
  if (k == s.indexed_key) return;
  if (!s.indexed_key.empty()) dialogs_.erase(s.indexed_key);
  dialogs_[k] = s.id;
  s.indexed_key = std::move(k);
}

void UserAgent::stop_timers(Session& s) {
  for (TimerService::Id* t : {&s.ok_timer, &s.se_timer, &s.reliable.timer, &s.glare_timer})
    if (*t) timers_->cancel(*t), *t = 0;
}

void UserAgent::end(SessionId id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  Session& s = *it->second;
  stop_timers(s);
  if (!s.indexed_key.empty()) dialogs_.erase(s.indexed_key);
  for (TransactionId tx : s.txs) tx_refs_.erase(tx);
  sessions_.erase(it);
}

void UserAgent::notify_ended(SessionId id, EndReason why, bool bye_sent) {
  Session* s = find(id);
  if (!s) return;
  if (bye_sent)
    stop_timers(*s);  // the BYE keeps the session until its response; the user hears of the end now
  else
    end(id);
  log_.info(Subsystem::kSip, "session_ended", {{"session", id}, {"reason", to_string(why)}});
  defer([this, id, why] { user_.on_ended(id, why); });
}

// Graceful shutdown: BYE with Reason 503 on confirmed dialogs, CANCEL where a
// provisional was heard, 503 to INVITEs not answered yet.
void UserAgent::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& p : pings_) {
    if (p.timer) timers_->cancel(p.timer), p.timer = 0;
    if (p.timeout) timers_->cancel(p.timeout), p.timeout = 0;
  }
  for (auto& r : regs_)
    if (r.timer) timers_->cancel(r.timer), r.timer = 0;
  // RFC 3261 10.2.2: remove the bindings we hold, so the registrar routes no
  // call to a gateway that is gone.
  for (std::size_t i = 0; i < regs_.size(); ++i)
    if (regs_[i].registered) {
      regs_[i].unregistering = true;
      regs_[i].auth_tries = 0;
      send_register(i);
    }
  std::vector<SessionId> ids;
  for (auto& [id, s] : sessions_) ids.push_back(id);
  for (SessionId id : ids) {
    Session* s = find(id);
    if (!s) continue;
    const InviteRow* row = s->fsm.step(InviteEvent::kShutdown);
    if (!row) continue;
    switch (row->action) {
      case InviteAction::kShutdownBye:
        end_with_bye(*s, {{"Reason", "SIP;cause=503;text=\"Shutting down\""}}, EndReason::kShutdown);
        break;
      case InviteAction::kShutdownCancel:
        send_cancel(*s);
        notify_ended(id, EndReason::kShutdown);
        break;
      case InviteAction::kShutdownReject:
        tx_.respond(s->invite_tx, 503, invite_response(*s, 503).serialize());
        notify_ended(id, EndReason::kShutdown);
        break;
      case InviteAction::kShutdownEnd: notify_ended(id, EndReason::kShutdown); break;
      default: break;
    }
  }
  close_when_unregistered();
}

bool UserAgent::unregistering() const {
  for (const auto& r : regs_)
    if (r.unregistering) return true;
  return false;
}

// The un-REGISTERs' answers (a 401 to answer, the 200) come in on our
// listeners: they close once every un-REGISTER has its outcome.
void UserAgent::close_when_unregistered() {
  if (stopped_ && !unregistering() && owned_transport_) owned_transport_->close_when_idle();
}

}  // namespace isupgw::sip
