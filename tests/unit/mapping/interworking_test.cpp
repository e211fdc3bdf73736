// The top-level interworking rules, one named case per rule / table row.
#include "mapping/interworking.h"

#include <gtest/gtest.h>

#include "isup/builder.h"
#include "isup/codes.h"
#include "isup/params.h"
#include "mapping/identity_map.h"
#include "sip/multipart.h"
#include "tests/unit/mapping/isup_fixture.h"
#include "tests/unit/mapping/sip_fixture.h"

namespace isupgw::mapping {
namespace {

using testing_support::find;
using testing_support::invite;
using testing_support::kPcmaSdp;
using testing_support::request;
using testing_support::response;
using testing_support::sdp;

SipProfile trunk(SipProfile::Kind kind = SipProfile::kSip) {
  SipProfile p;
  p.kind = kind;
  p.host = "192.0.2.10";
  return p;
}

std::string header(const sip::HeaderList& h, std::string_view name) {
  for (const auto& [n, v] : h)
    if (n == name) return v;
  return "";
}

std::string as_string(std::span<const std::uint8_t> b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

// A SIP-I INVITE (multipart SDP + application/ISUP) carrying `iam_body`.
std::unique_ptr<testing_support::Parsed> sipi_invite(std::string_view ruri, std::span<const std::uint8_t> iam_body,
                                                     std::vector<std::string> headers = {}) {
  sip::Body b = make_body(kPcmaSdp, iam_body, trunk(SipProfile::kSipI));
  headers.push_back("MIME-Version: 1.0");
  return invite(ruri, headers, b.content_type, b.content);
}

isup::Number number(isup::NumberKind kind, const char* digits, std::uint8_t nai = 3) {
  isup::Number n;
  n.kind = kind;
  n.nai = nai;
  n.npi = 1;
  n.digits.assign(digits);
  return n;
}

// ---------------------------------------------------------------- hop counter

struct HopRow {
  std::uint32_t in;
  std::uint32_t out;
};
class MaxForwardsToHopCounter : public testing::TestWithParam<HopRow> {};
TEST_P(MaxForwardsToHopCounter, Row) { EXPECT_EQ(hop_counter_from_max_forwards(GetParam().in), GetParam().out); }
INSTANTIATE_TEST_SUITE_P(Q1912_5, MaxForwardsToHopCounter,
                         testing::Values(HopRow{0, 0}, HopRow{1, 0}, HopRow{2, 1}, HopRow{20, 19}, HopRow{31, 30},
                                         HopRow{32, 30}, HopRow{70, 30}, HopRow{255, 30}),
                         [](const auto& i) {
                           return "MaxForwards" + std::to_string(i.param.in) + "_HopCounter" +
                                  std::to_string(i.param.out);
                         });

class HopCounterToMaxForwards : public testing::TestWithParam<HopRow> {};
TEST_P(HopCounterToMaxForwards, Row) {
  EXPECT_EQ(max_forwards_from_hop_counter(static_cast<std::uint8_t>(GetParam().in)), GetParam().out);
}
INSTANTIATE_TEST_SUITE_P(Q1912_5, HopCounterToMaxForwards,
                         testing::Values(HopRow{0, 0}, HopRow{1, 0}, HopRow{2, 1}, HopRow{15, 14}, HopRow{31, 30}),
                         [](const auto& i) {
                           return "HopCounter" + std::to_string(i.param.in) + "_MaxForwards" +
                                  std::to_string(i.param.out);
                         });

// ---------------------------------------------------------------- bearer

struct SdpBearerRow {
  const char* name;
  std::string media;
  std::optional<Bearer> bearer;
};
class SdpToBearer : public testing::TestWithParam<SdpBearerRow> {};
TEST_P(SdpToBearer, Row) {
  auto s = sip::parse_sdp(sdp(GetParam().media));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(bearer_from_sdp(*s, trunk()), GetParam().bearer);
}
INSTANTIATE_TEST_SUITE_P(
    Q1912_5, SdpToBearer,
    testing::Values(SdpBearerRow{"Pcma", "m=audio 4000 RTP/AVP 8\r\n", Bearer::kAudio31},
                    SdpBearerRow{"Pcmu", "m=audio 4000 RTP/AVP 0\r\n", Bearer::kAudio31},
                    SdpBearerRow{"G729", "m=audio 4000 RTP/AVP 18\r\n", Bearer::kAudio31},
                    SdpBearerRow{"Clearmode", "m=audio 4000 RTP/AVP 97\r\na=rtpmap:97 CLEARMODE/8000\r\n",
                                 Bearer::kUdi64},
                    SdpBearerRow{"ClearmodePreferredOverPcma",
                                 "m=audio 4000 RTP/AVP 97 8\r\na=rtpmap:97 CLEARMODE/8000\r\n", Bearer::kUdi64},
                    SdpBearerRow{"PcmaPreferredOverClearmode",
                                 "m=audio 4000 RTP/AVP 8 97\r\na=rtpmap:97 CLEARMODE/8000\r\n", Bearer::kAudio31},
                    SdpBearerRow{"TelephoneEventSkipped",
                                 "m=audio 4000 RTP/AVP 101 97\r\na=rtpmap:101 telephone-event/8000\r\na=rtpmap:97 "
                                 "CLEARMODE/8000\r\n",
                                 Bearer::kUdi64},
                    SdpBearerRow{"T38Fax", "m=image 4000 udptl t38\r\n", Bearer::kAudio31},
                    SdpBearerRow{"RejectedAudioOnly", "m=audio 0 RTP/AVP 8\r\n", std::nullopt},
                    SdpBearerRow{"VideoOnly", "m=video 4000 RTP/AVP 96\r\n", std::nullopt}),
    [](const auto& i) { return std::string(i.param.name); });

TEST(SdpToBearer, SpeechWhenTheTrunkSaysSo) {
  SipProfile p = trunk();
  p.audio_bearer = Bearer::kSpeech;
  auto s = sip::parse_sdp(kPcmaSdp);
  EXPECT_EQ(bearer_from_sdp(*s, p), Bearer::kSpeech);
}

struct TmrRow {
  const char* name;
  Bearer bearer;
  std::uint8_t tmr;
  std::vector<std::uint8_t> usi_alaw;
  std::vector<std::string> codecs_alaw;
};
class BearerToIsup : public testing::TestWithParam<TmrRow> {};
TEST_P(BearerToIsup, Row) {
  EXPECT_EQ(tmr_for(GetParam().bearer), GetParam().tmr);
  EXPECT_EQ(usi_for(GetParam().bearer, true), GetParam().usi_alaw);
  EXPECT_EQ(codecs_for(GetParam().bearer, true), GetParam().codecs_alaw);
  // ISUP -> bearer from the TMR reads back.
  isup::MessageBuilder b(isup::msg::kIam, 1);
  b.fixed(isup::par::kTransmissionMediumRequirement, std::vector<std::uint8_t>{GetParam().tmr});
  EXPECT_EQ(bearer_from_iam(b.message(), isup::Variant::kItu), GetParam().bearer);
  // ANSI: from the USI.
  isup::MessageBuilder a(isup::msg::kIam, 1);
  a.variable(isup::par::kUserServiceInformation, GetParam().usi_alaw);
  EXPECT_EQ(bearer_from_iam(a.message(), isup::Variant::kAnsi), GetParam().bearer);
}
INSTANTIATE_TEST_SUITE_P(Q763, BearerToIsup,
                         testing::Values(TmrRow{"Speech", Bearer::kSpeech, 0, {0x80, 0x90, 0xa3}, {"PCMA", "PCMU"}},
                                         TmrRow{
                                             "Audio31kHz", Bearer::kAudio31, 3, {0x90, 0x90, 0xa3}, {"PCMA", "PCMU"}},
                                         TmrRow{"Udi64k", Bearer::kUdi64, 2, {0x88, 0x90}, {"CLEARMODE"}}),
                         [](const auto& i) { return std::string(i.param.name); });

TEST(BearerToIsup, MuLawOrdersPcmuFirst) {
  EXPECT_EQ(usi_for(Bearer::kAudio31, false), (std::vector<std::uint8_t>{0x90, 0x90, 0xa2}));
  EXPECT_EQ(codecs_for(Bearer::kSpeech, false), (std::vector<std::string>{"PCMU", "PCMA"}));
}

TEST(BearerToIsup, Tmr64kPreferredOffersAudio) {
  isup::MessageBuilder b(isup::msg::kIam, 1);
  b.fixed(isup::par::kTransmissionMediumRequirement, std::vector<std::uint8_t>{6});
  EXPECT_EQ(bearer_from_iam(b.message(), isup::Variant::kItu), Bearer::kAudio31);
}

// ---------------------------------------------------------------- bodies

TEST(Bodies, SdpOnly) {
  auto m = invite("sip:+4930222@gw;user=phone", {}, "application/sdp", kPcmaSdp);
  auto b = received_bodies(m->m);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->sdp, kPcmaSdp);
  EXPECT_FALSE(b->isup.has_value());
}

TEST(Bodies, MultipartSdpAndIsup) {
  const std::vector<std::uint8_t> isup{0x01, 0x00, 0x60, 0x00, 0x0a, 0x03, 0x02, 0x05, 0x04, 0x83, 0x10, 0x21, 0x0f};
  auto m = sipi_invite("sip:+4930222@gw;user=phone", isup);
  auto b = received_bodies(m->m);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->sdp, kPcmaSdp);
  ASSERT_TRUE(b->isup.has_value());
  EXPECT_EQ(std::vector<std::uint8_t>(b->isup->begin(), b->isup->end()), isup);
  EXPECT_EQ(b->isup_version, "itu-t92+");
  EXPECT_TRUE(b->isup_handling_required);
}

TEST(Bodies, LoneIsupWithDisposition) {
  auto m = request("INFO", {"Content-Disposition: signal;handling=optional"}, "application/ISUP;version=itu-t92+",
                   std::string("\x2d\x00", 2));
  auto b = received_bodies(m->m);
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(b->isup.has_value());
  EXPECT_EQ(b->isup->size(), 2u);
  EXPECT_FALSE(b->isup_handling_required);
}

// RFC 3204 / RFC 3261 20.11: an unknown part with handling=required -> 415.
TEST(Bodies, UnknownRequiredPartIs415) {
  auto m = invite("sip:+4930222@gw;user=phone", {"Content-Disposition: signal;handling=required"},
                  "application/x-unknown", "abc");
  auto b = received_bodies(m->m);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().status, 415);
}

