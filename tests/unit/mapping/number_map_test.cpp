#include "mapping/number_map.h"

#include <gtest/gtest.h>

namespace isupgw::mapping {
namespace {

NumberPlan germany() {
  NumberPlan p;
  p.country_code = "49";
  p.area_code = "30";
  return p;
}

// RFC 3398 7.2.1: "+CC..." in our own country is a national number without CC.
TEST(NumberMap, GlobalOwnCountryBecomesNational) {
  auto n = isup_number_from_sip_user("+49-30-1234567", germany(), true);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, (IsupNumber{"301234567", Nai::kNational, 1, true}));
}

TEST(NumberMap, GlobalForeignBecomesInternational) {
  auto n = isup_number_from_sip_user("+1 (212) 555.0100", germany(), false);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->digits, "12125550100");
  EXPECT_EQ(n->nai, Nai::kInternational);
  EXPECT_FALSE(n->complete);
}

TEST(NumberMap, LocalNumberKeepsDigitsAsDialled) {
  auto n = isup_number_from_sip_user("0301234;phone-context=+49", germany(), true);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->digits, "0301234");
  EXPECT_EQ(n->nai, Nai::kUnknown);
}

TEST(NumberMap, StarHashOnlyWhenThePlanAllows) {
  EXPECT_EQ(isup_number_from_sip_user("*31#", germany(), true).error(), NumberError::kBadCharacter);
  auto plan = germany();
  plan.allow_star_hash = true;
  EXPECT_EQ(isup_number_from_sip_user("*31#", plan, true)->digits, "B31C");
}

TEST(NumberMap, Errors) {
  EXPECT_EQ(isup_number_from_sip_user("+", germany(), true).error(), NumberError::kEmpty);
  EXPECT_EQ(isup_number_from_sip_user("alice", germany(), true).error(), NumberError::kBadCharacter);
  EXPECT_EQ(isup_number_from_sip_user(std::string(31, '1'), germany(), true).error(), NumberError::kTooLong);
}

TEST(NumberMap, IsupToSipUser) {
  auto plan = germany();
  EXPECT_EQ(sip_user_from_isup_number({"12125550100", Nai::kInternational}, plan), "+12125550100");
  EXPECT_EQ(sip_user_from_isup_number({"301234567", Nai::kNational}, plan), "+49301234567");
  EXPECT_EQ(sip_user_from_isup_number({"1234567", Nai::kSubscriber}, plan), "+49301234567");
  EXPECT_EQ(sip_user_from_isup_number({"0800123", Nai::kUnknown}, plan), "0800123");
  plan.area_code.clear();
  EXPECT_EQ(sip_user_from_isup_number({"1234567", Nai::kSubscriber}, plan), "1234567");
}

TEST(NumberMap, RoundTripGlobal) {
  for (std::string user : {"+49301234567", "+4412345678", "+12125550100"}) {
    auto n = isup_number_from_sip_user(user, germany(), true);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(sip_user_from_isup_number(*n, germany()), user);
  }
}

}  // namespace
}  // namespace isupgw::mapping

namespace isupgw::mapping {
namespace {

// Per-trunk dialling prefixes: one named case per rule.
struct DialledRow {
  const char* name;
  const char* user;
  const char* digits;
  Nai nai;
};
class DialledToIsup : public testing::TestWithParam<DialledRow> {};
TEST_P(DialledToIsup, Row) {
  const auto& r = GetParam();
  auto n = isup_number_from_dialled(r.user, germany(), DialPrefixes{"0", "00"}, false);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->digits, r.digits);
  EXPECT_EQ(n->nai, r.nai);
}
INSTANTIATE_TEST_SUITE_P(
    Prefixes, DialledToIsup,
    testing::Values(DialledRow{"InternationalPrefix", "004412345678", "4412345678", Nai::kInternational},
                    DialledRow{"NationalPrefix", "0301234567", "301234567", Nai::kNational},
                    DialledRow{"NoPrefixUnknown", "1234567", "1234567", Nai::kUnknown},
                    DialledRow{"GlobalOwnCountry", "+49301234567", "301234567", Nai::kNational},
                    DialledRow{"GlobalForeign", "+12125550100", "12125550100", Nai::kInternational},
                    DialledRow{"PrefixAloneStaysUnknown", "0", "0", Nai::kUnknown}),
    [](const auto& i) { return std::string(i.param.name); });

TEST(NumberMap, EmptyPrefixesAreNotUsed) {
  auto n = isup_number_from_dialled("0301234567", germany(), DialPrefixes{"", ""}, false);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->nai, Nai::kUnknown);
}

struct IsupToDialledRow {
  const char* name;
  Nai nai;
  const char* dialled;
};
class IsupToDialled : public testing::TestWithParam<IsupToDialledRow> {};
TEST_P(IsupToDialled, Row) {
  IsupNumber n{"301234567", GetParam().nai};
  EXPECT_EQ(dialled_from_isup_number(n, DialPrefixes{"0", "00"}), GetParam().dialled);
}
INSTANTIATE_TEST_SUITE_P(Prefixes, IsupToDialled,
                         testing::Values(IsupToDialledRow{"National", Nai::kNational, "0301234567"},
                                         IsupToDialledRow{"International", Nai::kInternational, "00301234567"},
                                         IsupToDialledRow{"Subscriber", Nai::kSubscriber, "301234567"},
                                         IsupToDialledRow{"Unknown", Nai::kUnknown, "301234567"}),
                         [](const auto& i) { return std::string(i.param.name); });

TEST(NumberMap, CodecNumberConversionKeepsStAsComplete) {
  IsupNumber n{"301234567", Nai::kNational, 1, true};
  isup::Number c = to_isup(n, isup::NumberKind::kCalled);
  EXPECT_EQ(c.digits.view(), "301234567F");
  EXPECT_EQ(c.nai, 3);
  EXPECT_EQ(c.npi, 1);
  EXPECT_EQ(from_isup(c), n);
  c.nai = 0x70;  // national-use NAI reads as unknown
  EXPECT_EQ(from_isup(c).nai, Nai::kUnknown);
}

}  // namespace
}  // namespace isupgw::mapping
