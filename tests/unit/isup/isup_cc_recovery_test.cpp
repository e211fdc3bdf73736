// Start and recovery (Q.764 2.10.3.2, 2.13): circuits are reset with GRS,
// paced by the number in flight and the rate; MTP-PAUSE stops new calls,
// MTP-RESUME resets the circuits again; MTP-STATUS user part unavailable
// starts the user part test (T4).
#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "isup_cc_test_util.h"

namespace isupgw::isup {
namespace {

using testing::CcFixture;

class RecoveryTest : public CcFixture {};

TEST_F(RecoveryTest, StartResetsAllCircuitsWithPacedGrs) {
  IsupRecoveryConfig rec;
  rec.max_grs_in_flight = 2;
  rec.grs_per_second = 4;
  make(1, 100, Variant::kItu, {}, rec);
  cc->start();
  // 100 circuits: GRS 1-32, 33-64, 65-96 (range 31) and 97-100 (range 3).
  Message g1 = expect(msg::kGrs, 1);
  EXPECT_EQ(range_status(g1).range, 31);
  expect_nothing();  // 250 ms between GRS
  advance_s(0.25);
  EXPECT_EQ(range_status(expect(msg::kGrs, 33)).range, 31);
  advance_s(5);
  expect_nothing();  // two in flight: wait for a GRA
  EXPECT_EQ(cc->grs_in_flight(), 2u);
  EXPECT_EQ(cc->grs_queued(), 2u);
  EXPECT_FALSE(circ(1).available_for_outgoing());
  std::vector<std::uint8_t> zero(4, 0);
  peer_group(msg::kGra, 1, 31, zero);
  EXPECT_TRUE(circ(1).available_for_outgoing());
  advance_s(0);
  EXPECT_EQ(range_status(expect(msg::kGrs, 65)).range, 31);
  peer_group(msg::kGra, 33, 31, zero);
  advance_s(0);
  expect_nothing();  // rate limit: 250 ms since the last GRS
  advance_s(0.25);
  EXPECT_EQ(range_status(expect(msg::kGrs, 97)).range, 3);
  peer_group(msg::kGra, 65, 31, zero);
  peer_group(msg::kGra, 97, 3, {0x00});
  advance_s(10);
  // T22 repeats nothing: all acknowledged.
  expect_nothing();
  EXPECT_EQ(cc->grs_in_flight(), 0u);
  EXPECT_EQ(cc->grs_queued(), 0u);
}

TEST_F(RecoveryTest, UnacknowledgedGrsIsRepeatedByT22WhileOthersWait) {
  IsupRecoveryConfig rec;
  rec.max_grs_in_flight = 1;
  make(1, 40, Variant::kItu, {}, rec);
  cc->start();
  expect(msg::kGrs, 1);
  advance_s(15);
  expect(msg::kGrs, 1);  // T22 repeat; the second GRS still waits
  expect_nothing();
  peer_group(msg::kGra, 1, 31, std::vector<std::uint8_t>(4, 0));
  advance_s(0.1);
  EXPECT_EQ(range_status(expect(msg::kGrs, 33)).range, 7);
}

// 60,000 circuits (issue 19): 15 adjacent exchanges of 4,000 CICs each (ITU
// CICs are 12 bits, Q.763 1.2: at most 4,096 per point code pair). Each
// exchange gets its own paced GRSs (max in flight, rate), so all 15 start
// their resets at once and a silent one holds up nobody else's.
TEST_F(RecoveryTest, SixtyThousandCircuitsOverFifteenExchangesResetSideBySide) {
  IsupRecoveryConfig rec;
  rec.max_grs_in_flight = 2;
  rec.grs_per_second = 10;
  make(1, 4000, Variant::kItu, {}, rec);
  for (PointCode dpc = kDpc + 1; dpc < kDpc + 15; ++dpc) {
    TrunkGroupConfig cfg;
    cfg.name = "tg" + std::to_string(dpc);
    cfg.opc = kOpc;
    cfg.dpc = dpc;
    cfg.cics.emplace_back(1, 4000);
    ASSERT_TRUE(cc->add_group(std::move(cfg)));
  }
  std::size_t circuits = 0;
  for (GroupId id = 0; cc->group(id) != nullptr; ++id) circuits += cc->group(id)->circuits().size();
  EXPECT_EQ(circuits, 60'000u);
  // GRSs sent: (dpc, first CIC, range), drained from the fake MTP.
  auto sent = [this] {
    std::vector<std::tuple<PointCode, unsigned, unsigned>> out;
    for (; !mtp.sent.empty(); mtp.sent.pop_front()) {
      auto m = decode(mtp.sent.front().bytes, variant);
      EXPECT_TRUE(m && m->type == msg::kGrs);
      if (m) out.emplace_back(mtp.sent.front().label.dpc, m->cic, range_status(*m).range);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  cc->start();
  EXPECT_EQ(cc->grs_queued(), 15u * 125u - 15u);  // 4,000 CICs = 125 GRSs of 32 per exchange
  auto first = sent();
  ASSERT_EQ(first.size(), 15u);  // one GRS to every exchange at once
  for (PointCode i = 0; i < 15; ++i) EXPECT_EQ(first[i], std::make_tuple(kDpc + i, 1u, 31u));
  advance_s(0.05);
  EXPECT_TRUE(sent().empty());  // 10 per second and exchange
  advance_s(0.05);
  auto second = sent();
  ASSERT_EQ(second.size(), 15u);
  for (PointCode i = 0; i < 15; ++i) EXPECT_EQ(second[i], std::make_tuple(kDpc + i, 33u, 31u));
  EXPECT_EQ(cc->grs_in_flight(), 30u);
  advance_s(5);
  EXPECT_TRUE(sent().empty());  // two in flight per exchange: each waits for its GRAs
  // Only the exchange at kDpc answers: its resets go on, the others still wait (T22 15 s).
  peer_group(msg::kGra, 1, 31, std::vector<std::uint8_t>(4, 0));
  peer_group(msg::kGra, 33, 31, std::vector<std::uint8_t>(4, 0));
  advance_s(0);
  EXPECT_EQ(sent(), (std::vector<std::tuple<PointCode, unsigned, unsigned>>{{kDpc, 65u, 31u}}));
  advance_s(0.1);
  EXPECT_EQ(sent(), (std::vector<std::tuple<PointCode, unsigned, unsigned>>{{kDpc, 97u, 31u}}));
  EXPECT_EQ(cc->grs_in_flight(), 30u);
  EXPECT_TRUE(circ(1).available_for_outgoing() || !circ(1).controlled_here());
  EXPECT_FALSE(circ(65).available_for_outgoing());
}

TEST_F(RecoveryTest, LoneCircuitIsResetWithRsc) {
  make(5, 5);
  cc->start();
  expect(msg::kRsc, 5);
  inject_simple(msg::kRlc, 5);
  EXPECT_TRUE(circ(5).available_for_outgoing() || !circ(5).controlled_here());
  EXPECT_FALSE(circ(5).reset().resetting());
}

TEST_F(RecoveryTest, PauseStopsNewCallsResumeResetsCircuits) {
  make(1, 8);
  cc->on_pause(kDpc);
  EXPECT_FALSE(cc->destination_available(kDpc));
  SetupRequest req;
  req.called = testing::digits_number(NumberKind::kCalled, "1");
  EXPECT_EQ(cc->setup(group, std::move(req)).error(), CcError::kDestinationUnavailable);
  expect_nothing();
  cc->on_resume(kDpc);
  EXPECT_TRUE(cc->destination_available(kDpc));
  EXPECT_EQ(range_status(expect(msg::kGrs, 1)).range, 7);
  peer_group(msg::kGra, 1, 7, {0x00});
  setup_call();
  expect(msg::kIam, 1);
}

TEST_F(RecoveryTest, ResetQueuedDuringPauseWaitsForResume) {
  make(1, 8);
  cc->on_pause(kDpc);
  cc->start();
  expect_nothing();
  EXPECT_EQ(cc->grs_queued(), 1u);
  cc->on_resume(kDpc);
  // Queued start reset plus the resume reset: the same range is not reset twice at once.
  expect(msg::kGrs, 1);
  expect_nothing();
}

TEST_F(RecoveryTest, UserPartUnavailableStartsUserPartTest) {
  make(1, 8);
  MtpStatus st;
  st.cause = MtpStatusCause::kUserPartUnavailable;
  st.upu_cause = UpuCause::kInaccessibleRemoteUser;
  cc->on_status(kDpc, st);
  EXPECT_FALSE(cc->destination_available(kDpc));
  advance_s(299);
  expect_nothing();
  advance_s(1);  // T4 = 300 s
  expect(msg::kUpt, 1);
  advance_s(300);
  expect(msg::kUpt, 1);
  inject_simple(msg::kUpa, 1);  // any message from the user part ends it
  EXPECT_TRUE(cc->destination_available(kDpc));
  advance_s(1000);
  expect_nothing();
}

TEST_F(RecoveryTest, CongestionReducesTrafficStepwiseT29T30) {
  make(1, 31);
  MtpStatus st;
  st.cause = MtpStatusCause::kCongestion;
  st.congestion_level = 1;
  cc->on_status(kDpc, st);
  EXPECT_EQ(counter("isup.mtp.congestion"), 1u);
  EXPECT_EQ(cc->congestion_level(kDpc), 1u);
  EXPECT_TRUE(cc->destination_available(kDpc));
  // Step 1 of 4: three of every four new calls are attempted.
  SetupRequest req;
  req.called = testing::digits_number(NumberKind::kCalled, "1");
  int ok = 0, rejected = 0;
  for (int i = 0; i < 4; ++i) {
    auto r = cc->setup(group, req);
    if (r) {
      ++ok;
    } else {
      EXPECT_EQ(r.error(), CcError::kCongestion);
      ++rejected;
    }
  }
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(rejected, 1);
  EXPECT_EQ(counter("isup.call.rejected_congestion"), 1u);
  // T29 (500 ms): further indications are ignored.
  advance_s(0.4);
  cc->on_status(kDpc, st);
  EXPECT_EQ(cc->congestion_level(kDpc), 1u);
  advance_s(0.1);
  cc->on_status(kDpc, st);  // after T29: one more step, T29/T30 restarted
  EXPECT_EQ(cc->congestion_level(kDpc), 2u);
  advance_s(7.9);
  EXPECT_EQ(cc->congestion_level(kDpc), 2u);
  advance_s(0.1);  // T30 = 8 s: one step back
  EXPECT_EQ(cc->congestion_level(kDpc), 1u);
  advance_s(8);
  EXPECT_EQ(cc->congestion_level(kDpc), 0u);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(cc->setup(group, req));
}

// Q.764 2.11 (automatic congestion control), Q.763 3.4 (automatic congestion level: 1 = level 1 exceeded,
// 2 = level 2 exceeded): while congested, every REL this exchange generates carries the parameter.
TEST_F(RecoveryTest, OwnCongestionLevelGoesInEveryRelSent) {
  make(1, 31);
  peer_iam(5);
  const CallId call = user.last_call;
  cc->set_congestion_level(2);
  ASSERT_TRUE(cc->release(call, 42));
  Message rel = expect(msg::kRel, 5);
  EXPECT_EQ(cause(rel), 42);
  const Param* acl = rel.find(par::kAutomaticCongestionLevel);
  ASSERT_NE(acl, nullptr);
  ASSERT_EQ(acl->value.size(), 1u);
  EXPECT_EQ(acl->value[0], 2);
  inject_simple(msg::kRlc, 5);
  // Back to normal: no parameter.
  cc->set_congestion_level(0);
  peer_iam(6);
  ASSERT_TRUE(cc->release(user.last_call, 16));
  EXPECT_EQ(expect(msg::kRel, 6).find(par::kAutomaticCongestionLevel), nullptr);
}

// Q.764 2.11.2: a REL with the automatic congestion level reduces the traffic offered to that exchange; the
// amount is a national matter. Ours: at least step <level> of the 2.10 reduction, T30 gives a step back.
TEST_F(RecoveryTest, ReceivedAclReducesTrafficToThatExchangeForAWhile) {
  make(1, 31);
  const CallId call = setup_call();
  ASSERT_NE(cc->circuit_of(call), nullptr);
  const std::uint16_t cic = cc->circuit_of(call)->cic();
  expect(msg::kIam, cic);
  MessageBuilder b(msg::kRel, cic);
  CauseIndicators ci;
  ci.location = 2;
  ci.value = 42;
  b.variable(par::kCauseIndicators, ci);
  const std::uint8_t level2[1] = {2};
  b.optional(par::kAutomaticCongestionLevel, std::span<const std::uint8_t>(level2, 1));
  inject(b);
  expect(msg::kRlc, cic);
  EXPECT_EQ(counter("isup.acl.received"), 1u);
  EXPECT_EQ(cc->congestion_level(kDpc), 2u);
  // Step 2 of 4: half of the new calls towards that exchange are refused (the engine hunts on or gives 42).
  SetupRequest req;
  req.called = testing::digits_number(NumberKind::kCalled, "1");
  int rejected = 0;
  for (int i = 0; i < 8; ++i) rejected += !cc->setup(group, req);
  EXPECT_EQ(rejected, 4);
  advance_s(8);  // T30 without a further ACL: one step back
  EXPECT_EQ(cc->congestion_level(kDpc), 1u);
  advance_s(8);
  EXPECT_EQ(cc->congestion_level(kDpc), 0u);
}

}  // namespace
}  // namespace isupgw::isup
