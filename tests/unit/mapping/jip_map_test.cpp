// Issue 20: the ANSI jurisdiction information parameter (JIP, T1.113.3 0xC4: six BCD digits NPA-NXX, no
// indicators) <-> the `jip` parameter of the P-Asserted-Identity's user part, the form Ribbon SBC Core
// documents ("SIP JIP Profile", jipPAI / userInfo; mapping/jip_map.h: a vendor practice, no standard).
// tshark (mtp3.standard ANSI) decodes the JIP we build.
#include <gtest/gtest.h>

#include "isup/builder.h"
#include "isup/codes.h"
#include "isup/params.h"
#include "mapping/interworking.h"
#include "mapping/jip_map.h"
#include "tests/support/tshark_oracle.h"
#include "tests/unit/mapping/isup_fixture.h"
#include "tests/unit/mapping/sip_fixture.h"

namespace isupgw::mapping {
namespace {

using testing_support::ansi;
using testing_support::find;
using testing_support::invite;

// T1.113.3: digits in BCD, first digit in the low nibble: 202 555 -> 02 52 55.
TEST(Jip, EncodesSixDigitsAsThreeBcdOctets) {
  EXPECT_EQ(encode_jip("202555"), (std::vector<std::uint8_t>{0x02, 0x52, 0x55}));
  EXPECT_FALSE(encode_jip("20255").has_value());
  EXPECT_FALSE(encode_jip("2025551").has_value());
  EXPECT_FALSE(encode_jip("20255A").has_value());
}

TEST(Jip, FromPaiUserPartOrUriParameter) {
  auto a = invite("sip:+12025331234@gw;user=phone",
                  {"P-Asserted-Identity: <sip:+12025550100;jip=202555@192.0.2.1;user=phone>"});
  EXPECT_EQ(jip_from_pai(a->m), "202555");
  auto b = invite("sip:+12025331234@gw;user=phone",
                  {"P-Asserted-Identity: <sip:+12025550100@192.0.2.1;user=phone;jip=202-555>"});
  EXPECT_EQ(jip_from_pai(b->m), "202555");  // URI parameter; visual separator dropped
  auto c = invite("sip:+12025331234@gw;user=phone", {"P-Asserted-Identity: <tel:+12025550100;jip=202555>"});
  EXPECT_EQ(jip_from_pai(c->m), "202555");
  auto d = invite("sip:+12025331234@gw;user=phone",
                  {"P-Asserted-Identity: <sip:+12025550100;jip=2025@192.0.2.1;user=phone>"});
  EXPECT_FALSE(jip_from_pai(d->m).has_value());  // not NPA-NXX: ignored
  auto e = invite("sip:+12025331234@gw;user=phone", {"P-Asserted-Identity: <sip:+12025550100@192.0.2.1;user=phone>"});
  EXPECT_FALSE(jip_from_pai(e->m).has_value());
}

TEST(JipFromSip, TrustedPaiJipGoesIntoTheIamOnAnsi) {
  auto m = invite("sip:+12025331234@gw;user=phone",
                  {"P-Asserted-Identity: <sip:+12025550100;jip=202555@192.0.2.1;user=phone>"});
  auto r = setup_from_invite(m->m, ansi());
  ASSERT_TRUE(r.ok()) << r.error().warning;
  const auto* j = find(*r, isup::par::kAnsiJurisdiction);
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->value, (std::vector<std::uint8_t>{0x02, 0x52, 0x55}));
  ASSERT_TRUE(r->calling.has_value());
  EXPECT_EQ(std::string(r->calling->digits.view()), "2025550100");  // the jip is not part of the number
}

TEST(JipFromSip, NotOnItuNorFromAnUntrustedPai) {
  auto m = invite("sip:+12025331234@gw;user=phone",
                  {"P-Asserted-Identity: <sip:+12025550100;jip=202555@192.0.2.1;user=phone>"});
  SipProfile itu = ansi();
  itu.variant = isup::Variant::kItu;
  auto r = setup_from_invite(m->m, itu);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(find(*r, isup::par::kAnsiJurisdiction), nullptr);  // 0xC4 has no meaning in Q.763
  SipProfile untrusted = ansi();
  untrusted.trust_pai = false;
  auto u = setup_from_invite(m->m, untrusted);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(find(*u, isup::par::kAnsiJurisdiction), nullptr);
}

struct AnsiIam {
  isup::MessageBuilder b{isup::msg::kIam, 7};
  isup::IncomingSetup setup;
  explicit AnsiIam(std::optional<std::vector<std::uint8_t>> jip) {
    setup.called.kind = isup::NumberKind::kCalled;
    setup.called.nai = 3;
    setup.called.npi = 1;
    setup.called.digits.assign("2025331234F");
    isup::Number calling;
    calling.kind = isup::NumberKind::kCalling;
    calling.nai = 3;
    calling.npi = 1;
    calling.screening = 3;  // network provided: a PAI goes out
    calling.digits.assign("2025550100");
    setup.calling = calling;
    b.fixed(isup::par::kNatureOfConnectionIndicators, std::vector<std::uint8_t>{0x00})
        .fixed(isup::par::kForwardCallIndicators, isup::ForwardCallIndicators{})
        .fixed(isup::par::kCallingPartysCategory, std::vector<std::uint8_t>{0x0a})
        .variable(isup::par::kUserServiceInformation, std::vector<std::uint8_t>{0x80, 0x90, 0xa2})
        .variable(isup::par::kCalledPartyNumber, setup.called);
    b.optional(isup::par::kCallingPartyNumber, calling);
    if (jip) b.optional(isup::par::kAnsiJurisdiction, *jip);
    setup.iam = &b.message();
  }
};

std::string header(const InviteFields& f, std::string_view name) {
  for (const auto& [n, v] : f.headers)
    if (n == name) return v;
  return {};
}

TEST(JipToSip, IamJipInThePaiUserPart) {
  AnsiIam iam(std::vector<std::uint8_t>{0x02, 0x52, 0x55});
  InviteFields f = invite_from_setup(iam.setup, ansi());
  EXPECT_EQ(header(f, "P-Asserted-Identity"), "<sip:+12025550100;jip=202555@192.0.2.10;user=phone>");
  EXPECT_EQ(f.from.find("jip"), std::string::npos);  // only the PAI carries it
}

TEST(JipToSip, NoJipOrAMalformedOneNothing) {
  AnsiIam none(std::nullopt);
  EXPECT_EQ(header(invite_from_setup(none.setup, ansi()), "P-Asserted-Identity"),
            "<sip:+12025550100@192.0.2.10;user=phone>");
  AnsiIam short_jip(std::vector<std::uint8_t>{0x02, 0x52});
  EXPECT_EQ(header(invite_from_setup(short_jip.setup, ansi()), "P-Asserted-Identity"),
            "<sip:+12025550100@192.0.2.10;user=phone>");
}

// Round trip: the INVITE built from the IAM gives the next gateway the same JIP.
TEST(JipToSip, RoundTrip) {
  AnsiIam iam(std::vector<std::uint8_t>{0x02, 0x52, 0x55});
  InviteFields f = invite_from_setup(iam.setup, ansi());
  auto m = invite(f.request_uri, {"P-Asserted-Identity: " + header(f, "P-Asserted-Identity")});
  auto r = setup_from_invite(m->m, ansi());
  ASSERT_TRUE(r.ok());
  ASSERT_NE(find(*r, isup::par::kAnsiJurisdiction), nullptr);
  EXPECT_EQ(find(*r, isup::par::kAnsiJurisdiction)->value, (std::vector<std::uint8_t>{0x02, 0x52, 0x55}));
}

TEST(JipTshark, IamJipDecodes) {
  if (!tshark::available()) GTEST_FAIL() << "tshark not installed (scripts/setup.sh installs it)";
  auto m = invite("sip:+12025331234@gw;user=phone",
                  {"P-Asserted-Identity: <sip:+12025550100;jip=202555@192.0.2.1;user=phone>"});
  auto r = setup_from_invite(m->m, ansi());
  ASSERT_TRUE(r.ok());
  isup::MessageBuilder b{isup::msg::kIam, 7};
  b.fixed(isup::par::kNatureOfConnectionIndicators, std::vector<std::uint8_t>{0x00})
      .fixed(isup::par::kForwardCallIndicators, r->forward)
      .fixed(isup::par::kCallingPartysCategory, std::vector<std::uint8_t>{r->calling_category})
      .variable(isup::par::kUserServiceInformation, r->user_service_information)
      .variable(isup::par::kCalledPartyNumber, r->called);
  for (const auto& p : r->optional) b.optional(p.code, p.value);
  auto enc = isup::encode(b.message(), isup::Variant::kAnsi);
  ASSERT_TRUE(enc.ok());
  auto d = tshark::dissect(tshark::m3ua_data(*enc), tshark::Wrap::kM3ua, {"-o", "mtp3.standard:ANSI"});
  ASSERT_TRUE(d.ok()) << d.error;
  EXPECT_FALSE(d.malformed) << d.problems() << d.dump();
  EXPECT_EQ(d.first("isup.jurisdiction"), "202555") << d.dump();
}

}  // namespace
}  // namespace isupgw::mapping
