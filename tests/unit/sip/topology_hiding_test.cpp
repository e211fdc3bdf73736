// Topology hiding towards a trunk (issue 18): what RFC 3261 leaves optional names neither the gateway
// nor its software -- no User-Agent (20.41) or Server (20.35), Call-IDs without "@host" (8.1.1.4), the
// Warning agent a pseudonym (20.43) -- while Via and Contact (8.1.1.7, 8.1.1.8) stay.
#include <gtest/gtest.h>

#include "tests/unit/sip/ua_harness.h"

namespace isupgw::sip::test {
namespace {

UserAgentOptions hiding_each_other() {
  UserAgentOptions o;
  o.user_agent = "gw-internal-7";
  o.hidden_hosts = {"192.0.2.1", "192.0.2.2"};
  o.ping_targets = {Peer{Transport::kUdp, "192.0.2.2", 5060}};
  return o;
}

class TopologyHiding : public Pair {
 protected:
  TopologyHiding() : Pair(hiding_each_other()) {}
};

TEST_F(TopologyHiding, NoAgentHeadersAndBareCallIdsTowardsAHiddenPeer) {
  ASSERT_FALSE(a.ua.start());  // an OPTIONS ping too
  b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.answer(s); };
  const SessionId s = a.ua.invite(call());
  pump();
  ASSERT_TRUE(a.user.saw("answered 200"));
  a.ua.bye(s);
  pump();
  ASSERT_EQ(sent(a, "INVITE").size(), 1u);
  ASSERT_EQ(sent(a, "OPTIONS").size(), 1u);
  for (const auto& w : wire) {
    EXPECT_EQ(w.find("gw-internal-7"), std::string::npos) << w;
    EXPECT_EQ(w.find("\r\nUser-Agent:"), std::string::npos) << w;
    EXPECT_EQ(w.find("\r\nServer:"), std::string::npos) << w;
    Message m;
    ASSERT_TRUE(parse_message(w, m)) << w;
    EXPECT_EQ(std::string(m.call_id).find('@'), std::string::npos) << w;
  }
  // Our own Via and Contact are still there.
  EXPECT_NE(sent(a, "INVITE")[0].find("Via: SIP/2.0/UDP 192.0.2.1"), std::string::npos);
  EXPECT_NE(sent(a, "INVITE")[0].find("Contact: <sip:isupgw@192.0.2.1"), std::string::npos);
}

TEST_F(TopologyHiding, MalformedRequestGetsThePseudonymAsWarningAgent) {
  // No Call-ID: answered 400 (RFC 4475 3.1.2.18) with Warning 399 isupgw, not the configured agent.
  b.ua.receive(Peer{Transport::kUdp, "192.0.2.1", 5060},
               "OPTIONS sip:b@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx1\r\n"
               "Max-Forwards: 70\r\nFrom: <sip:a@192.0.2.1>;tag=1\r\nTo: <sip:b@192.0.2.2>\r\n"
               "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
  ASSERT_EQ(b.transport.sent.size(), 1u);
  const std::string& r = b.transport.sent[0].bytes;
  EXPECT_EQ(first_line(r), "SIP/2.0 400 Bad Request");
  EXPECT_NE(r.find("Warning: 399 isupgw \"Call-ID: missing Call-ID\""), std::string::npos) << r;
  EXPECT_EQ(r.find("gw-internal-7"), std::string::npos) << r;
}

// Towards everyone else: the configured agent and "random@host" Call-IDs, as before.
TEST(TopologyHidingOff, OtherPeersSeeTheAgentAndTheHost) {
  ManualClock clock;
  ManualTimerService timers(clock);
  Logger log([](std::string_view) {});
  UserAgentOptions o = hiding_each_other();
  o.hidden_hosts = {"192.0.2.99"};
  Node n("192.0.2.1", timers, clock, log, o);
  ASSERT_FALSE(n.ua.start());
  ASSERT_EQ(n.transport.sent.size(), 1u);  // the OPTIONS ping to 192.0.2.2
  const std::string& w = n.transport.sent[0].bytes;
  EXPECT_NE(w.find("User-Agent: gw-internal-7\r\n"), std::string::npos) << w;
  Message m;
  ASSERT_TRUE(parse_message(w, m));
  EXPECT_NE(std::string(m.call_id).find("@192.0.2.1"), std::string::npos) << w;
}

// No agent configured (sip.user_agent ""): neither header, the pseudonym in Warnings.
TEST(TopologyHidingOff, EmptyUserAgentSendsNoAgentHeader) {
  ManualClock clock;
  ManualTimerService timers(clock);
  Logger log([](std::string_view) {});
  UserAgentOptions o = hiding_each_other();
  o.hidden_hosts.clear();
  o.user_agent.clear();
  Node n("192.0.2.1", timers, clock, log, o);
  ASSERT_FALSE(n.ua.start());
  ASSERT_EQ(n.transport.sent.size(), 1u);
  EXPECT_EQ(n.transport.sent[0].bytes.find("User-Agent"), std::string::npos) << n.transport.sent[0].bytes;
}

}  // namespace
}  // namespace isupgw::sip::test
