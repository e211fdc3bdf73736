// Q.764 clause 2 call control in virtual time: every test checks the exact
// messages sent (decoded from what the fake MTP recorded).
#include "isup/call_fsm.h"

#include "isup_cc_test_util.h"

namespace isupgw::isup {
namespace {

using testing::CcFixture;
using testing::digits_number;

class CallFsmTest : public CcFixture {};

TEST_F(CallFsmTest, OutgoingCallAlertAnswerLocalRelease) {
  make();
  const CallId id = setup_call("4321F");
  // We (100) have the lower point code: we control the odd CICs and seize CIC 1 first.
  Message iam = expect(msg::kIam, 1);
  auto called = Number::decode(NumberKind::kCalled, iam.find(par::kCalledPartyNumber)->value);
  ASSERT_TRUE(called);
  EXPECT_EQ(called->digits.view(), "4321F");
  auto calling = Number::decode(NumberKind::kCalling, iam.find(par::kCallingPartyNumber)->value);
  ASSERT_TRUE(calling);
  EXPECT_EQ(calling->digits.view(), "5550002");
  EXPECT_EQ(iam.find(par::kCallingPartysCategory)->value[0], 10);
  auto nci = NatureOfConnectionIndicators::decode(iam.find(par::kNatureOfConnectionIndicators)->value);
  EXPECT_EQ(nci->continuity_check, 0);
  EXPECT_EQ(last_.label.sls, 1);
  EXPECT_EQ(circ(1).call().state(), CallState::kOutSetup);

  peer_acm(1);
  EXPECT_EQ(user.pop(), "alerting");
  EXPECT_EQ(circ(1).call().state(), CallState::kOutAlerting);
  inject_simple(msg::kAnm, 1);
  EXPECT_EQ(user.pop(), "answer");
  ASSERT_TRUE(cc->release(id, 16));
  EXPECT_EQ(cause(expect(msg::kRel, 1)), 16);
  EXPECT_EQ(circ(1).call().state(), CallState::kReleasing);
  EXPECT_EQ(cc->circuit_of(id), nullptr);  // the user's call is gone
  inject_simple(msg::kRlc, 1);
  EXPECT_TRUE(circ(1).call().idle());
  expect_nothing();
  EXPECT_TRUE(user.events.empty());
  // No timer left behind (T7, T9, T1, T5 all stopped).
  advance_s(1000);
  expect_nothing();
}

TEST_F(CallFsmTest, IncomingCallAlertAnswerRemoteRelease) {
  make();
  peer_iam(2, "1234F");
  EXPECT_EQ(user.pop(), "setup:1234F");
  EXPECT_EQ(user.last_calling, "5550001");
  EXPECT_TRUE(user.last_setup_complete);
  const CallId id = user.last_call;
  ASSERT_TRUE(cc->alert(id));
  Message acm = expect(msg::kAcm, 2);
  auto bci = BackwardCallIndicators::decode(acm.find(par::kBackwardCallIndicators)->value);
  EXPECT_EQ(bci->called_status, 1);  // subscriber free
  ASSERT_TRUE(cc->progress(id, 3, true));
  Message cpg = expect(msg::kCpg, 2);
  EXPECT_EQ(EventInformation::decode(cpg.find(par::kEventInformation)->value)->event, 3);
  EXPECT_TRUE(OptionalBackwardCallIndicators::decode(cpg.find(par::kOptionalBackwardCallIndicators)->value)
                  ->inband_information);
  ASSERT_TRUE(cc->answer(id));
  expect(msg::kAnm, 2);
  EXPECT_EQ(circ(2).call().state(), CallState::kAnswered);
  peer_rel(2, 16);
  expect(msg::kRlc, 2);
  EXPECT_EQ(user.pop(), "release:16");
  EXPECT_TRUE(circ(2).call().idle());
  EXPECT_FALSE(cc->answer(id));  // the call is gone
}

TEST_F(CallFsmTest, AnswerWithoutAlertingSendsCon) {
  make();
  peer_iam(2);
  ASSERT_TRUE(cc->answer(user.last_call));
  Message con = expect(msg::kCon, 2);
  EXPECT_EQ(BackwardCallIndicators::decode(con.find(par::kBackwardCallIndicators)->value)->called_status, 1);
  expect_nothing();
}

TEST_F(CallFsmTest, AnsiAnswerWithoutAlertingSendsAcmThenAnm) {
  make(1, 8, Variant::kAnsi);
  peer_iam(2);
  ASSERT_TRUE(cc->answer(user.last_call));
  expect(msg::kAcm, 2);
  expect(msg::kAnm, 2);
  expect_nothing();
}

TEST_F(CallFsmTest, AnsiIamCarriesUserServiceInformation) {
  make(1, 8, Variant::kAnsi);
  setup_call();
  Message iam = expect(msg::kIam, 1);
  ASSERT_NE(iam.find(par::kUserServiceInformation), nullptr);
  EXPECT_EQ(iam.find(par::kTransmissionMediumRequirement), nullptr);
}

TEST_F(CallFsmTest, T7ExpiryReleasesThenT1RepeatsRelThenT5ResetsWithAlarm) {
  make();
  setup_call();
  expect(msg::kIam, 1);
  advance_s(24.9);
  expect_nothing();
  advance_s(0.1);  // T7 = 25 s
  EXPECT_EQ(cause(expect(msg::kRel, 1)), 102);
  EXPECT_EQ(user.pop(), "release:102");
  EXPECT_EQ(counter("isup.call.t7_expired"), 1u);
  // T1 = 15 s: REL repeated until RLC or T5.
  advance_s(15);
  EXPECT_EQ(cause(expect(msg::kRel, 1)), 102);
  advance_s(15);
  expect(msg::kRel, 1);
  // T5 = 300 s after the first REL: stop T1, RSC, alarm; T17 (not T16) supervises it.
  advance_s(300 - 30 - 0.001);
  while (!mtp.sent.empty()) expect(msg::kRel, 1);
  advance_s(0.001);
  expect(msg::kRsc, 1);
  EXPECT_EQ(counter("isup.alarm.t5_expired"), 1u);
  bool logged = false;
  for (const auto& l : log_lines)
    logged = logged || (l.find("error isup alarm") != std::string::npos &&
                        l.find("what=t5_expired") != std::string::npos && l.find("cic=1") != std::string::npos);
  EXPECT_TRUE(logged);
  EXPECT_TRUE(circ(1).reset().resetting());
  EXPECT_FALSE(circ(1).available_for_outgoing());
  advance_s(299);
  expect_nothing();  // no T16 after T5
  advance_s(1);
  expect(msg::kRsc, 1);
  EXPECT_EQ(counter("isup.alarm.rsc_unacknowledged"), 1u);
  inject_simple(msg::kRlc, 1);
  EXPECT_FALSE(circ(1).reset().resetting());
  EXPECT_TRUE(circ(1).available_for_outgoing());
  advance_s(1000);
  expect_nothing();
}

TEST_F(CallFsmTest, T9ExpiryReleasesWithNoAnswerCause) {
  make();
  setup_call();
  expect(msg::kIam, 1);
  peer_acm(1);
  advance_s(89);
  expect_nothing();
  advance_s(1);  // T9 = 90 s
  EXPECT_EQ(cause(expect(msg::kRel, 1)), 19);
  EXPECT_EQ(user.pop(), "alerting");
  EXPECT_EQ(user.pop(), "release:19");
  inject_simple(msg::kRlc, 1);
  EXPECT_TRUE(circ(1).call().idle());
}

TEST_F(CallFsmTest, ConAnswersOutgoingCall) {
  make();
  setup_call();
  expect(msg::kIam, 1);
  MessageBuilder con(msg::kCon, 1);
  con.fixed(par::kBackwardCallIndicators, BackwardCallIndicators{});
  inject(con);
  EXPECT_EQ(user.pop(), "answer");
  EXPECT_EQ(circ(1).call().state(), CallState::kAnswered);
  advance_s(200);  // neither T7 nor T9 left running
  expect_nothing();
}

TEST_F(CallFsmTest, ReleaseCollisionAnswersRlcAndIdles) {
  make();
  const CallId id = setup_call();
  expect(msg::kIam, 1);
  peer_acm(1);
  ASSERT_TRUE(cc->release(id, 16));
  expect(msg::kRel, 1);
  peer_rel(1, 31);  // Q.764 2.3.1 f: both sides released at once
  expect(msg::kRlc, 1);
  EXPECT_TRUE(circ(1).call().idle());
  EXPECT_EQ(counter("isup.call.release_collision"), 1u);
  advance_s(600);  // T1/T5 stopped
  expect_nothing();
}

TEST_F(CallFsmTest, RelOnIdleCircuitIsAcknowledgedAndRlcIgnored) {
  make();
  peer_rel(3);
  expect(msg::kRlc, 3);
  inject_simple(msg::kRlc, 3);
  expect_nothing();
  EXPECT_TRUE(user.events.empty());
}

TEST_F(CallFsmTest, UnexpectedMessageIsCountedAndIgnored) {
  make();
  inject_simple(msg::kAnm, 3);
  expect_nothing();
  EXPECT_EQ(counter("isup.call.unexpected"), 1u);
}

TEST_F(CallFsmTest, IncomingOverlapT35ReleasesWithCause28) {
  make(1, 8, Variant::kItu, [](TrunkGroupConfig& c) { c.overlap_incoming = true; });
  peer_iam(2, "12");
  EXPECT_EQ(user.pop(), "setup:12");
  EXPECT_FALSE(user.last_setup_complete);
  advance_s(10);
  MessageBuilder sam(msg::kSam, 2);
  sam.variable(par::kSubsequentNumber, digits_number(NumberKind::kSubsequent, "3"));
  inject(sam);
  EXPECT_EQ(user.pop(), "digits:3");
  advance_s(17.9);  // T35 restarted by the SAM: 18 s
  expect_nothing();
  advance_s(0.1);
  EXPECT_EQ(cause(expect(msg::kRel, 2)), 28);
  EXPECT_EQ(user.pop(), "release:28");
  EXPECT_EQ(counter("isup.call.t35_expired"), 1u);
}

TEST_F(CallFsmTest, IncomingOverlapStCompletesAndStopsT35) {
  make(1, 8, Variant::kItu, [](TrunkGroupConfig& c) { c.overlap_incoming = true; });
  peer_iam(2, "12");
  MessageBuilder sam(msg::kSam, 2);
  sam.variable(par::kSubsequentNumber, digits_number(NumberKind::kSubsequent, "34F"));
  inject(sam);
  user.pop();
  EXPECT_EQ(user.pop(), "digits:34F:complete");
  advance_s(60);
  expect_nothing();
}

TEST_F(CallFsmTest, OutgoingOverlapSamRestartsT7) {
  make();
  const CallId id = setup_call("12");
  expect(msg::kIam, 1);
  advance_s(20);
  ASSERT_TRUE(cc->send_digits(id, digits_number(NumberKind::kSubsequent, "34F")));
  Message sam = expect(msg::kSam, 1);
  auto n = Number::decode(NumberKind::kSubsequent, sam.find(par::kSubsequentNumber)->value);
  EXPECT_EQ(n->digits.view(), "34F");
  advance_s(24.9);
  expect_nothing();
  advance_s(0.1);
  EXPECT_EQ(cause(expect(msg::kRel, 1)), 102);
}

TEST_F(CallFsmTest, SuspendResumeNetworkAndT2Expiry) {
  make();
  peer_iam(2);
  const CallId id = user.last_call;
  ASSERT_TRUE(cc->answer(id));
  expect(msg::kCon, 2);
  MessageBuilder sus(msg::kSus, 2);
  sus.fixed(par::kSuspendResumeIndicators, FlagOctet{true, 0});
  inject(sus);
  user.pop();
  EXPECT_EQ(user.pop(), "suspend:network");
  EXPECT_EQ(circ(2).call().state(), CallState::kSuspended);
  MessageBuilder res(msg::kRes, 2);
  res.fixed(par::kSuspendResumeIndicators, FlagOctet{true, 0});
  inject(res);
  EXPECT_EQ(user.pop(), "resume:network");
  EXPECT_EQ(circ(2).call().state(), CallState::kAnswered);
  advance_s(200);  // T6 stopped
  expect_nothing();
  // User-initiated SUS: T2 = 180 s, then release with cause 102.
  MessageBuilder sus2(msg::kSus, 2);
  sus2.fixed(par::kSuspendResumeIndicators, FlagOctet{false, 0});
  inject(sus2);
  EXPECT_EQ(user.pop(), "suspend:user");
  advance_s(179.9);
  expect_nothing();
  advance_s(0.1);
  EXPECT_EQ(cause(expect(msg::kRel, 2)), 102);
  EXPECT_EQ(user.pop(), "release:102");
}

TEST_F(CallFsmTest, T6ExpiryReleases) {
  make();
  peer_iam(2);
  ASSERT_TRUE(cc->answer(user.last_call));
  expect(msg::kCon, 2);
  MessageBuilder sus(msg::kSus, 2);
  sus.fixed(par::kSuspendResumeIndicators, FlagOctet{true, 0});
  inject(sus);
  advance_s(119.9);
  expect_nothing();
  advance_s(0.1);  // T6 = 120 s
  EXPECT_EQ(cause(expect(msg::kRel, 2)), 102);
}

TEST_F(CallFsmTest, LocalSuspendResumeSendSusRes) {
  make();
  const CallId id = setup_call();
  expect(msg::kIam, 1);
  inject_simple(msg::kAnm, 1);
  ASSERT_TRUE(cc->suspend(id, false));
  EXPECT_FALSE(FlagOctet::decode(expect(msg::kSus, 1).find(par::kSuspendResumeIndicators)->value)->flag);
  ASSERT_TRUE(cc->resume(id, false));
  expect(msg::kRes, 1);
}

TEST_F(CallFsmTest, InformationRequestAndT33) {
  make();
  peer_iam(2);
  const CallId id = user.last_call;
  InformationRequestIndicators inr;
  inr.calling_party_address = true;
  ASSERT_TRUE(cc->request_information(id, inr));
  Message m = expect(msg::kInr, 2);
  EXPECT_TRUE(InformationRequestIndicators::decode(m.fixed[0].value)->calling_party_address);
  MessageBuilder inf(msg::kInf, 2);
  InformationIndicators ii;
  ii.calling_party_address_response = 3;
  inf.fixed(par::kInformationIndicators, ii);
  inject(inf);
  user.pop();
  EXPECT_EQ(user.pop(), "inf:3");
  advance_s(30);  // T33 stopped
  expect_nothing();
  // Again without an answer: T33 = 14 s releases and alerts maintenance.
  ASSERT_TRUE(cc->request_information(id, inr));
  expect(msg::kInr, 2);
  advance_s(14);
  EXPECT_EQ(cause(expect(msg::kRel, 2)), 102);
  EXPECT_EQ(user.pop(), "release:102");
  EXPECT_EQ(counter("isup.alarm.t33_expired"), 1u);
}

TEST_F(CallFsmTest, OutgoingSideAnswersInrWithInf) {
  make();
  const CallId id = setup_call();
  expect(msg::kIam, 1);
  MessageBuilder inr(msg::kInr, 1);
  InformationRequestIndicators ind;
  ind.calling_party_address = true;
  inr.fixed(par::kInformationRequestIndicators, ind);
  inject(inr);
  EXPECT_EQ(user.pop(), "inr:calling");
  InformationIndicators ii;
  ii.calling_party_address_response = 3;
  ParamBytes cpn;
  digits_number(NumberKind::kCalling, "5550002").encode(cpn);
  std::vector<OwnedParam> params;
  params.emplace_back(par::kCallingPartyNumber, std::vector<std::uint8_t>(cpn.begin(), cpn.end()));
  ASSERT_TRUE(cc->information(id, ii, std::move(params)));
  Message inf = expect(msg::kInf, 1);
  EXPECT_EQ(InformationIndicators::decode(inf.fixed[0].value)->calling_party_address_response, 3);
  ASSERT_NE(inf.find(par::kCallingPartyNumber), nullptr);
}

TEST_F(CallFsmTest, UserToUserAndFacilityPassThrough) {
  make();
  const CallId id = setup_call();
  expect(msg::kIam, 1);
  inject_simple(msg::kAnm, 1);
  user.pop();
  ASSERT_TRUE(cc->user_to_user(id, {0x04, 0x01, 0x02}));
  Message usr = expect(msg::kUsr, 1);
  EXPECT_EQ(usr.find(par::kUserToUserInformation)->value.size(), 3u);
  MessageBuilder in(msg::kUsr, 1);
  const std::uint8_t uui[] = {0x04, 0x09};
  in.variable(par::kUserToUserInformation, uui);
  inject(in);
  EXPECT_EQ(user.pop(), "uui:2");
  ASSERT_TRUE(cc->facility(id));
  expect(msg::kFac, 1);
  inject_simple(msg::kFac, 1);
  EXPECT_EQ(user.pop(), "facility");
}

TEST_F(CallFsmTest, RequestsInTheWrongStateAreRefused) {
  make();
  const CallId id = setup_call();
  expect(msg::kIam, 1);
  auto r = cc->answer(id);  // outgoing call: the user cannot answer it
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), CcError::kWrongState);
  EXPECT_EQ(cc->alert(9999).error(), CcError::kUnknownCall);
  expect_nothing();
}

