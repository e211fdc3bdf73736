// DSS1 (PRI) <-> ISUP (Q.699) and <-> SIP rules, one case per table row. The
// code points are Q.931's (4.5.5 bearer capability, 4.5.8 Table 4-9, 4.5.10,
// 4.5.23) and Q.763's (3.9, 3.10, 3.23, 3.5, 3.54, 3.57); the correspondences
// Q.699's. Rows that no standard's text read this session gives are named
// "Unconfirmed" or "OurChoice" in the test name (see mapping/dss1_map.h).
#include "mapping/dss1_map.h"

#include <gtest/gtest.h>

#include "base/hex.h"
#include "mapping/identity_map.h"
#include "q931/codec.h"
#include "q931/ie.h"
#include "tests/unit/mapping/sip_fixture.h"

namespace isupgw::mapping {
namespace {

using testing_support::invite;
using testing_support::kPcmaSdp;
using testing_support::response;

q931::Message decoded(std::string_view h) {
  auto b = from_hex(h);
  EXPECT_TRUE(b.has_value()) << h;
  auto r = q931::decode(b ? *b : Bytes{});
  EXPECT_TRUE(r.ok()) << h;
  return r ? *r : q931::Message{};
}

// SETUP of oracles.md's ETSI recipe: BC 80 90 a3 (speech, A-law), B channel 3,
// calling 6c 0c 21 81 "4930123456" (national, E.164; allowed, user provided
// verified and passed), called 70 0b a1 "4930999888" (national, E.164); no
// sending complete.
constexpr std::string_view kSetup =
    "08 02 00 05 05 04 03 80 90 a3 18 03 a9 83 83 6c 0c 21 81 34 39 33 30 31 32 33 34 35 36 70 0b a1 34 39 33 30 "
    "39 39 39 38 38 38";

SipProfile trunk() {
  SipProfile p;
  p.host = "192.0.2.10";
  return p;
}

PriNumbering span(bool trusted = true) {
  PriNumbering n;
  n.trust_user_numbers = trusted;
  return n;
}

q931::PartyNumber number(std::uint8_t type, std::string digits, std::uint8_t plan = 1) {
  q931::PartyNumber p;
  p.type = type;
  p.plan = plan;
  p.digits = std::move(digits);
  return p;
}

std::string header(const sip::HeaderList& h, std::string_view name) {
  for (const auto& [n, v] : h)
    if (n == name) return v;
  return "";
}

q931::ProgressIndicator pi(std::uint8_t d) {
  q931::ProgressIndicator p;
  p.location = 2;
  p.description = d;
  return p;
}

std::vector<std::uint8_t> descriptions(const q931::Message& m) {
  std::vector<std::uint8_t> out;
  for (const auto& p : m.progress) out.push_back(p.description);
  return out;
}

// ---------------------------------------------------------------- numbers

TEST(Dss1Numbers, TypeOfNumberToNatureOfAddress) {
  // Q.931 Table 4-9 type of number -> Q.763 3.9 b nature of address indicator.
  const std::pair<std::uint8_t, std::uint8_t> rows[] = {
      {0, 2},  // unknown -> unknown
      {1, 4},  // international -> international number
      {2, 3},  // national -> national (significant) number
      {3, 5},  // network specific -> network-specific number
      {4, 1},  // subscriber -> subscriber number
      {6, 2},  // abbreviated -> unknown (ISUP has no abbreviated number)
  };
  for (auto [t, nai] : rows) EXPECT_EQ(nai_for_ton(t), nai) << "type of number " << int(t);
}

TEST(Dss1Numbers, NatureOfAddressToTypeOfNumber) {
  const std::pair<std::uint8_t, std::uint8_t> rows[] = {{4, 1}, {3, 2}, {1, 4}, {5, 3}, {2, 0}, {0, 0}, {6, 0}};
  for (auto [nai, t] : rows) EXPECT_EQ(ton_for_nai(nai), t) << "NAI " << int(nai);
}

TEST(Dss1Numbers, NumberingPlanBothWays) {
  // E.164 1, X.121 3, F.69 4 share their code (Q.931 Table 4-9, Q.763 3.9 d).
  for (std::uint8_t p : {1, 3, 4}) {
    EXPECT_EQ(npi_for_dss1_plan(p), p);
    EXPECT_EQ(dss1_plan_for_npi(p), p);
  }
  EXPECT_EQ(npi_for_dss1_plan(0), 1);  // unknown: ISUP has none; E.164 after digit analysis
  EXPECT_EQ(npi_for_dss1_plan(9), 1);  // OurChoice: private plan numbers analysed as E.164
  EXPECT_EQ(dss1_plan_for_npi(5), 0);  // national reserved codes -> unknown
}

TEST(Dss1Numbers, CalledFromTheOracleSetupIsNational) {
  auto m = decoded(kSetup);
  ASSERT_TRUE(m.called);
  auto n = isup_called_from_dss1(*m.called, span(), m.sending_complete);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->kind, isup::NumberKind::kCalled);
  EXPECT_EQ(n->nai, 3);
  EXPECT_EQ(n->npi, 1);
  EXPECT_EQ(n->digits.view(), "4930999888");  // no sending complete: no ST
}

TEST(Dss1Numbers, SendingCompleteAppendsSt) {
  auto n = isup_called_from_dss1(number(ton::kInternational, "442071234567"), span(), true);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->nai, 4);
  EXPECT_EQ(n->digits.view(), "442071234567F");
}

