// M2PA link (RFC 4165 4.1 alignment and proving, 4.2 User Data with FSN/BSN,
// retransmission buffer) in virtual time: two links joined by an in-memory
// transport pair; time moves only by ManualTimerService::advance.
#include <gtest/gtest.h>

#include "sigtran/m2pa_link.h"
#include "tests/unit/sigtran/m3ua_test_support.h"

namespace isupgw::sigtran::m2pa {
namespace {

using m3ua::testing::LogCapture;
using m3ua::testing::MemTransport;
using m3ua::testing::pump;
using namespace std::chrono_literals;

struct User final : LinkUser {
  std::vector<std::vector<std::uint8_t>> msus;
  std::vector<std::string> events;
  void on_link_in_service(Link&) override { events.push_back("in service"); }
  void on_link_out_of_service(Link&, std::string_view why) override {
    events.push_back("out of service " + std::string(why));
  }
  void on_link_msu(Link&, std::span<const std::uint8_t> m) override { msus.emplace_back(m.begin(), m.end()); }
  void on_link_remote_outage(Link&, bool o) override { events.push_back(o ? "remote outage" : "remote recovered"); }
};

Message testing_status(LinkState s) {
  Message m;
  m.type = MessageType::kLinkStatus;
  m.state = s;
  return m;
}

struct M2paLinkTest : ::testing::Test {
  ManualClock clock;
  ManualTimerService timers{clock};
  LogCapture cap;
  Counters counters;
  MemTransport ta, tb;
  User ua, ub;
  LinkConfig cfg(std::string name) {
    LinkConfig c;
    c.name = std::move(name);
    c.slc = 0;
    return c;
  }
  LinkFsm::Meter meter = LinkFsm::make_meter(cap.log, counters);
  Link a{cfg("ls1/0"), ta, meter, timers, cap.log, counters, ua};
  Link b{cfg("ls2/0"), tb, meter, timers, cap.log, counters, ub};
  M2paLinkTest() { m3ua::testing::link_pair(ta, tb); }
  void advance(Clock::duration d) {
    // Messages are delivered every 100 ms; timers fire at their deadlines.
    for (auto t = Clock::duration{}; t < d; t += 100ms) {
      timers.advance(100ms);
      pump(ta, tb);
    }
  }
  void align() {
    a.start();
    b.start();
    pump(ta, tb);
    advance(LinkTimers{}.t4n + 200ms);
  }
};

TEST_F(M2paLinkTest, AlignsAfterTheNormalProvingPeriod) {
  cap.log.set_all_levels(LogLevel::kDebug);  // the machine's transitions are logged at debug
  a.start();
  b.start();
  pump(ta, tb);
  // RFC 4165 4.1.2/4.1.3: Alignment crossed, both prove for T4 (Pn).
  EXPECT_EQ(a.state(), LinkFsmState::kProving);
  EXPECT_EQ(b.state(), LinkFsmState::kProving);
  advance(8s);
  EXPECT_FALSE(a.in_service()) << "T4n (8.2 s) has not expired";
  advance(300ms);
  EXPECT_TRUE(a.in_service());
  EXPECT_TRUE(b.in_service());
  EXPECT_EQ(ua.events, std::vector<std::string>{"in service"});
  EXPECT_EQ(ub.events, std::vector<std::string>{"in service"});
  EXPECT_GT(cap.count("m2pa_fsm_transition"), 5u) << "every transition logged (debug)";
}

// RFC 4165 4.1.2 / 4.1.3 after Q.703's continuous SIO and SIN: Alignment is sent again every
// 100 ms while NOT-ALIGNED, Proving while ALIGNED and PROVING; nothing once in service.
TEST_F(M2paLinkTest, AlignmentAndProvingAreRepeatedUntilTheLinkIsInService) {
  auto count = [&](const MemTransport& t, LinkState st) {
    std::size_t n = 0;
    for (const auto& raw : t.raw_sent) {
      auto m = decode(raw);
      n += m && m->type == MessageType::kLinkStatus && m->state == st ? 1 : 0;
    }
    return n;
  };
  a.start();
  tb.wants = true;  // b's transport is up, b itself starts 1 s later: it ignores what comes first
  pump(ta, tb);
  advance(1s);
  EXPECT_EQ(a.state(), LinkFsmState::kNotAligned);
  EXPECT_EQ(count(ta, LinkState::kAlignment), 11u) << "the first and one every 100 ms";
  EXPECT_EQ(counters.value("m2pa.link.ls1/0.tx_alignment"), 11u);
  EXPECT_EQ(counters.value("m2pa.link.ls1/0.alignment_attempts"), 1u);
  b.start();
  pump(ta, tb);
  EXPECT_EQ(a.state(), LinkFsmState::kProving);
  const auto alignments = count(ta, LinkState::kAlignment);
  advance(8s);
  EXPECT_EQ(count(ta, LinkState::kAlignment), alignments) << "no Alignment once aligned";
  EXPECT_GE(count(ta, LinkState::kProvingNormal), 80u) << "Proving every 100 ms of the 8.2 s period";
  advance(300ms);
  ASSERT_TRUE(a.in_service());
  const auto provings = count(ta, LinkState::kProvingNormal);
  advance(1s);
  EXPECT_EQ(count(ta, LinkState::kProvingNormal), provings) << "nothing repeated in service";
  EXPECT_EQ(counters.value("m2pa.link.ls1/0.proving_periods"), 1u);
  EXPECT_EQ(cap.count("m2pa_alignment_attempt link=ls1/0 attempt=1"), 1u);
}

TEST_F(M2paLinkTest, EmergencyProvingIsShort) {
  a.set_emergency(true);
  b.set_emergency(true);
  a.start();
  b.start();
  pump(ta, tb);
  advance(600ms);  // T4e (Pe) 500 ms
  EXPECT_TRUE(a.in_service());
  EXPECT_TRUE(b.in_service());
}

TEST_F(M2paLinkTest, T2ExpiresWhenThePeerNeverAligns) {
  a.start();  // b never starts: it ignores Alignment in OUT-OF-SERVICE
  tb.wants = true;
  pump(ta, tb);
  EXPECT_EQ(a.state(), LinkFsmState::kNotAligned);
  advance(19900ms);
  EXPECT_EQ(a.state(), LinkFsmState::kNotAligned);
  advance(200ms);  // T2 = 20 s
  EXPECT_EQ(a.state(), LinkFsmState::kOutOfService);
  EXPECT_EQ(ua.events, std::vector<std::string>{"out of service t2_expiry"});
}

TEST_F(M2paLinkTest, T3ExpiresWhenThePeerNeverProves) {
  a.start();
  tb.wants = true;
  pump(ta, tb);
  // The peer answers Alignment but never Proving.
  ta.inject(encode(testing_status(LinkState::kAlignment)));
  pump(ta, tb);
  EXPECT_EQ(a.state(), LinkFsmState::kAligned);
  advance(1400ms);
  EXPECT_EQ(a.state(), LinkFsmState::kAligned);
  advance(200ms);  // T3 = 1.5 s
  EXPECT_EQ(a.state(), LinkFsmState::kOutOfService);
  EXPECT_EQ(ua.events.back(), "out of service t3_expiry");
}

TEST_F(M2paLinkTest, T1ExpiresWhenThePeerIsNeverReady) {
  a.start();
  tb.wants = true;
  pump(ta, tb);
  ta.inject(encode(testing_status(LinkState::kProvingNormal)));
  pump(ta, tb);
  advance(8300ms);
  EXPECT_EQ(a.state(), LinkFsmState::kAlignedReady);
  advance(44s);
  EXPECT_EQ(a.state(), LinkFsmState::kAlignedReady);
  advance(1100ms);  // T1 = 45 s
  EXPECT_EQ(a.state(), LinkFsmState::kOutOfService);
  EXPECT_EQ(ua.events.back(), "out of service t1_expiry");
}

TEST_F(M2paLinkTest, UserDataInSequenceAndAcknowledged) {
  align();
  for (std::uint8_t i = 0; i < 5; ++i) ASSERT_TRUE(a.send_msu(std::vector<std::uint8_t>{0x85, i}));
  EXPECT_EQ(a.unacked(), 5u);
  pump(ta, tb);
  ASSERT_EQ(ub.msus.size(), 5u);
  for (std::uint8_t i = 0; i < 5; ++i) EXPECT_EQ(ub.msus[i], (std::vector<std::uint8_t>{0x85, i}));
  EXPECT_EQ(a.unacked(), 0u) << "the peer's BSN acknowledged every FSN";
  EXPECT_EQ(b.last_accepted_fsn(), 4u) << "FSNs start at 0 after 2**24-1";
  advance(3s);
  EXPECT_TRUE(a.in_service()) << "T7 stopped once everything was acknowledged";
}

TEST_F(M2paLinkTest, T7ExpiresWithoutAcknowledgement) {
  align();
  ASSERT_TRUE(a.send_msu(std::vector<std::uint8_t>{0x85, 1}));
  tb.inbox.clear();  // lost on the way (b never sees it, never acknowledges)
  timers.advance(1400ms);
  EXPECT_TRUE(a.in_service());
  timers.advance(200ms);  // T7 = 1.5 s
  EXPECT_FALSE(a.in_service());
  EXPECT_EQ(ua.events.back(), "out of service t7_expiry");
}

TEST_F(M2paLinkTest, RemoteBusyLongerThanT6FailsTheLink) {
  align();
  ta.inject(encode(testing_status(LinkState::kBusy)));
  pump(ta, tb);
  advance(3s);
  ta.inject(encode(testing_status(LinkState::kBusyEnded)));
  pump(ta, tb);
  advance(3s);
  EXPECT_TRUE(a.in_service()) << "Busy Ended stopped T6";
  ta.inject(encode(testing_status(LinkState::kBusy)));
  pump(ta, tb);
  advance(5100ms);  // T6 = 5 s
  EXPECT_FALSE(a.in_service());
  EXPECT_EQ(ua.events.back(), "out of service t6_expiry");
}

TEST_F(M2paLinkTest, OutOfServiceFromThePeerAndProcessorOutage) {
  align();
  ta.inject(encode(testing_status(LinkState::kProcessorOutage)));
  ta.inject(encode(testing_status(LinkState::kProcessorRecovered)));
  pump(ta, tb);
  EXPECT_EQ(ua.events, (std::vector<std::string>{"in service", "remote outage", "remote recovered"}));
  b.stop();
  pump(ta, tb);
  EXPECT_FALSE(a.in_service());
  EXPECT_EQ(ua.events.back(), "out of service rx_out_of_service");
}

TEST_F(M2paLinkTest, RetrievalReturnsExactlyWhatThePeerDidNotAccept) {
  align();
  for (std::uint8_t i = 0; i < 5; ++i) ASSERT_TRUE(a.send_msu(std::vector<std::uint8_t>{0x85, i}));
  // b receives the first two, then the link breaks: the rest and all acks are lost.
  for (int i = 0; i < 2; ++i) {
    auto [stream, msg] = tb.inbox.front();
    tb.inbox.pop_front();
    b.on_message(stream, msg);
  }
  ta.inbox.clear();
  tb.inbox.clear();
  ASSERT_EQ(ub.msus.size(), 2u);
  EXPECT_EQ(a.unacked(), 5u);
  // Q.704 5.4 / RFC 4165 4.2.4: the peer's last accepted FSN (sent in XCO) selects the retrieval.
  auto rest = a.retrieve(b.last_accepted_fsn());
  ASSERT_EQ(rest.size(), 3u);
  for (std::uint8_t i = 0; i < 3; ++i) EXPECT_EQ(rest[i], (std::vector<std::uint8_t>{0x85, std::uint8_t(i + 2)}));
  EXPECT_EQ(a.unacked(), 0u);
}

TEST_F(M2paLinkTest, SequenceNumbersWrapAt24Bits) {
  align();
  // 2**24 + 3 messages would take long; the arithmetic is covered, so check the first wrap from 2**24-1.
  ASSERT_TRUE(a.send_msu(std::vector<std::uint8_t>{0x85, 0}));
  pump(ta, tb);
  EXPECT_EQ(b.last_accepted_fsn(), 0u);
  EXPECT_EQ(seq_distance(0, kInitialSeq), 1u);
}

TEST_F(M2paLinkTest, TransportLossTakesTheLinkOutOfServiceAndItRealigns) {
  align();
  ta.close();
  EXPECT_FALSE(a.in_service());
  EXPECT_FALSE(b.in_service());
  EXPECT_EQ(ua.events.back(), "out of service comm_down");
  EXPECT_EQ(a.unacked(), 0u);
  a.start();  // MTP3 restarts the links after changeover
  b.start();
  pump(ta, tb);
  EXPECT_EQ(a.state(), LinkFsmState::kProving);
  advance(8300ms);
  EXPECT_TRUE(a.in_service());
  EXPECT_TRUE(b.in_service());
}

}  // namespace
}  // namespace isupgw::sigtran::m2pa