TEST(Bodies, BrokenMultipartIs400) {
  auto m = invite("sip:+4930222@gw;user=phone", {}, "multipart/mixed;boundary=zz", "no delimiter here");
  auto b = received_bodies(m->m);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().status, 400);
}

TEST(Bodies, NoBody) {
  auto m = invite("sip:+4930222@gw;user=phone");
  auto b = received_bodies(m->m);
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->sdp || b->isup);
}

struct MakeBodyRow {
  const char* name;
  SipProfile::Kind kind;
  bool with_sdp;
  bool with_isup;
  const char* content_type_prefix;
  const char* extra_header;
};
class MakeBody : public testing::TestWithParam<MakeBodyRow> {};
TEST_P(MakeBody, Row) {
  const auto& r = GetParam();
  const std::vector<std::uint8_t> octets{0x06, 0x14, 0x04, 0x00};
  std::optional<std::string> s;
  if (r.with_sdp) s = kPcmaSdp;
  sip::Body b = make_body(s, r.with_isup ? std::span<const std::uint8_t>(octets) : std::span<const std::uint8_t>(),
                          trunk(r.kind));
  EXPECT_TRUE(b.content_type.starts_with(r.content_type_prefix)) << b.content_type;
  auto h = body_headers(b, trunk(r.kind));
  if (std::string_view(r.extra_header).empty()) {
    EXPECT_TRUE(h.empty());
  } else {
    ASSERT_FALSE(h.empty());
    EXPECT_EQ(h[0].first + ": " + h[0].second, r.extra_header);
  }
}
INSTANTIATE_TEST_SUITE_P(
    Rfc3204, MakeBody,
    testing::Values(MakeBodyRow{"PlainSipSdp", SipProfile::kSip, true, true, "application/sdp", ""},
                    MakeBodyRow{"PlainSipNoIsupAlone", SipProfile::kSip, false, true, "", ""},
                    MakeBodyRow{"SipISdpAndIsup", SipProfile::kSipI, true, true,
                                "multipart/mixed;boundary=", "MIME-Version: 1.0"},
                    MakeBodyRow{"SipTIsupAlone", SipProfile::kSipT, false, true, "application/ISUP;version=itu-t92+",
                                "Content-Disposition: signal;handling=required"},
                    MakeBodyRow{"SipISdpOnly", SipProfile::kSipI, true, false, "application/sdp", ""}),
    [](const auto& i) { return std::string(i.param.name); });

