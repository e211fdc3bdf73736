// Circuit hunting for outgoing calls (Q.764 2.10.1.4): the circuits this
// exchange controls upwards, then the others downwards; a circuit that became
// busy, blocked or resetting and is free again is found again (the trunk
// group's hunt keeps a bit per CIC rather than walking every circuit).
#include <vector>

#include "isup_cc_test_util.h"

namespace isupgw::isup {
namespace {

using testing::CcFixture;

class CircuitHuntTest : public CcFixture {
 protected:
  // The CIC of the IAM the next outgoing call sends, or 0 when none is available.
  std::uint16_t next_cic() {
    SetupRequest req;
    req.called = testing::digits_number(NumberKind::kCalled, "4321F");
    auto r = cc->setup(group, std::move(req));
    if (!r) return 0;
    EXPECT_FALSE(mtp.sent.empty());
    if (mtp.sent.empty()) return 0;
    auto m = decode(mtp.sent.front().bytes, variant);
    mtp.sent.pop_front();
    return m && m->type == msg::kIam ? m->cic : 0;
  }
};

TEST_F(CircuitHuntTest, ControlledUpwardsThenOthersDownwards) {
  make(1, 8);  // our point code 100 < 200: we control the odd CICs
  std::vector<std::uint16_t> order;
  for (int i = 0; i < 9; ++i) order.push_back(next_cic());
  EXPECT_EQ(order, (std::vector<std::uint16_t>{1, 3, 5, 7, 8, 6, 4, 2, 0}));
}

TEST_F(CircuitHuntTest, FreedBlockedAndResetCircuitsAreFoundAgain) {
  make(1, 8);
  for (int i = 0; i < 8; ++i) ASSERT_NE(next_cic(), 0);
  EXPECT_EQ(next_cic(), 0);  // full: every bit tested and cleared
  EXPECT_EQ(next_cic(), 0);
  // A call released by the peer (REL/RLC): its circuit is hunted again.
  peer_rel(6);
  expect(msg::kRlc, 6);
  EXPECT_EQ(next_cic(), 6);
  // Released, then blocked by the peer: not hunted until unblocked (Q.764 2.8.2).
  peer_rel(3);
  expect(msg::kRlc, 3);
  inject_simple(msg::kBlo, 3);
  expect(msg::kBla, 3);
  EXPECT_EQ(next_cic(), 0);
  inject_simple(msg::kUbl, 3);
  expect(msg::kUba, 3);
  EXPECT_EQ(next_cic(), 3);
  // The peer resets the whole group (GRS): every circuit idle and hunted again, in order.
  peer_group(msg::kGrs, 1, 7, {});
  mtp.sent.clear();  // the GRA
  std::vector<std::uint16_t> order;
  for (int i = 0; i < 9; ++i) order.push_back(next_cic());
  EXPECT_EQ(order, (std::vector<std::uint16_t>{1, 3, 5, 7, 8, 6, 4, 2, 0}));
}

TEST_F(CircuitHuntTest, OurGroupResetHoldsCircuitsUntilTheGra) {
  make(1, 8);
  cc->start();  // paced GRS 1-8: the circuits are not hunted until the GRA
  expect(msg::kGrs, 1);
  EXPECT_EQ(next_cic(), 0);
  peer_group(msg::kGra, 1, 7, {0x00});
  EXPECT_EQ(next_cic(), 1);
}

}  // namespace
}  // namespace isupgw::isup
