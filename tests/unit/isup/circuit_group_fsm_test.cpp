// Circuit group blocking/unblocking (CGB/CGU, T18-T21) and group reset
// (GRS/GRA, T22/T23), both directions (Q.764 2.8.2.2, 2.10.3.2).
#include "isup/circuit_group_fsm.h"

#include "isup_cc_test_util.h"

namespace isupgw::isup {
namespace {

using testing::CcFixture;

class CircuitGroupTest : public CcFixture {};

TEST_F(CircuitGroupTest, MaintenanceGroupBlockingAndUnblocking) {
  make(1, 8);
  ASSERT_TRUE(cc->group_block(group, 1, 7, false));
  Message cgb = expect(msg::kCgb, 1);
  EXPECT_EQ(CircuitGroupSupervisionMessageType::decode(cgb.find(par::kCircuitGroupSupervisionMessageType)->value)->type,
            0);
  auto rs = range_status(cgb);
  EXPECT_EQ(rs.range, 7);
  ASSERT_EQ(rs.status.size(), 1u);
  EXPECT_EQ(rs.status[0], 0xff);
  const std::uint8_t acked[] = {0xff};
  peer_group(msg::kCgba, 1, 7, {acked, acked + 1}, 0);
  for (unsigned cic = 1; cic <= 8; ++cic) EXPECT_EQ(circ(cic).blocking().state(), BlockingState::kBlocked);
  SetupRequest req;
  req.called = testing::digits_number(NumberKind::kCalled, "1");
  EXPECT_EQ(cc->setup(group, std::move(req)).error(), CcError::kNoCircuit);
  advance_s(1000);  // T18/T19 stopped
  expect_nothing();

  ASSERT_TRUE(cc->group_unblock(group, 1, 7, false, {0x0f}));  // CICs 1-4 only
  Message cgu = expect(msg::kCgu, 1);
  EXPECT_EQ(range_status(cgu).status[0], 0x0f);
  peer_group(msg::kCgua, 1, 7, {0x0f}, 0);
  EXPECT_EQ(circ(1).blocking().state(), BlockingState::kUnblocked);
  EXPECT_EQ(circ(4).blocking().state(), BlockingState::kUnblocked);
  EXPECT_EQ(circ(5).blocking().state(), BlockingState::kBlocked);
}

TEST_F(CircuitGroupTest, T18RepeatsCgbT19AlertsMaintenance) {
  make(1, 8);
  ASSERT_TRUE(cc->group_block(group, 1, 7, false));
  expect(msg::kCgb, 1);
  advance_s(15);  // T18
  expect(msg::kCgb, 1);
  advance_s(285);  // T19 = 300 s
  while (!mtp.sent.empty()) expect(msg::kCgb, 1);
  EXPECT_EQ(counter("isup.alarm.cgb_unacknowledged"), 1u);
  advance_s(299);
  expect_nothing();
  advance_s(1);
  expect(msg::kCgb, 1);
  EXPECT_EQ(cc->group_block(group, 1, 7, false).error(), CcError::kBusy);
}

TEST_F(CircuitGroupTest, T20RepeatsCguT21AlertsMaintenance) {
  make(1, 8);
  ASSERT_TRUE(cc->group_unblock(group, 1, 3, false));
  expect(msg::kCgu, 1);
  advance_s(15);  // T20
  expect(msg::kCgu, 1);
  advance_s(285);  // T21
  while (!mtp.sent.empty()) expect(msg::kCgu, 1);
  EXPECT_EQ(counter("isup.alarm.cgu_unacknowledged"), 1u);
  peer_group(msg::kCgua, 1, 3, {0x0f}, 0);
  advance_s(1000);
  expect_nothing();
}

TEST_F(CircuitGroupTest, HardwareGroupBlockingReleasesCalls) {
  make(1, 8);
  const CallId id = setup_call();
  expect(msg::kIam, 1);
  ASSERT_TRUE(cc->group_block(group, 1, 1, true));
  Message cgb = expect(msg::kCgb, 1);
  EXPECT_EQ(CircuitGroupSupervisionMessageType::decode(cgb.find(par::kCircuitGroupSupervisionMessageType)->value)->type,
            1);
  EXPECT_EQ(user.pop(), "release:41");
  EXPECT_EQ(user.released.back(), id);
  EXPECT_TRUE(circ(1).call().idle());
  peer_group(msg::kCgba, 1, 1, {0x03}, 1);
  EXPECT_TRUE(circ(1).local_hw_blocked);
  EXPECT_TRUE(circ(2).local_hw_blocked);
  EXPECT_EQ(circ(1).blocking().state(), BlockingState::kUnblocked);  // not maintenance blocking
  ASSERT_TRUE(cc->group_unblock(group, 1, 1, true));
  expect(msg::kCgu, 1);
  peer_group(msg::kCgua, 1, 1, {0x03}, 1);
  EXPECT_FALSE(circ(1).local_hw_blocked);
}

TEST_F(CircuitGroupTest, ReceivedCgbMaintenanceAndHardware) {
  make(1, 8);
  peer_iam(2);
  EXPECT_EQ(user.pop(), "setup:1234F");
  peer_group(msg::kCgb, 1, 3, {0x05}, 0);  // CICs 1 and 3, maintenance
  Message a = expect(msg::kCgba, 1);
  EXPECT_EQ(range_status(a).range, 3);
  EXPECT_EQ(range_status(a).status[0], 0x05);
  EXPECT_TRUE(circ(1).remote_maint_blocked);
  EXPECT_FALSE(circ(2).remote_maint_blocked);
  EXPECT_TRUE(circ(3).remote_maint_blocked);
  // Hardware failure blocking of CIC 2 removes the call on it without REL.
  peer_group(msg::kCgb, 1, 3, {0x02}, 1);
  Message h = expect(msg::kCgba, 1);
  EXPECT_EQ(CircuitGroupSupervisionMessageType::decode(h.find(par::kCircuitGroupSupervisionMessageType)->value)->type,
            1);
  EXPECT_EQ(range_status(h).status[0], 0x02);
  expect_nothing();
  EXPECT_EQ(user.pop(), "release:41");
  EXPECT_TRUE(circ(2).remote_hw_blocked);
  peer_group(msg::kCgu, 1, 3, {0x07}, 0);
  EXPECT_EQ(range_status(expect(msg::kCgua, 1)).status[0], 0x07);
  EXPECT_FALSE(circ(1).remote_maint_blocked);
  EXPECT_TRUE(circ(2).remote_hw_blocked);
}

TEST_F(CircuitGroupTest, ReceivedCgbWithoutStatusOrBadRangeIsDiscarded) {
  make(1, 8);
  peer_group(msg::kCgb, 1, 0, {0x01}, 0);  // range 0 reserved
  expect_nothing();
  EXPECT_EQ(counter("isup.rx.cgb_invalid"), 1u);
}

TEST_F(CircuitGroupTest, GroupResetAndGraStatus) {
  make(1, 8);
  peer_iam(2);
  user.pop();
  ASSERT_TRUE(cc->group_reset(group, 1, 7));
  Message grs = expect(msg::kGrs, 1);
  EXPECT_EQ(range_status(grs).range, 7);
  EXPECT_TRUE(range_status(grs).status.empty());
  EXPECT_EQ(user.pop(), "release:41");  // the call on CIC 2 is gone
  EXPECT_FALSE(circ(1).available_for_outgoing());
  peer_group(msg::kGra, 1, 7, {0x10});  // the peer holds CIC 5 blocked
  EXPECT_TRUE(circ(1).available_for_outgoing());
  EXPECT_TRUE(circ(5).remote_maint_blocked);
  EXPECT_FALSE(circ(5).available_for_outgoing());
  advance_s(1000);
  expect_nothing();
}

TEST_F(CircuitGroupTest, T22RepeatsGrsT23AlertsMaintenance) {
  make(1, 8);
  ASSERT_TRUE(cc->group_reset(group, 1, 7));
  expect(msg::kGrs, 1);
  advance_s(15);  // T22
  expect(msg::kGrs, 1);
  advance_s(15);
  expect(msg::kGrs, 1);
  advance_s(270);  // T23 = 300 s
  while (!mtp.sent.empty()) expect(msg::kGrs, 1);
  EXPECT_EQ(counter("isup.alarm.grs_unacknowledged"), 1u);
  advance_s(300);
  expect(msg::kGrs, 1);
  EXPECT_EQ(counter("isup.alarm.grs_unacknowledged"), 2u);
  peer_group(msg::kGra, 1, 7, {0x00});
  advance_s(1000);
  expect_nothing();
}

TEST_F(CircuitGroupTest, ReceivedGrsClearsCallsAndReportsLocalBlocking) {
  make(1, 8);
  peer_iam(2);
  user.pop();
  ASSERT_TRUE(cc->block(group, 3));
  expect(msg::kBlo, 3);
  inject_simple(msg::kBla, 3);
  inject_simple(msg::kBlo, 4);
  expect(msg::kBla, 4);
  peer_group(msg::kGrs, 1, 7, {});
  Message gra = expect(msg::kGra, 1);
  EXPECT_EQ(range_status(gra).range, 7);
  ASSERT_EQ(range_status(gra).status.size(), 1u);
  EXPECT_EQ(range_status(gra).status[0], 0x04);  // CIC 3 locally blocked
  EXPECT_EQ(user.pop(), "release:41");
  EXPECT_TRUE(circ(2).call().idle());
  EXPECT_FALSE(circ(4).remote_maint_blocked);  // reset removes remote blocking
}

TEST_F(CircuitGroupTest, ReceivedGrsWithReservedRangeIsDiscarded) {
  make(1, 8);
  peer_group(msg::kGrs, 1, 0, {});
  expect_nothing();
  EXPECT_EQ(counter("isup.rx.grs_bad_range"), 1u);
}

TEST_F(CircuitGroupTest, UnexpectedGroupAckIsCounted) {
  make(1, 8);
  peer_group(msg::kGra, 1, 7, {0x00});
  expect_nothing();
  EXPECT_EQ(counter("isup.rx.unexpected_group_ack"), 1u);
}

}  // namespace
}  // namespace isupgw::isup

