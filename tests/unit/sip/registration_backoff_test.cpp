// Outbound registration (issue 18): after a failed REGISTER (403 here) each trunk waits its own first
// backoff (register.retry_after_s), doubling per further failure (RFC 3261 10.2 leaves the retry policy
// to the UA).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "sip/message.h"
#include "tests/unit/sip/ua_harness.h"

namespace isupgw::sip::test {
namespace {

const Peer kFast{Transport::kUdp, "192.0.2.51", 5060};
const Peer kSlow{Transport::kUdp, "192.0.2.52", 5060};

// REGISTERs sent to `to`.
std::vector<std::string> registers_to(const Node& n, const Peer& to) {
  std::vector<std::string> out;
  for (const auto& s : n.transport.sent)
    if (s.bytes.rfind("REGISTER ", 0) == 0 && s.to.host == to.host) out.push_back(s.bytes);
  return out;
}

// The registrar refuses: 403 with the request's Via, From, To, Call-ID and CSeq (RFC 3261 8.2.6.2).
std::string forbidden(const std::string& request) {
  Message m;
  EXPECT_TRUE(parse_message(request, m).ok()) << request;
  return "SIP/2.0 403 Forbidden\r\nVia: " + std::string(*m.first(HeaderId::kVia)) +
         "\r\nFrom: " + std::string(*m.first(HeaderId::kFrom)) + "\r\nTo: " + std::string(*m.first(HeaderId::kTo)) +
         ";tag=r\r\nCall-ID: " + std::string(m.call_id) + "\r\nCSeq: " + std::string(*m.first(HeaderId::kCSeq)) +
         "\r\nContent-Length: 0\r\n\r\n";
}

TEST(RegistrationBackoff, EachTrunkWaitsItsOwnRetryTime) {
  ManualClock clock;
  ManualTimerService timers(clock);
  Logger log([](std::string_view) {});
  UserAgentOptions o;
  o.registration_backoff = std::chrono::seconds(30);  // the default, for a trunk without its own
  o.registrations.push_back(
      RegistrationTarget{kFast, "sip:gw@fast.example", "sip:fast.example", 600, "fast", std::chrono::seconds(5)});
  o.registrations.push_back(
      RegistrationTarget{kSlow, "sip:gw@slow.example", "sip:slow.example", 600, "slow", std::chrono::seconds(60)});
  Node n("192.0.2.1", timers, clock, log, o);
  ASSERT_FALSE(n.ua.start());
  ASSERT_EQ(registers_to(n, kFast).size(), 1u);
  ASSERT_EQ(registers_to(n, kSlow).size(), 1u);
  n.ua.receive(kFast, forbidden(registers_to(n, kFast)[0]));
  n.ua.receive(kSlow, forbidden(registers_to(n, kSlow)[0]));
  EXPECT_EQ(n.counters.value("sip.register.failed"), 2u);

  timers.advance(std::chrono::seconds(5));  // the fast trunk's own time
  EXPECT_EQ(registers_to(n, kFast).size(), 2u);
  EXPECT_EQ(registers_to(n, kSlow).size(), 1u);
  n.ua.receive(kFast, forbidden(registers_to(n, kFast)[1]));  // second failure: twice the wait
  timers.advance(std::chrono::seconds(9));                    // 14 s: neither is due
  EXPECT_EQ(registers_to(n, kFast).size(), 2u);
  timers.advance(std::chrono::seconds(1));  // 15 s = 5 + 10
  EXPECT_EQ(registers_to(n, kFast).size(), 3u);
  timers.advance(std::chrono::seconds(44));  // 59 s: the slow trunk not yet, whatever the default says
  EXPECT_EQ(registers_to(n, kSlow).size(), 1u);
  timers.advance(std::chrono::seconds(1));  // 60 s
  EXPECT_EQ(registers_to(n, kSlow).size(), 2u);
  n.ua.stop();
}

}  // namespace
}  // namespace isupgw::sip::test
