// Issue 20: ANSI number portability (North American LNP) through the interworking rules, the rows of
// mapping/np_ansi.h. RFC 4694 1 describes the ISUP practice: after the dip the LRN is in the called party
// number, the dialled number in the generic address parameter (T1.113, 0xC0) with type of address
// "ported number" (0xC0), and the forward call indicators' ported number translation indicator (PNTI) set.
// RFC 4694 4 / 6: rn (global-rn "+1...") and npdi on the Request-URI; 5.1: what cannot be used is ignored.
// tshark (mtp3.standard ANSI) decodes the IAM we build: the GAP, the PNTI and the called number.
#include <gtest/gtest.h>

#include "isup/builder.h"
#include "isup/codes.h"
#include "isup/params.h"
#include "mapping/interworking.h"
#include "mapping/np_ansi.h"
#include "tests/support/tshark_oracle.h"
#include "tests/unit/mapping/isup_fixture.h"
#include "tests/unit/mapping/sip_fixture.h"

namespace isupgw::mapping {
namespace {

using testing_support::ansi;
using testing_support::find;
using testing_support::invite;

// RFC 4694 6's example number and routing number.
constexpr const char* kPortedUri = "sip:+1-202-533-1234;npdi;rn=+1-202-544-0000@gw;user=phone";

TEST(AnsiLnpFromSip, PortedNumberPutsTheLrnInTheCalledNumberAndTheDialledInTheGap) {
  auto m = invite(kPortedUri);
  auto r = setup_from_invite(m->m, ansi());
  ASSERT_TRUE(r.ok()) << r.error().warning;
  EXPECT_EQ(std::string(r->called.digits.view()), "2025440000F");  // the LRN, national, ST kept
  EXPECT_EQ(r->called.nai, 3);
  EXPECT_TRUE(r->forward.ported_number_translated);  // PNTI: number translated
  const auto* gap = find(*r, isup::par::kAnsiGenericAddress);
  ASSERT_NE(gap, nullptr);
  // Type of address 0xC0 ported number; even, NAI 3 national; NPI 1; BCD 2025331234.
  EXPECT_EQ(gap->value, (std::vector<std::uint8_t>{0xc0, 0x03, 0x10, 0x02, 0x52, 0x33, 0x21, 0x43}));
  EXPECT_EQ(find(*r, 0x84), nullptr);  // no ITU network routing number on an ANSI trunk
  EXPECT_EQ(find(*r, 0x8d), nullptr);
}

TEST(AnsiLnpFromSip, NpdiAloneSetsOnlyThePnti) {
  auto m = invite("tel:+1-202-533-1234;npdi");
  auto r = setup_from_invite(m->m, ansi());
  ASSERT_TRUE(r.ok()) << r.error().warning;
  EXPECT_EQ(std::string(r->called.digits.view()), "2025331234F");
  EXPECT_TRUE(r->forward.ported_number_translated);
  EXPECT_EQ(find(*r, isup::par::kAnsiGenericAddress), nullptr);
}

TEST(AnsiLnpFromSip, NoNpParametersNoPnti) {
  auto m = invite("sip:+12025331234@gw;user=phone");
  auto r = setup_from_invite(m->m, ansi());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->forward.ported_number_translated);
  EXPECT_EQ(find(*r, isup::par::kAnsiGenericAddress), nullptr);
}

// RFC 4694 5.1: an rn of another country cannot be an LRN here; the npdi still says the dip was done.
TEST(AnsiLnpFromSip, ForeignRnIgnoredNpdiKept) {
  auto m = invite("sip:+1-202-533-1234;npdi;rn=+44-20-7946-0000@gw;user=phone");
  auto r = setup_from_invite(m->m, ansi());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::string(r->called.digits.view()), "2025331234F");
  EXPECT_TRUE(r->forward.ported_number_translated);
  EXPECT_EQ(find(*r, isup::par::kAnsiGenericAddress), nullptr);
}

isup::Number called(const char* digits) {
  isup::Number n;
  n.kind = isup::NumberKind::kCalled;
  n.nai = 3;
  n.npi = 1;
  n.digits.assign(digits);
  return n;
}

// An ANSI IAM as a switch after the dip sends it (T1.113: NoCI, FCI, CPC; USI, CdPN; optional GAP).
struct AnsiIam {
  isup::MessageBuilder b{isup::msg::kIam, 7};
  isup::IncomingSetup setup;
  AnsiIam(const char* cdpn, bool pnti, std::optional<std::vector<std::uint8_t>> gap) {
    setup.called = called(cdpn);
    isup::ForwardCallIndicators f;
    f.ported_number_translated = pnti;
    b.fixed(isup::par::kNatureOfConnectionIndicators, std::vector<std::uint8_t>{0x00})
        .fixed(isup::par::kForwardCallIndicators, f)
        .fixed(isup::par::kCallingPartysCategory, std::vector<std::uint8_t>{0x0a})
        .variable(isup::par::kUserServiceInformation, std::vector<std::uint8_t>{0x80, 0x90, 0xa2})
        .variable(isup::par::kCalledPartyNumber, setup.called);
    if (gap) b.optional(isup::par::kAnsiGenericAddress, *gap);
    setup.iam = &b.message();
  }
};

const std::vector<std::uint8_t> kGap2025331234 = {0xc0, 0x03, 0x10, 0x02, 0x52, 0x33, 0x21, 0x43};