TEST(Dss1Numbers, UnknownTypeIsReadWithTheDialPrefixes) {
  // Table 4-9 note 3: type unknown -> prefix or escape digits may be present.
  auto intl = isup_called_from_dss1(number(ton::kUnknown, "00442071234567", 0), span(), false);
  ASSERT_TRUE(intl.ok());
  EXPECT_EQ(intl->nai, 4);
  EXPECT_EQ(intl->digits.view(), "442071234567");
  auto nat = isup_called_from_dss1(number(ton::kUnknown, "030123456", 0), span(), false);
  ASSERT_TRUE(nat.ok());
  EXPECT_EQ(nat->nai, 3);
  EXPECT_EQ(nat->digits.view(), "30123456");
  auto local = isup_called_from_dss1(number(ton::kUnknown, "123456", 0), span(), false);
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->nai, 2);
  EXPECT_EQ(local->digits.view(), "123456");
}

TEST(Dss1Numbers, StarAndHashOnlyWhereThePlanAllowsThem) {
  EXPECT_FALSE(isup_called_from_dss1(number(ton::kNational, "30*12#"), span(), false).ok());
  PriNumbering n = span();
  n.plan.allow_star_hash = true;
  auto r = isup_called_from_dss1(number(ton::kNational, "30*12#"), n, false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->digits.view(), "30B12C");  // codes 11 and 12 (Q.763 3.9 g)
  EXPECT_FALSE(isup_called_from_dss1(number(ton::kNational, ""), span(), false).ok());
}

TEST(Dss1Numbers, IsupCalledToDss1StIsSendingComplete) {
  isup::Number in;
  in.kind = isup::NumberKind::kCalled;
  in.nai = 4;
  in.npi = 1;
  in.digits.assign("442071234567F");
  Dss1Called c = dss1_called_from_isup(in);
  EXPECT_EQ(c.number.type, ton::kInternational);
  EXPECT_EQ(c.number.plan, 1);
  EXPECT_EQ(c.number.digits, "442071234567");
  EXPECT_TRUE(c.complete);
  in.digits.assign("4420");
  EXPECT_FALSE(dss1_called_from_isup(in).complete);
}

TEST(Dss1Calling, TrustedUserNumberIsVerifiedAndPassed) {
  auto m = decoded(kSetup);
  auto c = isup_calling_from_dss1(m.calling, span(true));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, isup::NumberKind::kCalling);
  EXPECT_EQ(c->nai, 3);
  EXPECT_EQ(c->npi, 1);
  EXPECT_EQ(c->apri, 0);       // presentation allowed
  EXPECT_EQ(c->screening, 1);  // user provided, verified and passed
  EXPECT_EQ(c->digits.view(), "4930123456");
}

TEST(Dss1Calling, PresentationRestrictedIsApriRestricted) {
  q931::PartyNumber p = number(ton::kNational, "30123456");
  p.presentation = 1;
  p.screening = 0;
  auto c = isup_calling_from_dss1(p, span(true));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->apri, 1);
  EXPECT_EQ(c->screening, 1);
}

