// Admission before the transaction layer (issue 18): an INVITE the user refuses in screen_invite is answered
// statelessly (RFC 3261 8.2.7) -- Via, From, To (with a tag of ours), Call-ID and CSeq copied (8.2.6.2), the
// user's headers added; no 100 Trying, no server transaction, no session. A retransmission of that INVITE gets
// the same bytes (8.2.7: the same To tag); the ACK for it (17.1.1.3) ends there.
#include "tests/unit/sip/ua_harness.h"

namespace isupgw::sip::test {
namespace {

class StatelessRefusal : public Pair {
 protected:
  StatelessRefusal() {
    b.user.screen_hook = [](const Message&) {
      return std::optional<EarlyRefusal>(EarlyRefusal{503, {{"Retry-After", "2"}, {"Reason", "Q.850;cause=34"}}});
    };
  }
  // The parser is zero-copy: the Message views `wire`, which must outlive it.
  static Message parsed(const std::string& wire) {
    Message m;
    EXPECT_TRUE(parse_message(wire, m));
    return m;
  }
};

TEST_F(StatelessRefusal, A503WithTheRequestsIdentityAndNoStateKept) {
  a.ua.invite(call());
  pump();
  EXPECT_TRUE(a.user.saw("rejected 503"));
  EXPECT_FALSE(b.user.saw("invite"));
  EXPECT_EQ(b.user.screened, 1);
  EXPECT_TRUE(sent(b, "100").empty());  // 8.2.7: a stateless UAS sends no provisional response
  const auto r503 = sent(b, "503");
  ASSERT_EQ(r503.size(), 1u);
  const std::string inv_wire = sent(a, "INVITE").at(0);
  const Message inv = parsed(inv_wire), r = parsed(r503[0]);
  EXPECT_EQ(r.top_via.branch(), inv.top_via.branch());
  EXPECT_EQ(r.call_id, inv.call_id);
  EXPECT_EQ(r.from.tag(), inv.from.tag());
  EXPECT_FALSE(r.to.tag().empty());
  EXPECT_EQ(r.cseq.number, inv.cseq.number);
  EXPECT_EQ(r.first(HeaderId::kRetryAfter).value_or(""), "2");
  EXPECT_EQ(b.ua.transactions(), 0u);
  EXPECT_EQ(b.ua.sessions(), 0u);
  EXPECT_EQ(sent(a, "ACK").size(), 1u);
  EXPECT_EQ(b.counters.get("sip.stateless_refusals").value(), 1u);
  EXPECT_EQ(b.counters.get("sip.stateless_refusal_acks").value(), 1u);  // absorbed, not a stray ACK
  run_for(std::chrono::seconds(40), std::chrono::seconds(1));
  EXPECT_EQ(sent(b, "503").size(), 1u);  // never retransmitted by us (8.2.7)
}

TEST_F(StatelessRefusal, ARetransmittedInviteGetsTheSameResponse) {
  a.ua.invite(call());
  int dropped = 0;
  // The first 503 is lost: A retransmits the INVITE after T1 (17.1.1.2).
  pump([&](const std::string& w) { return method_or_status(w) == "503" && dropped++ == 0; });
  EXPECT_FALSE(a.user.saw("rejected 503"));
  run_for(std::chrono::seconds(1), std::chrono::milliseconds(100),
          [&](const std::string& w) { return method_or_status(w) == "503" && dropped++ == 0; });
  EXPECT_TRUE(a.user.saw("rejected 503"));
  const auto r503 = sent(b, "503");
  ASSERT_EQ(r503.size(), 2u);
  EXPECT_EQ(r503[0], r503[1]);  // the same To tag
  EXPECT_EQ(b.user.screened, 1);
  EXPECT_EQ(b.counters.get("sip.stateless_refusals_resent").value(), 1u);
  EXPECT_EQ(b.ua.transactions(), 0u);
}

TEST_F(StatelessRefusal, AnAdmittedInvitesRetransmissionIsNotScreenedAgain) {
  b.user.screen_hook = {};
  b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.provisional(s, 180); };
  a.ua.invite(call());
  int dropped = 0;
  // B's 100 and 180 lost once: A retransmits, B's server transaction absorbs it (17.2.3).
  const auto lose_first = [&](const std::string& w) { return method_or_status(w)[0] == '1' && dropped++ < 2; };
  pump(lose_first);
  run_for(std::chrono::seconds(1), std::chrono::milliseconds(100), lose_first);
  EXPECT_GE(sent(a, "INVITE").size(), 2u);
  EXPECT_EQ(b.user.screened, 1);
  EXPECT_TRUE(a.user.saw("provisional 180"));
  EXPECT_EQ(b.counters.get("sip.stateless_refusals").value(), 0u);
}

}  // namespace
}  // namespace isupgw::sip::test