// --- dual seizure (Q.764 2.10.1.4) ---

TEST_F(CallFsmTest, DualSeizureControllingExchangeIgnoresIncomingIam) {
  make();  // we control the odd CICs
  setup_call();
  expect(msg::kIam, 1);
  peer_iam(1);
  expect_nothing();
  EXPECT_TRUE(user.events.empty());
  EXPECT_EQ(counter("isup.call.dual_seizure"), 1u);
  EXPECT_EQ(circ(1).call().state(), CallState::kOutSetup);
  peer_acm(1);
  EXPECT_EQ(user.pop(), "alerting");
}

TEST_F(CallFsmTest, DualSeizureNonControllingExchangeBacksOffAndReattempts) {
  make(2, 2, Variant::kItu, [](TrunkGroupConfig& c) { c.cics.emplace_back(4, 4); });  // only even CICs: the peer's
  const CallId id = setup_call();
  // Non-controlled circuits are searched downwards: CIC 4 first.
  expect(msg::kIam, 4);
  peer_iam(4, "777F");
  // Our call moved to CIC 2; the peer's call is accepted on CIC 4.
  expect(msg::kIam, 2);
  EXPECT_EQ(user.pop(), "setup:777F");
  EXPECT_EQ(cc->circuit_of(id)->cic(), 2);
  EXPECT_EQ(circ(4).call().state(), CallState::kInSetup);
  EXPECT_EQ(counter("isup.call.repeat_attempt"), 1u);
  peer_acm(2);
  EXPECT_EQ(user.pop(), "alerting");
}