TEST(MakeBody, RoundTripsThroughTheParser) {
  const std::vector<std::uint8_t> octets{0x06, 0x14, 0x04, 0x00};
  SipProfile p = trunk(SipProfile::kSipI);
  p.isup_base = "itu-t92+";
  p.isup_handling_required = false;
  sip::Body b = make_body(kPcmaSdp, octets, p);
  auto m = response(180, {"MIME-Version: 1.0"}, b.content_type, b.content);
  auto got = received_bodies(m->m);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->sdp, kPcmaSdp);
  ASSERT_TRUE(got->isup);
  EXPECT_EQ(as_string(*got->isup), as_string(octets));
  EXPECT_FALSE(got->isup_handling_required);
}

TEST(IsupBodies, RelCarriesCauseAndLocation) {
  auto rel = isup_rel_octets(17, isup::Variant::kItu);
  // REL, pointer 2, pointer 0 (no optional part), length 2, location BI (0x8a), cause 17 (0x91).
  EXPECT_EQ(rel, (std::vector<std::uint8_t>{0x0c, 0x02, 0x00, 0x02, 0x8a, 0x91}));
  EXPECT_EQ(cause_of_isup_body(rel, isup::Variant::kItu), 17);
  EXPECT_EQ(cause_of_isup_body(std::vector<std::uint8_t>{0x10, 0x00}, isup::Variant::kItu), std::nullopt);  // RLC
}

// ---------------------------------------------------------------- INVITE -> IAM

TEST(SetupFromInvite, PlainSipBasicCall) {
  auto m = invite("sip:+4930222@gw;user=phone", {"P-Asserted-Identity: <tel:+49301234567>"}, "application/sdp",
                  kPcmaSdp, "<sip:+49301234567@h;user=phone>;tag=1", 70);
  auto r = setup_from_invite(m->m, trunk());
  ASSERT_TRUE(r.ok()) << r.error().warning;
  EXPECT_EQ(r->called.digits.view(), "30222F");  // en bloc: ST
  EXPECT_EQ(r->called.nai, 3);                   // national
  EXPECT_EQ(r->called.npi, 1);
  EXPECT_TRUE(r->called.inn_ni);
  ASSERT_TRUE(r->calling);
  EXPECT_EQ(r->calling->digits.view(), "301234567");
  EXPECT_EQ(r->calling->screening, kScreenNetworkProvided);
  EXPECT_EQ(r->calling_category, 10);
  EXPECT_EQ(r->transmission_medium, 3);
  EXPECT_TRUE(r->forward.interworking);
  EXPECT_FALSE(r->forward.isup_all_the_way);
  const isup::OwnedParam* hc = find(*r, isup::par::kHopCounter);
  ASSERT_NE(hc, nullptr);
  EXPECT_EQ(hc->value, std::vector<std::uint8_t>{30});
}

TEST(SetupFromInvite, TelUriInternational) {
  auto m = invite("tel:+12125550100");
  auto r = setup_from_invite(m->m, trunk());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->called.digits.view(), "12125550100F");
  EXPECT_EQ(r->called.nai, 4);
}

TEST(SetupFromInvite, DialledFormWithTrunkPrefixes) {
  SipProfile p = trunk();
  p.global_numbers = false;
  p.append_st = false;
  auto m = invite("sip:0030123@gw;user=phone");
  auto r = setup_from_invite(m->m, p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->called.digits.view(), "30123");
  EXPECT_EQ(r->called.nai, 4);
}

TEST(SetupFromInvite, ClearmodeGivesUdi) {
  auto m = invite("sip:+4930222@gw;user=phone", {}, "application/sdp",
                  sdp("m=audio 4000 RTP/AVP 97\r\na=rtpmap:97 CLEARMODE/8000\r\n"));
  auto r = setup_from_invite(m->m, trunk());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->transmission_medium, 2);
  EXPECT_EQ(r->user_service_information, (std::vector<std::uint8_t>{0x88, 0x90}));
}

TEST(SetupFromInvite, MaxForwardsOneTooManyHops) {
  auto m = invite("sip:+4930222@gw;user=phone", {}, {}, {}, "<sip:a@h>;tag=1", 1);
  auto r = setup_from_invite(m->m, trunk());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 483);
}

TEST(SetupFromInvite, NoMaxForwardsUsesTheTrunkDefault) {
  auto m = invite("sip:+4930222@gw;user=phone", {}, {}, {}, "<sip:a@h>;tag=1", -1);
  SipProfile p = trunk();
  p.initial_hop_counter = 20;
  auto r = setup_from_invite(m->m, p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(find(*r, isup::par::kHopCounter)->value, std::vector<std::uint8_t>{20});
}

struct RejectRow {
  const char* name;
  const char* ruri;
  std::string content_type;
  std::string body;
  int status;
};
class SetupFromInviteRejects : public testing::TestWithParam<RejectRow> {};
TEST_P(SetupFromInviteRejects, Row) {
  auto m = invite(GetParam().ruri, {}, GetParam().content_type, GetParam().body);
  auto r = setup_from_invite(m->m, trunk());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, GetParam().status);
  EXPECT_FALSE(r.error().warning.empty());
}
INSTANTIATE_TEST_SUITE_P(Errors, SetupFromInviteRejects,
                         testing::Values(RejectRow{"NamedUserNotFound", "sip:alice@gw", "", "", 404},
                                         RejectRow{"LettersInPhoneNumber", "sip:+49ab@gw;user=phone", "", "", 404},
                                         RejectRow{"NoDigitsIncomplete", "sip:-@gw;user=phone", "", "", 484},
                                         RejectRow{"VideoOnlyNotAcceptable", "sip:+4930222@gw;user=phone",
                                                   "application/sdp", sdp("m=video 4000 RTP/AVP 96\r\n"), 488},
                                         RejectRow{"BrokenSdp", "sip:+4930222@gw;user=phone", "application/sdp",
                                                   "garbage", 400}),
                         [](const auto& i) { return std::string(i.param.name); });

TEST(SetupFromInvite, RedirectionFromDiversion) {
  auto m = invite("sip:+4930333@gw;user=phone", {"Diversion: <tel:+4930222>;reason=user-busy;counter=1"});
  auto r = setup_from_invite(m->m, trunk());
  ASSERT_TRUE(r.ok());
  EXPECT_NE(find(*r, isup::par::kRedirectingNumber), nullptr);
  EXPECT_NE(find(*r, isup::par::kRedirectionInformation), nullptr);
}