TEST(Dss1Calling, NoOctet3aMeansAllowedUserProvidedNotScreened) {
  // Q.931 4.5.10: octet 3a absent -> presentation allowed, user-provided not screened.
  auto c = isup_calling_from_dss1(number(ton::kNational, "30123456"), span(true));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->apri, 0);
  EXPECT_EQ(c->screening, 1);
}

TEST(Dss1Calling, UntrustedUserNumberGivesTheDefaultNetworkProvided) {
  PriNumbering n = span(false);
  n.default_calling = "3099990";
  q931::PartyNumber p = number(ton::kNational, "30123456");
  p.presentation = 1;
  p.screening = 0;
  auto c = isup_calling_from_dss1(p, n);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->digits.view(), "3099990");
  EXPECT_EQ(c->nai, 3);
  EXPECT_EQ(c->screening, 3);  // network provided
  EXPECT_EQ(c->apri, 1);       // the user's restriction still applies
}

TEST(Dss1Calling, NetworkProvidedIsKeptOnAnUntrustedSpan) {
  q931::PartyNumber p = number(ton::kInternational, "4930123456");
  p.presentation = 0;
  p.screening = 3;
  auto c = isup_calling_from_dss1(p, span(false));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->screening, 3);
  EXPECT_EQ(c->nai, 4);
}

TEST(Dss1Calling, NotAvailableWithoutDefault) {
  // Q.763 3.10 e: APRI 2 address not available, screening network provided, no digits.
  q931::PartyNumber p = number(ton::kNational, "30123456");
  p.screening = 0;
  auto c = isup_calling_from_dss1(p, span(false));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->apri, 2);
  EXPECT_EQ(c->screening, 3);
  EXPECT_EQ(c->digits.size, 0u);
  EXPECT_FALSE(isup_calling_from_dss1(std::nullopt, span(true)));
}

TEST(Dss1Calling, IsupToDss1IndicatorsUnchanged) {
  isup::Number in;
  in.kind = isup::NumberKind::kCalling;
  in.nai = 3;
  in.npi = 1;
  in.apri = 1;
  in.screening = 3;
  in.digits.assign("30123456");
  q931::PartyNumber p = dss1_calling_from_isup(in);
  EXPECT_EQ(p.type, ton::kNational);
  EXPECT_EQ(p.plan, 1);
  EXPECT_EQ(p.presentation, 1);
  EXPECT_EQ(p.screening, 3);
  EXPECT_EQ(p.digits, "30123456");
}

// ---------------------------------------------------------------- SIP identity and set-up

TEST(Dss1ToSip, SetupBecomesInviteWithPaiAndFrom) {
  auto m = decoded(kSetup);
  m.sending_complete = true;
  m.called->digits = "30999888";  // national numbers without the country code
  m.calling->digits = "30123456";
  auto f = invite_from_dss1(m, span(true), trunk());
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->request_uri, "sip:+4930999888@192.0.2.10;user=phone");  // national -> +CC (Q.1912.5)
  EXPECT_EQ(header(f->headers, "P-Asserted-Identity"), "<sip:+4930123456@192.0.2.10;user=phone>");
  EXPECT_NE(f->from.find("+4930123456"), std::string::npos);
  EXPECT_EQ(f->bearer, Bearer::kSpeech);
  ASSERT_FALSE(f->codecs.empty());
  EXPECT_EQ(f->codecs.front(), "PCMA");
}

TEST(Dss1ToSip, RestrictedCallingGivesPrivacyIdAndAnonymousFrom) {
  auto m = decoded(kSetup);
  m.calling->presentation = 1;
  auto f = invite_from_dss1(m, span(true), trunk());
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(header(f->headers, "Privacy"), "id");
  EXPECT_EQ(f->from, kAnonymousFrom);
}

TEST(Dss1ToSip, SetupErrorsAreCauses) {
  auto m = decoded(kSetup);
  m.bearer_capability.reset();
  EXPECT_EQ(invite_from_dss1(m, span(), trunk()).error(), 96);  // mandatory IE missing
  m = decoded(kSetup);
  m.bearer_capability->transfer_capability = 0x09;              // restricted digital
  EXPECT_EQ(invite_from_dss1(m, span(), trunk()).error(), 65);  // bearer capability not implemented
  m = decoded(kSetup);
  m.called->digits = "30A1";
  EXPECT_EQ(invite_from_dss1(m, span(), trunk()).error(), 28);  // invalid number format
}

