// The management model over a real IsupCallControl (a recording MTP, virtual
// time): each action puts the Q.764 procedure's message on the wire, the
// views show what the stack holds. The call engine's part (calls, drain,
// release) is tested in tests/unit/engine.
#include "mgmt/model.h"

#include <gtest/gtest.h>

#include "tests/unit/isup/isup_cc_test_util.h"
#include "tests/unit/mgmt/test_stacks.h"

namespace isupgw::mgmt {
namespace {

using namespace isup;
using isup::testing::CcFixture;
using mgmt::testing::TestStacks;

class ModelTest : public CcFixture {
 protected:
  void build(unsigned first, unsigned last, Variant v = Variant::kItu) {
    make(first, last, v);
    stacks.cc = cc.get();
    stacks.groups = {{"tg1", group}};
  }
  CircuitRange range(std::optional<std::uint16_t> a, std::optional<std::uint16_t> b) { return {"tg1", a, b}; }

  TestStacks stacks{counters, clock};
  Model model{stacks};
};

TEST_F(ModelTest, BlockOneCicSendsBloAndTheCircuitShowsIt) {
  build(1, 8);
  auto r = model.block(range(5, 5));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->sent, std::vector<std::string>{"BLO cic=5"});
  expect(msg::kBlo, 5);
  auto cs = model.circuits("tg1");
  ASSERT_TRUE(cs);
  ASSERT_EQ(cs->size(), 8u);
  EXPECT_TRUE((*cs)[4].local_maintenance_blocked);
  EXPECT_EQ((*cs)[4].blocking, BlockingState::kBlocking);  // BLA not yet received (Q.764 2.8.2.1)
  inject_simple(msg::kBla, 5);
  cs = model.circuits("tg1");
  EXPECT_EQ((*cs)[4].blocking, BlockingState::kBlocked);
  auto groups = model.trunk_groups();
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].local_blocked, 1u);
  EXPECT_EQ(groups[0].idle, 7u);
  EXPECT_EQ(groups[0].opc, "100");
  // Unblock: UBL, UBA, back to idle.
  ASSERT_TRUE(model.unblock(range(5, 5)));
  expect(msg::kUbl, 5);
  inject_simple(msg::kUba, 5);
  EXPECT_EQ(model.trunk_groups()[0].idle, 8u);
}

TEST_F(ModelTest, BlockRangeSendsCgbMaintenanceWithRangeAndStatus) {
  build(1, 8);
  auto r = model.block(range(1, 8));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->sent, std::vector<std::string>{"CGB cic=1 range=7"});
  auto m = expect(msg::kCgb, 1);
  auto rs = range_status(m);
  EXPECT_EQ(rs.range, 7);
  ASSERT_EQ(rs.status.size(), 1u);
  EXPECT_EQ(rs.status[0], 0xff);
  const Param* t = m.find(par::kCircuitGroupSupervisionMessageType);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->value[0] & 0x03, 0);  // maintenance oriented (Q.763 3.13)
}

TEST_F(ModelTest, ResetOfALargeGroupIsOneGrsPer32CircuitsAndRscForARunOfOne) {
  build(1, 65);
  auto r = model.reset(range(std::nullopt, std::nullopt));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->sent, (std::vector<std::string>{"GRS cic=1 range=31", "GRS cic=33 range=31", "RSC cic=65"}));
  EXPECT_EQ(range_status(expect(msg::kGrs, 1)).range, 31);
  EXPECT_EQ(range_status(expect(msg::kGrs, 33)).range, 31);
  expect(msg::kRsc, 65);
  EXPECT_EQ(model.trunk_groups()[0].resetting, 65u);
}

TEST_F(ModelTest, QueryDecodesTheCqrAndFlagsWhatDisagrees) {
  build(1, 4);
  std::optional<Outcome<QueryTable>> got;
  model.query(range(1, 4), [&](Outcome<QueryTable> t) { got = std::move(t); });
  EXPECT_EQ(range_status(expect(msg::kCqm, 1)).range, 3);
  EXPECT_FALSE(got);
  // Q.763 3.14: 0x0c idle; 0x04 incoming busy (we have no call: hung); 0x0d idle,
  // locally blocked at the peer; 0x03 unequipped.
  MessageBuilder b(msg::kCqr, 1);
  b.variable(par::kRangeAndStatus, RangeAndStatus{3, {}});
  const std::uint8_t states[] = {0x0c, 0x04, 0x0d, 0x03};
  b.variable(par::kCircuitStateIndicator, std::span<const std::uint8_t>(states));
  inject(b);
  ASSERT_TRUE(got);
  ASSERT_TRUE(*got) << got->error().message;
  const auto& rows = (*got)->rows;
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].call, "idle");
  EXPECT_FALSE(rows[0].hung);
  EXPECT_EQ(rows[1].call, "incoming_busy");
  EXPECT_TRUE(rows[1].hung);
  EXPECT_EQ(rows[2].maintenance, "locally_blocked");
  EXPECT_EQ(rows[3].call, "unequipped");
  EXPECT_EQ(rows[3].cic, 4);
}

