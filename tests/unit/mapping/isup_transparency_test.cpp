// ISUP transparency rows (Q.1912.5 profile C, RFC 3372, RFC 3204): hex bodies
// in, decoded basis / verdicts out.
#include "mapping/isup_transparency.h"

#include <gtest/gtest.h>

#include "base/hex.h"
#include "isup/codes.h"
#include "sip/multipart.h"
#include "tests/unit/mapping/sip_fixture.h"

namespace isupgw::mapping {
namespace {

using testing_support::kPcmaSdp;
using testing_support::request;
using testing_support::response;

SipProfile trunk(SipProfile::Kind kind = SipProfile::kSipI, isup::Variant v = isup::Variant::kItu) {
  SipProfile p;
  p.kind = kind;
  p.variant = v;
  p.host = "192.0.2.10";
  return p;
}

std::string bin(std::string_view hex) {
  auto b = from_hex(hex);
  EXPECT_TRUE(b) << hex;
  return b ? std::string(b->begin(), b->end()) : std::string();
}

// The 18x/200/BYE/INFO bodies an independent SIP-I/SIP-T peer sends.
const char* kAcm = "06 25 04 01 29 01 01 00";                          // BCI no charge, free, payphone; OBCI in-band
const char* kAnm = "09 01 11 02 25 04 21 07 04 13 94 53 55 95 99 00";  // BCI + connected number 4935555999
const char* kCon = "07 26 04 01 21 07 04 13 94 53 55 95 99 00";
const char* kCpg = "2c 02 00";
const char* kRel = "0c 02 00 02 82 91";  // location LN, cause 17

std::unique_ptr<testing_support::Parsed> with_isup(int status_or_zero, std::string_view method, std::string_view hex,
                                                   std::string_view version = "itu-t92+", bool with_sdp = true,
                                                   std::string_view base = {}) {
  sip::IsupBody isup;
  isup.version = std::string(version);
  isup.base = std::string(base);
  isup.bytes = bin(hex);
  auto built = sip::build_gateway_body(with_sdp ? std::optional<std::string>(kPcmaSdp) : std::nullopt, isup);
  std::vector<std::string> h;
  if (!built.content_disposition.empty()) h.push_back("Content-Disposition: " + built.content_disposition);
  if (with_sdp) h.push_back("MIME-Version: 1.0");
  if (status_or_zero != 0) return response(status_or_zero, h, built.content_type, built.body);
  return request(method, h, built.content_type, built.body);
}

// ---------------------------------------------------------------- SIP -> ISUP basis

struct BasisRow {
  const char* name;
  SipProfile::Kind kind;
  int status;
  const char* body;
  bool with_sdp;
  int type;  // -1: no basis
};
class BackwardBasis : public testing::TestWithParam<BasisRow> {};
TEST_P(BackwardBasis, Row) {
  const auto& r = GetParam();
  auto m = with_isup(r.status, "", r.body, "itu-t92+", r.with_sdp);
  auto b = backward_basis(m->m, trunk(r.kind));
  if (r.type < 0) {
    EXPECT_FALSE(b.has_value());
    return;
  }
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->type, r.type);
}
INSTANTIATE_TEST_SUITE_P(Q1912_5, BackwardBasis,
                         testing::Values(BasisRow{"SipI180Acm", SipProfile::kSipI, 180, kAcm, true, isup::msg::kAcm},
                                         BasisRow{"SipT180LoneAcm", SipProfile::kSipT, 180, kAcm, false,
                                                  isup::msg::kAcm},
                                         BasisRow{"SipI183Cpg", SipProfile::kSipI, 183, kCpg, true, isup::msg::kCpg},
                                         BasisRow{"SipI200Anm", SipProfile::kSipI, 200, kAnm, true, isup::msg::kAnm},
                                         BasisRow{"SipT200Con", SipProfile::kSipT, 200, kCon, false, isup::msg::kCon},
                                         BasisRow{"PlainTrunkNone", SipProfile::kSip, 180, kAcm, true, -1},
                                         BasisRow{"RelIsNoBackwardBasis", SipProfile::kSipI, 180, kRel, true, -1}),
                         [](const auto& i) { return std::string(i.param.name); });

TEST(BackwardBasis, TheBasisIsTheBodyAsSent) {
  auto m = with_isup(180, "", kAcm);
  auto b = backward_basis(m->m, trunk());
  ASSERT_TRUE(b);
  EXPECT_EQ(to_hex(b->find(isup::par::kBackwardCallIndicators)->value), "2504");
  EXPECT_EQ(to_hex(b->find(isup::par::kOptionalBackwardCallIndicators)->value), "01");
}

TEST(ReleaseBasis, RelOfByeOrFinalResponse) {
  auto bye = with_isup(0, "BYE", kRel, "itu-t92+", false);
  auto b = release_basis(bye->m, trunk(SipProfile::kSipT));
  ASSERT_TRUE(b);
  EXPECT_EQ(to_hex(b->find(isup::par::kCauseIndicators)->value), "8291");
  auto busy = with_isup(486, "", kRel, "itu-t92+", false);
  EXPECT_TRUE(release_basis(busy->m, trunk()));
  auto acm_in_bye = with_isup(0, "BYE", kAcm, "itu-t92+", false);
  EXPECT_FALSE(release_basis(acm_in_bye->m, trunk()));
  EXPECT_FALSE(release_basis(bye->m, trunk(SipProfile::kSip)));
}

// ---------------------------------------------------------------- RFC 3204 version

struct VersionRow {
  const char* name;
  isup::Variant variant;
  const char* version;
  const char* base;
  bool usable;
};
class IsupVersion : public testing::TestWithParam<VersionRow> {};
TEST_P(IsupVersion, Row) {
  const auto& r = GetParam();
  EXPECT_EQ(isup_version_usable(r.version, r.base, trunk(SipProfile::kSipI, r.variant)), r.usable);
}
INSTANTIATE_TEST_SUITE_P(Rfc3204, IsupVersion,
                         testing::Values(VersionRow{"TrunkVersion", isup::Variant::kItu, "itu-t92+", "", true},
                                         VersionRow{"CaseInsensitive", isup::Variant::kItu, "ITU-T92+", "", true},
                                         VersionRow{"Itu88Parses", isup::Variant::kItu, "itu-t88", "", true},
                                         VersionRow{"PrivateVersionWithEtsiBase", isup::Variant::kEtsi, "nxv3",
                                                    "etsi356", true},
                                         VersionRow{"PrivateVersionNoBase", isup::Variant::kItu, "nxv3", "", false},
                                         VersionRow{"AnsiOnItuTrunk", isup::Variant::kItu, "ansi00", "", false},
                                         VersionRow{"ItuBaseOnAnsiTrunk", isup::Variant::kAnsi, "x", "itu-t92+", false},
                                         VersionRow{"Gr317OnAnsiTrunk", isup::Variant::kAnsi, "gr317", "", true}),
                         [](const auto& i) { return std::string(i.param.name); });

// ---------------------------------------------------------------- INFO

struct InfoRow {
  const char* name;
  SipProfile::Kind kind;
  const char* body;  // hex; nullptr: no body
  const char* version;
  int status;  // 200: usable (or nothing to do)
  int type;    // the forwarded type when usable, -1 none
};
class InfoVerdict : public testing::TestWithParam<InfoRow> {};
TEST_P(InfoVerdict, Row) {
  const auto& r = GetParam();
  auto info = r.body ? with_isup(0, "INFO", r.body, r.version, false) : request("INFO");
  auto v = isup_in_info(info->m, trunk(r.kind));
  if (r.status != 200) {
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().status, r.status) << v.error().warning;
    return;
  }
  ASSERT_TRUE(v.ok()) << v.error().warning;
  if (r.type < 0) {
    EXPECT_FALSE(v->has_value());
    return;
  }
  ASSERT_TRUE(v->has_value());
  EXPECT_EQ((*v)->type, r.type);
}
INSTANTIATE_TEST_SUITE_P(
    Rfc3372, InfoVerdict,
    testing::Values(InfoRow{"NoBodyNothingToDo", SipProfile::kSipI, nullptr, "", 200, -1},
                    InfoRow{"Cpg", SipProfile::kSipI, kCpg, "itu-t92+", 200, isup::msg::kCpg},
                    InfoRow{"Usr", SipProfile::kSipT, "2d 02 00 03 aa bb cc", "itu-t92+", 200, isup::msg::kUsr},
                    InfoRow{"Fac", SipProfile::kSipI, "33 01 32 02 91 00 00", "itu-t92+", 200, isup::msg::kFac},
                    InfoRow{"Sus", SipProfile::kSipI, "0d 00 00", "itu-t92+", 200, isup::msg::kSus},
                    InfoRow{"Res", SipProfile::kSipT, "0e 00 00", "itu-t92+", 200, isup::msg::kRes},
                    InfoRow{"Sam", SipProfile::kSipT, "02 02 00 03 80 54 0f", "itu-t92+", 200, isup::msg::kSam},
                    InfoRow{"PlainTrunk415", SipProfile::kSip, kCpg, "itu-t92+", 415, -1},
                    InfoRow{"UnsupportedVersion415", SipProfile::kSipI, kCpg, "ansi00", 415, -1},
                    InfoRow{"Undecodable400", SipProfile::kSipI, "2c", "itu-t92+", 400, -1},
                    InfoRow{"AnmIsNoInfoMessage400", SipProfile::kSipI, kAnm, "itu-t92+", 400, -1},
                    InfoRow{"RelIsNoInfoMessage400", SipProfile::kSipT, kRel, "itu-t92+", 400, -1}),
    [](const auto& i) { return std::string(i.param.name); });

