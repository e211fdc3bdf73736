// Issue 20: COLP/COLR through the answer, the rows of mapping/colp_map.h: the ANM/CON connected number
// (Q.763 3.16) <-> the 200 OK's P-Asserted-Identity and Privacy (RFC 3325 9.1, RFC 3323), with the calling
// identity's rules (Q.1912.5 CLIP/CLIR, identity_map.h) applied to the connected party. tshark decodes the
// connected number of the ANM we build.
#include <gtest/gtest.h>

#include "isup/builder.h"
#include "isup/codes.h"
#include "mapping/colp_map.h"
#include "mapping/interworking.h"
#include "tests/support/tshark_oracle.h"
#include "tests/unit/mapping/sip_fixture.h"

namespace isupgw::mapping {
namespace {

SipProfile trunk(bool trusted = true) {
  SipProfile p;
  p.host = "192.0.2.10";
  p.trust_pai = trusted;
  return p;
}

isup::Number connected(std::uint8_t apri, std::uint8_t screening) {
  isup::Number n;
  n.kind = isup::NumberKind::kConnected;
  n.nai = 3;
  n.npi = 1;
  n.apri = apri;
  n.screening = screening;
  n.digits.assign("30222");
  return n;
}

std::string header(const sip::HeaderList& h, std::string_view name) {
  for (const auto& [n, v] : h)
    if (n == name) return v;
  return "";
}

struct Anm {
  isup::MessageBuilder b{isup::msg::kAnm, 7};
  explicit Anm(std::optional<isup::Number> n) {
    if (n) b.optional(isup::par::kConnectedNumber, *n);
  }
};

TEST(ColpToSip, ConnectedNumberAllowedGivesPai) {
  Anm anm(connected(0, 3));  // APRI allowed, network provided
  auto f = answer_fields(&anm.b.message(), trunk());
  EXPECT_EQ(header(f.headers, "P-Asserted-Identity"), "<sip:+4930222@192.0.2.10;user=phone>");
  EXPECT_EQ(header(f.headers, "Privacy"), "");
}

TEST(ColpToSip, ColrRestrictedGivesPaiWithPrivacyId) {
  Anm anm(connected(1, 3));  // APRI restricted (COLR)
  auto f = answer_fields(&anm.b.message(), trunk());
  EXPECT_EQ(header(f.headers, "P-Asserted-Identity"), "<sip:+4930222@192.0.2.10;user=phone>");
  EXPECT_EQ(header(f.headers, "Privacy"), "id");
}

TEST(ColpToSip, NotAvailableAbsentOrUntrustedGiveNothing) {
  Anm na(connected(2, 3));  // address not available
  EXPECT_TRUE(answer_fields(&na.b.message(), trunk()).headers.empty());
  Anm none(std::nullopt);
  EXPECT_TRUE(answer_fields(&none.b.message(), trunk()).headers.empty());
  Anm ok(connected(0, 3));
  EXPECT_TRUE(answer_fields(&ok.b.message(), trunk(false)).headers.empty());  // RFC 3325: not to an untrusted peer
  Anm unverified(connected(0, 0));  // user provided, not verified: not an assertion
  EXPECT_TRUE(answer_fields(&unverified.b.message(), trunk()).headers.empty());
}

TEST(ColpFromSip, TrustedPaiGivesConnectedNumber) {
  auto m = testing_support::response(200, {"P-Asserted-Identity: <sip:+4930333@192.0.2.20;user=phone>"});
  auto n = connected_from_answer(m->m, trunk());
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->kind, isup::NumberKind::kConnected);
  EXPECT_EQ(std::string(n->digits.view()), "30333");
  EXPECT_EQ(n->nai, 3);
  EXPECT_EQ(n->apri, 0);
  EXPECT_EQ(n->screening, 3);  // network provided
}

TEST(ColpFromSip, PrivacyIdGivesRestricted) {
  auto m = testing_support::response(
      200, {"P-Asserted-Identity: <sip:+4930333@192.0.2.20;user=phone>", "Privacy: id"});
  auto n = connected_from_answer(m->m, trunk());
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->apri, 1);
}

