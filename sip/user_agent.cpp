#include "sip/user_agent.h"

#include <algorithm>
#include <cstdio>

#include "base/asio_timer_service.h"
#include "sip/asio_transport_layer.h"
#include "sip/multipart.h"
#include "sip/offer_answer.h"
#include "sip/response.h"
#include "sip/serializer.h"

namespace isupgw::sip {

namespace {

constexpr std::string_view kAllow = "INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK, UPDATE, INFO";
constexpr std::string_view kAccept = "application/sdp, application/isup, multipart/mixed";
constexpr std::string_view kSupported = "100rel, timer";

std::string_view via_transport(Transport t) {
  switch (t) {
    case Transport::kUdp: return "UDP";
    case Transport::kTcp: return "TCP";
    case Transport::kTls: return "TLS";
  }
  return "UDP";
}

bool has_token(const Message& m, HeaderId id, std::string_view token) {
  for (std::string_view v : m.values(id))
    if (grammar::iequals(grammar::trim(v), token)) return true;
  return false;
}

bool has_header(const HeaderList& h, std::string_view name) {
  return std::any_of(h.begin(), h.end(), [&](const auto& p) { return grammar::iequals(p.first, name); });
}

void add_headers(OutMessage& m, const HeaderList& h) {
  for (const auto& [name, value] : h) m.add(name, value);
}

void set_body(OutMessage& m, const Body& b) {
  if (!b.empty()) m.set_body(b.content_type, b.content);
}

// The SDP of a body we send: application/sdp alone or inside multipart/mixed (SIP-I).
std::optional<std::string> sdp_part(const Body& b) {
  if (b.empty()) return std::nullopt;
  auto parts = split_bodies(b.content_type, {}, b.content);
  if (!parts || !parts->sdp) return std::nullopt;
  return std::string(*parts->sdp);
}

// The SDP of a received request, if it has one.
std::optional<std::string_view> sdp_part(const Message& m) {
  if (m.body.empty()) return std::nullopt;
  auto parts = split_bodies(m.first(HeaderId::kContentType).value_or(std::string_view{}),
                            m.first(HeaderId::kContentDisposition).value_or(std::string_view{}), m.body);
  if (!parts || !parts->sdp) return std::nullopt;
  return parts->sdp;
}

}  // namespace

struct UserAgent::StoredRequest {
  std::string bytes;
  Message msg;
  Peer from;
};

struct UserAgent::Session {
  enum class State : std::uint8_t { kCalling, kEarly, kConfirmed, kEnding };
  SessionId id = 0;
  bool uac = false;
  State state = State::kCalling;
  Peer peer;  // UAC: the trunk; UAS: where the INVITE came from (the flow)
  Dialog dialog;
  std::string indexed_key;
  TransactionId invite_tx = 0;
  std::vector<TransactionId> txs;  // client transactions referring to this session
  Body local_body;                 // the user's last body (offer, answer, 18x/2xx)
  std::string sent_sdp;            // the last SDP we sent (RFC 3264 8: o= versions)
  std::string remote_body;         // last one received
  bool peer_update = false;        // the peer allows UPDATE
  // UAC
  std::string invite_bytes;
  std::string invite_branch;
  bool provisional_seen = false;
  bool cancel_pending = false;
  bool cancelled = false;
  HeaderList cancel_headers;
  std::string ack_bytes;
  std::uint32_t ack_cseq = 0;
  std::uint32_t last_rseq = 0;
  // UAS
  std::unique_ptr<StoredRequest> invite;
  bool peer_100rel = false;
  bool peer_timer = false;
  bool acked = false;
  std::uint32_t rseq = 0;
  std::string reliable_bytes;
  std::uint32_t reliable_rseq = 0;
  TimerService::Id reliable_timer = 0;
  Clock::duration reliable_interval{};
  Clock::time_point reliable_deadline{};
  std::string ok_bytes;  // 2xx retransmitted until ACK (13.3.1.4)
  std::uint32_t ok_cseq = 0;
  Peer ok_to;
  TimerService::Id ok_timer = 0;
  Clock::duration ok_interval{};
  Clock::time_point ok_deadline{};
  // Session timer (RFC 4028)
  std::uint32_t se_interval = 0;
  bool we_refresh = false;
  TimerService::Id se_timer = 0;
  TransactionId refresh_tx = 0;  // our re-INVITE/UPDATE in progress
};

// ---------------------------------------------------------------------------

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
      ctx_{*timers_, *transport_, log_, options_.timers},
      tx_(ctx_, *this, counters),
      rx_unparseable_(counters.get("sip.rx.unparseable")),
      rx_bad_requests_(counters.get("sip.rx.bad_requests")),
      rx_responses_dropped_(counters.get("sip.rx.bad_responses")),
      sessions_in_(counters.get("sip.sessions.incoming")),
      sessions_out_(counters.get("sip.sessions.outgoing")) {
  owned_transport_->set_sink([this](const Peer& from, std::string_view bytes) { receive(from, bytes); });
  if (options_.tx_tap) owned_transport_->set_tap(options_.tx_tap);
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
      ctx_{*timers_, *transport_, log_, options_.timers},
      tx_(ctx_, *this, counters),
      rx_unparseable_(counters.get("sip.rx.unparseable")),
      rx_bad_requests_(counters.get("sip.rx.bad_requests")),
      rx_responses_dropped_(counters.get("sip.rx.bad_responses")),
      sessions_in_(counters.get("sip.sessions.incoming")),
      sessions_out_(counters.get("sip.sessions.outgoing")) {
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
  for (auto& [id, s] : sessions_)
    for (auto t : {s->reliable_timer, s->ok_timer, s->se_timer})
      if (t) timers_->cancel(t);
  for (auto& p : pings_)
    if (p.timer) timers_->cancel(p.timer);
  tx_.clear();
}

std::error_code UserAgent::start() {
  if (owned_transport_) {
    if (auto ec = owned_transport_->start()) return ec;
  }
  for (std::size_t i = 0; i < pings_.size(); ++i) send_ping(i);
  return {};
}

std::uint16_t UserAgent::port(Transport t) const { return transport_->local_port(t); }

void UserAgent::defer(std::function<void()> fn) {
  timers_->start(Clock::duration::zero(), [alive = alive_, fn = std::move(fn)] {
    if (*alive) fn();
  });
}

// ---------------------------------------------------------------------------
// Receiving

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
      if (auto r = build_error_response(m, *err, options_.user_agent, new_tag())) {
        const Peer to = m.top_via.host.empty() ? from : TransactionLayer::reply_destination(m, from);
        transport_->send(to, *r);
      }
    } else {
      rx_responses_dropped_.inc();
      log_.info(Subsystem::kSip, "rx_bad_response",
                {{"peer", from.host}, {"port", from.port}, {"fault", describe(err->fault)}});
    }
    return;
  }
  tx_.receive(m, from);
}