TEST(InfoVerdict, ABodyThatIsNoIsupIs415WithAccept) {
  auto info = request("INFO", {}, "application/dtmf-relay", "Signal=5\r\nDuration=160\r\n");
  auto v = isup_in_info(info->m, trunk(SipProfile::kSipI));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().status, 415);
  EXPECT_EQ(info_accept(trunk(SipProfile::kSipI)), "application/ISUP;version=itu-t92+");
  EXPECT_EQ(info_accept(trunk(SipProfile::kSip)), "");  // RFC 3261 20.1: no body acceptable
}

// ---------------------------------------------------------------- ISUP -> SIP unchanged

TEST(ReleaseToSip, TheReceivedRelIsEncapsulatedUnchanged) {
  auto rel_bytes = *from_hex("0c 02 00 03 80 95 81");  // location U, cause 21, diagnostic
  isup::DecodeOptions opt;
  opt.form = isup::Form::kBody;
  auto rel = isup::decode(rel_bytes, isup::Variant::kItu, opt);
  ASSERT_TRUE(rel);
  auto f = response_for_release(21, trunk(SipProfile::kSipT), 0, &*rel);
  EXPECT_EQ(f.status, 603);  // RFC 3398 8.2.6.1: cause 21 from the user
  EXPECT_EQ(to_hex(f.isup),
            "0c0200038095"
            "81");
  auto bye = bye_for_release(21, trunk(SipProfile::kSipI), 0, &*rel);
  EXPECT_NE(bye.body.content.find(bin("0c 02 00 03 80 95 81")), std::string::npos);
  // Without the received REL (a timer, a reset) one is built: cause and location only.
  EXPECT_EQ(to_hex(response_for_release(21, trunk(SipProfile::kSipT), 0).isup), "0c0200028095");
}

}  // namespace
}  // namespace isupgw::mapping
