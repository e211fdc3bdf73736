// Overload (national; Q.763 Table 39 OLM, Q.764 Annex A T3): an OLM in answer
// to our IAM releases the call to the user with cause 42, holds the circuit
// out of use until T3 (2 min) expires, then releases it with REL.
#include <gtest/gtest.h>

#include "isup_cc_test_util.h"

namespace isupgw::isup::testing {
namespace {

class OverloadTest : public CcFixture {};

TEST_F(OverloadTest, OlmReleasesTheCallAndHoldsTheCircuitUntilT3) {
  make();
  const CallId id = setup_call();
  expect(msg::kIam, 1);
  inject_simple(msg::kOlm, 1);
  EXPECT_EQ(user.pop(), "release:42");
  EXPECT_EQ(user.released.back(), id);
  EXPECT_EQ(counter("isup.call.overload_received"), 1u);
  expect_nothing();  // no REL yet, no repeat attempt towards the overloaded exchange
  EXPECT_FALSE(circ(1).call().idle());
  // T7 stopped: nothing at 25 s.
  advance_s(119.9);
  expect_nothing();
  // The circuit is not taken by a new call meanwhile.
  setup_call();
  expect(msg::kIam, 3);
  advance_s(0.2);  // T3 = 2 min
  auto rel = expect(msg::kRel, 1);
  EXPECT_EQ(cause(rel), 42);
  EXPECT_EQ(counter("isup.call.t3_expired"), 1u);
  inject_simple(msg::kRlc, 1);
  EXPECT_TRUE(circ(1).call().idle());
}

TEST_F(OverloadTest, ThePeersRelDuringT3IsAnsweredAndEndsIt) {
  make();
  setup_call();
  expect(msg::kIam, 1);
  inject_simple(msg::kOlm, 1);
  EXPECT_EQ(user.pop(), "release:42");
  peer_rel(1);
  expect(msg::kRlc, 1);
  EXPECT_TRUE(circ(1).call().idle());
  advance_s(200);
  expect_nothing();
  EXPECT_EQ(counter("isup.call.t3_expired"), 0u);
}

TEST_F(OverloadTest, OlmOutsideSetupIsUnexpected) {
  make();
  inject_simple(msg::kOlm, 2);  // idle circuit
  expect_nothing();
  EXPECT_EQ(user.pop(), "<none>");
  EXPECT_EQ(counter("isup.call.overload_received"), 0u);
}

// Sending OLM (national option, Q.763 Table 39; Q.764 Annex A T3): an IAM this node refuses for its own
// overload, on a group configured for it, is answered by OLM; the circuit stays seized (incoming busy in a
// CQR, no new call) until the originating exchange's T3 (2 min) sends REL, answered with RLC.
class OlmSendTest : public CcFixture {
 protected:
  // Q.763 3.14: the circuit state indicator of CIC `cic` in a CQR for that one circuit.
  std::uint8_t queried_state(std::uint16_t cic) {
    MessageBuilder cqm(msg::kCqm, cic);
    cqm.variable(par::kRangeAndStatus, RangeAndStatus{0, {}});
    inject(cqm);
    Message cqr = expect(msg::kCqr, cic);
    const Param* csi = cqr.find(par::kCircuitStateIndicator);
    return csi != nullptr && csi->value.size() == 1 ? csi->value[0] : 0xff;
  }
  // The engine refuses the call for overload from its setup indication, as the call engine does.
  void refuse_every_setup() {
    user.on_setup_hook = [this](CallId id) { refused_ok = cc->overload(id).ok(); };
  }
  bool refused_ok = false;
};

TEST_F(OlmSendTest, OlmHoldsTheCircuitUntilThePeersRelAfterItsT3) {
  make(1, 4);
  refuse_every_setup();
  peer_iam(2);
  EXPECT_TRUE(refused_ok);
  EXPECT_EQ(user.pop(), "setup:1234F");
  Message olm = expect(msg::kOlm, 2);
  EXPECT_TRUE(olm.fixed.empty() && olm.variable.empty() && olm.optional.empty());  // Q.763 Table 39: type only
  expect_nothing();                 // no REL
  EXPECT_EQ(user.pop(), "<none>");  // the call ended with the OLM: no release indication
  EXPECT_EQ(circ(2).call().state(), CallState::kInOverload);
  EXPECT_EQ(counter("isup.call.overload_sent"), 1u);
  // The user's REL that follows (the engine's refusal) finds no call: nothing more on the wire.
  EXPECT_EQ(cc->release(user.last_call, 42).error(), CcError::kUnknownCall);
  expect_nothing();
  EXPECT_EQ(queried_state(2), 0x04);  // DC = 01 incoming busy
  // The originating exchange's T3 (Q.764 Annex A: 2 min); we run no timer of our own meanwhile.
  advance_s(119.9);
  expect_nothing();
  EXPECT_EQ(queried_state(2), 0x04);
  advance_s(0.1);
  peer_rel(2, 42);
  expect(msg::kRlc, 2);
  EXPECT_TRUE(circ(2).call().idle());
  EXPECT_EQ(queried_state(2), 0x0c);  // idle
  EXPECT_EQ(user.pop(), "<none>");
}

TEST_F(OlmSendTest, AHeldCircuitTakesNoNewCallAndAResetFreesIt) {
  make(1, 1);
  refuse_every_setup();
  peer_iam(1);
  expect(msg::kOlm, 1);
  user.pop();
  // No outgoing call on it: the only circuit is seized.
  user.on_setup_hook = {};
  SetupRequest req;
  req.called = digits_number(NumberKind::kCalled, "4321F");
  EXPECT_EQ(cc->setup(group, std::move(req)).error(), CcError::kNoCircuit);
  expect_nothing();
  // A reset (RSC) clears it without call signalling (Q.764 2.9.3.1).
  inject_simple(msg::kRsc, 1);
  expect(msg::kRlc, 1);
  EXPECT_TRUE(circ(1).call().idle());
}

TEST_F(OlmSendTest, OnlyAnUnansweredIncomingSetupCanBeRefusedWithOlm) {
  make();
  peer_iam(2);
  const CallId in = user.last_call;
  ASSERT_TRUE(cc->alert(in));
  expect(msg::kAcm, 2);
  EXPECT_EQ(cc->overload(in).error(), CcError::kWrongState);
  const CallId out = setup_call();
  expect(msg::kIam, 1);
  EXPECT_EQ(cc->overload(out).error(), CcError::kWrongState);
  expect_nothing();
  EXPECT_EQ(counter("isup.call.overload_sent"), 0u);
}

}  // namespace
}  // namespace isupgw::isup::testing
