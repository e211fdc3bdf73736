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

}  // namespace
}  // namespace isupgw::isup::testing
