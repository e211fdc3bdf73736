// Requests that modify a confirmed session: re-INVITE (RFC 3261 14) and UPDATE
// (RFC 3311) in both directions, and the SDP they carry (RFC 3264 8).
#include "sip/ua_session.h"

namespace isupgw::sip {

using namespace ua;

// re-INVITE (14.2) and UPDATE (RFC 3311 5.2): target refresh, session-timer
// refresh (RFC 4028 9), and a new offer answered with our last SDP. The table
// decides first: 491 while ours is pending (14.1 glare), 500 + Retry-After
// while an INVITE is unfinished (14.2).
void UserAgent::on_refresh_request(Session& s, TransactionId tx, const Message& m, const Peer& from) {
  const bool reinvite = m.method == Method::kInvite;
  const InviteEvent e = reinvite ? InviteEvent::kRxReinvite : InviteEvent::kRxUpdate;
  const InviteRow* row = s.fsm.meter().find(s.fsm.state(), e);
  if (row && (row->action == InviteAction::kReply491 || row->action == InviteAction::kReply500)) {
    s.fsm.step(e);
    if (row->action == InviteAction::kReply491)
      respond_simple(tx, m, from, 491);
    else
      respond_simple(tx, m, from, 500, {{"Retry-After", "2"}});
    return;
  }
  if (auto se = m.first(HeaderId::kSessionExpires)) {
    auto p = parse_session_expires(*se);
    if (p && p->delta < options_.min_se) {
      respond_simple(tx, m, from, 422, {{"Min-SE", std::to_string(options_.min_se)}});
      return;
    }
  }
  if (!s.fsm.step(e)) {
    respond_simple(tx, m, from, 500, {{"Retry-After", "2"}});
    return;
  }
  s.dialog.refresh_target(m);
  const bool offer = !m.body.empty();
  const bool new_offer = offer && m.body != s.remote_body;
  if (reinvite && new_offer) {
    ReofferDecision d = user_.screen_reoffer(s.id, m);
    if (d.kind == ReofferDecision::kRefuse) return refuse_reoffer(s, tx, m, from, d.status, std::move(d.headers));
    if (d.kind == ReofferDecision::kDefer) {
      // The user answers later (answer_reoffer); 17.2.1: 100 Trying now.
      s.reoffer = std::make_unique<StoredRequest>();
      s.reoffer->bytes = std::string(m.raw);
      s.reoffer->from = from;
      static_cast<void>(parse_message(s.reoffer->bytes, s.reoffer->msg, Framing::kStream));
      s.reoffer_tx = tx;
      tx_.respond(tx, 100, make_response(m, from, 100).serialize());
      return;
    }
  }
  answer_refresh(s, tx, m, from, std::nullopt);
  if (new_offer) user_.on_reoffer(s.id, m);
}

// The 2xx to a re-INVITE/UPDATE: `answer` from the user (a deferred re-INVITE), else our last
// SDP as the answer to the request's offer, or as our offer when it had none.
void UserAgent::answer_refresh(Session& s, TransactionId tx, const Message& m, const Peer& from,
                               std::optional<Body> answer) {
  const bool reinvite = m.method == Method::kInvite;
  std::uint32_t interval = s.se_interval;
  std::string_view refresher;
  if (auto se = m.first(HeaderId::kSessionExpires)) {
    if (auto p = parse_session_expires(*se)) {
      interval = p->delta;
      refresher = p->refresher;
    }
  }
  const bool offer = !m.body.empty();
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
  add_agent(r, HeaderId::kServer, from);
  if (answer) {
    auto sdp = parse_sdp(answer->content);
    set_body(r, sdp ? Body{"application/sdp", stamp_sdp(s, std::move(*sdp))} : *answer);
  } else if (reinvite || offer) {
    set_body(r, session_sdp(s, offer ? sdp_part(m) : std::nullopt));
  }
  std::string bytes = r.serialize();
  if (reinvite) start_2xx(s, bytes, m, from);  // 13.3.1.4: until the ACK
  tx_.respond(tx, 200, std::move(bytes));
}

// A refused re-INVITE leaves the session as it was (RFC 3261 14.2, RFC 3264 8): the remote SDP
// stays the last accepted one; our own re-INVITE that waited for this one goes now.
void UserAgent::refuse_reoffer(Session& s, TransactionId tx, const Message& m, const Peer& from, int status,
                               HeaderList headers) {
  respond_simple(tx, m, from, status, std::move(headers));
  const InviteRow* row = s.fsm.step(InviteEvent::kTxReofferRefused);
  if (row && row->action == InviteAction::kAckThenOffer) send_refresh_request(s);
}

void UserAgent::answer_reoffer(SessionId id, int status, Body answer, HeaderList headers) {
  Session* s = find(id);
  if (s == nullptr || !s->reoffer) return;
  auto req = std::move(s->reoffer);
  const TransactionId tx = std::exchange(s->reoffer_tx, 0);
  if (!tx_.proceeding(tx)) return;
  if (status >= 300) return refuse_reoffer(*s, tx, req->msg, req->from, status, std::move(headers));
  answer_refresh(*s, tx, req->msg, req->from, std::move(answer));
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
    if (auto o = parse_sdp(*offer)) out = sip::answer_reoffer(out, *o);  // the free function (offer_answer.h)
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

// The responses to our re-INVITE/UPDATE, classified for the table: the 2xx
// of the pending one, a 2xx retransmission (ACK again), 491 (glare, retried
// up to kGlareRetries times), 481/408 (the dialog is gone, 12.2.1.2), other
// failures (the old session stays, 14.1).
void UserAgent::on_reinvite_response(Session& s, TransactionId tx, const Message& r) {
  if (sip::provisional(r.status)) return;
  const SessionId id = s.id;
  if (tx != s.refresh_tx) {
    if (r.cseq_method != Method::kInvite || !success(r.status)) return;
    const InviteRow* row = s.fsm.step(InviteEvent::kRx2xx);
    // 13.2.2.4: a 2xx retransmission gets the same ACK again.
    if (row && !s.ack_bytes.empty() && s.ack_cseq == r.cseq.number) transport_->send(dialog_peer(s), s.ack_bytes);
    return;
  }
  InviteEvent e = InviteEvent::kRxRefreshFailure;
  if (success(r.status))
    e = InviteEvent::kRxRefresh2xx;
  else if (r.status == 481 || r.status == 408)
    e = InviteEvent::kRxRefreshFatal;
  else if (r.status == 491 && s.glare_retries < kGlareRetries)
    e = InviteEvent::kRxRefresh491;
  const InviteRow* row = s.fsm.step(e);
  if (!row) return;
  s.refresh_tx = 0;
  switch (row->action) {
    case InviteAction::kRefreshDone:
      if (r.cseq_method == Method::kInvite) send_ack_2xx(s, r);
      s.dialog.refresh_target(r);
      if (!r.body.empty()) s.remote_body = std::string(r.body);
      if (auto se = r.first(HeaderId::kSessionExpires)) {
        if (auto p = parse_session_expires(*se)) start_session_timer(s, p->delta, p->refresher != "uas");
      } else if (s.se_interval) {
        start_session_timer(s, s.se_interval, s.we_refresh);
      }
      s.confirmed_body = s.local_body;
      s.glare_retries = 0;
      user_.on_refresh_result(id, r);
      return;
    case InviteAction::kArmGlareTimer: {
      // 14.1: the Call-ID's owner waits 2.1-4 s, the other side 0-2 s.
      ++s.glare_retries;
      const std::uint64_t random = options_.glare_random ? options_.glare_random() : rng_();
      const Clock::duration delay = glare_retry_delay(s.uac, random);
      glare_.inc();
      log_.info(Subsystem::kSip, "glare",
                {{"session", id},
                 {"retry_ms", std::chrono::duration_cast<std::chrono::milliseconds>(delay).count()},
                 {"attempt", s.glare_retries}});
      s.glare_timer = timers_->start(delay, [this, id] { glare_timer_fired(id); });
      return;
    }
    case InviteAction::kRefreshFailed:
      // 14.1: the session stays as it was: so does the SDP we answer with.
      s.local_body = s.confirmed_body;
      s.glare_retries = 0;
      user_.on_refresh_result(id, r);
      return;
    case InviteAction::kEndWithBye:
      end_with_bye(s, {}, EndReason::kTimeout);
      user_.on_refresh_result(id, r);
      return;
    default: return;
  }
}

void UserAgent::glare_timer_fired(SessionId id) {
  Session* s = find(id);
  if (!s) return;
  s->glare_timer = 0;
  const InviteRow* row = s->fsm.step(InviteEvent::kGlareTimer);
  if (row && (row->action == InviteAction::kRetryReinvite || row->action == InviteAction::kRetryUpdate)) {
    log_.info(Subsystem::kSip, "glare_retry", {{"session", id}, {"method", s->refresh_method}});
    send_refresh_request(*s);
  }
  // kNone: the peer's re-INVITE awaits its ACK (WaitingToOffer): ours goes after it.
}

// Our offer in a re-INVITE (14.1), from the user: now, after the ACK of the
// peer's (WaitingToOffer), or in place of the one waiting for its glare retry.
bool UserAgent::reinvite(SessionId id, Body offer) {
  Session* s = find(id);
  if (!s) return false;
  const InviteRow* row = s->fsm.step(InviteEvent::kReinvite);
  if (!row) return false;
  if (row->action == InviteAction::kSendReinvite && s->glare_timer) timers_->cancel(s->glare_timer), s->glare_timer = 0;
  if (row->action == InviteAction::kSendReinvite) s->glare_retries = 0;
  s->local_body = std::move(offer);
  s->refresh_method = "INVITE";
  s->refresh_offer = s->local_body;
  s->refresh_headers.clear();
  if (s->se_interval) {
    s->refresh_headers.emplace_back(
        "Session-Expires", std::to_string(s->se_interval) + (s->we_refresh ? ";refresher=uac" : ";refresher=uas"));
  }
  if (row->action == InviteAction::kSendReinvite) send_refresh_request(*s);
  return true;
}

// RFC 4916 4: our From in the dialog becomes `from_uri` (the tag stays: the dialog is the same, RFC 3261
// 12), announced by an UPDATE without an offer (RFC 3311 5.1) carrying the new identity's headers.
bool UserAgent::update_identity(SessionId id, std::string from_uri, HeaderList headers) {
  Session* s = find(id);
  if (!s || !s->peer_update || s->dialog.remote_tag.empty()) return false;
  const InviteRow* row = s->fsm.meter().find(s->fsm.state(), InviteEvent::kRefreshByUpdate);
  if (!row || row->action != InviteAction::kSendRefresh || !s->fsm.step(InviteEvent::kRefreshByUpdate)) return false;
  s->dialog.local_party = "<" + from_uri + ">;tag=" + s->dialog.local_tag;
  s->glare_retries = 0;
  s->refresh_method = "UPDATE";
  s->refresh_offer = {};
  s->refresh_headers = std::move(headers);
  if (s->se_interval)
    s->refresh_headers.emplace_back(
        "Session-Expires", std::to_string(s->se_interval) + (s->we_refresh ? ";refresher=uac" : ";refresher=uas"));
  send_refresh_request(*s);
  return true;
}

// Sends the pending re-INVITE/UPDATE with a new CSeq. Its SDP gets the o=
// version RFC 3264 8 asks for at the time it goes (an answer of ours may have
// gone out since it was made).
void UserAgent::send_refresh_request(Session& s) {
  Body body = s.refresh_offer;
  if (grammar::iequals(body.content_type, "application/sdp")) {
    if (auto sdp = parse_sdp(body.content)) body.content = stamp_sdp(s, std::move(*sdp));
  } else if (auto sdp = sdp_part(body)) {
    s.sent_sdp = std::move(*sdp);
  }
  const Purpose p = s.refresh_method == "UPDATE" ? Purpose::kUpdate : Purpose::kReinvite;
  s.refresh_tx = send_in_dialog(s, s.refresh_method, p, s.refresh_headers, body);
}

}  // namespace isupgw::sip