TEST_F(CallFsmTest, DualSeizureLoserAwaitsTheContinuityCheckOfTheIncomingIam) {
  make(2, 2, Variant::kItu, [](TrunkGroupConfig& c) { c.cics.emplace_back(4, 4); });
  const CallId id = setup_call();
  expect(msg::kIam, 4);
  peer_iam(4, "777F", 1);  // continuity check required on this circuit (Q.764 2.1.8)
  expect(msg::kIam, 2);
  EXPECT_EQ(circ(4).call().state(), CallState::kInCotWait);
  EXPECT_EQ(cot.events.front(), "loop:4");
  EXPECT_TRUE(user.events.empty());  // indicated only after COT success
  EXPECT_EQ(cc->circuit_of(id)->cic(), 2);
  peer_cot(4, true);
  EXPECT_EQ(user.pop(), "setup:777F");
  EXPECT_EQ(circ(4).call().state(), CallState::kInSetup);
}

TEST_F(CallFsmTest, DualSeizureWithoutAnotherCircuitReleasesTheCall) {
  make(2, 2);
  const CallId id = setup_call();
  expect(msg::kIam, 2);
  peer_iam(2);
  expect_nothing();
  EXPECT_EQ(user.pop(), "setup:1234F");
  EXPECT_EQ(user.pop(), "release:34");
  EXPECT_EQ(user.released.back(), id);
}

