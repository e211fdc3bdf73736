// The UAS side of an INVITE session (RFC 3261 13.3): a new INVITE, its
// provisional and final responses, the 2xx retransmitted until ACK, CANCEL.
#include "sip/ua_session.h"

namespace isupgw::sip {

using namespace ua;

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
      respond_simple(tx, m, from, 400, {{"Warning", "399 " + warn_agent(from) + " \"malformed Session-Expires\""}});
      return;
    }
    if (parsed->delta < options_.min_se) {
      respond_simple(tx, m, from, 422, {{"Min-SE", std::to_string(options_.min_se)}});
      return;
    }
  }
  // RFC 3261 22.1: a trunk that must authenticate brings Digest credentials (sip/ua_auth.cpp).
  if (!admit_authenticated(tx, m, from)) return;
  // RFC 3264 / RFC 6337: an INVITE without SDP leaves the offer to us.
  const InviteState initial = sdp_part(m) ? InviteState::kUasOffer : InviteState::kUasNoOffer;
  auto sp = std::make_unique<Session>(*invite_meter_, ++last_session_, false, initial);
  Session& s = *sp;
  s.peer = from;
  s.invite_tx = tx;
  s.invite = std::make_unique<StoredRequest>();
  s.invite->bytes = std::string(m.raw);
  s.invite->from = from;
  // The same bytes m was parsed from: the copy parses as m did.
  static_cast<void>(parse_message(s.invite->bytes, s.invite->msg, Framing::kStream));
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
  // Once the INVITE is answered the CANCEL has no effect (refused by the table).
  if (!s->fsm.step(InviteEvent::kRxCancel)) return;
  const SessionId id = s->id;
  tx_.respond(inv, 487, invite_response(*s, 487).serialize());
  end(id);
  user_.on_cancel(id, m);
}

// 13.3.1.4: the ACK of the 2xx we retransmit; ACKs of nothing pending are dropped (17.2.3).
void UserAgent::on_ack(const Message& ack, const Peer&) {
  Session* s = find_dialog(ack.call_id, ack.to.tag(), ack.from.tag());
  if (!s || !s->ok_timer || ack.cseq.number != s->ok_cseq) return;
  const InviteRow* row = s->fsm.step(InviteEvent::kRxAck);
  if (!row) return;
  timers_->cancel(s->ok_timer);
  s->ok_timer = 0;
  std::string().swap(s->ok_bytes);  // acknowledged: never sent again (13.3.1.4)
  if (!ack.body.empty()) s->remote_body = std::string(ack.body);
  const SessionId id = s->id;
  if (!s->uac && s->invite && ack.cseq.number == s->invite->msg.cseq.number) {
    s->invite.reset();  // the INVITE is done with
    user_.on_ack(id, ack);
  }
  if (row->action == InviteAction::kAckThenOffer) {
    if (Session* again = find(id)) send_refresh_request(*again);
  }
}

OutMessage UserAgent::invite_response(Session& s, int status) {
  const bool dialog = status > 100 && status < 300;
  OutMessage r =
      make_response(s.invite->msg, s.invite->from, status, {.to_tag = s.dialog.local_tag, .copy_record_route = dialog});
  if (dialog) r.add(HeaderId::kContact, contact(s.peer.transport));
  add_agent(r, HeaderId::kServer, s.invite->from);
  return r;
}

void UserAgent::provisional(SessionId id, int status, HeaderList headers, Body body, bool reliable) {
  Session* s = find(id);
  if (!s || s->uac || status <= 100 || status >= 200) return;
  if (!s->fsm.step(sdp_part(body) ? InviteEvent::kTx1xxSdp : InviteEvent::kTx1xx)) return;
  OutMessage r = invite_response(*s, status);
  reliable = reliable && s->peer_100rel;
  if (reliable) add_reliable_headers(*s, r);
  add_headers(r, headers);
  set_body(r, body);
  if (!body.empty()) s->local_body = body;
  if (auto sdp = sdp_part(body)) s->sent_sdp = std::move(*sdp);
  std::string bytes = r.serialize();
  if (reliable) start_reliable(*s, bytes);
  tx_.respond(s->invite_tx, status, std::move(bytes));
}

void UserAgent::answer(SessionId id, HeaderList headers, Body body) {
  Session* s = find(id);
  if (!s || s->uac || !s->fsm.step(InviteEvent::kTx2xx)) return;
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
  stop_reliable(*s);
  s->dialog.confirmed = true;
  start_2xx(*s, r.serialize(), s->invite->msg, s->invite->from);
  if (interval) start_session_timer(*s, interval, !peer_refreshes);
  tx_.respond(s->invite_tx, 200, s->ok_bytes);
}

// 13.3.1.4: our 2xx (to the INVITE or a re-INVITE) is retransmitted until the ACK.
void UserAgent::start_2xx(Session& s, std::string bytes, const Message& request, const Peer& from) {
  s.ok_bytes = std::move(bytes);
  s.ok_cseq = request.cseq.number;
  s.ok_to = TransactionLayer::reply_destination(request, from);
  s.ok_interval = options_.timers.t1;
  s.ok_deadline = clock_.now() + options_.timers.t64();
  if (s.ok_timer) timers_->cancel(s.ok_timer);
  const SessionId id = s.id;
  s.ok_timer = timers_->start(s.ok_interval, [this, id] { retransmit_2xx(id); });
}

// T1, doubling to T2, until the ACK; after 64*T1 the session is given up with a BYE.
void UserAgent::retransmit_2xx(SessionId id) {
  Session* s = find(id);
  if (!s) return;
  s->ok_timer = 0;
  if (clock_.now() >= s->ok_deadline) {
    log_.info(Subsystem::kSip, "ack_timeout", {{"session", id}});
    if (s->fsm.step(InviteEvent::kNoAck)) end_with_bye(*s, {}, EndReason::kTimeout);
    return;
  }
  transport_->send(s->ok_to, s->ok_bytes);
  s->ok_interval = std::min(2 * s->ok_interval, options_.timers.t2);
  s->ok_timer = timers_->start(s->ok_interval, [this, id] { retransmit_2xx(id); });
}

void UserAgent::reject(SessionId id, int status, HeaderList headers, Body body) {
  Session* s = find(id);
  if (!s || s->uac || status < 300 || status > 699 || !s->fsm.step(InviteEvent::kTxReject)) return;
  send_reject(*s, status, headers, body);
}

void UserAgent::send_reject(Session& s, int status, const HeaderList& headers, const Body& body) {
  const SessionId id = s.id;
  OutMessage r = invite_response(s, status);
  add_headers(r, headers);
  set_body(r, body);
  const TransactionId tx = s.invite_tx;
  std::string bytes = r.serialize();
  end(id);  // the server transaction takes care of the ACK
  tx_.respond(tx, status, std::move(bytes));
}

}  // namespace isupgw::sip
