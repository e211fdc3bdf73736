// The state machine tables in virtual time (ManualClock + ManualTimerService): ASP side, SGP/IPSP
// responder side, AS as seen from the ASP, BEAT supervision.
#include <gtest/gtest.h>

#include "sigtran/as_fsm.h"
#include "sigtran/asp_fsm.h"
#include "sigtran/beat_fsm.h"
#include "sigtran/peer_asp_fsm.h"
#include "tests/unit/sigtran/m3ua_test_support.h"

namespace isupgw::sigtran::m3ua {
namespace {

using namespace std::chrono_literals;
using testing::LogCapture;

TEST(AspFsm, BringUpActivateRetransmitOverrideAndDown) {
  ManualClock clock;
  ManualTimerService timers(clock);
  LogCapture cap;
  Counters counters;
  std::vector<Message> sent;
  std::vector<std::pair<AspState, AspState>> changes;
  AspConfig cfg;
  cfg.asp_identifier = 7;
  cfg.routing_contexts = {100};
  cfg.traffic_mode = TrafficMode::kOverride;
  const auto meter = AspFsm::make_meter(cap.log, counters);
  AspFsm fsm(
      cfg, meter, timers, counters, [&](const Message& m) { sent.push_back(m); },
      [&](AspState a, AspState b) { changes.emplace_back(a, b); });

  EXPECT_TRUE(fsm.handle(AspEvent::kStart));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type, MessageType::kAspUp);
  EXPECT_EQ(sent[0].asp_identifier, 7u);

  // RFC 4666 4.3.4.1: no ack within T(ack) -> ASPUP again.
  timers.advance(1999ms);
  EXPECT_EQ(sent.size(), 1u);
  timers.advance(1ms);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].type, MessageType::kAspUp);
  EXPECT_EQ(counters.value("m3ua.asp_fsm.retransmits"), 1u);

  // ASPUP ACK -> INACTIVE, then ASPAC with RC and traffic mode at once.
  EXPECT_TRUE(fsm.handle(AspEvent::kUpAck));
  EXPECT_EQ(fsm.state(), AspState::kActiveSent);
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[2].type, MessageType::kAspAc);
  EXPECT_EQ(*sent[2].routing_context, std::vector<std::uint32_t>{100});
  EXPECT_EQ(sent[2].traffic_mode_type, 1u);
  EXPECT_TRUE(fsm.handle(AspEvent::kActiveAck));
  EXPECT_EQ(fsm.state(), AspState::kActive);
  EXPECT_FALSE(fsm.ack_timer_running());  // no T(ack) while settled

  // A duplicate ack is not in the table: ignored and counted.
  EXPECT_FALSE(fsm.handle(AspEvent::kActiveAck));
  EXPECT_EQ(counters.value("m3ua.asp_fsm.ignored_events"), 1u);

  // Override: another ASP took over (NTFY Alternate ASP Active).
  EXPECT_TRUE(fsm.handle(AspEvent::kAlternateAsp));
  EXPECT_EQ(fsm.state(), AspState::kInactive);

  EXPECT_TRUE(fsm.handle(AspEvent::kStop));
  EXPECT_EQ(sent.back().type, MessageType::kAspDn);
  EXPECT_TRUE(fsm.handle(AspEvent::kDownAck));
  EXPECT_EQ(fsm.state(), AspState::kDown);

  // Every transition logged.
  EXPECT_EQ(cap.count("asp_fsm_transition"), 8u);
  EXPECT_EQ(changes.front(), std::make_pair(AspState::kDown, AspState::kUpSent));
}

TEST(AspFsm, CommDownFromAnyStateGoesDown) {
  ManualClock clock;
  ManualTimerService timers(clock);
  LogCapture cap;
  Counters counters;
  const auto meter = AspFsm::make_meter(cap.log, counters);
  AspFsm fsm({}, meter, timers, counters, [](const Message&) {});
  for (auto steps : {0, 1, 2}) {
    fsm.handle(AspEvent::kStart);
    if (steps >= 1) fsm.handle(AspEvent::kUpAck);
    if (steps >= 2) fsm.handle(AspEvent::kActiveAck);
    EXPECT_TRUE(fsm.handle(AspEvent::kCommDown));
    EXPECT_EQ(fsm.state(), AspState::kDown);
    EXPECT_FALSE(fsm.ack_timer_running());
  }
}

TEST(AspFsm, UnsolicitedAspDownAckFromSgp) {
  ManualClock clock;
  ManualTimerService timers(clock);
  LogCapture cap;
  Counters counters;
  const auto meter = AspFsm::make_meter(cap.log, counters);
  AspFsm fsm({}, meter, timers, counters, [](const Message&) {});
  fsm.handle(AspEvent::kStart);
  fsm.handle(AspEvent::kUpAck);
  fsm.handle(AspEvent::kActiveAck);
  // RFC 4666 4.3.4.2: the SGP may take the ASP down (e.g. management blocking).
  EXPECT_TRUE(fsm.handle(AspEvent::kDownAck));
  EXPECT_EQ(fsm.state(), AspState::kDown);
}