// Q.1912.5 transparency: what SIP cannot express passes through unchanged;
// the called number follows the Request-URI (the SIP side may have retargeted).
TEST(SetupFromInvite, SipIEncapsulatedIamIsTheBase) {
  const std::vector<std::uint8_t> access_transport{0x7d, 0x02, 0x91, 0x81};  // Q.931 IE, opaque
  const std::vector<std::uint8_t> unknown{0x55, 0xaa};
  isup::Number old_called = number(isup::NumberKind::kCalled, "30999", 3);
  isup::Number cgpn = number(isup::NumberKind::kCalling, "30555", 3);
  cgpn.screening = 1;
  isup::ForwardCallIndicators fci;
  fci.isup_all_the_way = true;
  fci.isup_preference = 2;
  isup::MessageBuilder b(isup::msg::kIam);
  b.fixed(isup::par::kNatureOfConnectionIndicators, std::vector<std::uint8_t>{0x00})
      .fixed(isup::par::kForwardCallIndicators, fci)
      .fixed(isup::par::kCallingPartysCategory, std::vector<std::uint8_t>{0x0f})  // payphone
      .fixed(isup::par::kTransmissionMediumRequirement, std::vector<std::uint8_t>{0x00})
      .variable(isup::par::kCalledPartyNumber, old_called)
      .optional(isup::par::kAccessTransport, access_transport)
      .optional(isup::par::kCallingPartyNumber, cgpn)
      .optional(0xfe, unknown)
      .optional(isup::par::kHopCounter, std::vector<std::uint8_t>{0x05});
  auto body = isup_body_octets(b.message(), isup::Variant::kItu);
  ASSERT_FALSE(body.empty());
  auto m = sipi_invite("sip:+4930222@gw;user=phone", body);
  auto r = setup_from_invite(m->m, trunk(SipProfile::kSipI));
  ASSERT_TRUE(r.ok()) << r.error().warning;
  EXPECT_EQ(r->called.digits.view(), "30222F");  // from the Request-URI
  EXPECT_EQ(r->calling_category, 0x0f);
  EXPECT_EQ(r->transmission_medium, 0);
  EXPECT_EQ(r->forward.isup_preference, 2);
  ASSERT_TRUE(r->calling);
  EXPECT_EQ(r->calling->digits.view(), "30555");  // no PAI: the encapsulated one
  ASSERT_GE(r->optional.size(), 3u);
  EXPECT_EQ(r->optional[0].code, isup::par::kAccessTransport);
  EXPECT_EQ(r->optional[0].value, access_transport);
  EXPECT_EQ(r->optional[1].code, 0xfe);
  EXPECT_EQ(r->optional[1].value, unknown);
  // The hop counter follows Max-Forwards (70 -> 30), once.
  int hops = 0;
  for (const auto& p : r->optional) hops += p.code == isup::par::kHopCounter;
  EXPECT_EQ(hops, 1);
  EXPECT_EQ(find(*r, isup::par::kHopCounter)->value, std::vector<std::uint8_t>{30});
}

TEST(SetupFromInvite, SipIPaiOverridesEncapsulatedCallingNumber) {
  isup::MessageBuilder b(isup::msg::kIam);
  b.fixed(isup::par::kNatureOfConnectionIndicators, std::vector<std::uint8_t>{0x00})
      .fixed(isup::par::kForwardCallIndicators, std::vector<std::uint8_t>{0x00, 0x00})
      .fixed(isup::par::kCallingPartysCategory, std::vector<std::uint8_t>{0x0a})
      .fixed(isup::par::kTransmissionMediumRequirement, std::vector<std::uint8_t>{0x03})
      .variable(isup::par::kCalledPartyNumber, number(isup::NumberKind::kCalled, "30222"))
      .optional(isup::par::kCallingPartyNumber, number(isup::NumberKind::kCalling, "30555"));
  auto body = isup_body_octets(b.message(), isup::Variant::kItu);
  auto m = sipi_invite("sip:+4930222@gw;user=phone", body, {"P-Asserted-Identity: <tel:+4930777>"});
  auto r = setup_from_invite(m->m, trunk(SipProfile::kSipI));
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->calling);
  EXPECT_EQ(r->calling->digits.view(), "30777");
}

TEST(SetupFromInvite, PlainSipIgnoresAnIsupBody) {
  isup::MessageBuilder b(isup::msg::kIam);
  auto m = sipi_invite("sip:+4930222@gw;user=phone", std::vector<std::uint8_t>{0x01, 0x02});
  auto r = setup_from_invite(m->m, trunk(SipProfile::kSip));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->calling_category, 10);
}

TEST(SetupFromInvite, SipIUndecodableRequiredBodyIs400) {
  auto m = sipi_invite("sip:+4930222@gw;user=phone", std::vector<std::uint8_t>{0x01, 0x02});
  auto r = setup_from_invite(m->m, trunk(SipProfile::kSipI));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 400);
}

// ---------------------------------------------------------------- overlap (RFC 3578)

TEST(Overlap, LongerRequestUriGivesTheNewDigits) {
  isup::Number sent = number(isup::NumberKind::kCalled, "3012");
  auto m = invite("sip:+49301234@gw;user=phone");
  auto r = overlap_digits(sent, m->m, trunk());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, isup::NumberKind::kSubsequent);
  EXPECT_EQ(r->digits.view(), "34");
}

TEST(Overlap, NotAnExtensionIs484) {
  isup::Number sent = number(isup::NumberKind::kCalled, "3012");
  for (const char* uri : {"sip:+49309999@gw;user=phone", "sip:+493012@gw;user=phone", "sip:+49301@gw;user=phone"}) {
    auto m = invite(uri);
    auto r = overlap_digits(sent, m->m, trunk());
    ASSERT_FALSE(r.ok()) << uri;
    EXPECT_EQ(r.error().status, 484);
  }
}

TEST(Overlap, SamDigitsGiveTheNextInvite) {
  InviteFields f;
  f.request_uri = "sip:+493012@192.0.2.10;user=phone";
  f.from = "<sip:+4930111@192.0.2.10;user=phone>";
  f.headers = {{"Max-Forwards", "30"}};
  auto next = invite_with_more_digits(f, number(isup::NumberKind::kCalled, "301234"), trunk());
  EXPECT_EQ(next.request_uri, "sip:+49301234@192.0.2.10;user=phone");
  EXPECT_EQ(next.to, "<sip:+49301234@192.0.2.10;user=phone>");
  EXPECT_EQ(next.from, f.from);
  EXPECT_EQ(next.headers, f.headers);
}

// ---------------------------------------------------------------- IAM -> INVITE

