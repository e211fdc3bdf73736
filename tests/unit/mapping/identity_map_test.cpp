// Calling identity rows (Q.1912.5 CLIP/CLIR, RFC 3325, RFC 3323).
#include "mapping/identity_map.h"

#include <gtest/gtest.h>

#include "tests/unit/mapping/sip_fixture.h"

namespace isupgw::mapping {
namespace {

using testing_support::invite;

SipProfile trunk(bool trusted = true) {
  SipProfile p;
  p.host = "gw";
  p.trust_pai = trusted;
  return p;
}

isup::Number calling(std::uint8_t apri, std::uint8_t screening, const char* digits = "301234567") {
  isup::Number n;
  n.kind = isup::NumberKind::kCalling;
  n.nai = 3;
  n.npi = 1;
  n.apri = apri;
  n.screening = screening;
  n.digits.assign(digits);
  return n;
}

std::string header(const sip::HeaderList& h, std::string_view name) {
  for (const auto& [n, v] : h)
    if (n == name) return v;
  return "";
}

// ISUP -> SIP: one case per (APRI, screening, trust) combination that matters.
struct ToSipRow {
  const char* name;
  std::uint8_t apri;
  std::uint8_t screening;
  bool trusted;
  const char* from;
  const char* pai;
  const char* privacy;
};
class CallingToSip : public testing::TestWithParam<ToSipRow> {};
TEST_P(CallingToSip, Row) {
  const auto& r = GetParam();
  SipIdentity id = sip_identity_from_isup(calling(r.apri, r.screening), std::nullopt, trunk(r.trusted));
  EXPECT_EQ(id.from, r.from);
  EXPECT_EQ(header(id.headers, "P-Asserted-Identity"), r.pai);
  EXPECT_EQ(header(id.headers, "Privacy"), r.privacy);
}
const char* kNum = "<sip:+49301234567@gw;user=phone>";
const char* kAnon = "\"Anonymous\" <sip:anonymous@anonymous.invalid>";
INSTANTIATE_TEST_SUITE_P(Q1912_5, CallingToSip,
                         testing::Values(ToSipRow{"AllowedNetworkProvided", 0, 3, true, kNum, kNum, ""},
                                         ToSipRow{"AllowedUserVerifiedPassed", 0, 1, true, kNum, kNum, ""},
                                         ToSipRow{"AllowedUserNotVerifiedNoPai", 0, 0, true, kNum, "", ""},
                                         ToSipRow{"AllowedUserFailedNoPai", 0, 2, true, kNum, "", ""},
                                         ToSipRow{"RestrictedPaiWithPrivacyId", 1, 3, true, kAnon, kNum, "id"},
                                         ToSipRow{"RestrictedUntrustedNoPai", 1, 3, false, kAnon, "", ""},
                                         ToSipRow{"NotAvailableAnonymous", 2, 3, true, kAnon, "", ""},
                                         ToSipRow{"ReservedApriAnonymous", 3, 3, true, kAnon, "", ""},
                                         ToSipRow{"AllowedUntrustedFromOnly", 0, 3, false, kNum, "", ""}),
                         [](const auto& i) { return std::string(i.param.name); });

// Without a usable calling party number the additional calling party number
// (presentation allowed) is still the From, never a PAI.
TEST(CallingToSip, AdditionalCallingNumberAloneIsTheFrom) {
  isup::Number extra = calling(0, 0, "301999");
  extra.kind = isup::NumberKind::kGeneric;
  extra.qualifier = kQualifierAdditionalCalling;
  SipIdentity id = sip_identity_from_isup(std::nullopt, extra, trunk());
  EXPECT_EQ(id.from, "<sip:+49301999@gw;user=phone>");
  EXPECT_TRUE(id.headers.empty());
  extra.apri = kApriRestricted;
  EXPECT_EQ(sip_identity_from_isup(std::nullopt, extra, trunk()).from, kAnon);
}

TEST(CallingToSip, AbsentCallingNumberIsAnonymous) {
  SipIdentity id = sip_identity_from_isup(std::nullopt, std::nullopt, trunk());
  EXPECT_EQ(id.from, kAnon);
  EXPECT_TRUE(id.headers.empty());
}

// Q.1912.5: generic number "additional calling party number" -> From; CgPN -> PAI.
TEST(CallingToSip, AdditionalCallingNumberBecomesFrom) {
  isup::Number extra = calling(0, 0, "301999");
  extra.kind = isup::NumberKind::kGeneric;
  extra.qualifier = kQualifierAdditionalCalling;
  SipIdentity id = sip_identity_from_isup(calling(0, 3), extra, trunk());
  EXPECT_EQ(id.from, "<sip:+49301999@gw;user=phone>");
  EXPECT_EQ(header(id.headers, "P-Asserted-Identity"), kNum);
}

// SIP -> ISUP rows.
struct ToIsupRow {
  const char* name;
  std::vector<std::string> headers;
  const char* from;
  bool trusted;
  const char* digits;  // "" = no calling number
  std::uint8_t nai, apri, screening;
};
class CallingFromSip : public testing::TestWithParam<ToIsupRow> {};
TEST_P(CallingFromSip, Row) {
  const auto& r = GetParam();
  auto inv = invite("sip:+4930222@gw;user=phone", r.headers, {}, {}, r.from);
  IsupIdentity id = isup_identity_from_sip(inv->m, trunk(r.trusted));
  if (std::string_view(r.digits).empty()) {
    EXPECT_FALSE(id.calling.has_value());
    return;
  }
  ASSERT_TRUE(id.calling.has_value());
  EXPECT_EQ(id.calling->kind, isup::NumberKind::kCalling);
  EXPECT_EQ(id.calling->digits.view(), r.digits);
  EXPECT_EQ(id.calling->nai, r.nai);
  EXPECT_EQ(id.calling->npi, 1);
  EXPECT_EQ(id.calling->apri, r.apri);
  EXPECT_EQ(id.calling->screening, r.screening);
}
const char* kFrom = "<sip:+49301234567@h;user=phone>;tag=1";
INSTANTIATE_TEST_SUITE_P(
    Q1912_5, CallingFromSip,
    testing::Values(
        ToIsupRow{"PaiNetworkProvided",
                  {"P-Asserted-Identity: <sip:+49301234567@h;user=phone>"},
                  kFrom,
                  true,
                  "301234567",
                  3,
                  0,
                  3},
        ToIsupRow{
            "PaiTelInternational", {"P-Asserted-Identity: <tel:+12125550100>"}, kFrom, true, "12125550100", 4, 0, 3},
        ToIsupRow{"PrivacyIdRestricts",
                  {"P-Asserted-Identity: <tel:+49301234567>", "Privacy: id"},
                  kFrom,
                  true,
                  "301234567",
                  3,
                  1,
                  3},
        ToIsupRow{"PrivacyHeaderRestricts",
                  {"P-Asserted-Identity: <tel:+49301234567>", "Privacy: header"},
                  kFrom,
                  true,
                  "301234567",
                  3,
                  1,
                  3},
        ToIsupRow{"PrivacyUserRestricts",
                  {"P-Asserted-Identity: <tel:+49301234567>", "Privacy: user"},
                  kFrom,
                  true,
                  "301234567",
                  3,
                  1,
                  3},
        ToIsupRow{"PrivacyNoneAllows",
                  {"P-Asserted-Identity: <tel:+49301234567>", "Privacy: none"},
                  kFrom,
                  true,
                  "301234567",
                  3,
                  0,
                  3},
        // No (trusted) PAI: nothing network-asserted, no calling party number
        // (Q.763 3.10: screening 00 is reserved for it); the From number is the
        // generic number below.
        ToIsupRow{"NoPaiNoCallingNumber", {}, kFrom, true, "", 0, 0, 0},
        ToIsupRow{"UntrustedPaiIgnored", {"P-Asserted-Identity: <tel:+4930999>"}, kFrom, false, "", 0, 0, 0},
        ToIsupRow{
            "AnonymousFromNoNumber", {}, "\"Anonymous\" <sip:anonymous@anonymous.invalid>;tag=1", true, "", 0, 0, 0}),
    [](const auto& i) { return std::string(i.param.name); });

// From differing from PAI -> generic number, qualifier 6, user provided not verified.
TEST(CallingFromSip, FromDifferentFromPaiIsAdditionalCallingNumber) {
  auto inv = invite("sip:+4930222@gw;user=phone", {"P-Asserted-Identity: <tel:+49301234567>"}, {}, {},
                    "<sip:+4930555@h;user=phone>;tag=1");
  IsupIdentity id = isup_identity_from_sip(inv->m, trunk());
  ASSERT_TRUE(id.additional_calling.has_value());
  EXPECT_EQ(id.additional_calling->kind, isup::NumberKind::kGeneric);
  EXPECT_EQ(id.additional_calling->qualifier, kQualifierAdditionalCalling);
  EXPECT_EQ(id.additional_calling->digits.view(), "30555");
  EXPECT_EQ(id.additional_calling->screening, kScreenUserNotVerified);
}

TEST(CallingFromSip, FromSameAsPaiGivesNoGenericNumber) {
  auto inv = invite("sip:+4930222@gw;user=phone", {"P-Asserted-Identity: <tel:+49301234567>"}, {}, {}, kFrom);
  EXPECT_FALSE(isup_identity_from_sip(inv->m, trunk()).additional_calling.has_value());
}

// No PAI: From -> generic number "additional calling party number", user
// provided not verified (Q.763 3.26 qualifier 6, screening 00 valid there);
// Privacy: user restricts it (RFC 3323 4.2), Privacy: id does not (PAI only).
struct NoPaiRow {
  const char* name;
  std::vector<std::string> headers;
  bool trusted;
  std::uint8_t apri;
};
class NoPaiFromSip : public testing::TestWithParam<NoPaiRow> {};
TEST_P(NoPaiFromSip, FromIsAdditionalCallingNumber) {
  const auto& r = GetParam();
  auto inv = invite("sip:+4930222@gw;user=phone", r.headers, {}, {}, kFrom);
  IsupIdentity id = isup_identity_from_sip(inv->m, trunk(r.trusted));
  EXPECT_FALSE(id.calling.has_value());
  ASSERT_TRUE(id.additional_calling.has_value());
  EXPECT_EQ(id.additional_calling->kind, isup::NumberKind::kGeneric);
  EXPECT_EQ(id.additional_calling->qualifier, kQualifierAdditionalCalling);
  EXPECT_EQ(id.additional_calling->digits.view(), "301234567");
  EXPECT_EQ(id.additional_calling->nai, 3);
  EXPECT_EQ(id.additional_calling->npi, 1);
  EXPECT_EQ(id.additional_calling->screening, kScreenUserNotVerified);
  EXPECT_EQ(id.additional_calling->apri, r.apri);
}
INSTANTIATE_TEST_SUITE_P(Q1912_5, NoPaiFromSip,
                         testing::Values(NoPaiRow{"Plain", {}, true, 0},
                                         NoPaiRow{"PrivacyUser", {"Privacy: user"}, true, 1},
                                         NoPaiRow{"PrivacyIdOnlyConcernsPai", {"Privacy: id"}, true, 0},
                                         NoPaiRow{"UntrustedPai", {"P-Asserted-Identity: <tel:+4930999>"}, false, 0}),
                         [](const auto& i) { return std::string(i.param.name); });

TEST(CallingFromSip, NoFromFallbackWhenTrunkForbidsIt) {
  auto inv = invite("sip:+4930222@gw;user=phone");
  SipProfile p = trunk();
  p.calling_from_from = false;
  IsupIdentity id = isup_identity_from_sip(inv->m, p);
  EXPECT_FALSE(id.calling.has_value());
  EXPECT_FALSE(id.additional_calling.has_value());
}

TEST(CallingFromSip, AnsiHasNoAdditionalCallingNumber) {
  auto inv = invite("sip:+4930222@gw;user=phone", {}, {}, {}, kFrom);
  SipProfile p = trunk();
  p.variant = isup::Variant::kAnsi;
  IsupIdentity id = isup_identity_from_sip(inv->m, p);
  EXPECT_FALSE(id.calling.has_value());
  EXPECT_FALSE(id.additional_calling.has_value());
}

}  // namespace
}  // namespace isupgw::mapping
