// Outbound registration (RFC 3261 10.2): at stop, a registered trunk removes
// its binding with Expires 0 (10.2.2), on the same Call-ID with the next CSeq.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "sip/message.h"
#include "tests/unit/sip/ua_harness.h"

namespace isupgw::sip::test {
namespace {

const Peer kRegistrar{Transport::kUdp, "192.0.2.50", 5060};

UserAgentOptions with_registration() {
  UserAgentOptions o;
  o.registrations.push_back(RegistrationTarget{kRegistrar, "sip:gw@example.net", "sip:example.net", 600, "t1"});
  return o;
}

// The registrar's 200: Via, From, To (tagged), Call-ID, CSeq of the request (8.2.6.2).
std::string ok_for(const std::string& request, std::string_view contact_expires) {
  Message m;
  EXPECT_TRUE(parse_message(request, m).ok()) << request;
  std::string r = "SIP/2.0 200 OK\r\nVia: " + std::string(*m.first(HeaderId::kVia)) +
                  "\r\nFrom: " + std::string(*m.first(HeaderId::kFrom)) +
                  "\r\nTo: " + std::string(*m.first(HeaderId::kTo)) +
                  ";tag=reg1\r\nCall-ID: " + std::string(m.call_id) +
                  "\r\nCSeq: " + std::string(*m.first(HeaderId::kCSeq)) + "\r\n";
  if (!contact_expires.empty())
    r += "Contact: " + std::string(*m.first(HeaderId::kContact)) + ";expires=" + std::string(contact_expires) + "\r\n";
  return r + "Content-Length: 0\r\n\r\n";
}

std::vector<std::string> registers(const Node& n) {
  std::vector<std::string> out;
  for (const auto& s : n.transport.sent)
    if (s.bytes.rfind("REGISTER ", 0) == 0) out.push_back(s.bytes);
  return out;
}

TEST(Registration, StopRemovesTheBindingWithExpiresZero) {
  ManualClock clock;
  ManualTimerService timers(clock);
  std::vector<std::string> logs;
  Logger log([&logs](std::string_view l) { logs.emplace_back(l); });
  Node n("192.0.2.1", timers, clock, log, with_registration());
  ASSERT_FALSE(n.ua.start());
  ASSERT_EQ(registers(n).size(), 1u);
  n.ua.receive(kRegistrar, ok_for(registers(n)[0], "600"));
  EXPECT_EQ(n.counters.value("sip.register.ok"), 1u);

  n.ua.stop();
  const auto regs = registers(n);
  ASSERT_EQ(regs.size(), 2u);
  Message first, un;
  ASSERT_TRUE(parse_message(regs[0], first).ok());
  ASSERT_TRUE(parse_message(regs[1], un).ok()) << regs[1];
  EXPECT_EQ(un.first(HeaderId::kExpires), "0");
  EXPECT_NE(un.first(HeaderId::kContact)->find(";expires=0"), std::string_view::npos) << regs[1];
  EXPECT_EQ(un.call_id, first.call_id);  // 10.2.4: same Call-ID, CSeq one higher
  EXPECT_EQ(un.cseq.number, first.cseq.number + 1);
  EXPECT_EQ(un.from.tag(), first.from.tag());

  EXPECT_TRUE(n.ua.unregistering());  // the daemon waits for this before it exits
  n.ua.receive(kRegistrar, ok_for(regs[1], ""));
  EXPECT_EQ(n.counters.value("sip.register.removed"), 1u);
  EXPECT_FALSE(n.ua.unregistering());
  // No refresh and no retry after that.
  timers.advance(std::chrono::hours(2));
  EXPECT_EQ(registers(n).size(), 2u);
}

// A refresh in flight when stop() un-REGISTERs: its 200 is not the removal.
TEST(Registration, ARefreshAnsweredAfterStopIsNotTheRemoval) {
  ManualClock clock;
  ManualTimerService timers(clock);
  Logger log([](std::string_view) {});
  Node n("192.0.2.1", timers, clock, log, with_registration());
  ASSERT_FALSE(n.ua.start());
  n.ua.receive(kRegistrar, ok_for(registers(n)[0], "600"));
  timers.advance(std::chrono::seconds(300));  // the refresh at half of 600 s
  ASSERT_EQ(registers(n).size(), 2u);
  n.ua.stop();
  const auto regs = registers(n);
  ASSERT_EQ(regs.size(), 3u);
  n.ua.receive(kRegistrar, ok_for(regs[1], "600"));  // the refresh's answer
  EXPECT_EQ(n.counters.value("sip.register.removed"), 0u);
  EXPECT_TRUE(n.ua.unregistering());
  n.ua.receive(kRegistrar, ok_for(regs[2], ""));
  EXPECT_EQ(n.counters.value("sip.register.removed"), 1u);
  EXPECT_FALSE(n.ua.unregistering());
}

// The management view (issue 18): state, granted time, last answer, time to the next REGISTER.
TEST(Registration, StatusShowsTheBindingAndTheNextRefresh) {
  ManualClock clock;
  ManualTimerService timers(clock);
  Logger log([](std::string_view) {});
  Node n("192.0.2.1", timers, clock, log, with_registration());
  ASSERT_FALSE(n.ua.start());
  auto v = n.ua.registrations();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].state, RegistrationState::kRegistering);
  EXPECT_EQ(v[0].trunk, "t1");
  EXPECT_EQ(v[0].registrar, "sip:example.net");
  EXPECT_EQ(v[0].target.host, "192.0.2.50");
  EXPECT_TRUE(v[0].last_status.empty());
  EXPECT_FALSE(v[0].next_in.has_value());
  n.ua.receive(kRegistrar, ok_for(registers(n)[0], "120"));  // the registrar grants 120 of the 600 s asked
  timers.advance(std::chrono::seconds(10));
  v = n.ua.registrations();
  EXPECT_EQ(v[0].state, RegistrationState::kRegistered);
  EXPECT_EQ(v[0].expires, 120u);
  EXPECT_EQ(v[0].last_status, "200");
  ASSERT_TRUE(v[0].next_in.has_value());
  EXPECT_EQ(*v[0].next_in, std::chrono::seconds(50));  // refreshed at half of 120 s
  n.ua.stop();
  EXPECT_EQ(n.ua.registrations()[0].state, RegistrationState::kUnregistering);
  n.ua.receive(kRegistrar, ok_for(registers(n)[1], ""));
  v = n.ua.registrations();
  EXPECT_EQ(v[0].state, RegistrationState::kUnregistered);
  EXPECT_EQ(v[0].expires, 0u);
}

TEST(Registration, StopBeforeAnyBindingSendsNothing) {
  ManualClock clock;
  ManualTimerService timers(clock);
  Logger log([](std::string_view) {});
  Node n("192.0.2.1", timers, clock, log, with_registration());
  ASSERT_FALSE(n.ua.start());
  ASSERT_EQ(registers(n).size(), 1u);
  n.ua.stop();  // never registered: nothing to remove
  EXPECT_EQ(registers(n).size(), 1u);
}

}  // namespace
}  // namespace isupgw::sip::test
