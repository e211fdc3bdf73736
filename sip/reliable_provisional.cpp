// Reliable provisional responses (RFC 3262): retransmission until PRACK as
// UAS, PRACK for each new RSeq as UAC.
#include "sip/ua_session.h"

namespace isupgw::sip {

using namespace ua;

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

void UserAgent::send_prack(Session& s, const Message& r) {
  // RFC 3262 7.2: RAck = RSeq, CSeq number and method of the response.
  const std::string rack = std::to_string(s.last_rseq) + " " + std::to_string(r.cseq.number) + " INVITE";
  send_in_dialog(s, "PRACK", Purpose::kPrack, {{"RAck", rack}}, {});
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

}  // namespace isupgw::sip
