// The UAC side of an INVITE session (RFC 3261 13.2, 9.1 CANCEL, 13.2.2.4 ACK
// for 2xx): the INVITE, its responses, early and confirmed dialogs.
#include "sip/ua_session.h"

namespace isupgw::sip {

using namespace ua;

void UserAgent::on_invite_response(Session& s, const Message& r) {
  const SessionId id = s.id;
  InviteEvent e = InviteEvent::kRxFailure;
  if (sip::provisional(r.status))
    e = r.status != 100 && sdp_part(r) ? InviteEvent::kRx1xxAnswer : InviteEvent::kRx1xx;
  else if (success(r.status))
    e = InviteEvent::kRx2xx;
  const InviteRow* row = s.fsm.step(e);
  if (!row) return;
  switch (row->action) {
    case InviteAction::kCancelOnProvisional:
      send_cancel(s);  // 9.1: the CANCEL waited for this provisional
      [[fallthrough]];
    case InviteAction::kReportProvisional: {
      if (r.status == 100) return;
      s.heard_provisional = true;
      if (!r.to.tag().empty()) {
        s.dialog.update_from_response(r);  // 12.1.2: early dialog
        index_dialog(s);
      }
      // RFC 3262 4: a reliable provisional is PRACKed once; retransmissions
      // (RSeq not above the last) are dropped.
      if (has_token(r, HeaderId::kRequire, "100rel") && !prack_once(s, r)) return;
      user_.on_provisional(id, r);
      return;
    }
    case InviteAction::kAnswered:
      // Answered: no CANCEL (9.1), no challenge to answer and no other target (RFC 3263 4.3) any more, so
      // the INVITE's bytes and what only they needed go (issue 19: memory per call).
      std::string().swap(s.invite_bytes);
      HeaderList().swap(s.cancel_headers);
      std::vector<Peer>().swap(s.alternates);
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
    case InviteAction::kAckAgain:
      // 13.2.2.4: a retransmitted 2xx gets the same ACK again.
      if (!s.ack_bytes.empty()) transport_->send(dialog_peer(s), s.ack_bytes);
      return;
    case InviteAction::kRejected:
      end(id);
      user_.on_rejected(id, r);
      return;
    default: return;
  }
}

SessionId UserAgent::invite(OutgoingInvite req) {
  auto sp = std::make_unique<Session>(*invite_meter_, ++last_session_, true, InviteState::kUacStart);
  Session& s = *sp;
  s.peer = req.peer;
  s.alternates = std::move(req.alternates);
  const Transport t = req.peer.transport;
  s.dialog.call_id = req.call_id.empty() ? new_call_id(req.peer) : req.call_id;
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
  m.add(HeaderId::kAllow, std::string(ua::kAllow));
  m.add(HeaderId::kSupported, req.offer_100rel ? "100rel, timer" : "timer");
  if (req.session_expires) {
    m.add(HeaderId::kSessionExpires, std::to_string(std::max(req.session_expires, options_.min_se)));
    m.add(HeaderId::kMinSE, std::to_string(options_.min_se));
  }
  add_agent(m, HeaderId::kUserAgent, req.peer);
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
  tx_refs_[tx] = TxRef{id, Purpose::kInvite, 0, 0};
  log_.debug(Subsystem::kSip, "invite_sent",
             {{"session", id}, {"call_id", ss.dialog.call_id}, {"peer", ss.peer.host}, {"port", ss.peer.port}});
  return id;
}

// RFC 3261 9.1: Request-URI, Call-ID, To, From, CSeq number and the single
// Via of the INVITE (same branch), its Route; method CANCEL.
void UserAgent::send_cancel(Session& s) {
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
  add_agent(c, HeaderId::kUserAgent, s.peer);
  add_headers(c, s.cancel_headers);
  const TransactionId tx = tx_.send_request(Method::kCancel, s.invite_branch, s.peer, c.serialize());
  s.txs.push_back(tx);
  tx_refs_[tx] = TxRef{s.id, Purpose::kCancel, 0, 0};
}

// 9.1: CANCEL, but not before a provisional response arrived.
void UserAgent::cancel(SessionId id, HeaderList headers) {
  Session* s = find(id);
  if (!s || !s->uac) return;
  const InviteRow* row = s->fsm.step(InviteEvent::kCancel);
  if (!row || row->action == InviteAction::kNone) return;
  s->cancel_headers = std::move(headers);
  if (row->action == InviteAction::kSendCancel) send_cancel(*s);
}

// 13.2.2.4: the ACK for a 2xx is built by the dialog (CSeq number of the
// INVITE, new branch) and sent straight to the transport.
void UserAgent::send_ack_2xx(Session& s, const Message& r) {
  const Transport t = dialog_transport(s);
  OutMessage ack = s.dialog.request("ACK", r.cseq.number, via(t, new_branch()));
  add_agent(ack, HeaderId::kUserAgent, dialog_peer(s));
  s.ack_bytes = ack.serialize();
  s.ack_cseq = r.cseq.number;
  transport_->send(dialog_peer(s), s.ack_bytes);
}

}  // namespace isupgw::sip