struct IamFixture {
  isup::MessageBuilder b{isup::msg::kIam, 7};
  isup::IncomingSetup setup;
  explicit IamFixture(std::uint8_t hop = 0, std::uint8_t tmr = 3) {
    setup.called = number(isup::NumberKind::kCalled, "30222F");
    setup.calling = number(isup::NumberKind::kCalling, "301234567");
    setup.calling->screening = kScreenNetworkProvided;
    b.fixed(isup::par::kNatureOfConnectionIndicators, std::vector<std::uint8_t>{0x00})
        .fixed(isup::par::kForwardCallIndicators, std::vector<std::uint8_t>{0x60, 0x01})
        .fixed(isup::par::kCallingPartysCategory, std::vector<std::uint8_t>{0x0a})
        .fixed(isup::par::kTransmissionMediumRequirement, std::vector<std::uint8_t>{tmr})
        .variable(isup::par::kCalledPartyNumber, setup.called)
        .optional(isup::par::kCallingPartyNumber, *setup.calling);
    if (hop) b.optional(isup::par::kHopCounter, std::vector<std::uint8_t>{hop});
    setup.iam = &b.message();
  }
};

TEST(InviteFromSetup, BasicCall) {
  IamFixture iam(20);
  InviteFields f = invite_from_setup(iam.setup, trunk());
  EXPECT_EQ(f.release_cause, 0);
  EXPECT_EQ(f.request_uri, "sip:+4930222@192.0.2.10;user=phone");
  EXPECT_EQ(f.to, "<sip:+4930222@192.0.2.10;user=phone>");
  EXPECT_EQ(f.from, "<sip:+49301234567@192.0.2.10;user=phone>");
  EXPECT_EQ(header(f.headers, "P-Asserted-Identity"), "<sip:+49301234567@192.0.2.10;user=phone>");
  EXPECT_EQ(header(f.headers, "Max-Forwards"), "19");
  EXPECT_EQ(f.bearer, Bearer::kAudio31);
  EXPECT_EQ(f.codecs, (std::vector<std::string>{"PCMA", "PCMU"}));
  EXPECT_TRUE(f.telephone_event);
  EXPECT_TRUE(f.isup.empty());  // plain SIP: no body
}

TEST(InviteFromSetup, NoHopCounterIsMaxForwards70) {
  IamFixture iam;
  EXPECT_EQ(header(invite_from_setup(iam.setup, trunk()).headers, "Max-Forwards"), "70");
}

TEST(InviteFromSetup, HopCounterOneReleasesWithCause25) {
  IamFixture iam(1);
  EXPECT_EQ(invite_from_setup(iam.setup, trunk()).release_cause, 25);
}

TEST(InviteFromSetup, UdiOffersClearmodeOnly) {
  IamFixture iam(0, 2);
  InviteFields f = invite_from_setup(iam.setup, trunk());
  EXPECT_EQ(f.bearer, Bearer::kUdi64);
  EXPECT_EQ(f.codecs, std::vector<std::string>{"CLEARMODE"});
  EXPECT_FALSE(f.telephone_event);
}

TEST(InviteFromSetup, RestrictedCallingNumber) {
  IamFixture iam;
  iam.setup.calling->apri = kApriRestricted;
  InviteFields f = invite_from_setup(iam.setup, trunk());
  EXPECT_EQ(f.from, kAnonymousFrom);
  EXPECT_EQ(header(f.headers, "Privacy"), "id");
}

TEST(InviteFromSetup, TelUris) {
  IamFixture iam;
  SipProfile p = trunk();
  p.tel_uri = true;
  InviteFields f = invite_from_setup(iam.setup, p);
  EXPECT_EQ(f.request_uri, "tel:+4930222");
}

TEST(InviteFromSetup, EmptyCalledNumberReleasesWithCause28) {
  IamFixture iam;
  iam.setup.called.digits.assign("F");
  EXPECT_EQ(invite_from_setup(iam.setup, trunk()).release_cause, 28);
}

TEST(InviteFromSetup, SipIBodyIsTheIamWithoutCic) {
  IamFixture iam(20);
  InviteFields f = invite_from_setup(iam.setup, trunk(SipProfile::kSipI));
  auto with_cic = isup::encode(*iam.setup.iam, isup::Variant::kItu);
  ASSERT_TRUE(with_cic.ok());
  // Body form = the same octets from the message type on (RFC 3204: no CIC).
  EXPECT_EQ(f.isup, std::vector<std::uint8_t>(with_cic->begin() + 2, with_cic->end()));
}

// SIP-I end to end: IAM -> INVITE body -> IAM keeps every optional parameter.
TEST(InviteFromSetup, SipITransparencyRoundTrip) {
  IamFixture iam(20);
  const std::vector<std::uint8_t> uui{0x04, 0x41, 0x42};
  iam.b.optional(isup::par::kUserToUserInformation, uui).optional(0xfd, std::vector<std::uint8_t>{0x01});
  iam.setup.iam = &iam.b.message();
  InviteFields f = invite_from_setup(iam.setup, trunk(SipProfile::kSipI));
  std::vector<std::string> headers;
  for (const auto& [n, v] : f.headers)
    if (n != "Max-Forwards") headers.push_back(n + ": " + v);
  headers.push_back("MIME-Version: 1.0");
  sip::Body body = make_body(kPcmaSdp, f.isup, trunk(SipProfile::kSipI));
  auto m = invite(f.request_uri, headers, body.content_type, body.content, f.from + ";tag=x", 19);
  auto r = setup_from_invite(m->m, trunk(SipProfile::kSipI));
  ASSERT_TRUE(r.ok()) << r.error().warning;
  ASSERT_NE(find(*r, isup::par::kUserToUserInformation), nullptr);
  EXPECT_EQ(find(*r, isup::par::kUserToUserInformation)->value, uui);
  ASSERT_NE(find(*r, 0xfd), nullptr);
  EXPECT_EQ(r->called.digits.view(), "30222F");
  EXPECT_EQ(find(*r, isup::par::kHopCounter)->value, std::vector<std::uint8_t>{18});
}

// ---------------------------------------------------------------- 18x -> ACM/CPG

