#include "mapping/sip_profile.h"

#include <gtest/gtest.h>

namespace isupgw::mapping {
namespace {

SipProfile profile(bool tel) {
  SipProfile p;
  p.host = "192.0.2.10";
  p.tel_uri = tel;
  return p;
}

TEST(PhoneUri, SipUserPhone) { EXPECT_EQ(phone_uri("+4930123", profile(false)), "sip:+4930123@192.0.2.10;user=phone"); }
TEST(PhoneUri, TelGlobal) { EXPECT_EQ(phone_uri("+4930123", profile(true)), "tel:+4930123"); }
// RFC 3966 5.1.5: a local number needs phone-context.
TEST(PhoneUri, TelLocalGetsPhoneContext) {
  EXPECT_EQ(phone_uri("030123", profile(true)), "tel:030123;phone-context=+49");
}

struct PhoneUserRow {
  const char* name;
  const char* uri;
  const char* user;  // nullptr: not a telephone number
};
class PhoneUser : public testing::TestWithParam<PhoneUserRow> {};
TEST_P(PhoneUser, Row) {
  auto u = sip::parse_uri(GetParam().uri);
  ASSERT_TRUE(u.ok());
  auto got = phone_user(*u);
  if (GetParam().user == nullptr) {
    EXPECT_EQ(got, std::nullopt);
  } else {
    EXPECT_EQ(got, GetParam().user);
  }
}
INSTANTIATE_TEST_SUITE_P(Uris, PhoneUser,
                         testing::Values(PhoneUserRow{"TelGlobal", "tel:+49-30-123", "+49-30-123"},
                                         PhoneUserRow{"SipUserPhone", "sip:+4930123@h;user=phone", "+4930123"},
                                         PhoneUserRow{"SipNumericWithoutUserPhone", "sip:030123@h", "030123"},
                                         PhoneUserRow{"SipEscaped", "sip:%2B4930123@h;user=phone", "+4930123"},
                                         PhoneUserRow{"SipName", "sip:alice@h", nullptr},
                                         PhoneUserRow{"SipNoUser", "sip:h", nullptr},
                                         PhoneUserRow{"OtherScheme", "mailto:a@b", nullptr}),
                         [](const auto& i) { return std::string(i.param.name); });

TEST(SipProfile, UserForIsupNumberFollowsTheTrunkForm) {
  SipProfile p = profile(false);
  IsupNumber n{"301234567", Nai::kNational};
  EXPECT_EQ(sip_user_for(n, p), "+49301234567");
  p.global_numbers = false;
  EXPECT_EQ(sip_user_for(n, p), "0301234567");
  EXPECT_EQ(isup_number_for("0301234567", p, true)->nai, Nai::kNational);
}

TEST(SipProfile, BearerNames) {
  EXPECT_EQ(to_string(Bearer::kSpeech), "speech");
  EXPECT_EQ(to_string(Bearer::kAudio31), "3.1khz-audio");
  EXPECT_EQ(to_string(Bearer::kUdi64), "64k-unrestricted");
}

}  // namespace
}  // namespace isupgw::mapping