void UserAgent::respond_simple(TransactionId tx, const Message& m, const Peer& from, int status, HeaderList extra) {
  const std::string tag = m.to.tag().empty() ? new_tag() : std::string();
  OutMessage r = make_response(m, from, status, {.to_tag = tag});
  r.add(HeaderId::kServer, options_.user_agent);
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
    default: respond_simple(tx, m, from, 405, {{"Allow", std::string(kAllow)}}); break;
  }
}

void UserAgent::add_capabilities(OutMessage& m) const {
  m.add(HeaderId::kAllow, std::string(kAllow));
  m.add(HeaderId::kSupported, std::string(kSupported));
}

// RFC 3261 11.2: OPTIONS is answered as an INVITE would be, with Allow,
// Accept and Supported (the trunk keepalive of issue 5 item 6).
void UserAgent::answer_options(TransactionId tx, const Message& m, const Peer& from) {
  const std::string tag = m.to.tag().empty() ? new_tag() : std::string();
  OutMessage r = make_response(m, from, 200, {.to_tag = tag});
  r.add(HeaderId::kContact, contact(from.transport));
  add_capabilities(r);
  r.add(HeaderId::kAccept, std::string(kAccept));
  r.add(HeaderId::kServer, options_.user_agent);
  tx_.respond(tx, 200, r.serialize());
}

void UserAgent::on_new_invite(TransactionId tx, const Message& m, const Peer& from) {
  if (sessions_.size() >= options_.max_sessions) {
    respond_simple(tx, m, from, 503);
    return;
  }
  // RFC 3261 8.2.2.3: option tags we do not know -> 420 with Unsupported.
  for (std::string_view tag : m.values(HeaderId::kRequire)) {
    tag = grammar::trim(tag);
    if (!grammar::iequals(tag, "100rel") && !grammar::iequals(tag, "timer")) {
      respond_simple(tx, m, from, 420, {{"Unsupported", std::string(tag)}});
      return;
    }
  }
  // RFC 4028 8.1: an interval below our minimum -> 422 with Min-SE.
  if (auto se = m.first(HeaderId::kSessionExpires)) {
    auto parsed = parse_session_expires(*se);
    if (!parsed) {
      respond_simple(tx, m, from, 400, {{"Warning", "399 " + options_.user_agent + " \"malformed Session-Expires\""}});
      return;
    }
    if (parsed->delta < options_.min_se) {
      respond_simple(tx, m, from, 422, {{"Min-SE", std::to_string(options_.min_se)}});
      return;
    }
  }
  auto sp = std::make_unique<Session>();
  Session& s = *sp;
  s.id = ++last_session_;
  s.uac = false;
  s.peer = from;
  s.invite_tx = tx;
  s.invite = std::make_unique<StoredRequest>();
  s.invite->bytes = std::string(m.raw);
  s.invite->from = from;
  parse_message(s.invite->bytes, s.invite->msg, Framing::kStream);
  s.dialog = Dialog::from_request(m, new_tag());
  s.peer_100rel = has_token(m, HeaderId::kSupported, "100rel") || has_token(m, HeaderId::kRequire, "100rel");
  s.peer_timer = has_token(m, HeaderId::kSupported, "timer");
  s.peer_update = has_token(m, HeaderId::kAllow, "UPDATE");
  s.remote_body = std::string(m.body);
  const SessionId id = s.id;
  sessions_.emplace(id, std::move(sp));
  index_dialog(*sessions_.at(id));
  sessions_in_.inc();
  // 17.2.1: 100 Trying at once (we do not know how long the engine takes).
  OutMessage trying = make_response(m, from, 100);
  tx_.respond(tx, 100, trying.serialize());
  log_.debug(Subsystem::kSip, "invite_received",
             {{"session", id}, {"call_id", std::string(m.call_id)}, {"peer", from.host}, {"port", from.port}});
  user_.on_invite(id, m, from);
}

