// Reliable provisional responses (RFC 3262): retransmission until PRACK as
// UAS, PRACK for each new RSeq as UAC.
#include "sip/ua_session.h"

namespace isupgw::sip {

using namespace ua;

// RFC 3262 3: Require: 100rel and RSeq (the first random, each next +1).
void UserAgent::add_reliable_headers(Session& s, OutMessage& r) {
  ReliableProvisional& p = s.reliable;
  p.last_rseq = p.last_rseq ? p.last_rseq + 1 : static_cast<std::uint32_t>(1 + rng_() % 0x7fffffff);
  r.add(HeaderId::kRequire, "100rel");
  r.add(HeaderId::kRSeq, std::to_string(p.last_rseq));
  add_capabilities(r);
}

// Retransmitted from T1, doubling, until its PRACK or 64*T1 (3).
void UserAgent::start_reliable(Session& s, const std::string& bytes) {
  ReliableProvisional& p = s.reliable;
  p.bytes = bytes;
  p.pending = p.last_rseq;
  p.interval = options_.timers.t1;
  p.deadline = clock_.now() + options_.timers.t64();
  if (p.timer) timers_->cancel(p.timer);
  const SessionId id = s.id;
  p.timer = timers_->start(p.interval, [this, id] { retransmit_reliable(id); });
}

void UserAgent::stop_reliable(Session& s) {
  if (s.reliable.timer) timers_->cancel(s.reliable.timer), s.reliable.timer = 0;
}

void UserAgent::retransmit_reliable(SessionId id) {
  Session* s = find(id);
  if (!s) return;
  ReliableProvisional& p = s->reliable;
  p.timer = 0;
  if (!tx_.proceeding(s->invite_tx)) return;
  if (clock_.now() >= p.deadline) {
    // RFC 3262 3: no PRACK within 64*T1: reject the INVITE with a 5xx.
    log_.info(Subsystem::kSip, "prack_timeout", {{"session", id}});
    if (!s->fsm.step(InviteEvent::kNoPrack)) return;
    tx_.respond(s->invite_tx, 504, invite_response(*s, 504).serialize());
    notify_ended(id, EndReason::kTimeout);
    return;
  }
  tx_.respond(s->invite_tx, 183, p.bytes);  // through the transaction: same wire bytes
  p.interval *= 2;
  p.timer = timers_->start(p.interval, [this, id] { retransmit_reliable(id); });
}

// RFC 3262 3: a PRACK matching the reliable provisional stops its
// retransmission; any other is 481. PRACK in a state without a reliable
// provisional is refused by the session table (481 too).
void UserAgent::on_prack(Session& s, TransactionId tx, const Message& m, const Peer& from) {
  auto rack_text = m.first(HeaderId::kRAck);
  auto rack = rack_text ? parse_rack(*rack_text) : Result<RAck, Fault>(Err(Fault::kBadRAck));
  if (!rack || s.uac || rack->rseq != s.reliable.pending || !s.invite || rack->cseq != s.invite->msg.cseq.number ||
      !s.fsm.step(InviteEvent::kRxPrack)) {
    respond_simple(tx, m, from, 481);
    return;
  }
  stop_reliable(s);
  s.reliable.pending = 0;
  if (!m.body.empty()) s.remote_body = std::string(m.body);
  respond_simple(tx, m, from, 200);
}

// RFC 3262 4: a reliable provisional is PRACKed once; retransmissions (RSeq
// not above the last) are dropped. False: drop the response.
bool UserAgent::prack_once(Session& s, const Message& r) {
  auto rseq_text = r.first(HeaderId::kRSeq);
  auto rseq = rseq_text ? parse_number(grammar::trim(*rseq_text), 0xFFFFFFFFu) : Err(Fault::kBadNumber);
  if (!rseq) return false;
  if (s.last_rseq && *rseq <= s.last_rseq) return false;
  s.last_rseq = *rseq;
  // RFC 3262 7.2: RAck = RSeq, CSeq number and method of the response.
  const std::string rack = std::to_string(s.last_rseq) + " " + std::to_string(r.cseq.number) + " INVITE";
  send_in_dialog(s, "PRACK", Purpose::kPrack, {{"RAck", rack}}, {});
  return true;
}

}  // namespace isupgw::sip
