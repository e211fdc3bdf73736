// ANSI T1.113-only procedures (issue 20): circuit validation (CVT 0xEC / CVR
// 0xEB), circuit reservation (CRM 0xEA / CRA 0xE9) and the exit message (EXM
// 0xED). The wire octets are written out from T1.113.3's formats: a 14-bit
// CIC in two octets, the message type, the mandatory fixed parameters, then
// the optional-part pointer for the messages that have one (CVR, EXM).
#include <gtest/gtest.h>

#include <optional>

#include "base/hex.h"
#include "isup_cc_test_util.h"

namespace isupgw::isup::testing {
namespace {

std::vector<std::uint8_t> hex(std::string_view h) { return *from_hex(h); }

class AnsiProceduresTest : public CcFixture {
 protected:
  void SetUp() override { make(1, 8, Variant::kAnsi); }
  std::string sent_hex() {
    EXPECT_FALSE(mtp.sent.empty());
    if (mtp.sent.empty()) return "";
    auto s = to_hex(mtp.sent.front().bytes);
    mtp.sent.pop_front();
    return s;
  }
};

// --- codec: hex in, fields out ---

TEST(AnsiCodec, CvrDecodesBothIndicators) {
  // CIC 0x0123 (14 bits: 23 01), CVR, validation response 01 success, circuit group characteristics
  // 0x9a = HG 10 statistical continuity, FE 01, DC 10 even CICs, BA 10 digital; no optional part.
  const auto bytes = hex("2301eb019a00");  // the decoded message views these octets
  auto m = decode(bytes, Variant::kAnsi);
  ASSERT_TRUE(m) << to_string(m.error());
  EXPECT_EQ(m->cic, 0x123);
  EXPECT_EQ(message_acronym(m->type, Variant::kAnsi), "CVR");
  ASSERT_NE(m->find(par::kAnsiCircuitValidationResponse), nullptr);
  EXPECT_EQ(m->find(par::kAnsiCircuitValidationResponse)->value[0], 1);
  auto cgc = CircuitGroupCharacteristics::decode(m->find(par::kAnsiCircuitGroupCharacteristics)->value);
  ASSERT_TRUE(cgc);
  EXPECT_EQ(cgc->carrier, 2);
  EXPECT_EQ(cgc->double_seizure, 2);
  EXPECT_EQ(cgc->alarm_carrier, 1);
  EXPECT_EQ(cgc->continuity_check, 2);
  EXPECT_EQ(to_hex(*encode(*m, Variant::kAnsi)), "2301eb019a00");
}

TEST(AnsiCodec, CrmCarriesNatureOfConnectionIndicators) {
  // CIC 5, CRM, NCI 0x04: DC = 01 continuity check required on this circuit.
  const auto bytes = hex("0500ea04");
  auto m = decode(bytes, Variant::kAnsi);
  ASSERT_TRUE(m) << to_string(m.error());
  EXPECT_EQ(message_acronym(m->type, Variant::kAnsi), "CRM");
  auto nci = NatureOfConnectionIndicators::decode(m->find(par::kNatureOfConnectionIndicators)->value);
  ASSERT_TRUE(nci);
  EXPECT_EQ(nci->continuity_check, 1);
  // CRA, CVT: the CIC and the type only. EXM: an optional part (empty here).
  for (auto [h, acr] : {std::pair{"0500e9", "CRA"}, {"0500ec", "CVT"}, {"0500ed00", "EXM"}}) {
    const auto b = hex(h);
    auto d = decode(b, Variant::kAnsi);
    ASSERT_TRUE(d) << h;
    EXPECT_EQ(message_acronym(d->type, Variant::kAnsi), acr);
  }
  // ITU has none of them: an unknown message type (Q.764 2.9.5.1 treatment).
  const auto cvt = hex("0500ec");
  EXPECT_FALSE(decode(cvt, Variant::kItu));
}

TEST(AnsiCodec, CvrWithoutItsMandatoryParametersIsAFormatError) {
  // libss7's isup_cvr() sends the CIC and the type only.
  const auto b = hex("0100eb");
  EXPECT_FALSE(decode(b, Variant::kAnsi));
}

// --- circuit validation ---

TEST_F(AnsiProceduresTest, CvtIsAnsweredWithCvrSuccessAndTheGroupsCharacteristics) {
  inject_simple(msg::kCvt, 3);
  // OPC 100 < DPC 200: we control the odd CICs (DC 01); no continuity check (HG 01); carrier unknown.
  EXPECT_EQ(sent_hex(), "0300eb014400");
  EXPECT_EQ(counter("isup.rx.CVT"), 1u);
  EXPECT_EQ(counter("isup.tx.CVR"), 1u);
  EXPECT_TRUE(circ(3).call().idle());
}

TEST_F(AnsiProceduresTest, CvtReportsPerCallContinuityWhenTheGroupChecksEveryCall) {
  make(1, 8, Variant::kAnsi, [](TrunkGroupConfig& c) { c.continuity_check = true; });
  inject_simple(msg::kCvt, 2);
  EXPECT_EQ(sent_hex(), "0200eb01c400");  // HG 11 per call
}

TEST_F(AnsiProceduresTest, CvtForACicWeDoNotHaveIsAnsweredWithFailure) {
  inject_simple(msg::kCvt, 20);
  EXPECT_EQ(sent_hex(), "1400eb004400");  // validation response 00 failure, no UCIC
  expect_nothing();
  EXPECT_EQ(counter("isup.cvt.unknown_circuit"), 1u);
}

struct Judged {
  std::optional<IsupCallControl::CircuitValidation> v;
  IsupCallControl::ValidationDone done() {
    return [this](const IsupCallControl::CircuitValidation& r) { v = r; };
  }
};

TEST_F(AnsiProceduresTest, CvrWithComplementaryCharacteristicsIsConsistent) {
  Judged j;
  ASSERT_TRUE(cc->validate(group, 4, j.done()));
  EXPECT_EQ(sent_hex(), "0400ec");
  EXPECT_FALSE(cc->validate(group, 4));  // one CVT at a time per circuit
  inject_raw(hex("0400eb014800"));       // success; DC 10 (the peer controls the even CICs), HG 01
  ASSERT_TRUE(j.v);
  EXPECT_TRUE(j.v->answered);
  EXPECT_TRUE(j.v->success);
  EXPECT_TRUE(j.v->consistent);
  EXPECT_EQ(j.v->theirs, 0x48);
  EXPECT_EQ(counter("isup.cvt.success"), 1u);
  advance_s(30);  // T_CVT was stopped
  EXPECT_EQ(counter("isup.cvt.no_response"), 0u);
}

TEST_F(AnsiProceduresTest, CvrClaimingTheSameCicsOrAnotherContinuityPolicyIsInconsistent) {
  Judged j;
  ASSERT_TRUE(cc->validate(group, 4, j.done()));
  sent_hex();
  inject_raw(hex("0400eb014400"));  // DC 01: both ends claim the odd CICs
  ASSERT_TRUE(j.v);
  EXPECT_TRUE(j.v->success);
  EXPECT_FALSE(j.v->consistent);
  j.v.reset();
  ASSERT_TRUE(cc->validate(group, 4, j.done()));
  sent_hex();
  inject_raw(hex("0400eb01c800"));  // HG 11 per-call continuity: ours is none
  ASSERT_TRUE(j.v);
  EXPECT_FALSE(j.v->consistent);
  EXPECT_EQ(counter("isup.cvt.inconsistent"), 2u);
}

TEST_F(AnsiProceduresTest, CvrFailureIsReported) {
  Judged j;
  ASSERT_TRUE(cc->validate(group, 4, j.done()));
  sent_hex();
  inject_raw(hex("0400eb004800"));
  ASSERT_TRUE(j.v);
  EXPECT_TRUE(j.v->answered);
  EXPECT_FALSE(j.v->success);
  EXPECT_EQ(counter("isup.cvt.failure"), 1u);
}

TEST_F(AnsiProceduresTest, NoWellFormedCvrBeforeTcvtReportsNoResponse) {
  Judged j;
  ASSERT_TRUE(cc->validate(group, 4, j.done()));
  sent_hex();
  inject_raw(hex("0400eb"));  // libss7's parameterless CVR: discarded as a format error
  EXPECT_FALSE(j.v);
  EXPECT_EQ(counter("isup.rx.decode_error"), 1u);
  advance_s(9.9);
  EXPECT_FALSE(j.v);
  advance_s(0.1);  // T_CVT 10 s
  ASSERT_TRUE(j.v);
  EXPECT_FALSE(j.v->answered);
  EXPECT_EQ(counter("isup.cvt.no_response"), 1u);
  inject_raw(hex("0400eb014800"));  // late: nothing waits for it
  EXPECT_EQ(counter("isup.cvr.unexpected"), 1u);
}

TEST_F(AnsiProceduresTest, ValidationIsAnsiOnly) {
  make(1, 8, Variant::kItu);
  auto r = cc->validate(group, 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), CcError::kWrongState);
  expect_nothing();
}

// --- circuit reservation ---

TEST_F(AnsiProceduresTest, CrmReservesTheCircuitUntilTheIam) {
  inject_raw(hex("0200ea00"));  // CRM, no continuity check
  EXPECT_EQ(sent_hex(), "0200e9");
  EXPECT_EQ(circ(2).call().state(), CallState::kInReserved);
  EXPECT_FALSE(circ(2).available_for_outgoing());
  advance_s(14);
  peer_iam(2);
  EXPECT_EQ(user.pop(), "setup:1234F");
  EXPECT_EQ(circ(2).call().state(), CallState::kInSetup);
  advance_s(5);  // T_CRA was stopped
  expect_nothing();
  EXPECT_EQ(counter("isup.rx.CRM"), 1u);
  EXPECT_EQ(counter("isup.tx.CRA"), 1u);
}

TEST_F(AnsiProceduresTest, TcraExpiryEndsTheReservationWithRel41) {
  inject_raw(hex("0200ea00"));
  sent_hex();
  advance_s(14.9);
  expect_nothing();
  advance_s(0.1);  // T_CRA 15 s
  EXPECT_EQ(cause(expect(msg::kRel, 2)), 41);
  EXPECT_EQ(counter("isup.alarm.tcra_expired"), 1u);
  EXPECT_TRUE(user.events.empty());  // no call was ever indicated
  inject_simple(msg::kRlc, 2);
  EXPECT_TRUE(circ(2).call().idle());
}

TEST_F(AnsiProceduresTest, CrmAskingForContinuityLoopsTheCircuitUntilCot) {
  inject_raw(hex("0200ea04"));  // NCI DC 01: continuity check required
  sent_hex();
  EXPECT_EQ(cot.events.front(), "loop:2");
  peer_cot(2, true);
  EXPECT_EQ(cot.events.back(), "unloop:2");
  EXPECT_EQ(circ(2).call().state(), CallState::kInReserved);
  peer_iam(2);
  EXPECT_EQ(user.pop(), "setup:1234F");
}

TEST_F(AnsiProceduresTest, RelOnAReservedCircuitIsAnsweredWithRlc) {
  inject_raw(hex("0200ea00"));
  sent_hex();
  peer_rel(2, 16);
  expect(msg::kRlc, 2);
  EXPECT_TRUE(circ(2).call().idle());
  advance_s(20);
  expect_nothing();
}

TEST_F(AnsiProceduresTest, CrmOnABusyCircuitIsDiscarded) {
  setup_call();
  expect(msg::kIam, 1);
  inject_raw(hex("0100ea00"));
  expect_nothing();
  EXPECT_EQ(circ(1).call().state(), CallState::kOutSetup);
  EXPECT_GE(counter("isup.call.unexpected"), 1u);
}

// --- exit message ---

TEST_F(AnsiProceduresTest, ExmBeforeAcmIsTakenAndTheCallGoesOn) {
  setup_call();
  expect(msg::kIam, 1);
  inject_raw(hex("0100ed00"));
  expect_nothing();
  EXPECT_TRUE(user.events.empty());
  EXPECT_EQ(counter("isup.rx.EXM"), 1u);
  EXPECT_EQ(counter("isup.call.unexpected"), 0u);
  peer_acm(1);
  EXPECT_EQ(user.pop(), "alerting");
}

TEST_F(AnsiProceduresTest, ExmOnAnIdleCircuitLeavesItIdle) {
  inject_raw(hex("0300ed00"));
  expect_nothing();
  EXPECT_TRUE(circ(3).call().idle());
}

}  // namespace
}  // namespace isupgw::isup::testing
