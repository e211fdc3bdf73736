// Circuit blocking with BLO/UBL (Q.764 2.8.2, T12-T15) in virtual time.
#include "isup/blocking_fsm.h"

#include "isup_cc_test_util.h"

namespace isupgw::isup {
namespace {

using testing::CcFixture;

class BlockingTest : public CcFixture {};

TEST_F(BlockingTest, BlockAndUnblock) {
  make();
  ASSERT_TRUE(cc->block(group, 1));
  expect(msg::kBlo, 1);
  EXPECT_EQ(circ(1).blocking().state(), BlockingState::kBlocking);
  inject_simple(msg::kBla, 1);
  EXPECT_EQ(circ(1).blocking().state(), BlockingState::kBlocked);
  EXPECT_FALSE(circ(1).available_for_outgoing());
  const CallId id = setup_call();
  expect(msg::kIam, 3);  // CIC 1 is skipped
  ASSERT_TRUE(cc->release(id, 16));
  expect(msg::kRel, 3);
  inject_simple(msg::kRlc, 3);
  ASSERT_TRUE(cc->unblock(group, 1));
  expect(msg::kUbl, 1);
  inject_simple(msg::kUba, 1);
  EXPECT_EQ(circ(1).blocking().state(), BlockingState::kUnblocked);
  EXPECT_TRUE(circ(1).available_for_outgoing());
  advance_s(1000);  // no timers left
  expect_nothing();
}

TEST_F(BlockingTest, T12RepeatsBloAndT13AlertsMaintenance) {
  make();
  ASSERT_TRUE(cc->block(group, 1));
  expect(msg::kBlo, 1);
  advance_s(14.9);
  expect_nothing();
  advance_s(0.1);  // T12 = 15 s
  expect(msg::kBlo, 1);
  advance_s(15);
  expect(msg::kBlo, 1);
  // Up to T13 = 300 s: BLO every 15 s (the 300 s mark belongs to T13).
  for (int i = 0; i < 17; ++i) {
    advance_s(15);
    expect(msg::kBlo, 1);
  }
  EXPECT_EQ(counter("isup.alarm.blo_unacknowledged"), 0u);
  advance_s(15);  // t = 300: T12 and T13 expire together; T13 takes over
  while (!mtp.sent.empty()) expect(msg::kBlo, 1);
  EXPECT_EQ(counter("isup.alarm.blo_unacknowledged"), 1u);
  // From now on only T13 paces BLO.
  advance_s(299);
  expect_nothing();
  advance_s(1);
  expect(msg::kBlo, 1);
  EXPECT_EQ(counter("isup.alarm.blo_unacknowledged"), 2u);
  inject_simple(msg::kBla, 1);
  EXPECT_EQ(circ(1).blocking().state(), BlockingState::kBlocked);
  advance_s(1000);
  expect_nothing();
}

TEST_F(BlockingTest, T14RepeatsUblAndT15AlertsMaintenance) {
  make();
  ASSERT_TRUE(cc->block(group, 1));
  expect(msg::kBlo, 1);
  inject_simple(msg::kBla, 1);
  ASSERT_TRUE(cc->unblock(group, 1));
  expect(msg::kUbl, 1);
  advance_s(15);  // T14
  expect(msg::kUbl, 1);
  advance_s(285);  // T15 at 300 s
  while (!mtp.sent.empty()) expect(msg::kUbl, 1);
  EXPECT_EQ(counter("isup.alarm.ubl_unacknowledged"), 1u);
  advance_s(300);
  expect(msg::kUbl, 1);
  inject_simple(msg::kUba, 1);
  EXPECT_EQ(circ(1).blocking().state(), BlockingState::kUnblocked);
}

TEST_F(BlockingTest, RemoteBlockingPreventsOutgoingCalls) {
  make(1, 3);
  inject_simple(msg::kBlo, 1);
  expect(msg::kBla, 1);
  EXPECT_TRUE(circ(1).remote_maint_blocked);
  setup_call();
  expect(msg::kIam, 3);
  inject_simple(msg::kUbl, 1);
  expect(msg::kUba, 1);
  EXPECT_TRUE(circ(1).available_for_outgoing());
}

TEST_F(BlockingTest, BloBeforeBackwardMessageReleasesAndRepeatsTheCall) {
  make();
  const CallId id = setup_call();
  expect(msg::kIam, 1);
  inject_simple(msg::kBlo, 1);
  expect(msg::kBla, 1);
  EXPECT_EQ(cause(expect(msg::kRel, 1)), 41);
  expect(msg::kIam, 3);
  EXPECT_EQ(cc->circuit_of(id)->cic(), 3);
  EXPECT_TRUE(user.events.empty());
  inject_simple(msg::kRlc, 1);
  EXPECT_TRUE(circ(1).call().idle());
}

TEST_F(BlockingTest, BloDuringAnsweredCallKeepsTheCall) {
  make();
  setup_call();
  expect(msg::kIam, 1);
  inject_simple(msg::kAnm, 1);
  inject_simple(msg::kBlo, 1);
  expect(msg::kBla, 1);
  expect_nothing();
  EXPECT_EQ(circ(1).call().state(), CallState::kAnswered);
}

TEST_F(BlockingTest, IamOnLocallyBlockedCircuitIsDiscardedAndBloRepeated) {
  make();
  ASSERT_TRUE(cc->block(group, 2));
  expect(msg::kBlo, 2);
  inject_simple(msg::kBla, 2);
  peer_iam(2);
  expect(msg::kBlo, 2);
  EXPECT_TRUE(user.events.empty());
  EXPECT_EQ(counter("isup.rx.iam_on_blocked_circuit"), 1u);
}

TEST_F(BlockingTest, IamOnRemotelyBlockedCircuitUnblocksIt) {
  make();
  inject_simple(msg::kBlo, 2);
  expect(msg::kBla, 2);
  peer_iam(2);
  EXPECT_FALSE(circ(2).remote_maint_blocked);
  EXPECT_EQ(user.pop(), "setup:1234F");
}

TEST_F(BlockingTest, UnexpectedAcknowledgements) {
  make();
  inject_simple(msg::kBla, 1);  // not blocked: tell the peer
  expect(msg::kUbl, 1);
  ASSERT_TRUE(cc->block(group, 1));
  expect(msg::kBlo, 1);
  inject_simple(msg::kBla, 1);
  inject_simple(msg::kUba, 1);  // blocked, no UBL outstanding: re-assert
  expect(msg::kBlo, 1);
  EXPECT_EQ(counter("isup.blocking.unexpected_bla"), 1u);
  EXPECT_EQ(counter("isup.blocking.unexpected_uba"), 1u);
}

TEST_F(BlockingTest, RscOnLocallyBlockedCircuitRepeatsBlo) {
  make();
  ASSERT_TRUE(cc->block(group, 2));
  expect(msg::kBlo, 2);
  inject_simple(msg::kBla, 2);
  inject_simple(msg::kRsc, 2);
  expect(msg::kRlc, 2);
  expect(msg::kBlo, 2);
}

}  // namespace
}  // namespace isupgw::isup