TEST(ColpFromSip, NoPaiOrUntrustedGivesNone) {
  auto plain = testing_support::response(200);
  EXPECT_FALSE(connected_from_answer(plain->m, trunk()).has_value());
  auto m = testing_support::response(200, {"P-Asserted-Identity: <sip:+4930333@192.0.2.20;user=phone>"});
  EXPECT_FALSE(connected_from_answer(m->m, trunk(false)).has_value());
}

TEST(ColpTshark, AnmConnectedNumberDecodes) {
  if (!tshark::available()) GTEST_FAIL() << "tshark not installed (scripts/setup.sh installs it)";
  auto m = testing_support::response(
      200, {"P-Asserted-Identity: <sip:+4930333@192.0.2.20;user=phone>", "Privacy: id"});
  auto n = connected_from_answer(m->m, trunk());
  ASSERT_TRUE(n.has_value());
  Anm anm(*n);
  auto enc = isup::encode(anm.b.message(), isup::Variant::kItu);
  ASSERT_TRUE(enc.ok());
  auto d = tshark::dissect(tshark::m3ua_data(*enc), tshark::Wrap::kM3ua);
  ASSERT_TRUE(d.ok()) << d.error;
  EXPECT_FALSE(d.malformed) << d.problems() << d.dump();
  EXPECT_EQ(d.first("isup.message_type"), "9");
  EXPECT_EQ(d.first("isup.connected_number"), "30333") << d.dump();
  EXPECT_EQ(d.first("isup.address_presentation_restricted_indicator"), "1") << d.dump();
  EXPECT_EQ(d.first("isup.screening_indicator"), "3") << d.dump();
}

// RFC 4916 4: after the answer, the connected party (when other than the one called) becomes the gateway's
// From towards the caller, announced by an UPDATE with its P-Asserted-Identity (COLR: anonymous, RFC 3323).
isup::Number called(std::uint8_t nai, const char* digits) {
  isup::Number n;
  n.kind = isup::NumberKind::kCalled;
  n.nai = nai;
  n.npi = 1;
  n.digits.assign(digits);
  return n;
}

TEST(ColpIdentityUpdate, OtherConnectedPartyGivesNewFromAndPai) {
  Anm anm(connected(0, 3));  // 30222, allowed
  auto u = identity_update(&anm.b.message(), called(3, "30111"), trunk());
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->from_uri, "sip:+4930222@192.0.2.10;user=phone");
  EXPECT_EQ(header(u->headers, "P-Asserted-Identity"), "<sip:+4930222@192.0.2.10;user=phone>");
  EXPECT_EQ(header(u->headers, "Privacy"), "");
}

TEST(ColpIdentityUpdate, ColrGivesAnonymousFromWithPrivacyId) {
  Anm anm(connected(1, 3));  // restricted
  auto u = identity_update(&anm.b.message(), called(3, "30111"), trunk());
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->from_uri, "sip:anonymous@anonymous.invalid");
  EXPECT_EQ(header(u->headers, "Privacy"), "id");
}

TEST(ColpIdentityUpdate, SameNumberInAnotherFormOrNoUsableNumberGivesNothing) {
  Anm anm(connected(0, 3));  // national 30222
  EXPECT_FALSE(identity_update(&anm.b.message(), called(4, "4930222"), trunk()).has_value());  // international
  EXPECT_FALSE(identity_update(&anm.b.message(), called(3, "30222"), trunk()).has_value());
  EXPECT_FALSE(identity_update(&anm.b.message(), called(2, "30222F"), trunk()).has_value());  // unknown NAI, ST
  Anm none(std::nullopt);
  EXPECT_FALSE(identity_update(&none.b.message(), called(3, "30111"), trunk()).has_value());
  Anm na(connected(2, 3));  // address not available
  EXPECT_FALSE(identity_update(&na.b.message(), called(3, "30111"), trunk()).has_value());
  EXPECT_FALSE(identity_update(&anm.b.message(), called(3, "30111"), trunk(false)).has_value());  // untrusted
}

// The request indicator, Q.763 3.38: optional forward call indicators, bit H "connected line identity request
// indicator" (0 not requested, 1 requested); bits B-A CUG call indicator, C simple segmentation, G-D spare.
const isup::OwnedParam* ofci(const std::vector<isup::OwnedParam>& optional) {
  for (const auto& p : optional)
    if (p.code == isup::par::kOptionalForwardCallIndicators) return &p;
  return nullptr;
}