void UserAgent::on_cancel_request(TransactionId tx, const Message& m, const Peer& from) {
  // 9.2: the CANCEL matches the INVITE server transaction by branch/sent-by.
  const TransactionId inv = tx_.invite_for_cancel(m);
  Session* s = nullptr;
  if (inv)
    for (auto& [id, sp] : sessions_)
      if (!sp->uac && sp->invite_tx == inv) s = sp.get();
  if (!s) {
    respond_simple(tx, m, from, 481);
    return;
  }
  OutMessage ok = make_response(m, from, 200, {.to_tag = s->dialog.local_tag});
  tx_.respond(tx, 200, ok.serialize());
  if (!tx_.proceeding(inv)) return;  // already answered: the CANCEL has no effect
  const SessionId id = s->id;
  tx_.respond(inv, 487, invite_response(*s, 487).serialize());
  end(id);
  user_.on_cancel(id, m);
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
      // BYE in an early dialog (15): the INVITE gets 487.
      if (!s.uac && tx_.proceeding(s.invite_tx)) tx_.respond(s.invite_tx, 487, invite_response(s, 487).serialize());
      end(id);
      user_.on_bye(id, m);
      break;
    }
    case Method::kInvite:
    case Method::kUpdate: on_refresh_request(s, tx, m, from); break;
    case Method::kPrack: on_prack(s, tx, m, from); break;
    case Method::kInfo:
      respond_simple(tx, m, from, 200);
      user_.on_info(id, m);
      break;
    case Method::kOptions: answer_options(tx, m, from); break;
    default: respond_simple(tx, m, from, 405, {{"Allow", std::string(kAllow)}}); break;
  }
}

// re-INVITE (14.2) and UPDATE (RFC 3311 5.2): target refresh, session-timer
// refresh (RFC 4028 9), and a new offer answered with our last SDP.
void UserAgent::on_refresh_request(Session& s, TransactionId tx, const Message& m, const Peer& from) {
  const bool reinvite = m.method == Method::kInvite;
  if (s.refresh_tx) {  // 14.1 glare / RFC 3311 5.2
    respond_simple(tx, m, from, 491);
    return;
  }
  if (reinvite && (s.state != Session::State::kConfirmed || s.ok_timer)) {
    // 14.2: a re-INVITE while the previous INVITE is unfinished -> 500 + Retry-After.
    respond_simple(tx, m, from, 500, {{"Retry-After", "2"}});
    return;
  }
  std::uint32_t interval = s.se_interval;
  std::string_view refresher;
  if (auto se = m.first(HeaderId::kSessionExpires)) {
    auto p = parse_session_expires(*se);
    if (p && p->delta < options_.min_se) {
      respond_simple(tx, m, from, 422, {{"Min-SE", std::to_string(options_.min_se)}});
      return;
    }
    if (p) {
      interval = p->delta;
      refresher = p->refresher;
    }
  }
  s.dialog.refresh_target(m);
  const bool offer = !m.body.empty();
  const bool new_offer = offer && m.body != s.remote_body;
  if (offer) s.remote_body = std::string(m.body);
  OutMessage r = make_response(m, from, 200);
  r.add(HeaderId::kContact, contact(s.peer.transport));
  add_capabilities(r);
  if (interval) {
    // The sender of a refresh is the UAC of this transaction: it refreshes
    // unless it said otherwise.
    const bool peer_refreshes = refresher.empty() ? has_token(m, HeaderId::kSupported, "timer") : refresher == "uac";
    r.add(HeaderId::kSessionExpires, std::to_string(interval) + (peer_refreshes ? ";refresher=uac" : ";refresher=uas"));
    if (peer_refreshes) r.add(HeaderId::kRequire, "timer");
    start_session_timer(s, interval, !peer_refreshes);
  }
  r.add(HeaderId::kServer, options_.user_agent);
  if (reinvite || offer) set_body(r, session_sdp(s, offer ? sdp_part(m) : std::nullopt));
  std::string bytes = r.serialize();
  if (reinvite) {
    // 13.3.1.4: retransmit the 2xx until the ACK.
    s.ok_bytes = bytes;
    s.ok_cseq = m.cseq.number;
    s.ok_to = TransactionLayer::reply_destination(m, from);
    s.ok_interval = options_.timers.t1;
    s.ok_deadline = clock_.now() + options_.timers.t64();
    const SessionId id = s.id;
    s.ok_timer = timers_->start(s.ok_interval, [this, id] { retransmit_2xx(id); });
  }
  tx_.respond(tx, 200, std::move(bytes));
  if (new_offer) user_.on_reoffer(s.id, m);
}

// RFC 3264: the SDP of a 2xx to a re-INVITE or UPDATE: the user's last SDP
// as the answer to `offer` when there is one (hold -> recvonly, 6.1), else as
// our offer; the o= version of the SDP last sent, +1 when this one differs
// (8). Only the SDP: the ISUP of the user's body (ANM, ACM) is not repeated.
Body UserAgent::session_sdp(Session& s, std::optional<std::string_view> offer) {
  auto base_text = sdp_part(s.local_body);
  if (!base_text) return {};
  auto base = parse_sdp(*base_text);
  if (!base) return Body{"application/sdp", std::move(*base_text)};
  Sdp out = std::move(*base);
  if (offer) {
    if (auto o = parse_sdp(*offer)) out = answer_reoffer(out, *o);
  }
  return Body{"application/sdp", stamp_sdp(s, std::move(out))};
}

// RFC 3264 8: within a session the o= version is the last one sent, +1 when
// anything else changed. Remembers and returns what goes out.
std::string UserAgent::stamp_sdp(Session& s, Sdp out) {
  if (auto prev = parse_sdp(s.sent_sdp); prev && prev->origin.session_id == out.origin.session_id) {
    out.origin.session_version = prev->origin.session_version;
    if (serialize_sdp(out) != serialize_sdp(*prev)) ++out.origin.session_version;
  }
  s.sent_sdp = serialize_sdp(out);
  return s.sent_sdp;
}