struct ProvRow {
  const char* name;
  int status;
  bool sdp;
  bool acm_sent;
  std::vector<std::string> headers;
  BackwardAction action;
};
class ProvisionalToIsup : public testing::TestWithParam<ProvRow> {};
TEST_P(ProvisionalToIsup, Row) {
  const auto& r = GetParam();
  auto m = r.sdp ? response(r.status, r.headers, "application/sdp", kPcmaSdp) : response(r.status, r.headers);
  EXPECT_EQ(backward_from_provisional(m->m, r.acm_sent, trunk()), r.action);
}
INSTANTIATE_TEST_SUITE_P(
    Q1912_5, ProvisionalToIsup,
    testing::Values(
        ProvRow{"Trying100Nothing", 100, false, false, {}, {BackwardAction::kNone, 0, false}},
        ProvRow{"Ringing180AcmSubscriberFree", 180, false, false, {}, {BackwardAction::kAlert, 0, false}},
        ProvRow{"Ringing180WithSdpInband", 180, true, false, {}, {BackwardAction::kAlert, 0, true}},
        ProvRow{"Ringing180AfterAcmCpgAlerting", 180, false, true, {}, {BackwardAction::kAlert, 1, false}},
        ProvRow{"Progress183AcmNoIndication", 183, false, false, {}, {BackwardAction::kProgress, 0, false}},
        ProvRow{"Progress183EarlyMediaInband", 183, true, false, {}, {BackwardAction::kProgress, 0, true}},
        ProvRow{"Progress183AfterAcmCpgProgress", 183, false, true, {}, {BackwardAction::kProgress, 2, false}},
        ProvRow{"Progress183SdpAfterAcmCpgInbandInfo", 183, true, true, {}, {BackwardAction::kProgress, 3, true}},
        ProvRow{"Forwarded181Busy",
                181,
                false,
                true,
                {"Diversion: <tel:+4930222>;reason=user-busy"},
                {BackwardAction::kProgress, 4, false}},
        ProvRow{"Forwarded181NoReply",
                181,
                false,
                true,
                {"Diversion: <tel:+4930222>;reason=no-answer"},
                {BackwardAction::kProgress, 5, false}},
        ProvRow{"Forwarded181Unconditional", 181, false, true, {}, {BackwardAction::kProgress, 6, false}},
        ProvRow{"Queued182Progress", 182, false, true, {}, {BackwardAction::kProgress, 2, false}},
        ProvRow{"EarlyDialogTerminated199Nothing", 199, false, true, {}, {BackwardAction::kNone, 0, false}},
        ProvRow{"Ok200Nothing", 200, false, true, {}, {BackwardAction::kNone, 0, false}}),
    [](const auto& i) { return std::string(i.param.name); });

TEST(ProvisionalToIsup, SipIAcmBodyDecides) {
  isup::BackwardCallIndicators bci;
  bci.called_status = 0;  // no indication, although the status code says 180
  isup::MessageBuilder b(isup::msg::kAcm);
  b.fixed(isup::par::kBackwardCallIndicators, bci)
      .optional(isup::par::kOptionalBackwardCallIndicators, std::vector<std::uint8_t>{0x01});
  sip::Body body = make_body(kPcmaSdp, isup_body_octets(b.message(), isup::Variant::kItu), trunk(SipProfile::kSipI));
  auto m = response(180, {"MIME-Version: 1.0"}, body.content_type, body.content);
  EXPECT_EQ(backward_from_provisional(m->m, false, trunk(SipProfile::kSipI)),
            (BackwardAction{BackwardAction::kProgress, 0, true}));
}

// ---------------------------------------------------------------- ACM/CPG -> 18x

struct BackRow {
  const char* name;
  std::uint8_t type;  // ACM or CPG
  bool alerting;
  std::uint8_t event;
  bool inband;
  bool answered;
  SipProfile::Kind kind;
  ProvisionalFields::Kind out;
  int status;
};
class BackwardToSip : public testing::TestWithParam<BackRow> {};
TEST_P(BackwardToSip, Row) {
  const auto& r = GetParam();
  isup::MessageBuilder b(r.type, 1);
  if (r.type == isup::msg::kCpg)
    b.fixed(isup::par::kEventInformation, std::vector<std::uint8_t>{r.event});
  else
    b.fixed(isup::par::kBackwardCallIndicators, std::vector<std::uint8_t>{0x16, 0x14});
  isup::BackwardIndication ind;
  ind.alerting = r.alerting;
  ind.event = r.event;
  ind.inband = r.inband;
  ind.msg = &b.message();
  ProvisionalFields f = provisional_from_backward(ind, r.answered, trunk(r.kind));
  EXPECT_EQ(f.kind, r.out);
  EXPECT_EQ(f.status, r.status);
  if (r.out == ProvisionalFields::kProvisional) {
    EXPECT_EQ(f.early_media, r.inband);
  }
  EXPECT_EQ(f.isup.empty(), r.kind == SipProfile::kSip);
}
constexpr auto kAcm = isup::msg::kAcm;
constexpr auto kCpg = isup::msg::kCpg;
INSTANTIATE_TEST_SUITE_P(Q1912_5, BackwardToSip,
                         testing::Values(BackRow{"AcmSubscriberFree180", kAcm, true, 0, false, false, SipProfile::kSip,
                                                 ProvisionalFields::kProvisional, 180},
                                         BackRow{"AcmNoIndication183", kAcm, false, 0, false, false, SipProfile::kSip,
                                                 ProvisionalFields::kProvisional, 183},
                                         BackRow{"AcmFreeInband180EarlyMedia", kAcm, true, 0, true, false,
                                                 SipProfile::kSip, ProvisionalFields::kProvisional, 180},
                                         BackRow{"AcmInband183EarlyMedia", kAcm, false, 0, true, false,
                                                 SipProfile::kSip, ProvisionalFields::kProvisional, 183},
                                         BackRow{"CpgAlerting180", kCpg, true, 1, false, false, SipProfile::kSip,
                                                 ProvisionalFields::kProvisional, 180},
                                         BackRow{"CpgProgress183", kCpg, false, 2, false, false, SipProfile::kSip,
                                                 ProvisionalFields::kProvisional, 183},
                                         BackRow{"CpgInbandInfo183", kCpg, false, 3, true, false, SipProfile::kSip,
                                                 ProvisionalFields::kProvisional, 183},
                                         BackRow{"CpgForwardedBusy181", kCpg, false, 4, false, false, SipProfile::kSip,
                                                 ProvisionalFields::kProvisional, 181},
                                         BackRow{"CpgForwardedNoReply181", kCpg, false, 5, false, false,
                                                 SipProfile::kSip, ProvisionalFields::kProvisional, 181},
                                         BackRow{"CpgForwardedUnconditional181", kCpg, false, 6, false, false,
                                                 SipProfile::kSip, ProvisionalFields::kProvisional, 181},
                                         BackRow{"SipIAcmCarriedIn180", kAcm, true, 0, false, false, SipProfile::kSipI,
                                                 ProvisionalFields::kProvisional, 180},
                                         BackRow{"SipICpgAfterAnswerIsInfo", kCpg, false, 2, false, true,
                                                 SipProfile::kSipI, ProvisionalFields::kInfo, 0},
                                         BackRow{"SipTCpgAfterAnswerIsInfo", kCpg, false, 2, false, true,
                                                 SipProfile::kSipT, ProvisionalFields::kInfo, 0},
                                         BackRow{"SipCpgAfterAnswerNothing", kCpg, false, 2, false, true,
                                                 SipProfile::kSip, ProvisionalFields::kNone, 0}),
                         [](const auto& i) { return std::string(i.param.name); });