TEST_F(CallFsmTest, NoCircuitAvailable) {
  make(1, 1);
  setup_call();
  expect(msg::kIam, 1);
  SetupRequest req;
  req.called = digits_number(NumberKind::kCalled, "1");
  EXPECT_EQ(cc->setup(group, std::move(req)).error(), CcError::kNoCircuit);
}

// --- continuity check (Q.764 2.1.8) ---

TEST_F(CallFsmTest, IncomingContinuityCheckSuccessThenSetup) {
  make();
  peer_iam(2, "1234F", 1);
  EXPECT_EQ(cot.events.front(), "loop:2");
  EXPECT_TRUE(user.events.empty());  // not indicated before COT
  peer_cot(2, true);
  EXPECT_EQ(cot.events.back(), "unloop:2");
  EXPECT_EQ(user.pop(), "setup:1234F");
  advance_s(20);  // T8 stopped
  expect_nothing();
}

TEST_F(CallFsmTest, IncomingContinuityT8Expiry) {
  make();
  peer_iam(2, "1234F", 1);
  advance_s(12.9);
  expect_nothing();
  advance_s(0.1);  // T8 = 13 s
  EXPECT_EQ(cause(expect(msg::kRel, 2)), 41);
  EXPECT_TRUE(user.events.empty());
  inject_simple(msg::kRlc, 2);
  EXPECT_TRUE(circ(2).call().idle());
}

