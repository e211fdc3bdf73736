// REFER in a dialog (RFC 3515): the engine's answer, then the implicit subscription's NOTIFYs with
// message/sipfrag bodies (RFC 3515 2.4.4-2.4.5, RFC 3420), Event: refer, Subscription-State (RFC 6665).
#include <gtest/gtest.h>

#include "tests/unit/sip/ua_harness.h"

namespace isupgw::sip::test {
namespace {

class Refer : public Pair {
 protected:
  // A call from a to b, answered; then a REFER from a's side of the dialog, as b receives it.
  SessionId answered_call_and_refer() {
    b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.answer(s); };
    a.ua.invite(call());
    pump();
    const std::string ok = sent(b, "200").at(0);
    Message m;
    EXPECT_TRUE(parse_message(ok, m));
    const std::string refer = "REFER sip:b@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKr1\r\n"
                              "Max-Forwards: 70\r\nFrom: " + std::string(m.first(HeaderId::kFrom).value()) +
                              "\r\nTo: " + std::string(m.first(HeaderId::kTo).value()) +
                              "\r\nCall-ID: " + std::string(m.call_id) +
                              "\r\nCSeq: 5 REFER\r\nContact: <sip:a@192.0.2.1>\r\nRefer-To: <sip:carol@192.0.2.7>\r\n"
                              "Content-Length: 0\r\n\r\n";
    b.ua.receive(Peer{Transport::kUdp, "192.0.2.1", 5060}, refer);
    return b.user.ids.at(0);
  }
};

TEST_F(Refer, AcceptedIs202ThenNotify100Trying) {
  b.user.refer_answer = ReferAnswer{202, {}};
  const SessionId s = answered_call_and_refer();
  EXPECT_TRUE(b.user.saw("refer"));
  ASSERT_EQ(sent(b, "202").size(), 1u);
  auto notifies = sent(b, "NOTIFY");
  ASSERT_EQ(notifies.size(), 1u);
  const std::string& n = notifies[0];
  // After the 202 on the wire (RFC 3515 2.4.4: the NOTIFY follows the acceptance).
  std::size_t at202 = 0, atNotify = 0;
  for (std::size_t i = 0; i < b.transport.sent.size(); ++i) {
    if (method_or_status(b.transport.sent[i].bytes) == "202") at202 = i;
    if (method_or_status(b.transport.sent[i].bytes) == "NOTIFY") atNotify = i;
  }
  EXPECT_LT(at202, atNotify);
  EXPECT_NE(n.find("Event: refer\r\n"), std::string::npos) << n;
  EXPECT_NE(n.find("Subscription-State: active;expires=60\r\n"), std::string::npos) << n;
  EXPECT_NE(n.find("Content-Type: message/sipfrag;version=2.0\r\n"), std::string::npos) << n;
  EXPECT_NE(n.find("\r\n\r\nSIP/2.0 100 Trying\r\n"), std::string::npos) << n;
  EXPECT_NE(n.find("Contact: "), std::string::npos) << n;  // RFC 6665 4.1.2.2
  b.ua.refer_progress(s, 200, "OK", true);
  notifies = sent(b, "NOTIFY");
  ASSERT_EQ(notifies.size(), 2u);
  EXPECT_NE(notifies[1].find("Subscription-State: terminated;reason=noresource\r\n"), std::string::npos);
  EXPECT_NE(notifies[1].find("\r\n\r\nSIP/2.0 200 OK\r\n"), std::string::npos);
  pump();  // a answers the NOTIFYs (any in-dialog request it does not know: 405; the stack ignores it)
}

TEST_F(Refer, RefusedIs603WithTheWarningAndNoNotify) {
  b.user.refer_answer = ReferAnswer{603, {{"Warning", "399 isupgw \"transfer refused by trunk setting\""}}};
  answered_call_and_refer();
  ASSERT_EQ(sent(b, "603").size(), 1u);
  EXPECT_NE(sent(b, "603")[0].find("Warning: 399 isupgw"), std::string::npos);
  EXPECT_TRUE(sent(b, "NOTIFY").empty());
}

}  // namespace
}  // namespace isupgw::sip::test
