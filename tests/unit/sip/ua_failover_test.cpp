// RFC 3263 4.3 in the user agent: an INVITE answered 503, or timing out, goes to the
// next target in a new transaction (new branch, next CSeq, same Call-ID and From tag);
// not after a provisional response other than 100.
#include "tests/unit/sip/ua_harness.h"

namespace isupgw::sip::test {
namespace {

std::vector<std::pair<std::string, std::string>> failed_targets;

UserAgentOptions options() {
  UserAgentOptions o;
  o.target_failed = [](const Peer& p, std::string_view why) { failed_targets.emplace_back(p.host, std::string(why)); };
  return o;
}

class Failover : public Pair {
 protected:
  Failover() : Pair(options()) { failed_targets.clear(); }
  Message parsed(const std::string& wire) {
    Message m;
    EXPECT_TRUE(parse_message(wire, m));
    return m;
  }
};

TEST_F(Failover, A503GoesToTheNextTargetInANewTransaction) {
  int invites = 0;
  b.user.invite_hook = [&](SessionId s, const Message&) {
    if (++invites == 1)
      b.ua.reject(s, 503);
    else
      b.ua.answer(s, {}, Body{"application/sdp", "v=0\r\n"});
  };
  auto inv = call();
  inv.alternates = {Peer{Transport::kUdp, "192.0.2.2", 5060}};  // the same node again, as a second server
  a.ua.invite(inv);
  pump();
  EXPECT_TRUE(a.user.saw("answered 200"));
  EXPECT_FALSE(a.user.saw("rejected 503"));
  const auto sent_invites = sent(a, "INVITE");
  ASSERT_EQ(sent_invites.size(), 2u);
  const std::string first = sent_invites[0], second = sent_invites[1];
  const Message m1 = parsed(first), m2 = parsed(second);
  EXPECT_NE(m1.top_via.branch(), m2.top_via.branch());
  EXPECT_EQ(m2.cseq.number, m1.cseq.number + 1);
  EXPECT_EQ(m1.first(HeaderId::kCallId), m2.first(HeaderId::kCallId));
  EXPECT_EQ(m1.from.tag(), m2.from.tag());
  EXPECT_EQ(sent(a, "ACK").size(), 2u);  // the 503's (17.1.1.3) and the 200's
  EXPECT_EQ(a.counters.get("sip.failover").value(), 1u);
  ASSERT_EQ(failed_targets.size(), 1u);
  EXPECT_EQ(failed_targets[0], (std::pair<std::string, std::string>{"192.0.2.2", "503"}));
}

TEST_F(Failover, TimerBGoesToTheNextTarget) {
  b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.answer(s, {}, Body{"application/sdp", "v=0\r\n"}); };
  auto inv = call();
  inv.peer = Peer{Transport::kUdp, "192.0.2.99", 5060};  // nobody there: every datagram lost
  inv.alternates = {Peer{Transport::kUdp, "192.0.2.2", 5060}};
  a.ua.invite(inv);
  run_for(std::chrono::seconds(33), std::chrono::milliseconds(500));
  EXPECT_TRUE(a.user.saw("answered 200"));
  ASSERT_EQ(failed_targets.size(), 1u);
  EXPECT_EQ(failed_targets[0], (std::pair<std::string, std::string>{"192.0.2.99", "timeout"}));
  EXPECT_EQ(a.counters.get("sip.failover").value(), 1u);
}

TEST_F(Failover, NotAfterARinging) {
  b.user.invite_hook = [&](SessionId s, const Message&) {
    b.ua.provisional(s, 180);
    b.ua.reject(s, 503);
  };
  auto inv = call();
  inv.alternates = {Peer{Transport::kUdp, "192.0.2.2", 5060}};
  a.ua.invite(inv);
  pump();
  EXPECT_TRUE(a.user.saw("rejected 503"));
  EXPECT_EQ(sent(a, "INVITE").size(), 1u);
  EXPECT_EQ(a.counters.get("sip.failover").value(), 0u);
  EXPECT_EQ(failed_targets.size(), 1u);  // still reported: the resolver avoids it for the next calls
}

}  // namespace
}  // namespace isupgw::sip::test