TEST_F(CallFsmTest, IncomingContinuityFailureT27ResetsCircuit) {
  make();
  peer_iam(2, "1234F", 1);
  peer_cot(2, false);
  EXPECT_EQ(circ(2).call().state(), CallState::kCotFailWait);
  advance_s(239);
  expect_nothing();
  advance_s(1);  // T27 = 240 s
  expect(msg::kRsc, 2);
  EXPECT_EQ(counter("isup.alarm.t27_expired"), 1u);
  advance_s(15);  // T16
  expect(msg::kRsc, 2);
  inject_simple(msg::kRlc, 2);
  EXPECT_TRUE(circ(2).available_for_outgoing() || !circ(2).controlled_here());
  EXPECT_FALSE(circ(2).reset().resetting());
}

TEST_F(CallFsmTest, IncomingContinuityRecheckWithCcrAndT36) {
  make();
  peer_iam(2, "1234F", 1);
  peer_cot(2, false);
  inject_simple(msg::kCcr, 2);
  EXPECT_EQ(circ(2).call().state(), CallState::kCcrLoop);
  EXPECT_EQ(cot.events.back(), "loop:2");
  peer_cot(2, false);  // re-check failed again: back to T27
  EXPECT_EQ(circ(2).call().state(), CallState::kCotFailWait);
  inject_simple(msg::kCcr, 2);
  peer_rel(2);  // re-check passed: the outgoing side releases
  expect(msg::kRlc, 2);
  EXPECT_TRUE(circ(2).call().idle());
  // And T36 expiry: RSC.
  peer_iam(2, "1234F", 1);
  peer_cot(2, false);
  inject_simple(msg::kCcr, 2);
  advance_s(12);  // T36
  expect(msg::kRsc, 2);
  EXPECT_EQ(counter("isup.alarm.t36_expired"), 1u);
}

