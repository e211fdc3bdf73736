// Everything the UserAgent emits in a run through its procedures (100, 180,
// reliable 183 + PRACK, 200 + ACK, re-INVITE, UPDATE refresh, INFO, BYE,
// CANCEL + 487 + ACK, 486, 481, 482, 400 + Warning, OPTIONS) goes through ONE
// tshark run as SIP over UDP: nothing may be malformed or flagged.
#include <gtest/gtest.h>

#include <set>

#include "tests/support/tshark_oracle.h"
#include "tests/unit/sip/ua_harness.h"

namespace isupgw::sip::test {
namespace {

using std::chrono::seconds;

class TsharkUa : public Pair {
 protected:
  static UserAgentOptions opts() {
    UserAgentOptions o;
    o.min_se = 90;
    return o;
  }
  TsharkUa() : Pair(opts()) {}
};

TEST_F(TsharkUa, EveryEmittedMessageDecodes) {
  if (!tshark::available()) GTEST_FAIL() << "tshark/text2pcap not installed (scripts/setup.sh installs them)";
  int n = 0;
  b.user.invite_hook = [&](SessionId s, const Message&) {
    switch (n++) {
      case 0:
        b.ua.provisional(s, 183, {}, Body{"application/sdp", "v=0\r\no=- 1 1 IN IP4 192.0.2.2\r\ns=-\r\n"}, true);
        b.ua.answer(s, {{"P-Asserted-Identity", "<sip:+4930123456@192.0.2.2;user=phone>"}},
                    Body{"application/sdp", "v=0\r\no=- 1 1 IN IP4 192.0.2.2\r\ns=-\r\n"});
        break;
      case 1: b.ua.provisional(s, 180); break;
      default: b.ua.reject(s, 486, {{"Reason", "Q.850;cause=17"}}); break;
    }
  };
  auto c = call("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n");
  c.session_expires = 90;
  const SessionId s1 = a.ua.invite(c);
  pump();
  a.ua.reinvite(s1, Body{"application/sdp", "v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\ns=-\r\na=sendonly\r\n"});
  pump();
  a.ua.info(
      s1, {},
      Body{"application/ISUP;version=itu-t92+;base=itu-t92+", std::string("\x0d\x00\x00", 3) /* SUS (Q.763 1.28) */});
  pump();
  run_for(seconds(50), seconds(1));  // a session refresh (UPDATE)
  a.ua.bye(s1, {{"Reason", "Q.850;cause=16"}});
  pump();
  const SessionId s2 = a.ua.invite(call());
  pump();
  a.ua.cancel(s2);
  pump();
  a.ua.invite(call());
  pump();
  const Peer far{Transport::kUdp, "192.0.2.9", 5060};
  b.ua.receive(far,
               "BYE sip:x@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKy1\r\nMax-Forwards: 70\r\n"
               "From: <sip:p@192.0.2.9>;tag=1\r\nTo: <sip:x@192.0.2.2>;tag=2\r\nCall-ID: y1\r\nCSeq: 2 BYE\r\n"
               "Content-Length: 0\r\n\r\n");
  b.ua.receive(far,
               "INVITE sip:x@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKb1\r\nMax-Forwards: 70\r\n"
               "From: <sip:p@192.0.2.9>;tag=1\r\nTo: <sip:x@192.0.2.2>\r\nCall-ID: b1\r\nCSeq: x INVITE\r\n"
               "Content-Length: 0\r\n\r\n");
  b.ua.receive(far,
               "OPTIONS sip:192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKo1;rport\r\n"
               "Max-Forwards: 70\r\nFrom: <sip:p@192.0.2.9>;tag=1\r\nTo: <sip:192.0.2.2>\r\nCall-ID: o1\r\n"
               "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
  std::vector<std::vector<std::uint8_t>> payloads;
  std::set<std::string> kinds;
  for (const Node* node : {&a, &b})
    for (const auto& m : node->transport.sent) {
      payloads.emplace_back(m.bytes.begin(), m.bytes.end());
      kinds.insert(method_or_status(m.bytes));
    }
  for (const char* k : {"INVITE", "ACK", "BYE", "CANCEL", "PRACK", "UPDATE", "INFO", "100", "180", "183", "200", "481",
                        "486", "487", "400"})
    EXPECT_TRUE(kinds.count(k)) << k << " was not emitted";
  const auto results = tshark::dissect_many(payloads, tshark::Wrap::kSipUdp);
  ASSERT_EQ(results.size(), payloads.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    const std::string text(payloads[i].begin(), payloads[i].end());
    ASSERT_TRUE(results[i].ok()) << results[i].error;
    EXPECT_FALSE(results[i].malformed) << results[i].problems() << "\n" << text;
    EXPECT_TRUE(results[i].expert.empty()) << results[i].problems() << "\n" << text;
    EXPECT_TRUE(results[i].has("sip.Method") || results[i].has("sip.Status-Code")) << text;
  }
}

}  // namespace
}  // namespace isupgw::sip::test