TEST(SipToDss1, InviteBecomesSetup) {
  auto inv = invite("sip:+4930999888@192.0.2.10;user=phone", {"P-Asserted-Identity: <sip:+4930123456@192.0.2.1>"},
                    "application/sdp", kPcmaSdp);
  auto s = setup_from_sip(inv->m, trunk());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->type, q931::msg::kSetup);
  ASSERT_TRUE(s->called);
  EXPECT_EQ(s->called->type, ton::kNational);  // +49 is our country: national (Q.1912.5 / RFC 3398 7.2.1)
  EXPECT_EQ(s->called->digits, "30999888");
  EXPECT_TRUE(s->sending_complete);  // en bloc INVITE: ST -> sending complete
  ASSERT_TRUE(s->calling);
  EXPECT_EQ(s->calling->screening, 3);  // network provided (trusted PAI)
  EXPECT_EQ(s->calling->presentation, 0);
  EXPECT_EQ(s->calling->digits, "30123456");
  // The SIP side is not ISDN: "call is not end-to-end ISDN" (interworking encountered).
  EXPECT_EQ(descriptions(*s), (std::vector<std::uint8_t>{progress::kNotEndToEndIsdn, progress::kOriginationNonIsdn}));
  ASSERT_TRUE(s->bearer_capability);
  EXPECT_EQ(s->bearer_capability->transfer_capability, itc::kAudio31);  // Q.1912.5 default 3.1 kHz
  EXPECT_EQ(s->bearer_capability->layer1, 3);                           // A-law
  auto bytes = q931::encode(*s);
  EXPECT_TRUE(bytes.ok());
}

TEST(SipToDss1, PrivacyIdGivesPresentationRestricted) {
  auto inv = invite("sip:+4930999888@192.0.2.10;user=phone",
                    {"P-Asserted-Identity: <sip:+4930123456@192.0.2.1>", "Privacy: id"}, "application/sdp", kPcmaSdp);
  auto s = setup_from_sip(inv->m, trunk());
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s->calling);
  EXPECT_EQ(s->calling->presentation, 1);
}

TEST(SipToDss1, ClearmodeOfferIsUnrestrictedDigital) {
  auto inv = invite("sip:+4930999888@192.0.2.10;user=phone", {}, "application/sdp",
                    testing_support::sdp("m=audio 4000 RTP/AVP 97\r\na=rtpmap:97 CLEARMODE/8000\r\n"));
  auto s = setup_from_sip(inv->m, trunk());
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s->bearer_capability);
  EXPECT_EQ(s->bearer_capability->transfer_capability, itc::kUnrestrictedDigital);
  EXPECT_FALSE(s->bearer_capability->layer1);
}

// ---------------------------------------------------------------- bearer

TEST(Dss1Bearer, CapabilityRows) {
  // Q.931 4.5.5 octet 3 information transfer capability, octet 4 circuit mode 64 kbit/s.
  const std::pair<std::string_view, std::optional<Bearer>> rows[] = {
      {"80 90 a3", Bearer::kSpeech},   // speech, G.711 A-law
      {"80 90 a2", Bearer::kSpeech},   // speech, G.711 mu-law
      {"90 90 a3", Bearer::kAudio31},  // 3.1 kHz audio
      {"88 90", Bearer::kUdi64},       // unrestricted digital information
      {"89 90", std::nullopt},         // restricted digital: cause 65
      {"88 98 81", std::nullopt},      // multirate: cause 65
      {"88 a0", std::nullopt},         // packet mode: cause 65
  };
  for (auto [h, want] : rows) {
    auto b = from_hex(h);
    ASSERT_TRUE(b);
    q931::BearerCapability bc;
    ASSERT_TRUE(q931::ies::parse(*b, bc)) << h;
    EXPECT_EQ(bearer_from_bc(bc), want) << h;
  }
}

TEST(Dss1Bearer, UsiIsTheCapabilityContents) {
  // Q.763 3.57: USI = the bearer capability IE from octet 3; the same octets
  // interworking.h's usi_for() sends for SIP calls.
  for (Bearer b : {Bearer::kSpeech, Bearer::kAudio31, Bearer::kUdi64})
    for (bool a_law : {true, false}) EXPECT_EQ(usi_from_bc(bc_for(b, a_law)), usi_for(b, a_law)) << to_string(b);
  EXPECT_EQ(to_hex(usi_from_bc(bc_for(Bearer::kSpeech, true))), to_hex(*from_hex("80 90 a3")));
  EXPECT_EQ(to_hex(usi_from_bc(bc_for(Bearer::kUdi64, true))), to_hex(*from_hex("88 90")));
}