// RFC 3262 3: a PRACK matching the reliable provisional stops its retransmission.
void UserAgent::on_prack(Session& s, TransactionId tx, const Message& m, const Peer& from) {
  auto rack_text = m.first(HeaderId::kRAck);
  auto rack = rack_text ? parse_rack(*rack_text) : Result<RAck, Fault>(Err(Fault::kBadRAck));
  if (!rack || s.uac || rack->rseq != s.reliable_rseq || !s.invite || rack->cseq != s.invite->msg.cseq.number) {
    respond_simple(tx, m, from, 481);
    return;
  }
  if (s.reliable_timer) timers_->cancel(s.reliable_timer), s.reliable_timer = 0;
  s.reliable_rseq = 0;
  if (!m.body.empty()) s.remote_body = std::string(m.body);
  respond_simple(tx, m, from, 200);
}

void UserAgent::on_ack(const Message& ack, const Peer&) {
  Session* s = find_dialog(ack.call_id, ack.to.tag(), ack.from.tag());
  if (!s) return;  // 17.2.3: nothing to match; dropped
  if (s->ok_timer && ack.cseq.number == s->ok_cseq) {
    timers_->cancel(s->ok_timer);
    s->ok_timer = 0;
  }
  if (!ack.body.empty()) s->remote_body = std::string(ack.body);
  if (!s->uac && !s->acked && s->invite && ack.cseq.number == s->invite->msg.cseq.number) {
    s->acked = true;
    s->invite.reset();  // the INVITE is done with
    user_.on_ack(s->id, ack);
  }
}

// ---------------------------------------------------------------------------
// Responses

void UserAgent::on_response(TransactionId tx, const Message& r) {
  auto it = tx_refs_.find(tx);
  if (it == tx_refs_.end()) return;
  const TxRef ref = it->second;
  const bool final = r.status >= 200;
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
    return;
  }
  switch (ref.purpose) {
    case Purpose::kInvite: on_invite_response(*s, r); break;
    case Purpose::kReinvite:
    case Purpose::kUpdate: on_reinvite_response(*s, tx, r); break;
    case Purpose::kBye:
      if (final) end(ref.session);
      break;
    case Purpose::kCancel:
    case Purpose::kPrack:
    case Purpose::kInfo:
    case Purpose::kPing: break;
  }
  if (final && !success(r.status)) tx_refs_.erase(tx);
}

void UserAgent::on_invite_response(Session& s, const Message& r) {
  const SessionId id = s.id;
  if (r.status == 100) {
    s.provisional_seen = true;
    if (s.cancel_pending) send_cancel(s);
    return;
  }
  if (sip::provisional(r.status)) {
    s.provisional_seen = true;
    if (!r.to.tag().empty() && s.state != Session::State::kConfirmed) {
      s.state = Session::State::kEarly;  // 12.1.2: early dialog
      s.dialog.update_from_response(r);
      index_dialog(s);
    }
    if (s.cancel_pending) send_cancel(s);
    // RFC 3262 4: a reliable provisional is PRACKed once; retransmissions
    // (RSeq not above the last) are dropped.
    if (has_token(r, HeaderId::kRequire, "100rel")) {
      auto rseq_text = r.first(HeaderId::kRSeq);
      auto rseq = rseq_text ? parse_number(grammar::trim(*rseq_text), 0xFFFFFFFFu) : Err(Fault::kBadNumber);
      if (!rseq) return;
      if (s.last_rseq && *rseq <= s.last_rseq) return;
      s.last_rseq = *rseq;
      send_prack(s, r);
    }
    user_.on_provisional(id, r);
    return;
  }
  if (success(r.status)) {
    if (s.state == Session::State::kConfirmed || s.state == Session::State::kEnding) {
      // 13.2.2.4: a retransmitted 2xx gets the same ACK again.
      if (!s.ack_bytes.empty()) transport_->send(dialog_peer(s), s.ack_bytes);
      return;
    }
    s.state = Session::State::kConfirmed;
    s.dialog.update_from_response(r);
    s.dialog.confirmed = true;
    index_dialog(s);
    s.peer_update = has_token(r, HeaderId::kAllow, "UPDATE");
    s.remote_body = std::string(r.body);
    send_ack_2xx(s, r);
    // RFC 4028 7.2: the 2xx says who refreshes.
    if (auto se = r.first(HeaderId::kSessionExpires)) {
      if (auto p = parse_session_expires(*se)) start_session_timer(s, p->delta, p->refresher != "uas");
    }
    user_.on_answered(id, r);
    return;
  }
  end(id);
  user_.on_rejected(id, r);
}