TEST_F(ModelTest, QueryWithoutCqrTimesOutAtT28) {
  build(1, 4);
  std::optional<Outcome<QueryTable>> got;
  model.query(range(1, 2), [&](Outcome<QueryTable> t) { got = std::move(t); });
  expect(msg::kCqm, 1);
  advance_s(9.9);
  EXPECT_FALSE(got);
  advance_s(0.2);  // T28 = 10 s (Q.764 Table A.1)
  ASSERT_TRUE(got);
  ASSERT_FALSE(*got);
  EXPECT_EQ(got->error().code, Error::Code::kTimeout);
}

// ANSI circuit validation (T1.113): the CVT sent, the CVR judged; T_CVT; one CIC; ANSI only.
TEST_F(ModelTest, ValidateSendsCvtAndJudgesTheCvr) {
  build(1, 8, Variant::kAnsi);
  std::optional<Outcome<ValidationReport>> got;
  model.validate(range(5, 5), [&](Outcome<ValidationReport> v) { got = std::move(v); });
  expect(msg::kCvt, 5);
  MessageBuilder cvr(msg::kCvr, 5);
  cvr.fixed(par::kAnsiCircuitValidationResponse, OctetValue{1});
  cvr.fixed(par::kAnsiCircuitGroupCharacteristics, OctetValue{0x48});  // DC 10: the peer controls the even CICs
  inject(cvr);
  ASSERT_TRUE(got);
  ASSERT_TRUE(*got) << got->error().message;
  EXPECT_TRUE((*got)->success);
  EXPECT_TRUE((*got)->consistent);
  EXPECT_EQ((*got)->ours, 0x44);
  got.reset();
  model.validate(range(5, 5), [&](Outcome<ValidationReport> v) { got = std::move(v); });
  expect(msg::kCvt, 5);
  advance_s(10);  // T_CVT
  ASSERT_TRUE(got);
  ASSERT_FALSE(*got);
  EXPECT_EQ(got->error().code, Error::Code::kTimeout);
  got.reset();
  model.validate(range(1, 8), [&](Outcome<ValidationReport> v) { got = std::move(v); });
  ASSERT_TRUE(got && !*got);
  EXPECT_EQ(got->error().code, Error::Code::kInvalid);
}

TEST_F(ModelTest, ValidateIsRefusedOnAnItuGroup) {
  build(1, 8);
  std::optional<Outcome<ValidationReport>> got;
  model.validate(range(5, 5), [&](Outcome<ValidationReport> v) { got = std::move(v); });
  ASSERT_TRUE(got && !*got);
  EXPECT_EQ(got->error().code, Error::Code::kConflict);
  expect_nothing();
}

TEST_F(ModelTest, BadRequestsAreRefusedWithTheirReason) {
  build(1, 8);
  auto r = model.block({"nope", 1, 1});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Error::Code::kNotFound);
  r = model.block(range(9, 12));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Error::Code::kNotFound);
  r = model.reset(range(5, 2));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Error::Code::kInvalid);
  std::optional<Outcome<QueryTable>> got;
  model.query(range(1, 40), [&](Outcome<QueryTable> t) { got = std::move(t); });
  ASSERT_TRUE(got && !*got);
  EXPECT_EQ(got->error().code, Error::Code::kInvalid);
  auto c = model.release_call(1, 16);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Error::Code::kUnavailable);  // no call engine here
  EXPECT_FALSE(model.circuits("nope"));
  expect_nothing();
  // A second BLO while the first is unacknowledged is the stack's refusal.
  ASSERT_TRUE(model.block(range(3, 3)));
  expect(msg::kBlo, 3);
  std::optional<Outcome<ReloadReport>> reloaded;
  model.reload([&](Outcome<ReloadReport> rr) { reloaded = std::move(rr); });
  ASSERT_TRUE(reloaded && !*reloaded);
  EXPECT_EQ(reloaded->error().message, "cfg.yaml:3: bad");
}

}  // namespace
}  // namespace isupgw::mgmt