TEST(Dss1Bearer, TmrFromTheSetup) {
  // Q.763 3.54: speech 0, 64 kbit/s unrestricted 2, 3.1 kHz audio 3.
  const std::pair<std::string_view, std::uint8_t> rows[] = {{"80 90 a3", 0}, {"88 90", 2}, {"90 90 a3", 3}};
  for (auto [h, tmr] : rows) {
    auto m = decoded(kSetup);
    m.bearer_capability = q931::BearerCapability{};
    ASSERT_TRUE(q931::ies::parse(*from_hex(h), *m.bearer_capability));
    auto req = iam_from_setup(m, span());
    ASSERT_TRUE(req.ok()) << h;
    EXPECT_EQ(req->transmission_medium, tmr) << h;
    EXPECT_EQ(to_hex(req->user_service_information), to_hex(*from_hex(h)));
  }
}

TEST(Dss1Bearer, IsupToCapabilityUsiFirstThenTmr) {
  auto usi = *from_hex("90 90 a2");
  EXPECT_EQ(bc_from_isup(usi, 0, true).transfer_capability, itc::kAudio31);  // USI wins over TMR
  EXPECT_EQ(bc_from_isup({}, 0, true).transfer_capability, itc::kSpeech);
  EXPECT_EQ(bc_from_isup({}, 2, true).transfer_capability, itc::kUnrestrictedDigital);
  EXPECT_EQ(bc_from_isup({}, 3, false).transfer_capability, itc::kAudio31);
  EXPECT_EQ(bc_from_isup({}, 3, false).layer1, 2);  // mu-law
}

TEST(Dss1Bearer, SdpCodecsFromTheCapability) {
  // mapping.md 4: speech / 3.1 kHz -> PCMA/PCMU (law first), UDI -> CLEARMODE only.
  EXPECT_EQ(codecs_for(*bearer_from_bc(bc_for(Bearer::kUdi64, true)), true), std::vector<std::string>{"CLEARMODE"});
  auto speech = codecs_for(*bearer_from_bc(bc_for(Bearer::kSpeech, false)), false);
  ASSERT_FALSE(speech.empty());
  EXPECT_EQ(speech.front(), "PCMU");
}

// ---------------------------------------------------------------- forward progress

TEST(Dss1Forward, IsdnOriginAllTheWay) {
  auto req = iam_from_setup(decoded(kSetup), span());
  ASSERT_TRUE(req.ok());
  EXPECT_TRUE(req->forward.isdn_access);  // originating access ISDN
  EXPECT_FALSE(req->forward.interworking);
  EXPECT_TRUE(req->forward.isup_all_the_way);
}

TEST(Dss1Forward, Unconfirmed_OriginationNonIsdnIsNonIsdnAccessAndInterworking) {
  auto m = decoded(kSetup);
  m.progress.push_back(pi(progress::kOriginationNonIsdn));
  auto req = iam_from_setup(m, span());
  ASSERT_TRUE(req.ok());
  EXPECT_FALSE(req->forward.isdn_access);
  EXPECT_TRUE(req->forward.interworking);
  EXPECT_FALSE(req->forward.isup_all_the_way);
}

TEST(Dss1Forward, Unconfirmed_NotEndToEndIsdnIsInterworking) {
  auto m = decoded(kSetup);
  m.progress.push_back(pi(progress::kNotEndToEndIsdn));
  auto req = iam_from_setup(m, span());
  ASSERT_TRUE(req.ok());
  EXPECT_TRUE(req->forward.isdn_access);
  EXPECT_TRUE(req->forward.interworking);
}