TEST_F(CallFsmTest, OutgoingContinuityCheck) {
  make();
  SetupRequest req;
  req.called = digits_number(NumberKind::kCalled, "99F");
  req.continuity_check = true;
  auto id = cc->setup(group, std::move(req));
  ASSERT_TRUE(id);
  Message iam = expect(msg::kIam, 1);
  EXPECT_EQ(NatureOfConnectionIndicators::decode(iam.find(par::kNatureOfConnectionIndicators)->value)->continuity_check,
            1);
  EXPECT_EQ(cot.events.front(), "test:1");
  cc->continuity_result(group, 1, true);
  EXPECT_TRUE(FlagOctet::decode(expect(msg::kCot, 1).find(par::kContinuityIndicators)->value)->flag);
}

TEST_F(CallFsmTest, OutgoingContinuityFailureRepeatsCallAndRechecksAfterT25) {
  make();
  SetupRequest req;
  req.called = digits_number(NumberKind::kCalled, "99F");
  req.continuity_check = true;
  auto id = cc->setup(group, std::move(req));
  expect(msg::kIam, 1);
  cc->continuity_result(group, 1, false);
  EXPECT_FALSE(FlagOctet::decode(expect(msg::kCot, 1).find(par::kContinuityIndicators)->value)->flag);
  expect(msg::kIam, 3);  // repeat attempt on the next controlled circuit
  EXPECT_EQ(cc->circuit_of(*id)->cic(), 3);
  EXPECT_EQ(circ(1).call().state(), CallState::kOutCotRetest);
  cc->continuity_result(group, 3, true);  // the repeated call proceeds
  expect(msg::kCot, 3);
  inject_simple(msg::kAnm, 3);
  advance_s(5);  // T25
  expect(msg::kCcr, 1);
  cc->continuity_result(group, 1, false);
  expect(msg::kCot, 1);
  advance_s(119);
  expect_nothing();
  advance_s(1);  // T26 = 120 s after a repeated failure
  expect(msg::kCcr, 1);
  cc->continuity_result(group, 1, true);
  expect(msg::kRel, 1);
  inject_simple(msg::kRlc, 1);
  EXPECT_TRUE(circ(1).call().idle());
}