TEST(AnswerToSip, SipICarriesAnm) {
  isup::MessageBuilder b(isup::msg::kAnm, 1);
  ProvisionalFields f = answer_fields(&b.message(), trunk(SipProfile::kSipI));
  EXPECT_EQ(f.status, 200);
  EXPECT_EQ(f.isup, (std::vector<std::uint8_t>{0x09, 0x00}));
  EXPECT_TRUE(answer_fields(&b.message(), trunk()).isup.empty());
}

TEST(AnswerToSip, SipIWithoutTheMessageCarriesAPlainAnm) {
  EXPECT_EQ(answer_fields(nullptr, trunk(SipProfile::kSipI)).isup, (std::vector<std::uint8_t>{0x09, 0x00}));
  EXPECT_TRUE(answer_fields(nullptr, trunk()).isup.empty());
}

TEST(InfoForIsup, OnlySipIAndSipT) {
  isup::MessageBuilder b(isup::msg::kUsr, 1);
  b.variable(isup::par::kUserToUserInformation, std::vector<std::uint8_t>{0x41});
  EXPECT_EQ(info_for_isup(b.message(), trunk()), std::nullopt);
  auto body = info_for_isup(b.message(), trunk(SipProfile::kSipI));
  ASSERT_TRUE(body);
  EXPECT_TRUE(body->content_type.starts_with("application/ISUP;version=itu-t92+"));
  EXPECT_EQ(body->content, std::string("\x2d\x02\x00\x01\x41", 5));  // USR: pointer, no optional part
}

TEST(IsupFromInfo, UsrForCallControl) {
  isup::MessageBuilder b(isup::msg::kUsr);
  b.variable(isup::par::kUserToUserInformation, std::vector<std::uint8_t>{0x04, 0x41});
  sip::Body body = *info_for_isup(b.message(), trunk(SipProfile::kSipI));
  auto m = request("INFO", {"Content-Disposition: signal;handling=required"}, body.content_type, body.content);
  auto got = isup_from_info(m->m, trunk(SipProfile::kSipI));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->type, isup::msg::kUsr);
  ASSERT_NE(got->find(isup::par::kUserToUserInformation), nullptr);
  EXPECT_EQ(got->find(isup::par::kUserToUserInformation)->value, (std::vector<std::uint8_t>{0x04, 0x41}));
  EXPECT_EQ(isup_from_info(m->m, trunk()), std::nullopt);  // plain SIP trunk
}

// SIP-T overlap in the early dialog: SAM in INFO (RFC 3372, Q.1912.5 INFO method).
TEST(IsupFromInfo, SamDigits) {
  isup::Number sub;
  sub.kind = isup::NumberKind::kSubsequent;
  sub.digits.assign("45F");
  isup::MessageBuilder b(isup::msg::kSam);
  b.variable(isup::par::kSubsequentNumber, sub);
  sip::Body body = *info_for_isup(b.message(), trunk(SipProfile::kSipT));
  auto m = request("INFO", {"Content-Disposition: signal;handling=required"}, body.content_type, body.content);
  auto got = isup_from_info(m->m, trunk(SipProfile::kSipT));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->type, isup::msg::kSam);
  auto n = isup::Number::decode(isup::NumberKind::kSubsequent, got->find(isup::par::kSubsequentNumber)->value);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->digits.view(), "45F");
}

TEST(IsupFromInfo, NoIsupBody) {
  EXPECT_EQ(isup_from_info(request("INFO")->m, trunk(SipProfile::kSipI)), std::nullopt);
}

// ---------------------------------------------------------------- release

TEST(ReleaseToIsup, ReasonWinsOverStatus) {
  auto m = response(480, {"Reason: Q.850;cause=19;text=\"No answer\""});
  EXPECT_EQ(cause_from_response(m->m), 19);
}

TEST(ReleaseToIsup, StatusTableWithoutReason) {
  EXPECT_EQ(cause_from_response(response(486)->m), 17);
  EXPECT_EQ(cause_from_response(response(480)->m), 20);  // Q.1912.5
  SipProfile p = trunk();
  p.cause_table = CauseTable::kRfc3398;
  EXPECT_EQ(cause_from_response(response(480)->m, p), 18);
  EXPECT_EQ(cause_from_response(response(487)->m), std::nullopt);
}

TEST(ReleaseToIsup, SipReasonIgnored) {
  EXPECT_EQ(cause_from_response(response(486, {"Reason: SIP;cause=600"})->m), 17);
}

TEST(ReleaseToIsup, EncapsulatedRelWins) {
  sip::Body b = make_body(std::nullopt, isup_rel_octets(34, isup::Variant::kItu), trunk(SipProfile::kSipI));
  auto m = response(503, {"Reason: Q.850;cause=41", "Content-Disposition: signal;handling=required"}, b.content_type,
                    b.content);
  EXPECT_EQ(cause_from_response(m->m, trunk(SipProfile::kSipI)), 34);
}

struct RequestCauseRow {
  const char* name;
  const char* method;
  std::vector<std::string> headers;
  int cause;
};
class RequestToRelCause : public testing::TestWithParam<RequestCauseRow> {};
TEST_P(RequestToRelCause, Row) {
  EXPECT_EQ(cause_from_request(request(GetParam().method, GetParam().headers)->m), GetParam().cause);
}
INSTANTIATE_TEST_SUITE_P(Q1912_5, RequestToRelCause,
                         testing::Values(RequestCauseRow{"ByeNormalClearing", "BYE", {}, 16},
                                         RequestCauseRow{"CancelNormalUnspecified", "CANCEL", {}, 31},
                                         RequestCauseRow{"ByeReason", "BYE", {"Reason: Q.850;cause=41"}, 41},
                                         RequestCauseRow{"CancelReason", "CANCEL", {"Reason: Q.850;cause=16"}, 16},
                                         RequestCauseRow{"CancelSipReasonIgnored",
                                                         "CANCEL",
                                                         {"Reason: SIP;cause=200;text=\"Call completed elsewhere\""},
                                                         31}),
                         [](const auto& i) { return std::string(i.param.name); });

