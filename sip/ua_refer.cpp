// REFER in a dialog (RFC 3515): the engine decides (202 Accepted or a refusal); after a 202 the implicit
// subscription's NOTIFYs carry the referred request's progress as message/sipfrag (RFC 3420): 100 Trying
// at once (2.4.4), then what the engine reports, the final one ending the subscription (2.4.5,
// Subscription-State terminated;reason=noresource, RFC 6665 4.1.3). RFC 4488 (no subscription) is not
// offered: a Refer-Sub: false is answered with the subscription all the same (4488 4: allowed).
#include <string>

#include "sip/ua_session.h"

namespace isupgw::sip {

using namespace ua;

namespace {
std::string sipfrag(int status, std::string_view reason) {
  return "SIP/2.0 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
}
}  // namespace

void UserAgent::on_refer_request(Session& s, TransactionId tx, const Message& m, const Peer& from) {
  const SessionId id = s.id;
  ReferAnswer a = user_.on_refer(id, m);
  respond_simple(tx, m, from, a.status, std::move(a.headers));
  if (a.status == 202) refer_progress(id, 100, "Trying", false);
}

void UserAgent::refer_progress(SessionId id, int status, std::string_view reason, bool final) {
  Session* s = find(id);
  if (!s || s->dialog.remote_tag.empty()) return;
  HeaderList h = {{"Event", "refer"},
                  {"Subscription-State", final ? "terminated;reason=noresource" : "active;expires=60"}};
  send_in_dialog(*s, "NOTIFY", Purpose::kNotify, h, Body{"message/sipfrag;version=2.0", sipfrag(status, reason)});
}

}  // namespace isupgw::sip