TEST(PeerAspFsm, SgpSideAcksAndNotifies) {
  LogCapture cap;
  Counters counters;
  std::vector<Message> sent;
  const auto meter = PeerAspFsm::make_meter(cap.log, counters);
  PeerAspFsm fsm({}, meter, [&](const Message& m) { sent.push_back(m); });

  Message aspac;
  aspac.type = MessageType::kAspAc;
  aspac.routing_context = {{5}};
  EXPECT_TRUE(fsm.handle(PeerAspEvent::kAspAc, &aspac));  // ASPAC while DOWN
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].error_code, static_cast<std::uint32_t>(ErrorCode::kUnexpectedMessage));
  EXPECT_EQ(fsm.state(), PeerAspState::kDown);

  sent.clear();
  fsm.handle(PeerAspEvent::kAspUp);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].type, MessageType::kAspUpAck);
  EXPECT_EQ(sent[1].type, MessageType::kNtfy);  // RFC 4666 4.3.4.5
  EXPECT_EQ(sent[1].status, (Status{status::kTypeAsStateChange, status::kAsInactive}));

  sent.clear();
  fsm.handle(PeerAspEvent::kAspAc, &aspac);
  EXPECT_EQ(fsm.state(), PeerAspState::kActive);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].type, MessageType::kAspAcAck);
  EXPECT_EQ(*sent[0].routing_context, std::vector<std::uint32_t>{5});
  EXPECT_EQ(sent[1].status, (Status{status::kTypeAsStateChange, status::kAsActive}));

  // ASPUP while ACTIVE: ack, ERR Unexpected Message, back to INACTIVE (RFC 4666 4.3.4.1).
  sent.clear();
  fsm.handle(PeerAspEvent::kAspUp);
  EXPECT_EQ(fsm.state(), PeerAspState::kInactive);
  ASSERT_GE(sent.size(), 2u);
  EXPECT_EQ(sent[0].type, MessageType::kAspUpAck);
  EXPECT_EQ(sent[1].type, MessageType::kErr);

  fsm.handle(PeerAspEvent::kAspDn);
  EXPECT_EQ(fsm.state(), PeerAspState::kDown);
  EXPECT_EQ(sent.back().type, MessageType::kAspDnAck);
  EXPECT_EQ(cap.count("peer_asp_fsm_transition"), 5u);
}

TEST(AsFsm, FollowsOwnAspAndNotify) {
  LogCapture cap;
  Counters counters;
  const auto meter = AsFsm::make_meter(cap.log, counters);
  AsFsm as(100, meter);
  EXPECT_TRUE(as.handle(AsEvent::kAspInactive));
  EXPECT_EQ(as.state(), AsState::kInactive);
  EXPECT_TRUE(as.handle(AsEvent::kNtfyAsActive));  // another ASP of the AS went active
  EXPECT_EQ(as.state(), AsState::kActive);
  EXPECT_TRUE(as.handle(AsEvent::kNtfyAsPending));
  EXPECT_EQ(as.state(), AsState::kPending);
  EXPECT_TRUE(as.handle(AsEvent::kNtfyAsInactive));
  EXPECT_EQ(as.state(), AsState::kInactive);
  EXPECT_TRUE(as.handle(AsEvent::kAspDown));
  EXPECT_EQ(as.state(), AsState::kDown);
  EXPECT_FALSE(as.handle(AsEvent::kNtfyAsPending));
  EXPECT_EQ(cap.count("as_fsm_transition"), 5u);
}

TEST(BeatFsm, BeatsAndDeclaresPeerLost) {
  ManualClock clock;
  ManualTimerService timers(clock);
  LogCapture cap;
  cap.log.set_all_levels(LogLevel::kDebug);
  Counters counters;
  std::vector<std::uint32_t> beats;
  int lost = 0;
  const auto meter = BeatFsm::make_meter(cap.log, counters);
  BeatFsm beat(
      "l", 30s, meter, timers, cap.log, counters, [&](std::uint32_t s) { beats.push_back(s); }, [&] { ++lost; });
  beat.handle(BeatEvent::kStart);
  timers.advance(30s);
  ASSERT_EQ(beats.size(), 1u);
  EXPECT_EQ(beat.state(), BeatState::kWaiting);
  beat.handle(BeatEvent::kPeerAlive);  // the BEAT ACK (or any message)
  EXPECT_EQ(beat.state(), BeatState::kIdle);
  timers.advance(30s);
  EXPECT_EQ(beats.size(), 2u);
  timers.advance(59s);
  EXPECT_EQ(lost, 0);
  timers.advance(1s);  // 2 x T(beat) without an answer
  EXPECT_EQ(lost, 1);
  EXPECT_EQ(beat.state(), BeatState::kOff);
  EXPECT_EQ(counters.value("m3ua.beat.peer_lost"), 1u);
}

}  // namespace
}  // namespace isupgw::sigtran::m3ua