TEST(ReleaseToSip, FinalResponseWithReason) {
  FinalResponse f = response_for_release(17, trunk());
  EXPECT_EQ(f.status, 486);
  EXPECT_EQ(header(f.headers, "Reason"), "Q.850;cause=17;text=\"User busy\"");
  EXPECT_TRUE(f.isup.empty());
}

TEST(ReleaseToSip, NormalClearingBeforeAnswerIs480) { EXPECT_EQ(response_for_release(16, trunk()).status, 480); }

TEST(ReleaseToSip, SipIFinalResponseCarriesRel) {
  FinalResponse f = response_for_release(1, trunk(SipProfile::kSipI));
  EXPECT_EQ(f.status, 404);
  EXPECT_EQ(cause_of_isup_body(f.isup, isup::Variant::kItu), 1);
}

TEST(ReleaseToSip, ByeReason) {
  EXPECT_EQ(reason_for_release(16), (sip::HeaderList{{"Reason", "Q.850;cause=16;text=\"Normal call clearing\""}}));
}

// Q.1912.5 / RFC 3372: REL after answer -> BYE; SIP-I/SIP-T encapsulate the REL.
TEST(ReleaseToSip, PlainSipByeCarriesReasonOnly) {
  ByeFields f = bye_for_release(17, trunk());
  EXPECT_EQ(f.headers, reason_for_release(17));
  EXPECT_TRUE(f.body.empty());
}

TEST(ReleaseToSip, SipIByeCarriesRelWithTheCause) {
  ByeFields f = bye_for_release(31, trunk(SipProfile::kSipI));
  EXPECT_EQ(header(f.headers, "Reason"), "Q.850;cause=31;text=\"Normal, unspecified\"");
  EXPECT_EQ(header(f.headers, "Content-Disposition"), "signal;handling=required");
  EXPECT_EQ(f.body.content_type, "application/ISUP;version=itu-t92+");
  const auto* octets = reinterpret_cast<const std::uint8_t*>(f.body.content.data());
  EXPECT_EQ(cause_of_isup_body({octets, f.body.content.size()}, isup::Variant::kItu), 31);
  // REL (0x0c), pointer 2, no optional part, cause indicators: ITU-T, location BI (0x8a), cause 31 (0x9f).
  EXPECT_EQ(f.body.content, std::string("\x0c\x02\x00\x02\x8a\x9f", 6));
}

// Q.850 2.2.3: the received REL's location crosses: it decides 603 for cause 21
// from the user (RFC 3398 8.2.6.1) and is the encapsulated REL's location.
TEST(ReleaseToSip, LocationOfTheReceivedRel) {
  EXPECT_EQ(response_for_release(21, trunk(), kLocationUser).status, 603);
  EXPECT_EQ(response_for_release(21, trunk()).status, 403);
  FinalResponse f = response_for_release(17, trunk(SipProfile::kSipI), kLocationUser);
  EXPECT_EQ(f.status, 486);
  // REL, cause indicators: ITU-T, location U (0x80), cause 17 (0x91).
  EXPECT_EQ(f.isup, (std::vector<std::uint8_t>{0x0c, 0x02, 0x00, 0x02, 0x80, 0x91}));
  ByeFields b = bye_for_release(16, trunk(SipProfile::kSipI), 2);  // LN
  EXPECT_EQ(b.body.content, std::string("\x0c\x02\x00\x02\x82\x90", 6));
  EXPECT_TRUE(bye_for_release(16, trunk(), 2).body.empty());
}

TEST(ReleaseToSip, SipTByeHandlingFollowsTheTrunk) {
  SipProfile p = trunk(SipProfile::kSipT);
  p.isup_handling_required = false;  // RFC 3372/3398 recommend optional for SIP-T
  ByeFields f = bye_for_release(16, p);
  EXPECT_EQ(header(f.headers, "Content-Disposition"), "signal;handling=optional");
  EXPECT_FALSE(f.body.empty());
}

// A received BYE with an encapsulated REL: the REL is authoritative on SIP-I/SIP-T trunks.
TEST(ReleaseToIsup, SipIByeEncapsulatedRelWinsOverReason) {
  sip::Body b = make_body(std::nullopt, isup_rel_octets(34, isup::Variant::kItu), trunk(SipProfile::kSipI));
  auto m = request("BYE", {"Reason: Q.850;cause=16", "Content-Disposition: signal;handling=required"}, b.content_type,
                   b.content);
  EXPECT_EQ(cause_from_request(m->m, trunk(SipProfile::kSipI)), 34);
  EXPECT_EQ(cause_from_request(m->m, trunk(SipProfile::kSipT)), 34);
}

TEST(ReleaseToIsup, PlainSipTrunkIgnoresIsupBodyInBye) {
  sip::Body b = make_body(std::nullopt, isup_rel_octets(34, isup::Variant::kItu), trunk(SipProfile::kSipI));
  auto m = request("BYE", {"Reason: Q.850;cause=41", "Content-Disposition: signal;handling=optional"}, b.content_type,
                   b.content);
  EXPECT_EQ(cause_from_request(m->m, trunk()), 41);
}

// Q.850 2.2.3: the encapsulated REL's location is passed on (SIP-I/SIP-T only).
TEST(ReleaseToIsup, EncapsulatedRelLocation) {
  sip::Body b =
      make_body(std::nullopt, isup_rel_octets(17, isup::Variant::kItu, kLocationUser), trunk(SipProfile::kSipI));
  auto m = request("BYE", {"Content-Disposition: signal;handling=required"}, b.content_type, b.content);
  EXPECT_EQ(release_location(m->m, trunk(SipProfile::kSipI)), kLocationUser);
  EXPECT_EQ(release_location(m->m, trunk(SipProfile::kSipT)), kLocationUser);
  EXPECT_EQ(release_location(m->m, trunk()), std::nullopt);  // plain SIP: no ISUP
  EXPECT_EQ(release_location(request("BYE", {"Reason: Q.850;cause=41"})->m, trunk(SipProfile::kSipI)), std::nullopt);
}

TEST(ReleaseToIsup, SipIByeWithoutRelFallsBackToReasonThenSixteen) {
  EXPECT_EQ(cause_from_request(request("BYE", {"Reason: Q.850;cause=41"})->m, trunk(SipProfile::kSipI)), 41);
  EXPECT_EQ(cause_from_request(request("BYE")->m, trunk(SipProfile::kSipI)), 16);
  EXPECT_EQ(cause_from_request(request("CANCEL")->m, trunk(SipProfile::kSipI)), 31);
}

}  // namespace
}  // namespace isupgw::mapping