TEST(AnsiLnpToSip, PntiAndGapGiveTheDialledNumberWithRnAndNpdi) {
  AnsiIam iam("2025440000F", true, kGap2025331234);
  InviteFields f = invite_from_setup(iam.setup, ansi());
  EXPECT_EQ(f.request_uri, "sip:+12025331234;npdi;rn=+12025440000@192.0.2.10;user=phone");
  EXPECT_EQ(f.to, "<sip:+12025331234@192.0.2.10;user=phone>");
}

TEST(AnsiLnpToSip, PntiWithoutGapIsNpdiOnTheCalledNumber) {
  AnsiIam iam("2025331234F", true, std::nullopt);
  InviteFields f = invite_from_setup(iam.setup, ansi());
  EXPECT_EQ(f.request_uri, "sip:+12025331234;npdi@192.0.2.10;user=phone");
}

TEST(AnsiLnpToSip, NoPntiNothingEvenWithAGap) {
  AnsiIam iam("2025440000F", false, kGap2025331234);
  InviteFields f = invite_from_setup(iam.setup, ansi());
  EXPECT_EQ(f.request_uri, "sip:+12025440000@192.0.2.10;user=phone");
}

TEST(AnsiLnpToSip, ItuTrunkIgnoresTheAnsiForm) {
  AnsiIam iam("2025440000F", true, kGap2025331234);
  SipProfile itu = ansi();
  itu.variant = isup::Variant::kItu;
  EXPECT_FALSE(ansi_lnp_from_iam(*iam.setup.iam, iam.setup.called, itu).has_value());
}

// Round trip: the INVITE we build from the ported IAM gives the next gateway the same IAM fields.
TEST(AnsiLnpToSip, RoundTripThroughSip) {
  AnsiIam iam("2025440000F", true, kGap2025331234);
  InviteFields f = invite_from_setup(iam.setup, ansi());
  auto m = invite(f.request_uri);
  auto r = setup_from_invite(m->m, ansi());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::string(r->called.digits.view()), "2025440000F");
  ASSERT_NE(find(*r, isup::par::kAnsiGenericAddress), nullptr);
  EXPECT_EQ(find(*r, isup::par::kAnsiGenericAddress)->value, kGap2025331234);
}

// The daemon maps an INVITE with the SIP trunk's (ITU) profile, routes, and only then knows the target is
// an ANSI trunk group: the Q.763 form (0x8D / 0x84) must become the ANSI form the ANSI profile gives.
TEST(AnsiLnpFromItuForm, SameIamAsTheAnsiProfileGives) {
  SipProfile itu = ansi();
  itu.variant = isup::Variant::kItu;
  for (const char* uri : {kPortedUri, "tel:+1-202-533-1234;npdi", "tel:+1-202-533-1234",
                          "sip:+1-202-533-1234;npdi;rn=+44-20-7946-0000@gw;user=phone"}) {
    auto m = invite(uri);
    auto via_itu = setup_from_invite(m->m, itu);
    auto direct = setup_from_invite(m->m, ansi());
    ASSERT_TRUE(via_itu.ok() && direct.ok()) << uri;
    ansi_lnp_from_itu_form(*via_itu);
    EXPECT_EQ(std::string(via_itu->called.digits.view()), std::string(direct->called.digits.view())) << uri;
    EXPECT_EQ(via_itu->called.nai, direct->called.nai) << uri;
    EXPECT_EQ(via_itu->forward.ported_number_translated, direct->forward.ported_number_translated) << uri;
    EXPECT_EQ(find(*via_itu, 0x84), nullptr) << uri;
    EXPECT_EQ(find(*via_itu, 0x8d), nullptr) << uri;
    const auto* a = find(*via_itu, isup::par::kAnsiGenericAddress);
    const auto* b = find(*direct, isup::par::kAnsiGenericAddress);
    ASSERT_EQ(a == nullptr, b == nullptr) << uri;
    if (a != nullptr) {
      EXPECT_EQ(a->value, b->value) << uri;
    }
  }
}

// Routes' rn_prefix on an ANSI IAM: the LRN is the called party number, the prefix matches the GAP's number.
TEST(AnsiLnpRouting, LrnAndDialledFromPntiAndGap) {
  AnsiIam ported("2025440000F", true, kGap2025331234);
  auto r = ansi_routing_of(*ported.setup.iam, ported.setup.called);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->lrn, "2025440000");
  EXPECT_EQ(r->dialled, "2025331234");
  AnsiIam no_gap("2025331234F", true, std::nullopt);
  EXPECT_FALSE(ansi_routing_of(*no_gap.setup.iam, no_gap.setup.called).has_value());
  AnsiIam no_pnti("2025440000F", false, kGap2025331234);
  EXPECT_FALSE(ansi_routing_of(*no_pnti.setup.iam, no_pnti.setup.called).has_value());
}

// tshark decodes the IAM the gateway sends for the ported INVITE: PNTI "number translated", the called
// number the LRN, the GAP with the dialled number; nothing malformed.
TEST(AnsiLnpTshark, PortedIamDecodes) {
  if (!tshark::available()) GTEST_FAIL() << "tshark not installed (scripts/setup.sh installs it)";
  auto m = invite(kPortedUri);
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
  EXPECT_EQ(d.first("isup.message_type"), "1");
  EXPECT_EQ(d.first("isup.forw_call_ported_num_trans_indicator"), "1") << d.dump();
  EXPECT_EQ(d.first("isup.called"), "2025440000F") << d.dump();
  EXPECT_EQ(d.first("isup.generic_number"), "2025331234") << d.dump();
  EXPECT_EQ(d.first("isup.number_qualifier_indicator"), "0xc0") << d.dump();
}

}  // namespace
}  // namespace isupgw::mapping