void UserAgent::on_reinvite_response(Session& s, TransactionId tx, const Message& r) {
  if (sip::provisional(r.status)) return;
  const SessionId id = s.id;
  if (success(r.status)) {
    if (r.cseq_method == Method::kInvite) {
      if (s.refresh_tx != tx) {  // a 2xx retransmission: same ACK again
        if (!s.ack_bytes.empty() && s.ack_cseq == r.cseq.number) transport_->send(dialog_peer(s), s.ack_bytes);
        return;
      }
      send_ack_2xx(s, r);
    }
    s.refresh_tx = 0;
    s.dialog.refresh_target(r);
    if (!r.body.empty()) s.remote_body = std::string(r.body);
    if (auto se = r.first(HeaderId::kSessionExpires)) {
      if (auto p = parse_session_expires(*se)) start_session_timer(s, p->delta, p->refresher != "uas");
    } else if (s.se_interval) {
      start_session_timer(s, s.se_interval, s.we_refresh);
    }
    user_.on_refresh_result(id, r);
    return;
  }
  s.refresh_tx = 0;
  // 12.2.1.2: 481 or 408 to a request in the dialog ends it.
  if (r.status == 481 || r.status == 408) {
    send_bye(s, {});
    notify_ended(id, EndReason::kTimeout);
  }
  user_.on_refresh_result(id, r);
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
    if (ref.purpose == Purpose::kPing) {
      on_ping_result(ref.ping, false);
      return;
    }
    Session* s = find(ref.session);
    if (!s) return;
    switch (ref.purpose) {
      case Purpose::kInvite: notify_ended(ref.session, why); break;
      case Purpose::kBye: end(ref.session); break;
      case Purpose::kReinvite:
      case Purpose::kUpdate:
        // 12.2.1.2: a timeout of a request in the dialog ends it.
        s->refresh_tx = 0;
        send_bye(*s, {});
        notify_ended(ref.session, why);
        break;
      default: break;
    }
  });
}

// ---------------------------------------------------------------------------
// UAC

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
  std::string c = "<sip:isupgw@" + host + ":" + std::to_string(transport_->local_port(t));
  if (t == Transport::kTcp) c += ";transport=tcp";
  if (t == Transport::kTls) c += ";transport=tls";
  c += ">";
  return c;
}

SessionId UserAgent::invite(OutgoingInvite req) {
  auto sp = std::make_unique<Session>();
  Session& s = *sp;
  s.id = ++last_session_;
  s.uac = true;
  s.peer = req.peer;
  const Transport t = req.peer.transport;
  s.dialog.call_id = req.call_id.empty() ? new_tag() + new_tag() + "@" + transport_->local_host(t) : req.call_id;
  s.dialog.local_tag = new_tag();
  s.dialog.local_party = req.from + ";tag=" + s.dialog.local_tag;
  s.dialog.remote_party = req.to;
  s.dialog.remote_target = req.request_uri;
  s.dialog.local_cseq = 1;
  s.invite_branch = new_branch();
  OutMessage m = OutMessage::request("INVITE", req.request_uri);
  m.add(HeaderId::kVia, via(t, s.invite_branch));
  if (!has_header(req.headers, "Max-Forwards")) m.add(HeaderId::kMaxForwards, "70");
  m.add(HeaderId::kFrom, s.dialog.local_party);
  m.add(HeaderId::kTo, req.to);
  m.add(HeaderId::kCallId, s.dialog.call_id);
  m.add(HeaderId::kCSeq, "1 INVITE");
  m.add(HeaderId::kContact, contact(t));
  m.add(HeaderId::kAllow, std::string(kAllow));
  m.add(HeaderId::kSupported, req.offer_100rel ? "100rel, timer" : "timer");
  if (req.session_expires) {
    m.add(HeaderId::kSessionExpires, std::to_string(std::max(req.session_expires, options_.min_se)));
    m.add(HeaderId::kMinSE, std::to_string(options_.min_se));
  }
  m.add(HeaderId::kUserAgent, options_.user_agent);
  add_headers(m, req.headers);
  set_body(m, req.body);
  s.local_body = req.body;
  s.sent_sdp = sdp_part(req.body).value_or(std::string());
  s.invite_bytes = m.serialize();
  const SessionId id = s.id;
  sessions_.emplace(id, std::move(sp));
  sessions_out_.inc();
  if (stopped_) {
    notify_ended(id, EndReason::kShutdown);
    return id;
  }
  Session& ss = *sessions_.at(id);
  const TransactionId tx = tx_.send_request(Method::kInvite, ss.invite_branch, ss.peer, ss.invite_bytes);
  ss.invite_tx = tx;
  ss.txs.push_back(tx);
  tx_refs_[tx] = TxRef{id, Purpose::kInvite, 0};
  log_.debug(Subsystem::kSip, "invite_sent",
             {{"session", id}, {"call_id", ss.dialog.call_id}, {"peer", ss.peer.host}, {"port", ss.peer.port}});
  return id;
}

// RFC 3261 9.1: Request-URI, Call-ID, To, From, CSeq number and the single
// Via of the INVITE (same branch), its Route; method CANCEL.
void UserAgent::send_cancel(Session& s) {
  s.cancel_pending = false;
  if (s.cancelled) return;
  s.cancelled = true;
  Message inv;
  if (!parse_message(s.invite_bytes, inv)) return;
  OutMessage c = OutMessage::request("CANCEL", std::string(inv.request_uri_text));
  c.add(HeaderId::kVia, std::string(*inv.first(HeaderId::kVia)));
  for (const Header& h : inv.headers())
    if (h.id == HeaderId::kRoute) c.add(HeaderId::kRoute, std::string(h.value));
  c.add(HeaderId::kMaxForwards, "70");
  c.add(HeaderId::kFrom, std::string(inv.from.text));
  c.add(HeaderId::kTo, std::string(inv.to.text));
  c.add(HeaderId::kCallId, std::string(inv.call_id));
  c.add(HeaderId::kCSeq, std::to_string(inv.cseq.number) + " CANCEL");
  c.add(HeaderId::kUserAgent, options_.user_agent);
  add_headers(c, s.cancel_headers);
  const TransactionId tx = tx_.send_request(Method::kCancel, s.invite_branch, s.peer, c.serialize());
  s.txs.push_back(tx);
  tx_refs_[tx] = TxRef{s.id, Purpose::kCancel, 0};
}