namespace isupgw::isup {
namespace {

class CircuitGroupResetTest : public testing::CcFixture {};

TEST_F(CircuitGroupResetTest, ReceivedGrsReassertsLocalHardwareBlocking) {
  make(1, 8);
  ASSERT_TRUE(cc->group_block(group, 3, 1, true));  // CICs 3 and 4, hardware
  expect(msg::kCgb, 3);
  peer_group(msg::kCgba, 3, 1, {0x03}, 1);
  ASSERT_TRUE(circ(3).local_hw_blocked);
  peer_group(msg::kGrs, 1, 7, {});
  EXPECT_EQ(range_status(expect(msg::kGra, 1)).status[0], 0x00);  // GRA reports maintenance blocking only
  Message cgb = expect(msg::kCgb, 1);
  EXPECT_EQ(CircuitGroupSupervisionMessageType::decode(cgb.find(par::kCircuitGroupSupervisionMessageType)->value)->type,
            1);
  EXPECT_EQ(range_status(cgb).range, 7);
  EXPECT_EQ(range_status(cgb).status[0], 0x0c);
  peer_group(msg::kCgba, 1, 7, {0x0c}, 1);
  EXPECT_TRUE(circ(3).local_hw_blocked);
  EXPECT_TRUE(circ(4).local_hw_blocked);
  EXPECT_FALSE(circ(5).local_hw_blocked);
}

TEST_F(CircuitGroupResetTest, TimerValuesAreConfigurable) {
  make(1, 8, Variant::kEtsi, [](TrunkGroupConfig& c) {
    c.timers.t22 = std::chrono::seconds(30);
    c.timers.t23 = std::chrono::seconds(600);
  });
  ASSERT_TRUE(cc->group_reset(group, 1, 7));
  expect(msg::kGrs, 1);
  advance_s(29);
  expect_nothing();
  advance_s(1);
  expect(msg::kGrs, 1);
}

}  // namespace
}  // namespace isupgw::isup