TEST(Dss1Forward, Unconfirmed_IamIndicatorsToSetupProgress) {
  isup::Number called;
  called.nai = 3;
  called.npi = 1;
  called.digits.assign("30123F");
  isup::ForwardCallIndicators all_isdn;
  all_isdn.isup_all_the_way = true;
  all_isdn.isdn_access = true;
  auto s = setup_from_isup(called, std::nullopt, 3, {}, all_isdn, true);
  EXPECT_TRUE(s.progress.empty());
  EXPECT_TRUE(s.sending_complete);
  isup::ForwardCallIndicators iw = all_isdn;
  iw.interworking = true;
  EXPECT_EQ(descriptions(setup_from_isup(called, std::nullopt, 3, {}, iw, true)),
            std::vector<std::uint8_t>{progress::kNotEndToEndIsdn});
  isup::ForwardCallIndicators non_isdn = all_isdn;
  non_isdn.isdn_access = false;
  EXPECT_EQ(descriptions(setup_from_isup(called, std::nullopt, 3, {}, non_isdn, true)),
            std::vector<std::uint8_t>{progress::kOriginationNonIsdn});
}

// ---------------------------------------------------------------- backward progress

q931::Message msg(std::uint8_t type, std::vector<std::uint8_t> pis = {}) {
  q931::Message m;
  m.type = type;
  for (auto d : pis) m.progress.push_back(pi(d));
  return m;
}

TEST(Dss1Backward, AlertingIsAcmSubscriberFreeAnd180) {
  auto b = isup_backward_from_dss1(msg(q931::msg::kAlerting), false);
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->indication.alerting);
  EXPECT_EQ(b->indication.event, 0);
  EXPECT_FALSE(b->indication.inband);
  EXPECT_EQ(b->bci.called_status, 1);
  EXPECT_TRUE(b->bci.isdn_access);
  auto p = provisional_from_dss1(msg(q931::msg::kAlerting), trunk());
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, 180);
  EXPECT_FALSE(p->early_media);
}

TEST(Dss1Backward, AlertingWithInbandIs180WithEarlyMedia) {
  auto p = provisional_from_dss1(msg(q931::msg::kAlerting, {progress::kInbandAvailable}), trunk());
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, 180);
  EXPECT_TRUE(p->early_media);
}

TEST(Dss1Backward, ProgressRows) {
  // #1 not end-to-end ISDN, #2 destination non-ISDN, #8 in-band: tones on the B channel -> 183 + SDP.
  for (std::uint8_t d : {progress::kNotEndToEndIsdn, progress::kDestinationNonIsdn, progress::kInbandAvailable}) {
    auto p = provisional_from_dss1(msg(q931::msg::kProgress, {d}), trunk());
    ASSERT_TRUE(p) << int(d);
    EXPECT_EQ(p->status, 183) << int(d);
    EXPECT_TRUE(p->early_media) << int(d);
  }
  auto returned = provisional_from_dss1(msg(q931::msg::kProgress, {progress::kReturnedToIsdn}), trunk());
  ASSERT_TRUE(returned);
  EXPECT_EQ(returned->status, 183);
  EXPECT_FALSE(returned->early_media);
  EXPECT_FALSE(provisional_from_dss1(msg(q931::msg::kCallProceeding), trunk()));
}

TEST(Dss1Backward, Unconfirmed_ProgressIndicatorsToBackwardCallIndicators) {
  auto one = isup_backward_from_dss1(msg(q931::msg::kProgress, {progress::kNotEndToEndIsdn}), false);
  ASSERT_TRUE(one);
  EXPECT_TRUE(one->bci.interworking);
  EXPECT_FALSE(one->bci.isup_all_the_way);
  EXPECT_EQ(one->bci.called_status, 0);  // no indication
  auto two = isup_backward_from_dss1(msg(q931::msg::kProgress, {progress::kDestinationNonIsdn}), false);
  ASSERT_TRUE(two);
  EXPECT_FALSE(two->bci.isdn_access);  // terminating access non-ISDN
}

TEST(Dss1Backward, AfterAcmTheyAreCpgEvents) {
  // Q.763 3.21 event: 1 alerting, 2 progress, 3 in-band information available.
  EXPECT_EQ(isup_backward_from_dss1(msg(q931::msg::kAlerting), true)->indication.event, 1);
  EXPECT_EQ(isup_backward_from_dss1(msg(q931::msg::kProgress, {progress::kReturnedToIsdn}), true)->indication.event, 2);
  EXPECT_EQ(isup_backward_from_dss1(msg(q931::msg::kProgress, {progress::kInbandAvailable}), true)->indication.event,
            3);
}

