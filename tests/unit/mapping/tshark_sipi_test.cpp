// SIP-I / SIP-T messages built from the mapping's outputs, checked by tshark:
// application/ISUP inside SIP (RFC 3204) must decode with nothing malformed.
#include <gtest/gtest.h>

#include "isup/builder.h"
#include "isup/codes.h"
#include "mapping/interworking.h"
#include "sip/serializer.h"
#include "tests/support/tshark_oracle.h"
#include "tests/unit/mapping/sip_fixture.h"

namespace isupgw::mapping {
namespace {

void dialog(sip::OutMessage& m, const std::string& cseq) {
  m.add(sip::HeaderId::kVia, "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-sipi1")
      .add(sip::HeaderId::kFrom, "<sip:+4930111@192.0.2.10;user=phone>;tag=f1")
      .add(sip::HeaderId::kTo, "<sip:+4930222@192.0.2.10;user=phone>;tag=t1")
      .add(sip::HeaderId::kCallId, "sipi-1@192.0.2.10")
      .add(sip::HeaderId::kCSeq, cseq);
}

void attach(sip::OutMessage& m, const sip::Body& body, const SipProfile& p) {
  for (auto& [n, v] : body_headers(body, p)) m.add(n, v);
  m.set_body(body.content_type, body.content);
}

std::vector<std::uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

TEST(TsharkSipI, BodiesDecodeAsIsup) {
  if (!tshark::available()) GTEST_FAIL() << "tshark not installed (scripts/setup.sh installs it)";
  SipProfile p;
  p.kind = SipProfile::kSipI;
  p.host = "192.0.2.10";

  // IAM -> INVITE with SDP + ISUP.
  isup::Number called;
  called.kind = isup::NumberKind::kCalled;
  called.nai = 3;
  called.npi = 1;
  called.digits.assign("30222F");
  isup::Number calling = called;
  calling.kind = isup::NumberKind::kCalling;
  calling.screening = 3;
  calling.digits.assign("301234567");
  isup::Number ocn = called;
  ocn.kind = isup::NumberKind::kRedirecting;
  ocn.digits.assign("30999");
  isup::MessageBuilder iam(isup::msg::kIam, 5);
  iam.fixed(isup::par::kNatureOfConnectionIndicators, std::vector<std::uint8_t>{0x00})
      .fixed(isup::par::kForwardCallIndicators, std::vector<std::uint8_t>{0x60, 0x01})
      .fixed(isup::par::kCallingPartysCategory, std::vector<std::uint8_t>{0x0a})
      .fixed(isup::par::kTransmissionMediumRequirement, std::vector<std::uint8_t>{0x03})
      .variable(isup::par::kCalledPartyNumber, called)
      .optional(isup::par::kCallingPartyNumber, calling)
      .optional(isup::par::kOriginalCalledNumber, ocn)
      .optional(isup::par::kRedirectionInformation, std::vector<std::uint8_t>{0x33, 0x11})
      .optional(isup::par::kHopCounter, std::vector<std::uint8_t>{0x14});
  isup::IncomingSetup setup;
  setup.called = called;
  setup.calling = calling;
  setup.iam = &iam.message();
  InviteFields f = invite_from_setup(setup, p);
  auto invite = sip::OutMessage::request("INVITE", f.request_uri);
  invite.add(sip::HeaderId::kVia, "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-sipi0")
      .add(sip::HeaderId::kFrom, f.from + ";tag=f1")
      .add(sip::HeaderId::kTo, f.to)
      .add(sip::HeaderId::kCallId, "sipi-1@192.0.2.10")
      .add(sip::HeaderId::kCSeq, "1 INVITE")
      .add(sip::HeaderId::kContact, "<sip:gw@192.0.2.10>");
  for (auto& [n, v] : f.headers) invite.add(n, v);
  attach(invite, make_body(testing_support::kPcmaSdp, f.isup, p), p);

  // ACM -> 180 with ISUP; REL -> 486 with ISUP; USR -> INFO with a lone ISUP body; REL in BYE.
  isup::MessageBuilder acm(isup::msg::kAcm, 5);
  acm.fixed(isup::par::kBackwardCallIndicators, std::vector<std::uint8_t>{0x16, 0x14});
  isup::BackwardIndication ind;
  ind.alerting = true;
  ind.msg = &acm.message();
  ProvisionalFields pf = provisional_from_backward(ind, false, p);
  auto ringing = sip::OutMessage::response(pf.status);
  dialog(ringing, "1 INVITE");
  attach(ringing, make_body(std::nullopt, pf.isup, p), p);

  FinalResponse fr = response_for_release(17, p);
  auto busy = sip::OutMessage::response(fr.status);
  dialog(busy, "1 INVITE");
  for (auto& [n, v] : fr.headers) busy.add(n, v);
  attach(busy, make_body(std::nullopt, fr.isup, p), p);

  isup::MessageBuilder usr(isup::msg::kUsr, 5);
  usr.variable(isup::par::kUserToUserInformation, std::vector<std::uint8_t>{0x04, 0x41});
  auto info = sip::OutMessage::request("INFO", "sip:gw@192.0.2.1");
  dialog(info, "2 INFO");
  info.add(sip::HeaderId::kMaxForwards, "70");
  attach(info, *info_for_isup(usr.message(), p), p);

  auto bye = sip::OutMessage::request("BYE", "sip:gw@192.0.2.1");
  dialog(bye, "3 BYE");
  bye.add(sip::HeaderId::kMaxForwards, "70");
  ByeFields bf = bye_for_release(16, p);  // Reason + Content-Disposition, REL body
  for (auto& [n, v] : bf.headers) bye.add(n, v);
  bye.set_body(bf.body.content_type, bf.body.content);

  const std::vector<std::pair<std::string, std::string>> cases = {
      {invite.serialize(), "1"}, {ringing.serialize(), "6"}, {busy.serialize(), "12"},
      {info.serialize(), "45"},  {bye.serialize(), "12"},
  };
  std::vector<std::vector<std::uint8_t>> payloads;
  for (const auto& c : cases) payloads.push_back(bytes(c.first));
  auto d = tshark::dissect_many(payloads, tshark::Wrap::kSipUdp);
  ASSERT_EQ(d.size(), cases.size());
  for (std::size_t i = 0; i < d.size(); ++i) {
    ASSERT_TRUE(d[i].ok()) << d[i].error;
    EXPECT_FALSE(d[i].malformed) << i << ": " << d[i].problems() << "\n" << cases[i].first;
    // tshark's SIP dissector also shows the whole binary body as a string and
    // notes "Trailing stray characters" after its first NUL octet: not a fault.
    for (const auto& e : d[i].expert)
      EXPECT_NE(e.find("Trailing stray characters"), std::string::npos) << i << ": " << e;
    EXPECT_EQ(d[i].first("isup.message_type"), cases[i].second) << i << "\n" << d[i].dump();
  }
  // The IAM's numbers, as tshark reads them.
  EXPECT_EQ(d[0].first("isup.called"), "30222F");  // ST shown as F
  EXPECT_EQ(d[0].first("isup.calling"), "301234567");
  EXPECT_EQ(d[2].first("q850.cause_indicator").value_or(d[2].first("isup.cause_indicator").value_or("")), "17")
      << d[2].dump();
  EXPECT_EQ(d[4].first("q850.cause_indicator").value_or(d[4].first("isup.cause_indicator").value_or("")), "16")
      << d[4].dump();
}

}  // namespace
}  // namespace isupgw::mapping