TEST(ColpRequest, FromChangeInviteSetsBitH) {
  auto inv = testing_support::invite("sip:+4930222@192.0.2.10;user=phone", {"Supported: timer, from-change"});
  auto r = setup_from_invite(inv->m, trunk());
  ASSERT_TRUE(r.ok());
  const auto* p = ofci(r->optional);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->value, std::vector<std::uint8_t>{0x80});  // H = 1, the rest 0
}

TEST(ColpRequest, PlainInviteAsksNothingTrunkSettingAsksAlways) {
  auto inv = testing_support::invite("sip:+4930222@192.0.2.10;user=phone", {"Supported: timer"});
  auto plain = setup_from_invite(inv->m, trunk());
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(ofci(plain->optional), nullptr);
  SipProfile always = trunk();
  always.request_colp = true;
  auto asked = setup_from_invite(inv->m, always);
  ASSERT_TRUE(asked.ok());
  ASSERT_NE(ofci(asked->optional), nullptr);
  EXPECT_EQ(ofci(asked->optional)->value, std::vector<std::uint8_t>{0x80});
}

TEST(ColpRequest, KeepsTheOtherBitsOfAnOptionalForwardCallIndicatorsAlreadyThere) {
  std::vector<isup::OwnedParam> optional;
  optional.emplace_back(isup::par::kOptionalForwardCallIndicators, std::vector<std::uint8_t>{0x03});  // CUG BA = 11
  request_colp(optional);
  ASSERT_EQ(optional.size(), 1u);
  EXPECT_EQ(optional[0].value, std::vector<std::uint8_t>{0x83});
}

TEST(ColpRequest, IamBitHReadBack) {
  isup::MessageBuilder asked(isup::msg::kIam, 7);
  asked.optional(isup::par::kOptionalForwardCallIndicators, std::vector<std::uint8_t>{0x80});
  EXPECT_TRUE(colp_requested(asked.message()));
  isup::MessageBuilder cug(isup::msg::kIam, 7);
  cug.optional(isup::par::kOptionalForwardCallIndicators, std::vector<std::uint8_t>{0x01});  // CUG only, H = 0
  EXPECT_FALSE(colp_requested(cug.message()));
  isup::MessageBuilder none(isup::msg::kIam, 7);
  EXPECT_FALSE(colp_requested(none.message()));
}

// tshark decodes bit H of the IAM we build for a from-change INVITE.
TEST(ColpTshark, IamRequestIndicatorDecodes) {
  if (!tshark::available()) GTEST_FAIL() << "tshark not installed (scripts/setup.sh installs it)";
  auto inv = testing_support::invite("sip:+4930222@192.0.2.10;user=phone", {"Supported: from-change"});
  auto r = setup_from_invite(inv->m, trunk());
  ASSERT_TRUE(r.ok());
  const auto* p = ofci(r->optional);
  ASSERT_NE(p, nullptr);
  isup::MessageBuilder iam(isup::msg::kIam, 7);
  iam.fixed(isup::par::kNatureOfConnectionIndicators, std::vector<std::uint8_t>{0x00});
  iam.fixed(isup::par::kForwardCallIndicators, std::vector<std::uint8_t>{0x20, 0x01});
  iam.fixed(isup::par::kCallingPartysCategory, std::vector<std::uint8_t>{0x0a});
  iam.fixed(isup::par::kTransmissionMediumRequirement, std::vector<std::uint8_t>{0x03});
  iam.variable(isup::par::kCalledPartyNumber, r->called);
  iam.optional(p->code, p->value);
  auto enc = isup::encode(iam.message(), isup::Variant::kItu);
  ASSERT_TRUE(enc.ok());
  auto d = tshark::dissect(tshark::m3ua_data(*enc), tshark::Wrap::kM3ua);
  ASSERT_TRUE(d.ok()) << d.error;
  EXPECT_FALSE(d.malformed) << d.problems() << d.dump();
  EXPECT_EQ(d.first("isup.message_type"), "1");
  EXPECT_EQ(d.first("isup.connected_line_identity_request_ind"), "1") << d.dump();
}

}  // namespace
}  // namespace isupgw::mapping