void UserAgent::cancel(SessionId id, HeaderList headers) {
  Session* s = find(id);
  if (!s || !s->uac || s->state == Session::State::kConfirmed || s->state == Session::State::kEnding) return;
  s->cancel_headers = std::move(headers);
  // 9.1: not before a provisional response arrived.
  if (s->provisional_seen)
    send_cancel(*s);
  else
    s->cancel_pending = true;
}

void UserAgent::send_prack(Session& s, const Message& r) {
  // RFC 3262 7.2: RAck = RSeq, CSeq number and method of the response.
  const std::string rack = std::to_string(s.last_rseq) + " " + std::to_string(r.cseq.number) + " INVITE";
  send_in_dialog(s, "PRACK", Purpose::kPrack, {{"RAck", rack}}, {});
}

// 13.2.2.4: the ACK for a 2xx is built by the dialog (CSeq number of the
// INVITE, new branch) and sent straight to the transport.
void UserAgent::send_ack_2xx(Session& s, const Message& r) {
  const Transport t = dialog_transport(s);
  OutMessage ack = s.dialog.request("ACK", r.cseq.number, via(t, new_branch()));
  ack.add(HeaderId::kUserAgent, options_.user_agent);
  s.ack_bytes = ack.serialize();
  s.ack_cseq = r.cseq.number;
  transport_->send(dialog_peer(s), s.ack_bytes);
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
  }
  m.add(HeaderId::kUserAgent, options_.user_agent);
  add_headers(m, headers);
  set_body(m, body);
  const TransactionId tx = tx_.send_request(mm, branch, dialog_peer(s), m.serialize());
  s.txs.push_back(tx);
  tx_refs_[tx] = TxRef{s.id, purpose, 0};
  return tx;
}

void UserAgent::send_bye(Session& s, const HeaderList& headers, const Body& body) {
  for (TimerService::Id* t : {&s.ok_timer, &s.se_timer, &s.reliable_timer})
    if (*t) timers_->cancel(*t), *t = 0;
  s.state = Session::State::kEnding;
  send_in_dialog(s, "BYE", Purpose::kBye, headers, body);
}

void UserAgent::bye(SessionId id, HeaderList headers, Body body) {
  Session* s = find(id);
  if (!s || s->state == Session::State::kEnding) return;
  if (s->state != Session::State::kConfirmed) {
    if (s->uac) {
      // CANCEL carries no body (RFC 3261 9.1 copies no body; Q.1912.5: no ISUP
      // body in CANCEL): the headers that described one go with it.
      std::erase_if(headers, [](const auto& h) {
        return grammar::iequals(h.first, "Content-Disposition") || grammar::iequals(h.first, "MIME-Version");
      });
      cancel(id, std::move(headers));
    } else {
      reject(id, 480, std::move(headers), std::move(body));
    }
    return;
  }
  send_bye(*s, headers, body);
}

void UserAgent::info(SessionId id, HeaderList headers, Body body) {
  Session* s = find(id);
  if (!s || s->dialog.remote_tag.empty() || s->state == Session::State::kEnding) return;
  send_in_dialog(*s, "INFO", Purpose::kInfo, headers, body);
}

bool UserAgent::reinvite(SessionId id, Body offer) {
  Session* s = find(id);
  if (!s || s->state != Session::State::kConfirmed || s->refresh_tx) return false;
  if (grammar::iequals(offer.content_type, "application/sdp")) {
    if (auto sdp = parse_sdp(offer.content)) offer.content = stamp_sdp(*s, std::move(*sdp));
  } else if (auto sdp = sdp_part(offer)) {
    s->sent_sdp = std::move(*sdp);
  }
  s->local_body = std::move(offer);
  HeaderList h;
  if (s->se_interval) {
    h.emplace_back("Session-Expires",
                   std::to_string(s->se_interval) + (s->we_refresh ? ";refresher=uac" : ";refresher=uas"));
  }
  s->refresh_tx = send_in_dialog(*s, "INVITE", Purpose::kReinvite, h, s->local_body);
  return true;
}

// ---------------------------------------------------------------------------
// UAS answers

OutMessage UserAgent::invite_response(Session& s, int status) {
  const bool dialog = status > 100 && status < 300;
  OutMessage r =
      make_response(s.invite->msg, s.invite->from, status, {.to_tag = s.dialog.local_tag, .copy_record_route = dialog});
  if (dialog) r.add(HeaderId::kContact, contact(s.peer.transport));
  r.add(HeaderId::kServer, options_.user_agent);
  return r;
}

void UserAgent::provisional(SessionId id, int status, HeaderList headers, Body body, bool reliable) {
  Session* s = find(id);
  if (!s || s->uac || !s->invite || !tx_.proceeding(s->invite_tx) || status <= 100 || status >= 200) return;
  OutMessage r = invite_response(*s, status);
  reliable = reliable && s->peer_100rel;
  if (reliable) {
    // RFC 3262 3: Require: 100rel, RSeq; retransmitted until PRACK.
    r.add(HeaderId::kRequire, "100rel");
    s->rseq = s->rseq ? s->rseq + 1 : static_cast<std::uint32_t>(1 + rng_() % 0x7fffffff);
    r.add(HeaderId::kRSeq, std::to_string(s->rseq));
    add_capabilities(r);
  }
  add_headers(r, headers);
  set_body(r, body);
  if (!body.empty()) s->local_body = body;
  if (auto sdp = sdp_part(body)) s->sent_sdp = std::move(*sdp);
  s->state = Session::State::kEarly;
  std::string bytes = r.serialize();
  if (reliable) {
    s->reliable_bytes = bytes;
    s->reliable_rseq = s->rseq;
    s->reliable_interval = options_.timers.t1;
    s->reliable_deadline = clock_.now() + options_.timers.t64();
    if (s->reliable_timer) timers_->cancel(s->reliable_timer);
    s->reliable_timer = timers_->start(s->reliable_interval, [this, id] { retransmit_reliable(id); });
  }
  tx_.respond(s->invite_tx, status, std::move(bytes));
}

