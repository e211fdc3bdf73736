// RFC 3263 4.3 in the user agent: an INVITE whose target answered 503, timed
// out (Timer B) or refused the connection goes to the next target of the same
// trunk in a new client transaction (new Via branch, next CSeq, same Call-ID
// and tags: the same request to another server). Not once a provisional other
// than 100 was heard (an early dialog exists and the caller may have been
// told), nor after a CANCEL. Each target that failed is reported to the
// resolver (target_failed), which puts it last for a while.
#include "sip/ua_session.h"

namespace isupgw::sip {

using namespace ua;

bool UserAgent::fail_over(Session& s, std::string_view why) {
  if (options_.target_failed) options_.target_failed(s.peer, why);
  const InviteState st = s.fsm.state();
  if (s.alternates.empty() || s.heard_provisional || stopped_ ||
      (st != InviteState::kUacStart && st != InviteState::kUacEarly))
    return false;
  const Peer from = s.peer;
  s.peer = s.alternates.front();
  s.alternates.erase(s.alternates.begin());
  const std::string branch = new_branch();
  auto out = rewrite_request(s.invite_bytes, branch, ++s.dialog.local_cseq);
  if (!out) return false;
  s.invite_branch = branch;
  s.invite_bytes = std::move(*out);
  const TransactionId tx = tx_.send_request(Method::kInvite, branch, s.peer, s.invite_bytes);
  s.invite_tx = tx;
  s.txs.push_back(tx);
  tx_refs_[tx] = TxRef{s.id, Purpose::kInvite, 0, 0};
  counters_.get("sip.failover").inc();
  log_.notice(Subsystem::kSip, "failover",
              {{"session", s.id},
               {"call_id", s.dialog.call_id},
               {"reason", why},
               {"from", from.host},
               {"from_port", from.port},
               {"to", s.peer.host},
               {"to_port", s.peer.port}});
  return true;
}

}  // namespace isupgw::sip
