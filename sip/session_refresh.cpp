// Requests that modify a confirmed session: re-INVITE (RFC 3261 14) and UPDATE
// (RFC 3311) in both directions, and the SDP they carry (RFC 3264 8).
#include "sip/ua_session.h"

namespace isupgw::sip {

using namespace ua;

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

}  // namespace isupgw::sip