void UserAgent::retransmit_reliable(SessionId id) {
  Session* s = find(id);
  if (!s) return;
  s->reliable_timer = 0;
  if (!tx_.proceeding(s->invite_tx)) return;
  if (clock_.now() >= s->reliable_deadline) {
    // RFC 3262 3: no PRACK within 64*T1: reject the INVITE with a 5xx.
    log_.info(Subsystem::kSip, "prack_timeout", {{"session", id}});
    tx_.respond(s->invite_tx, 504, invite_response(*s, 504).serialize());
    notify_ended(id, EndReason::kTimeout);
    return;
  }
  tx_.respond(s->invite_tx, 183, s->reliable_bytes);  // through the transaction: same wire bytes
  s->reliable_interval *= 2;
  s->reliable_timer = timers_->start(s->reliable_interval, [this, id] { retransmit_reliable(id); });
}

void UserAgent::answer(SessionId id, HeaderList headers, Body body) {
  Session* s = find(id);
  if (!s || s->uac || !s->invite || !tx_.proceeding(s->invite_tx)) return;
  OutMessage r = invite_response(*s, 200);
  add_capabilities(r);
  // RFC 4028 9: the 2xx carries Session-Expires with the refresher chosen.
  std::uint32_t interval = 0;
  bool peer_refreshes = false;
  if (auto se = s->invite->msg.first(HeaderId::kSessionExpires)) {
    if (auto p = parse_session_expires(*se)) {
      interval = p->delta;
      peer_refreshes = p->refresher.empty() ? s->peer_timer : p->refresher == "uac";
    }
  } else if (options_.session_expires && s->peer_timer) {
    interval = std::max(options_.session_expires, options_.min_se);
  }
  if (interval) {
    r.add(HeaderId::kSessionExpires, std::to_string(interval) + (peer_refreshes ? ";refresher=uac" : ";refresher=uas"));
    if (peer_refreshes) r.add(HeaderId::kRequire, "timer");
  }
  add_headers(r, headers);
  set_body(r, body);
  if (!body.empty()) s->local_body = body;
  if (auto sdp = sdp_part(body)) s->sent_sdp = std::move(*sdp);
  if (s->reliable_timer) timers_->cancel(s->reliable_timer), s->reliable_timer = 0;
  s->state = Session::State::kConfirmed;
  s->dialog.confirmed = true;
  s->ok_bytes = r.serialize();
  s->ok_cseq = s->invite->msg.cseq.number;
  s->ok_to = TransactionLayer::reply_destination(s->invite->msg, s->invite->from);
  s->ok_interval = options_.timers.t1;
  s->ok_deadline = clock_.now() + options_.timers.t64();
  s->ok_timer = timers_->start(s->ok_interval, [this, id] { retransmit_2xx(id); });
  if (interval) start_session_timer(*s, interval, !peer_refreshes);
  tx_.respond(s->invite_tx, 200, s->ok_bytes);
}

// 13.3.1.4: T1, doubling to T2, until the ACK; after 64*T1 the session is
// given up with a BYE.
void UserAgent::retransmit_2xx(SessionId id) {
  Session* s = find(id);
  if (!s) return;
  s->ok_timer = 0;
  if (clock_.now() >= s->ok_deadline) {
    log_.info(Subsystem::kSip, "ack_timeout", {{"session", id}});
    send_bye(*s, {});
    notify_ended(id, EndReason::kTimeout);
    return;
  }
  transport_->send(s->ok_to, s->ok_bytes);
  s->ok_interval = std::min(2 * s->ok_interval, options_.timers.t2);
  s->ok_timer = timers_->start(s->ok_interval, [this, id] { retransmit_2xx(id); });
}

void UserAgent::reject(SessionId id, int status, HeaderList headers, Body body) {
  Session* s = find(id);
  if (!s || s->uac || !s->invite || !tx_.proceeding(s->invite_tx) || status < 300 || status > 699) return;
  OutMessage r = invite_response(*s, status);
  add_headers(r, headers);
  set_body(r, body);
  const TransactionId tx = s->invite_tx;
  std::string bytes = r.serialize();
  end(id);  // the server transaction takes care of the ACK
  tx_.respond(tx, status, std::move(bytes));
}

// ---------------------------------------------------------------------------
// Session timers (RFC 4028 10)

void UserAgent::start_session_timer(Session& s, std::uint32_t interval, bool we_refresh) {
  if (s.se_timer) timers_->cancel(s.se_timer), s.se_timer = 0;
  s.se_interval = interval;
  s.we_refresh = we_refresh;
  if (!interval) return;
  const SessionId id = s.id;
  const auto secs = std::chrono::seconds(interval);
  // The refresher refreshes at half the interval; the other side gives up
  // at the interval minus min(32 s, interval/3) (10).
  const Clock::duration after =
      we_refresh ? Clock::duration(secs) / 2
                 : Clock::duration(secs - std::min<std::chrono::seconds>(std::chrono::seconds(32), secs / 3));
  if (we_refresh)
    s.se_timer = timers_->start(after, [this, id] { send_refresh(id); });
  else
    s.se_timer = timers_->start(after, [this, id] { session_timer_fired(id); });
}