TEST_F(CallFsmTest, OutgoingContinuityT24ExpiryIsAFailure) {
  make();
  SetupRequest req;
  req.called = digits_number(NumberKind::kCalled, "99F");
  req.continuity_check = true;
  ASSERT_TRUE(cc->setup(group, std::move(req)));
  expect(msg::kIam, 1);
  advance_s(1.9);
  expect_nothing();
  advance_s(0.1);  // T24 = 2 s: no check tone back
  EXPECT_FALSE(FlagOctet::decode(expect(msg::kCot, 1).find(par::kContinuityIndicators)->value)->flag);
  expect(msg::kIam, 3);
  cc->continuity_result(group, 3, true);
  expect(msg::kCot, 3);
  inject_simple(msg::kAnm, 3);
  advance_s(5);  // T25: re-check with CCR, T24 again
  expect(msg::kCcr, 1);
  advance_s(2);
  expect(msg::kCot, 1);
  EXPECT_EQ(counter("isup.alarm.continuity_recheck_failed"), 1u);
}

TEST_F(CallFsmTest, ResetClearsTheCallThroughTheTable) {
  make();
  setup_call();
  expect(msg::kIam, 1);
  inject_simple(msg::kRsc, 1);  // Q.764 2.10.3.1: the call is cleared, RLC answers
  expect(msg::kRlc, 1);
  EXPECT_EQ(user.pop(), "release:41");
  EXPECT_TRUE(circ(1).call().idle());
  bool found = false;
  for (const auto& l : log_lines)
    found = found || (l.find("fsm=call") != std::string::npos &&
                      l.find("from=out_setup event=clear to=idle") != std::string::npos);
  EXPECT_TRUE(found);
  EXPECT_EQ(counter("isup.call.event.clear"), 1u);
  EXPECT_EQ(counter("isup.call.unexpected"), 0u);
}

TEST_F(CallFsmTest, EveryTransitionIsLogged) {
  make();
  setup_call();
  bool found = false;
  for (const auto& l : log_lines)
    if (l.find("fsm.transition") != std::string::npos && l.find("fsm=call") != std::string::npos &&
        l.find("from=idle") != std::string::npos && l.find("to=out_setup") != std::string::npos)
      found = true;
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace isupgw::isup
