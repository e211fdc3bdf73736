// The UAC side of Digest in the user agent (RFC 3261 22.2, 8.1.3.5; RFC 7616) for
// the requests the integration tests do not reach: a challenged BYE and
// re-INVITE are sent again once with credentials (new branch, higher CSeq); a
// second challenge that is not stale means the credentials were refused; a
// stale one is answered again; a CANCEL is never re-sent with credentials
// (22.1). The challenger is a DigestServer of our own, playing the trunk's
// proxy: it checks the credentials A computes (the Kamailio test judges the
// same code with a server that is not ours).
#include <gtest/gtest.h>

#include "sip/digest_server.h"
#include "tests/unit/sip/ua_harness.h"

namespace isupgw::sip::test {
namespace {

using std::chrono::minutes;

constexpr std::string_view kRealm = "carrier.example";

UserAgentOptions with_credentials() {
  UserAgentOptions o;
  o.digest_client = {DigestClientTrunk{"192.0.2.2", DigestUser{"gw", "s3cret"}}};
  return o;
}

class UacAuth : public Pair {
 protected:
  UacAuth() : Pair(with_credentials()), proxy(clock, std::array<std::uint8_t, 32>{7}, minutes(5)) {}

  // The lines of `request` a response copies (RFC 3261 8.2.6.2), then a challenge.
  static std::string challenge_for(const std::string& request, int status, const DigestChallenge& ch) {
    std::string out = "SIP/2.0 " + std::to_string(status) +
                      (status == 401 ? " Unauthorized\r\n" : " Proxy Authentication Required\r\n");
    std::size_t pos = request.find("\r\n") + 2;
    while (pos < request.size()) {
      const std::size_t eol = request.find("\r\n", pos);
      if (eol == pos) break;
      const std::string line = request.substr(pos, eol - pos);
      for (std::string_view name : {"Via:", "From:", "To:", "Call-ID:", "CSeq:"})
        if (line.rfind(name, 0) == 0) out += line + "\r\n";
      pos = eol + 2;
    }
    out += std::string(status == 401 ? "WWW-Authenticate: " : "Proxy-Authenticate: ") + format_challenge(ch) + "\r\n";
    return out + "Content-Length: 0\r\n\r\n";
  }

  // A proxy between A and B for requests of `method`: the n-th such request A sends is answered here
  // with the n-th challenge of `plan` (status, stale); once the plan is used up they go on to B.
  struct Challenge {
    int status = 401;
    bool stale = false;
  };
  void pump_challenging(std::string_view method, std::vector<Challenge> plan) {
    std::size_t next = 0;
    for (;;) {
      std::vector<std::string> held;
      pump([&](const std::string& w) {
        if (method_or_status(w) != method || next + held.size() >= plan.size()) return false;
        held.push_back(w);
        return true;
      });
      if (held.empty()) return;
      for (const auto& r : held) {
        const Challenge c = plan[next++];
        a.ua.receive(
            Peer{Transport::kUdp, "192.0.2.2", 5060},
            challenge_for(r, c.status, proxy.challenge(std::string(kRealm), DigestAlgorithm::kSha256, c.stale)));
      }
    }
  }

  // The credentials of a request A sent, checked by the proxy.
  DigestServer::Verdict verdict(const std::string& request, std::string_view method, std::string_view header) {
    Message m;
    if (!parse_message(request, m)) return DigestServer::Verdict::kBadNonce;
    for (const Header& h : m.headers())
      if (grammar::iequals(h.name, header)) {
        auto c = parse_digest_credentials(h.value);
        if (!c) return DigestServer::Verdict::kBadNonce;
        return proxy.check(*c, method, kRealm, "gw", "s3cret");
      }
    return DigestServer::Verdict::kBadNonce;
  }

  static Message parsed(const std::string& wire) {
    Message m;
    EXPECT_TRUE(parse_message(wire, m));
    return m;
  }

  SessionId answered_call() {
    b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.answer(s); };
    const SessionId s = a.ua.invite(call());
    pump();
    EXPECT_TRUE(a.user.saw("answered 200"));
    return s;
  }

