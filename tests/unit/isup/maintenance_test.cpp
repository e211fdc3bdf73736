// Circuit reset (RSC, T16/T17), circuit query (CQM/CQR, T28), unequipped CIC
// (UCIC), user part test, and unrecognized messages/parameters (Q.764 2.9.5).
#include "isup/circuit_reset_fsm.h"

#include "isup_cc_test_util.h"

namespace isupgw::isup {
namespace {

using testing::CcFixture;

class MaintenanceTest : public CcFixture {};

TEST_F(MaintenanceTest, ResetCircuitT16RepeatsT17AlertsMaintenance) {
  make();
  const CallId id = setup_call();
  expect(msg::kIam, 1);
  ASSERT_TRUE(cc->reset_circuit(group, 1));
  expect(msg::kRsc, 1);
  EXPECT_EQ(user.pop(), "release:41");
  EXPECT_EQ(user.released.back(), id);
  EXPECT_EQ(cc->reset_circuit(group, 1).error(), CcError::kBusy);
  advance_s(15);  // T16
  expect(msg::kRsc, 1);
  advance_s(285);  // T17 = 300 s
  while (!mtp.sent.empty()) expect(msg::kRsc, 1);
  EXPECT_EQ(counter("isup.alarm.rsc_unacknowledged"), 1u);
  advance_s(300);
  expect(msg::kRsc, 1);
  inject_simple(msg::kRlc, 1);
  EXPECT_FALSE(circ(1).reset().resetting());
  advance_s(1000);
  expect_nothing();
}

TEST_F(MaintenanceTest, ReceivedRscClearsCallAndRemoteBlocking) {
  make();
  peer_iam(2);
  user.pop();
  inject_simple(msg::kBlo, 2);
  expect(msg::kBla, 2);
  inject_simple(msg::kRsc, 2);
  expect(msg::kRlc, 2);
  EXPECT_EQ(user.pop(), "release:41");
  EXPECT_FALSE(circ(2).remote_maint_blocked);
  EXPECT_TRUE(circ(2).call().idle());
}

TEST_F(MaintenanceTest, RscWhileReleasingAnswersRlc) {
  make();
  const CallId id = setup_call();
  expect(msg::kIam, 1);
  ASSERT_TRUE(cc->release(id, 16));
  expect(msg::kRel, 1);
  inject_simple(msg::kRsc, 1);
  expect(msg::kRlc, 1);
  EXPECT_TRUE(circ(1).call().idle());
  advance_s(1000);  // T1/T5 stopped
  expect_nothing();
}

TEST_F(MaintenanceTest, CircuitQueryAnswersWithStateIndicators) {
  make(1, 4);
  setup_call();
  expect(msg::kIam, 1);  // CIC 1 outgoing busy
  peer_iam(2);           // CIC 2 incoming busy
  ASSERT_TRUE(cc->block(group, 3));
  expect(msg::kBlo, 3);
  inject_simple(msg::kBla, 3);  // CIC 3 idle, locally blocked
  MessageBuilder cqm(msg::kCqm, 1);
  cqm.variable(par::kRangeAndStatus, RangeAndStatus{4, {}});  // CIC 5 does not exist
  inject(cqm);
  Message cqr = expect(msg::kCqr, 1);
  EXPECT_EQ(range_status(cqr).range, 4);
  const Param* csi = cqr.find(par::kCircuitStateIndicator);
  ASSERT_NE(csi, nullptr);
  ASSERT_EQ(csi->value.size(), 5u);
  EXPECT_EQ(csi->value[0], 0x08);  // DC = 10 outgoing busy
  EXPECT_EQ(csi->value[1], 0x04);  // DC = 01 incoming busy
  EXPECT_EQ(csi->value[2], 0x0d);  // DC = 11 idle, BA = 01 locally blocked
  EXPECT_EQ(csi->value[3], 0x0c);  // idle
  EXPECT_EQ(csi->value[4], 0x03);  // unequipped
}

TEST_F(MaintenanceTest, QuerySendsCqmAndReportsCqrOrT28) {
  make(1, 4);
  ASSERT_TRUE(cc->query(group, 1, 3));
  EXPECT_EQ(range_status(expect(msg::kCqm, 1)).range, 3);
  MessageBuilder cqr(msg::kCqr, 1);
  cqr.variable(par::kRangeAndStatus, RangeAndStatus{3, {}});
  const std::uint8_t states[] = {0x0c, 0x0c, 0x0c, 0x0c};
  cqr.variable(par::kCircuitStateIndicator, states);
  inject(cqr);
  EXPECT_EQ(user.pop(), "cqr:1:4");
  advance_s(20);
  EXPECT_EQ(counter("isup.alarm.t28_expired"), 0u);
  ASSERT_TRUE(cc->query(group, 1, 3));
  expect(msg::kCqm, 1);
  advance_s(10);  // T28
  EXPECT_EQ(counter("isup.alarm.t28_expired"), 1u);
}

TEST_F(MaintenanceTest, MessageForUnequippedCicGetsUcic) {
  make(1, 4);
  peer_iam(9);
  expect(msg::kUcic, 9);
  EXPECT_EQ(counter("isup.rx.unequipped_cic"), 1u);
  inject_simple(msg::kUcic, 9);  // never answer UCIC with UCIC
  expect_nothing();
}

TEST_F(MaintenanceTest, UcicNotSentWhenDisabled) {
  make(1, 4, Variant::kItu, [](TrunkGroupConfig& c) { c.send_ucic = false; });
  peer_iam(9);
  expect_nothing();
}

TEST_F(MaintenanceTest, UcicInAnswerToIamRepeatsTheCallElsewhere) {
  make(1, 4);
  const CallId id = setup_call();
  expect(msg::kIam, 1);
  inject_simple(msg::kUcic, 1);
  expect(msg::kIam, 3);  // no REL on the unequipped circuit
  EXPECT_EQ(cc->circuit_of(id)->cic(), 3);
  EXPECT_TRUE(circ(1).unequipped);
  EXPECT_FALSE(circ(1).available_for_outgoing());
  EXPECT_EQ(counter("isup.alarm.ucic_received"), 1u);
}

TEST_F(MaintenanceTest, UserPartTestIsAnswered) {
  make(1, 4);
  inject_simple(msg::kUpt, 1);
  expect(msg::kUpa, 1);
}

TEST_F(MaintenanceTest, UnrecognizedMessageWithoutCompatibilityInfoGetsCfn97) {
  make(1, 4);
  // CIC 2, type 0x7e (unassigned), optional-part pointer 0.
  inject_raw({0x02, 0x00, 0x7e, 0x00});
  Message cfn = expect(msg::kCfn, 2);
  EXPECT_EQ(cause(cfn), 97);
  auto ci = CauseIndicators::decode(cfn.find(par::kCauseIndicators)->value);
  ASSERT_EQ(ci->diagnostics.size(), 1u);
  EXPECT_EQ(ci->diagnostics[0], 0x7e);
  EXPECT_EQ(counter("isup.rx.unrecognized_message"), 1u);
}

TEST_F(MaintenanceTest, UnrecognizedMessageWithReleaseInstructionReleasesTheCall) {
  make(1, 4);
  peer_iam(2);
  user.pop();
  // MCI (0x38) instruction indicators: B release call, H last octet.
  inject_raw({0x02, 0x00, 0x7e, 0x01, 0x38, 0x01, 0x83, 0x00});
  EXPECT_EQ(cause(expect(msg::kRel, 2)), 97);
  EXPECT_EQ(user.pop(), "release:97");
}

TEST_F(MaintenanceTest, UnrecognizedMessageDiscardedSilentlyWhenInstructed) {
  make(1, 4);
  // D discard message, C (send notification) clear.
  inject_raw({0x02, 0x00, 0x7e, 0x01, 0x38, 0x01, 0x88, 0x00});
  expect_nothing();
}

TEST_F(MaintenanceTest, UnrecognizedParameterIsDiscardedWithCfn99) {
  make(1, 4);
  peer_iam(2, "1234F", 0, [](MessageBuilder& b) {
    const std::uint8_t v[] = {0xaa};
    b.optional(0xf0, v);  // not a parameter of ITU ISUP
  });
  Message cfn = expect(msg::kCfn, 2);
  EXPECT_EQ(cause(cfn), 99);
  auto ci = CauseIndicators::decode(cfn.find(par::kCauseIndicators)->value);
  ASSERT_EQ(ci->diagnostics.size(), 1u);
  EXPECT_EQ(ci->diagnostics[0], 0xf0);
  EXPECT_EQ(user.pop(), "setup:1234F");  // the message itself is processed
}

TEST_F(MaintenanceTest, UnrecognizedParameterWithDiscardMessageInstruction) {
  make(1, 4);
  peer_iam(2, "1234F", 0, [](MessageBuilder& b) {
    const std::uint8_t v[] = {0xaa};
    b.optional(0xf0, v);
    // PCI: parameter 0xf0, instructions C send notification + D discard message, H last.
    const std::uint8_t pci[] = {0xf0, 0x8c};
    b.optional(par::kParameterCompatibilityInformation, pci);
  });
  EXPECT_EQ(cause(expect(msg::kCfn, 2)), 110);
  EXPECT_TRUE(user.events.empty());
  EXPECT_TRUE(circ(2).call().idle());
}

TEST_F(MaintenanceTest, UnrecognizedParameterWithReleaseInstruction) {
  make(1, 4);
  const CallId id = setup_call();
  expect(msg::kIam, 1);
  MessageBuilder acm(msg::kAcm, 1);
  acm.fixed(par::kBackwardCallIndicators, BackwardCallIndicators{});
  const std::uint8_t v[] = {0x01};
  acm.optional(0xf0, v);
  const std::uint8_t pci[] = {0xf0, 0x82};  // B release call
  acm.optional(par::kParameterCompatibilityInformation, pci);
  inject(acm);
  EXPECT_EQ(cause(expect(msg::kRel, 1)), 99);
  EXPECT_EQ(user.pop(), "release:99");
  EXPECT_EQ(user.released.back(), id);
}

TEST_F(MaintenanceTest, ReceivedCfnIsCountedOnly) {
  make(1, 4);
  MessageBuilder cfn(msg::kCfn, 1);
  CauseIndicators ci;
  ci.value = 97;
  cfn.variable(par::kCauseIndicators, ci);
  inject(cfn);
  expect_nothing();
  EXPECT_EQ(counter("isup.rx.cfn"), 1u);
}

TEST_F(MaintenanceTest, MessagesFromUnknownPointCodesAreDropped) {
  make(1, 4);
  MtpLabel l;
  l.opc = 999;
  l.dpc = kOpc;
  const std::uint8_t rlc[] = {0x01, 0x00, 0x10, 0x00};
  cc->on_transfer(l, rlc);
  expect_nothing();
  EXPECT_EQ(counter("isup.rx.no_route"), 1u);
}

TEST_F(MaintenanceTest, MalformedMessageIsDiscardedAndCounted) {
  make(1, 4);
  inject_raw({0x01, 0x00, 0x01, 0x00});  // IAM cut short
  expect_nothing();
  EXPECT_EQ(counter("isup.rx.decode_error"), 1u);
}

}  // namespace
}  // namespace isupgw::isup