TEST(IsupToDss1Backward, Unconfirmed_AcmRows) {
  isup::BackwardCallIndicators isdn;
  isdn.called_status = 1;
  isdn.isup_all_the_way = true;
  isdn.isdn_access = true;
  isup::BackwardIndication free;
  free.alerting = true;
  auto a = dss1_backward_from_isup(free, &isdn);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->type, q931::msg::kAlerting);
  EXPECT_TRUE(a->progress.empty());

  isup::BackwardCallIndicators iw = isdn;
  iw.interworking = true;
  isup::BackwardIndication free_inband = free;
  free_inband.inband = true;
  auto b = dss1_backward_from_isup(free_inband, &iw);
  ASSERT_TRUE(b);
  EXPECT_EQ(descriptions(*b), (std::vector<std::uint8_t>{progress::kNotEndToEndIsdn, progress::kInbandAvailable}));

  isup::BackwardCallIndicators non_isdn = isdn;
  non_isdn.isdn_access = false;
  non_isdn.called_status = 0;
  auto c = dss1_backward_from_isup(isup::BackwardIndication{}, &non_isdn);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->type, q931::msg::kProgress);
  EXPECT_EQ(descriptions(*c), std::vector<std::uint8_t>{progress::kDestinationNonIsdn});

  isdn.called_status = 0;  // ACM no indication, all ISDN: CALL PROCEEDING already said it
  EXPECT_FALSE(dss1_backward_from_isup(isup::BackwardIndication{}, &isdn));
}

TEST(IsupToDss1Backward, CpgInbandIsProgress8) {
  isup::BackwardIndication cpg;
  cpg.event = 3;
  auto m = dss1_backward_from_isup(cpg, nullptr);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, q931::msg::kProgress);
  EXPECT_EQ(descriptions(*m), std::vector<std::uint8_t>{progress::kInbandAvailable});
  cpg.event = 1;
  EXPECT_EQ(dss1_backward_from_isup(cpg, nullptr)->type, q931::msg::kAlerting);
}

TEST(SipToDss1Backward, OurChoice_ProvisionalRows) {
  auto ringing = response(180);
  auto a = dss1_backward_from_sip(ringing->m, trunk());
  ASSERT_TRUE(a);
  EXPECT_EQ(a->type, q931::msg::kAlerting);
  EXPECT_TRUE(a->progress.empty());  // no #1: the PBX plays its own ringback
  auto ringing_sdp = response(180, {}, "application/sdp", kPcmaSdp);
  auto b = dss1_backward_from_sip(ringing_sdp->m, trunk());
  ASSERT_TRUE(b);
  EXPECT_EQ(descriptions(*b), std::vector<std::uint8_t>{progress::kInbandAvailable});
  auto progress_sdp = response(183, {}, "application/sdp", kPcmaSdp);
  auto c = dss1_backward_from_sip(progress_sdp->m, trunk());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->type, q931::msg::kProgress);
  EXPECT_EQ(descriptions(*c), std::vector<std::uint8_t>{progress::kInbandAvailable});
  auto progress_bare = response(183);
  EXPECT_FALSE(dss1_backward_from_sip(progress_bare->m, trunk()));
  auto trying = response(100);
  EXPECT_FALSE(dss1_backward_from_sip(trying->m, trunk()));
}

// ---------------------------------------------------------------- causes

q931::Cause cause(std::uint8_t value, std::uint8_t location) {
  q931::Cause c;
  c.value = value;
  c.location = location;
  return c;
}

TEST(Dss1Cause, ToSipThroughTheQ850Table) {
  // mapping.md 2.1 (RFC 3398 8.2.6.1) rows, reached from a DSS1 cause IE.
  const std::pair<std::uint8_t, int> rows[] = {{1, 404}, {17, 486}, {18, 408}, {19, 480}, {34, 503}, {28, 484}};
  for (auto [v, status] : rows)
    EXPECT_EQ(sip_status_for_dss1_cause({cause(v, 2)}, CauseTable::kRfc3398), status) << int(v);
  for (auto [v, status] : rows)
    EXPECT_EQ(sip_status_for_dss1_cause({cause(v, 2)}, CauseTable::kQ1912_5), sip_status_for_cause(v)) << int(v);
  EXPECT_EQ(sip_status_for_dss1_cause({cause(21, 0)}, CauseTable::kQ1912_5), 603);  // rejected by the user
  EXPECT_EQ(sip_status_for_dss1_cause({cause(21, 2)}, CauseTable::kQ1912_5), 403);
  EXPECT_EQ(sip_status_for_dss1_cause({}, CauseTable::kQ1912_5), sip_status_for_cause(31));  // OurChoice
}