  DigestServer proxy;
};

TEST_F(UacAuth, ChallengedByeIsSentAgainWithCredentials) {
  const SessionId s = answered_call();
  a.ua.bye(s);
  pump_challenging("BYE", {{401, false}});
  const auto byes = sent(a, "BYE");
  ASSERT_EQ(byes.size(), 2u);
  const auto first = byes[0], second = byes[1];  // parsed() views into them
  const Message m1 = parsed(first), m2 = parsed(second);
  EXPECT_EQ(m2.cseq.number, m1.cseq.number + 1);  // 22.2 / 8.1.3.5: a new request of the dialog
  EXPECT_NE(m2.top_via.branch(), m1.top_via.branch());
  EXPECT_EQ(m2.first(HeaderId::kCallId), m1.first(HeaderId::kCallId));
  EXPECT_EQ(verdict(second, "BYE", "Authorization"), DigestServer::Verdict::kOk);
  EXPECT_TRUE(b.user.saw("bye"));
  EXPECT_EQ(a.ua.sessions(), 0u);
  EXPECT_EQ(a.counters.get("sip.auth.uac_answered").value(), 1u);
}

TEST_F(UacAuth, ProxyChallengedReinviteCarriesProxyAuthorization) {
  const SessionId s = answered_call();
  b.user.events.clear();
  ASSERT_TRUE(a.ua.reinvite(s, Body{"application/sdp", "v=0\r\no=a 1 2\r\n"}));
  pump_challenging("INVITE", {{407, false}});
  const auto invites = sent(a, "INVITE");
  ASSERT_EQ(invites.size(), 3u);  // the call's, the challenged re-INVITE, the one with credentials
  const auto challenged = invites[1], again = invites[2];
  EXPECT_EQ(parsed(again).cseq.number, parsed(challenged).cseq.number + 1);
  EXPECT_EQ(again.find("Authorization: Digest"), again.find("Proxy-Authorization: Digest") + 6);
  EXPECT_EQ(verdict(again, "INVITE", "Proxy-Authorization"), DigestServer::Verdict::kOk);
  EXPECT_TRUE(b.user.saw("reoffer"));
  a.ua.bye(s);
  pump();
  EXPECT_EQ(a.ua.sessions(), 0u);
}

TEST_F(UacAuth, SecondChallengeRefusesTheCredentials) {
  const SessionId s = answered_call();
  a.ua.bye(s);
  // The BYE is challenged; the one with credentials is challenged again, not stale: refused (22.2).
  pump_challenging("BYE", {{401, false}, {401, false}});
  EXPECT_EQ(sent(a, "BYE").size(), 2u);
  EXPECT_FALSE(b.user.saw("bye"));
  EXPECT_EQ(a.counters.get("sip.auth.uac_answered").value(), 1u);
  EXPECT_EQ(a.counters.get("sip.auth.uac_refused").value(), 1u);
}

TEST_F(UacAuth, StaleNonceIsAnsweredAgain) {
  const SessionId s = answered_call();
  a.ua.bye(s);
  // The credentials' nonce went stale: answered once more with a fresh nonce (RFC 7616 3.3: stale=true).
  pump_challenging("BYE", {{401, false}, {401, true}});
  const auto byes = sent(a, "BYE");
  ASSERT_EQ(byes.size(), 3u);
  EXPECT_EQ(verdict(byes[2], "BYE", "Authorization"), DigestServer::Verdict::kOk);
  EXPECT_TRUE(b.user.saw("bye"));
  EXPECT_EQ(a.counters.get("sip.auth.uac_refused").value(), 0u);
}

TEST_F(UacAuth, ChallengedCancelIsNotSentAgain) {
  b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.provisional(s, 180); };
  const SessionId s = a.ua.invite(call());
  pump();
  ASSERT_TRUE(a.user.saw("provisional 180"));
  a.ua.cancel(s);
  pump_challenging("CANCEL", {{401, false}});
  const auto cancels = sent(a, "CANCEL");
  ASSERT_EQ(cancels.size(), 1u);  // 22.1: a CANCEL cannot be challenged; never re-sent with credentials
  EXPECT_EQ(cancels[0].find("Authorization"), std::string::npos);
  EXPECT_EQ(a.counters.get("sip.auth.uac_answered").value(), 0u);
}

}  // namespace
}  // namespace isupgw::sip::test