void UserAgent::send_refresh(SessionId id) {
  Session* s = find(id);
  if (!s) return;
  s->se_timer = 0;
  if (s->state != Session::State::kConfirmed) return;
  if (s->refresh_tx) {  // one in progress: try again shortly
    s->se_timer = timers_->start(options_.timers.t1 * 4, [this, id] { send_refresh(id); });
    return;
  }
  HeaderList h{{"Session-Expires", std::to_string(s->se_interval) + ";refresher=uac"},
               {"Min-SE", std::to_string(options_.min_se)}};
  // RFC 4028 7.4 / 9: UPDATE when the peer allows it (no offer needed), else re-INVITE.
  if (s->peer_update)
    s->refresh_tx = send_in_dialog(*s, "UPDATE", Purpose::kUpdate, h, {});
  else
    // The offer of a refresh is the SDP last sent, unchanged (RFC 4028 9; RFC 3264 8).
    s->refresh_tx = send_in_dialog(*s, "INVITE", Purpose::kReinvite, h,
                                   s->sent_sdp.empty() ? s->local_body : Body{"application/sdp", s->sent_sdp});
}

void UserAgent::session_timer_fired(SessionId id) {
  Session* s = find(id);
  if (!s) return;
  s->se_timer = 0;
  log_.info(Subsystem::kSip, "session_expired", {{"session", id}, {"interval", s->se_interval}});
  send_bye(*s, {{"Reason", "SIP;cause=408;text=\"Session Timer Expired\""}});
  notify_ended(id, EndReason::kSessionExpired);
}

// ---------------------------------------------------------------------------
// Trunk keepalive (issue 5 item 6)

void UserAgent::send_ping(std::size_t i) {
  if (stopped_ || i >= options_.ping_targets.size()) return;
  const Peer& p = options_.ping_targets[i];
  std::string host = p.host.find(':') != std::string::npos ? "[" + p.host + "]" : p.host;
  const std::string target = "sip:" + host + ":" + std::to_string(p.port);
  const std::string branch = new_branch();
  OutMessage m = OutMessage::request("OPTIONS", target);
  m.add(HeaderId::kVia, via(p.transport, branch));
  m.add(HeaderId::kMaxForwards, "70");
  m.add(HeaderId::kFrom, "<sip:isupgw@" + transport_->local_host(p.transport) + ">;tag=" + new_tag());
  m.add(HeaderId::kTo, "<" + target + ">");
  m.add(HeaderId::kCallId, new_tag() + "@" + transport_->local_host(p.transport));
  m.add(HeaderId::kCSeq, "1 OPTIONS");
  m.add(HeaderId::kContact, contact(p.transport));
  m.add(HeaderId::kAccept, std::string(kAccept));
  m.add(HeaderId::kUserAgent, options_.user_agent);
  const TransactionId tx = tx_.send_request(Method::kOptions, branch, p, m.serialize());
  tx_refs_[tx] = TxRef{0, Purpose::kPing, i};
  pings_[i].timer = timers_->start(options_.ping_interval, [this, i] {
    pings_[i].timer = 0;
    send_ping(i);
  });
}

void UserAgent::on_ping_result(std::size_t i, bool up) {
  if (i >= pings_.size()) return;
  const int now = up ? 1 : 0;
  if (pings_[i].up == now) return;
  pings_[i].up = now;
  const Peer& p = options_.ping_targets[i];
  log_.notice(Subsystem::kSip, up ? "trunk_up" : "trunk_down",
              {{"peer", p.host}, {"port", p.port}, {"transport", to_string(p.transport)}});
  counters_.get(up ? "sip.trunk.up" : "sip.trunk.down").inc();
  user_.on_peer_state(p, up);
}

// ---------------------------------------------------------------------------
// Sessions

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

void UserAgent::end(SessionId id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  Session& s = *it->second;
  for (auto t : {s.reliable_timer, s.ok_timer, s.se_timer})
    if (t) timers_->cancel(t);
  if (!s.indexed_key.empty()) dialogs_.erase(s.indexed_key);
  for (TransactionId tx : s.txs) tx_refs_.erase(tx);
  sessions_.erase(it);
}

void UserAgent::notify_ended(SessionId id, EndReason why) {
  Session* s = find(id);
  if (!s) return;
  if (s->state == Session::State::kEnding) {
    // A BYE is on its way: keep the session until its response, but the
    // user hears about the end now.
    for (TimerService::Id* t : {&s->ok_timer, &s->se_timer, &s->reliable_timer})
      if (*t) timers_->cancel(*t), *t = 0;
  } else {
    end(id);
  }
  log_.info(Subsystem::kSip, "session_ended", {{"session", id}, {"reason", to_string(why)}});
  defer([this, id, why] { user_.on_ended(id, why); });
}

void UserAgent::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& p : pings_)
    if (p.timer) timers_->cancel(p.timer), p.timer = 0;
  std::vector<SessionId> ids;
  for (auto& [id, s] : sessions_) ids.push_back(id);
  for (SessionId id : ids) {
    Session* s = find(id);
    if (!s || s->state == Session::State::kEnding) continue;
    if (s->state == Session::State::kConfirmed) {
      send_bye(*s, {{"Reason", "SIP;cause=503;text=\"Shutting down\""}});
    } else if (s->uac) {
      if (s->provisional_seen) send_cancel(*s);
    } else if (s->invite && tx_.proceeding(s->invite_tx)) {
      tx_.respond(s->invite_tx, 503, invite_response(*s, 503).serialize());
    }
    notify_ended(id, EndReason::kShutdown);
  }
  if (owned_transport_) owned_transport_->close_when_idle();
}

}  // namespace isupgw::sip