TEST(Dss1Cause, FromSipThroughTheQ850Table) {
  const std::pair<int, std::uint8_t> rows[] = {{404, 1}, {486, 17}, {600, 17}, {603, 21}, {410, 22}, {484, 28}};
  for (auto [status, v] : rows) {
    q931::Cause c = dss1_cause_for_sip_status(status, CauseTable::kRfc3398);
    EXPECT_EQ(c.value, v) << status;
    EXPECT_EQ(c.location, kLocationBeyondInterworking) << status;
    EXPECT_EQ(c.value, cause_for_sip_status(status, CauseTable::kRfc3398)) << status;
  }
  EXPECT_EQ(dss1_cause_for_sip_status(487, CauseTable::kQ1912_5).value, 16);  // OurChoice: own CANCEL
}

TEST(Dss1Cause, IsupAndDss1CarryTheSameQ850Cause) {
  q931::Cause c = dss1_cause_from_isup(17, 4);
  EXPECT_EQ(c.value, 17);
  EXPECT_EQ(c.location, 4);  // public network serving the remote user
  EXPECT_EQ(isup_cause_from_dss1({c}), 17);
  EXPECT_EQ(isup_cause_from_dss1({}), 31);  // OurChoice
}

// ---------------------------------------------------------------- overlap

TEST(Dss1Overlap, InformationDigitsBecomeSamAndTheNextInvite) {
  // Q.931 5.1.3 overlap sending: SETUP without sending complete, INFORMATION per digit.
  auto setup = decoded(kSetup);
  setup.called->digits = "4930";
  auto first = invite_from_dss1(setup, span(), trunk());
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->request_uri, "sip:+494930@192.0.2.10;user=phone");

  // INFORMATION: 70 03 81 31 32 ("12", type unknown), then a1 (sending complete).
  auto info = decoded("08 02 00 05 7b 70 03 81 31 32");
  auto last = decoded("08 02 00 05 7b a1 70 02 81 33");
  q931::PartyNumber so_far = *setup.called;
  EXPECT_FALSE(append_information(so_far, info));
  EXPECT_EQ(sam_from_information(info).digits.view(), "12");
  EXPECT_TRUE(append_information(so_far, last));
  EXPECT_EQ(so_far.digits, "4930123");
  EXPECT_EQ(so_far.type, ton::kNational);                     // the SETUP's type and plan
  EXPECT_EQ(sam_from_information(last).digits.view(), "3F");  // ST: sending complete (Q.699)
  EXPECT_EQ(sam_from_information(last).kind, isup::NumberKind::kSubsequent);

  auto next = invite_with_more_dss1_digits(*first, so_far, span(), trunk());
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->request_uri, "sip:+494930123@192.0.2.10;user=phone");  // RFC 3578: every digit so far
  EXPECT_EQ(next->from, first->from);
}

TEST(Dss1Overlap, SamAndRfc3578DigitsBecomeInformation) {
  isup::Number sam;
  sam.kind = isup::NumberKind::kSubsequent;
  sam.digits.assign("45F");
  auto m = information_from_digits(sam, number(ton::kNational, "30123"));
  EXPECT_EQ(m.type, q931::msg::kInformation);
  ASSERT_TRUE(m.called);
  EXPECT_EQ(m.called->digits, "45");
  EXPECT_EQ(m.called->type, ton::kNational);
  EXPECT_TRUE(m.sending_complete);  // Q.931 5.2.4: ST -> sending complete
  EXPECT_TRUE(q931::encode(m).ok());

  // RFC 3578: a second INVITE with a longer Request-URI; overlap_digits() gives the new digits.
  auto inv2 = invite("sip:+49301234567@192.0.2.10;user=phone");
  isup::Number previous;
  previous.nai = 3;
  previous.npi = 1;
  previous.digits.assign("30123");
  auto more = overlap_digits(previous, inv2->m, trunk());
  ASSERT_TRUE(more.ok());
  auto info = information_from_digits(*more, number(ton::kNational, "30123"));
  ASSERT_TRUE(info.called);
  EXPECT_EQ(info.called->digits, "4567");
  EXPECT_FALSE(info.sending_complete);  // SIP never says the number is complete
}

}  // namespace
}  // namespace isupgw::mapping