namespace isupgw::isup {
namespace {

class CircuitGroupAckTest : public testing::CcFixture {};

TEST_F(CircuitGroupAckTest, CgbaMissingCircuitsAreRequestedAgain) {
  make(1, 8);
  ASSERT_TRUE(cc->group_block(group, 1, 3, false, {0x0f}));
  expect(msg::kCgb, 1);
  peer_group(msg::kCgba, 1, 3, {0x05}, 0);  // CICs 2 and 4 not acknowledged
  EXPECT_EQ(circ(1).blocking().state(), BlockingState::kBlocked);
  EXPECT_EQ(circ(2).blocking().state(), BlockingState::kUnblocked);
  Message again = expect(msg::kCgb, 1);
  EXPECT_EQ(range_status(again).status[0], 0x0a);
  EXPECT_EQ(counter("isup.group.cgba_missing_bit"), 1u);
  peer_group(msg::kCgba, 1, 3, {0x0a}, 0);
  EXPECT_EQ(circ(2).blocking().state(), BlockingState::kBlocked);
  EXPECT_EQ(circ(4).blocking().state(), BlockingState::kBlocked);
  advance_s(1000);
  expect_nothing();
}

TEST_F(CircuitGroupAckTest, CgbaForUnrequestedCircuitsIsUndone) {
  make(1, 8);
  ASSERT_TRUE(cc->group_block(group, 1, 3, false, {0x01}));
  expect(msg::kCgb, 1);
  peer_group(msg::kCgba, 1, 3, {0x03}, 0);  // CIC 2 blocked without being asked
  Message cgu = expect(msg::kCgu, 1);
  EXPECT_EQ(range_status(cgu).status[0], 0x02);
  EXPECT_EQ(counter("isup.group.cgba_extra_bit"), 1u);
}

TEST_F(CircuitGroupAckTest, CguaMissingCircuitsAreRequestedAgain) {
  make(1, 8);
  ASSERT_TRUE(cc->group_block(group, 1, 3, false));
  expect(msg::kCgb, 1);
  peer_group(msg::kCgba, 1, 3, {0x0f}, 0);
  ASSERT_TRUE(cc->group_unblock(group, 1, 3, false));
  expect(msg::kCgu, 1);
  peer_group(msg::kCgua, 1, 3, {0x03}, 0);
  EXPECT_EQ(circ(1).blocking().state(), BlockingState::kUnblocked);
  EXPECT_EQ(circ(3).blocking().state(), BlockingState::kBlocked);
  EXPECT_EQ(range_status(expect(msg::kCgu, 1)).status[0], 0x0c);
}

}  // namespace
}  // namespace isupgw::isup
