// Issue 20: number portability through the interworking rules. RFC 4694 4 (rn / npdi in a tel URI or a
// user=phone user part; the examples of RFC 4694 6) <-> the IAM's number portability forward information
// (Q.763 3.101: 0x8D, "number portability status indicator": 2 not ported, 3 ported, query done) and network
// routing number (Q.763 3.90: 0x84, NAI 1 "network routing number in national (significant) number format").
#include <gtest/gtest.h>

#include "isup/builder.h"
#include "isup/codes.h"
#include "mapping/interworking.h"
#include "mapping/np_interworking.h"
#include "tests/unit/mapping/isup_fixture.h"
#include "tests/unit/mapping/sip_fixture.h"

namespace isupgw::mapping {
namespace {

using testing_support::find;
using testing_support::invite;

SipProfile trunk(bool tel = false) {
  SipProfile p;
  p.host = "192.0.2.10";
  p.tel_uri = tel;
  return p;
}

isup::Number number(isup::NumberKind kind, const char* digits) {
  isup::Number n;
  n.kind = kind;
  n.nai = 3;
  n.npi = 1;
  n.digits.assign(digits);
  return n;
}

TEST(NpFromSip, SipUserPartRnAndNpdiGoToTheIam) {
  auto m = invite("sip:+4930222;npdi;rn=+49-301-99@gw;user=phone");
  auto r = setup_from_invite(m->m, trunk());
  ASSERT_TRUE(r.ok()) << r.error().warning;
  EXPECT_EQ(std::string(r->called.digits.view()).substr(0, 5), "30222");  // the number without its parameters
  const auto* fi = find(*r, 0x8d);
  ASSERT_NE(fi, nullptr);
  EXPECT_EQ(fi->value, (std::vector<std::uint8_t>{0x83}));  // ext bit, ported (query done)
  const auto* rn = find(*r, 0x84);
  ASSERT_NE(rn, nullptr);
  EXPECT_EQ(rn->value, (std::vector<std::uint8_t>{0x91, 0x03, 0x91, 0x09}));  // odd, NPI 1, NAI 1; BCD 30199
}

TEST(NpFromSip, TelUriNpdiAloneIsNotPorted) {
  auto m = invite("tel:+4930222;npdi");
  auto r = setup_from_invite(m->m, trunk());
  ASSERT_TRUE(r.ok()) << r.error().warning;
  const auto* fi = find(*r, 0x8d);
  ASSERT_NE(fi, nullptr);
  EXPECT_EQ(fi->value, (std::vector<std::uint8_t>{0x82}));
  EXPECT_EQ(find(*r, 0x84), nullptr);
}

TEST(NpFromSip, NothingWithoutNpParameters) {
  auto m = invite("sip:+4930222@gw;user=phone");
  auto r = setup_from_invite(m->m, trunk());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(find(*r, 0x8d), nullptr);
  EXPECT_EQ(find(*r, 0x84), nullptr);
}

// RFC 4694 5.1: what the gateway cannot use is ignored (a foreign rn: ISUP's routing number is national).
TEST(NpFromSip, ForeignRnIsDroppedNpdiKept) {
  auto m = invite("sip:+4930222;npdi;rn=+1-202-544-0000@gw;user=phone");
  auto r = setup_from_invite(m->m, trunk());
  ASSERT_TRUE(r.ok()) << r.error().warning;
  EXPECT_EQ(find(*r, 0x84), nullptr);
  ASSERT_NE(find(*r, 0x8d), nullptr);
}

TEST(NpToSip, PortedIamGivesRnAndNpdi) {
  isup::MessageBuilder b{isup::msg::kIam, 7};
  isup::IncomingSetup setup;
  setup.called = number(isup::NumberKind::kCalled, "30222F");
  b.fixed(isup::par::kNatureOfConnectionIndicators, std::vector<std::uint8_t>{0x00})
      .fixed(isup::par::kForwardCallIndicators, std::vector<std::uint8_t>{0x60, 0x01})
      .fixed(isup::par::kCallingPartysCategory, std::vector<std::uint8_t>{0x0a})
      .fixed(isup::par::kTransmissionMediumRequirement, std::vector<std::uint8_t>{3})
      .variable(isup::par::kCalledPartyNumber, setup.called)
      .optional(0x8d, std::vector<std::uint8_t>{0x83})
      .optional(0x84, encode_network_routing_number("30199"));
  setup.iam = &b.message();
  InviteFields f = invite_from_setup(setup, trunk());
  EXPECT_EQ(f.request_uri, "sip:+4930222;npdi;rn=+4930199@192.0.2.10;user=phone");  // RFC 4694 6 form
  EXPECT_EQ(f.to, "<sip:+4930222@192.0.2.10;user=phone>");
  InviteFields t = invite_from_setup(setup, trunk(true));
  EXPECT_EQ(t.request_uri, "tel:+4930222;npdi;rn=+4930199");
  // And back: the INVITE the gateway sends is read as the same portability by the next gateway.
  auto m = invite(f.request_uri);
  auto r = setup_from_invite(m->m, trunk());
  ASSERT_TRUE(r.ok());
  ASSERT_NE(find(*r, 0x84), nullptr);
  EXPECT_EQ(find(*r, 0x84)->value, encode_network_routing_number("30199"));
}

// The routes' rn_prefix key: the routing number of the IAM we will send (from the Request-URI's rn) and
// of an IAM received, as national significant digits (Q.763 3.90).
TEST(NpRouting, RoutingNumberOfOutgoingAndIncomingIam) {
  auto m = invite("sip:+4930222;npdi;rn=+49-301-99@gw;user=phone");
  auto r = setup_from_invite(m->m, trunk());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(routing_number_of(r->optional), "30199");
  auto plain = invite("sip:+4930222@gw;user=phone");
  auto r2 = setup_from_invite(plain->m, trunk());
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(routing_number_of(r2->optional), "");
  isup::MessageBuilder b{isup::msg::kIam, 7};
  b.optional(0x84, encode_network_routing_number("30199"));
  EXPECT_EQ(routing_number_of(b.message()), "30199");
  isup::MessageBuilder none{isup::msg::kIam, 7};
  none.optional(0x84, std::vector<std::uint8_t>{0x91});  // no digits: undecodable, no routing number
  EXPECT_EQ(routing_number_of(none.message()), "");
}

TEST(NpToSip, AnsiTrunkCarriesNone) {
  SipProfile p = trunk();
  p.variant = isup::Variant::kAnsi;
  TelNp np{"+4930199", true};
  EXPECT_TRUE(np_params_for_iam(np, p).empty());
}

TEST(PhoneNp, MalformedNpIsFlaggedAndTheNumberKept) {
  auto m = invite("sip:+4930222;npdi=yes@gw;user=phone");
  PhoneNp pn = phone_np(m->m.request_uri);
  ASSERT_TRUE(pn.number);
  EXPECT_EQ(*pn.number, "+4930222");
  EXPECT_TRUE(pn.np_error);
}

}  // namespace
}  // namespace isupgw::mapping
