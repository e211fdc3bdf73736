// Circuits equipped and withdrawn by a reload (issue 16): new CICs are reset
// before use (Q.764 2.10.3), withdrawn ones drain and are then blocked for
// maintenance towards the peer (Q.764 2.8.2: BLO, CGB for a run).
#include "isup_cc_test_util.h"

namespace isupgw::isup {
namespace {

using testing::CcFixture;

class CircuitEquipmentTest : public CcFixture {};

TEST_F(CircuitEquipmentTest, IdleCircuitsWithdrawnAreBlockedAtOnceWithOneCgbAndNeverHunted) {
  make(1, 8);
  const std::uint16_t gone[] = {5, 6, 7, 8};
  ASSERT_EQ(*cc->withdraw(group, gone), 4u);
  Message cgb = expect(msg::kCgb, 5);
  EXPECT_EQ(range_status(cgb).range, 3);
  ASSERT_EQ(range_status(cgb).status.size(), 1u);
  EXPECT_EQ(range_status(cgb).status[0], 0x0f);
  const Param* type = cgb.find(par::kCircuitGroupSupervisionMessageType);
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(type->value[0] & 0x03, 0);  // maintenance oriented (Q.763 3.13)
  expect_nothing();
  EXPECT_EQ(cc->withdrawing(group), 4u);  // until the CGBA
  peer_group(msg::kCgba, 5, 3, {0x0f}, 0);
  EXPECT_EQ(cc->withdrawing(group), 0u);
  EXPECT_EQ(circ(5).blocking().state(), BlockingState::kBlocked);
  // Hunting: our odd CICs upwards, then the peer's downwards -- 5 to 8 never.
  for (std::uint16_t cic : {1, 3, 4, 2}) {
    setup_call();
    expect(msg::kIam, cic);
  }
  SetupRequest req;
  req.called = testing::digits_number(NumberKind::kCalled, "4321F");
  EXPECT_EQ(cc->setup(group, std::move(req)).error(), CcError::kNoCircuit);
}

TEST_F(CircuitEquipmentTest, ABusyCircuitWithdrawnKeepsItsCallAndIsBlockedWhenTheCallEnds) {
  make(1, 4);
  const CallId id = setup_call();
  expect(msg::kIam, 1);
  const std::uint16_t gone[] = {1};
  ASSERT_EQ(*cc->withdraw(group, gone), 1u);
  expect_nothing();  // draining: the call is untouched
  EXPECT_EQ(cc->withdrawing(group), 1u);
  peer_acm(1);
  EXPECT_EQ(user.pop(), "alerting");
  inject_simple(msg::kAnm, 1);
  EXPECT_EQ(user.pop(), "answer");
  ASSERT_TRUE(cc->release(id, 16));
  expect(msg::kRel, 1);
  expect(msg::kBlo, 1);  // its call ended: blocked for maintenance
  inject_simple(msg::kRlc, 1);
  inject_simple(msg::kBla, 1);
  EXPECT_EQ(cc->withdrawing(group), 0u);
  EXPECT_TRUE(circ(1).call().idle());
  EXPECT_EQ(circ(1).blocking().state(), BlockingState::kBlocked);
  EXPECT_EQ(counter("isup.circuit.withdrawn_blocked"), 1u);
}

TEST_F(CircuitEquipmentTest, ACircuitWhoseCallIsReleasingIsBlockedAtOnce) {
  make(1, 4);
  const CallId id = setup_call();
  expect(msg::kIam, 1);
  ASSERT_TRUE(cc->release(id, 16));
  expect(msg::kRel, 1);  // the call is over for its user; RLC still to come
  const std::uint16_t gone[] = {1};
  ASSERT_EQ(*cc->withdraw(group, gone), 1u);
  expect(msg::kBlo, 1);  // no call left to drain: its call_detached has already been
  inject_simple(msg::kRlc, 1);
  inject_simple(msg::kBla, 1);
  EXPECT_EQ(cc->withdrawing(group), 0u);
  EXPECT_TRUE(circ(1).call().idle());
}

TEST_F(CircuitEquipmentTest, NewCircuitsAreResetBeforeTheyCarryCalls) {
  make(1, 2);
  const std::uint16_t added[] = {3, 4, 5, 6, 9};
  ASSERT_EQ(*cc->equip(group, added), 5u);
  ASSERT_NE(cc->circuit(group, 9), nullptr);
  expect(msg::kRsc, 9);  // a lone circuit: RSC (GRS range 0 is reserved, Q.763 3.43)
  Message grs = expect(msg::kGrs, 3);
  EXPECT_EQ(range_status(grs).range, 3);
  // Until the GRA, 3..6 are not hunted: 1 (ours), then 2 (the peer's, downwards; 9 is resetting).
  setup_call();
  expect(msg::kIam, 1);
  setup_call();
  expect(msg::kIam, 2);
  peer_group(msg::kGra, 3, 3, {0x00});
  inject_simple(msg::kRlc, 9);
  setup_call();
  expect(msg::kIam, 3);
  EXPECT_EQ(cc->group(group)->circuits().size(), 7u);
  EXPECT_EQ(counter("isup.circuit.equipped"), 5u);
}

TEST_F(CircuitEquipmentTest, AWithdrawnCircuitEquippedAgainIsUnblocked) {
  make(1, 4);
  const std::uint16_t cics[] = {3};
  ASSERT_TRUE(cc->withdraw(group, cics));
  expect(msg::kBlo, 3);
  inject_simple(msg::kBla, 3);
  ASSERT_EQ(*cc->equip(group, cics), 1u);
  expect(msg::kUbl, 3);
  inject_simple(msg::kUba, 3);
  EXPECT_TRUE(circ(3).available_for_outgoing());
  setup_call();
  expect(msg::kIam, 1);
  setup_call();
  expect(msg::kIam, 3);
}

TEST_F(CircuitEquipmentTest, UnknownGroupIsAnError) {
  make(1, 4);
  const std::uint16_t cics[] = {3};
  EXPECT_EQ(cc->withdraw(group + 7, cics).error(), CcError::kUnknownGroup);
  EXPECT_EQ(cc->equip(group + 7, cics).error(), CcError::kUnknownGroup);
}

}  // namespace
}  // namespace isupgw::isup
