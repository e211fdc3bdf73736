// SIP-I / SIP-T transparency in call control (Q.1912.5 profile C, RFC 3372 2):
// the backward messages, RELs and mid-call messages call control sends are
// rebuilt on the message the SIP peer encapsulated; what it receives reaches
// the user whole. Bodies are RFC 3204 form (from the message type octet).
#include "isup/message_basis.h"

#include "base/hex.h"
#include "isup_cc_test_util.h"

namespace isupgw::isup {
namespace {

using testing::CcFixture;

// An RFC 3204 body, decoded (the bytes outlive the views).
struct Body {
  explicit Body(std::string_view hex) : bytes(*from_hex(hex)) {
    DecodeOptions opt;
    opt.form = Form::kBody;
    auto m = decode(bytes, Variant::kItu, opt);
    EXPECT_TRUE(m) << hex;
    if (m) msg = *m;
  }
  std::vector<std::uint8_t> bytes;
  Message msg;
};

std::string hex_of(const Param* p) { return p ? to_hex(p->value) : "absent"; }

std::vector<std::uint8_t> body_of(const Message& m) {
  Message copy = m;
  copy.cic = 0;
  auto r = encode(copy, Variant::kItu, Form::kBody);
  return r ? *r : std::vector<std::uint8_t>{};
}

// The peer's ACM: charge "no charge", subscriber free, called party payphone
// (BCI 25 04), in-band information (OBCI 01).
constexpr std::string_view kAcmBody = "06 25 04 01 29 01 01 00";
// The peer's ANM: BCI 25 04 (optional) and connected number 4935555999
// (international, E.164, presentation allowed, network provided).
constexpr std::string_view kAnmBody = "09 01 11 02 25 04 21 07 04 13 94 53 55 95 99 00";

TEST(Rebase, MandatoryFromTheBasisThenItsOptionalPartThenOwnExtras) {
  Body basis(kAcmBody);
  MessageBuilder own(msg::kAcm, 7);
  const std::uint8_t bci[] = {0x16, 0x14};  // charge, subscriber free, ordinary; interworking
  const std::uint8_t echo[] = {0x01};
  own.fixed(par::kBackwardCallIndicators, bci).optional(par::kAccessTransport, echo);
  MessageBuilder out(msg::kAcm, 7);
  rebase(out, own.message(), basis.msg);
  const Message& m = out.message();
  EXPECT_EQ(m.cic, 7);
  EXPECT_EQ(hex_of(m.find(par::kBackwardCallIndicators)), "2504");
  ASSERT_EQ(m.optional.size(), 2u);
  EXPECT_EQ(m.optional[0].code, par::kOptionalBackwardCallIndicators);
  EXPECT_EQ(m.optional[1].code, par::kAccessTransport);
}

TEST(Rebase, AnOptionalBciBecomesTheFixedOneOfACon) {
  Body basis(kAnmBody);
  MessageBuilder own(msg::kCon, 3);
  const std::uint8_t bci[] = {0x16, 0x14};
  own.fixed(par::kBackwardCallIndicators, bci);
  MessageBuilder out(msg::kCon, 3);
  rebase(out, own.message(), basis.msg);
  const Message& m = out.message();
  ASSERT_EQ(m.fixed.size(), 1u);
  EXPECT_EQ(to_hex(m.fixed[0].value), "2504");
  ASSERT_EQ(m.optional.size(), 1u);  // the BCI is not repeated in the optional part
  EXPECT_EQ(m.optional[0].code, par::kConnectedNumber);
  EXPECT_EQ(to_hex(m.optional[0].value), "04139453559599");
}

TEST(Rebase, MandatoryOnlyKeepsOwnOptionalPart) {
  Body basis(kAnmBody);
  MessageBuilder own(msg::kAcm, 3);
  const std::uint8_t bci[] = {0x16, 0x14};
  own.fixed(par::kBackwardCallIndicators, bci);
  MessageBuilder out(msg::kAcm, 3);
  rebase(out, own.message(), basis.msg, false);
  EXPECT_EQ(to_hex(out.message().fixed[0].value), "2504");
  EXPECT_TRUE(out.message().optional.empty());
}

class BasisCallTest : public CcFixture {
 protected:
  // An incoming call on CIC 2; returns its id.
  CallId incoming() {
    peer_iam(2, "1234F");
    EXPECT_EQ(user.pop(), "setup:1234F");
    return user.last_call;
  }
};

TEST_F(BasisCallTest, AcmFromAnEncapsulatedAcmKeepsItsIndicators) {
  make();
  const CallId id = incoming();
  Body acm(kAcmBody);
  ASSERT_TRUE(cc->alert(id, false, &acm.msg));
  Message out = expect(msg::kAcm, 2);
  EXPECT_EQ(to_hex(body_of(out)), "0625040129010100");
}

TEST_F(BasisCallTest, AnmAndConFromAnEncapsulatedAnm) {
  make();
  CallId id = incoming();
  Body anm(kAnmBody);
  // No ACM sent yet: the 200's ANM becomes a CON whose BCI is the ANM's.
  ASSERT_TRUE(cc->answer(id, &anm.msg));
  Message con = expect(msg::kCon, 2);
  EXPECT_EQ(hex_of(con.fixed.empty() ? nullptr : &con.fixed[0]), "2504");
  EXPECT_EQ(hex_of(con.find(par::kConnectedNumber)), "04139453559599");
  ASSERT_TRUE(cc->release(id, 16));
  expect(msg::kRel, 2);
  inject_simple(msg::kRlc, 2);

  // After an ACM: the ANM goes as the peer sent it.
  peer_iam(4, "1234F");
  user.pop();
  id = user.last_call;
  ASSERT_TRUE(cc->alert(id));
  expect(msg::kAcm, 4);
  ASSERT_TRUE(cc->answer(id, &anm.msg));
  EXPECT_EQ(to_hex(body_of(expect(msg::kAnm, 4))), to_hex(anm.bytes));
}

TEST_F(BasisCallTest, CpgFromAnEncapsulatedCpgAfterAcm) {
  make();
  const CallId id = incoming();
  ASSERT_TRUE(cc->alert(id));
  expect(msg::kAcm, 2);
  Body cpg("2c 01 01 29 01 01 00");  // ALERTING, in-band information available
  ASSERT_TRUE(cc->progress(id, 1, true, &cpg.msg));
  EXPECT_EQ(to_hex(body_of(expect(msg::kCpg, 2))),
            "2c0101290101"
            "00");
}

TEST_F(BasisCallTest, RelFromAnEncapsulatedRelKeepsCauseOctetsAndDiagnostics) {
  make();
  const CallId id = incoming();
  Body rel("0c 02 00 03 82 91 17");  // location LN, cause 17 user busy, diagnostic 17
  ASSERT_TRUE(cc->release(id, 17, 2, &rel.msg));
  Message out = expect(msg::kRel, 2);
  EXPECT_EQ(hex_of(out.find(par::kCauseIndicators)), "829117");
}

TEST_F(BasisCallTest, ForwardedMidCallMessages) {
  make();
  const CallId id = incoming();
  Body usr("2d 02 00 03 aa bb cc");
  // Q.764: no USR before the call exists on the circuit; SUS only once answered.
  Body sus("0d 00 00");
  EXPECT_EQ(cc->forward(id, sus.msg).error(), CcError::kWrongState);
  ASSERT_TRUE(cc->alert(id));
  expect(msg::kAcm, 2);
  ASSERT_TRUE(cc->answer(id));
  expect(msg::kAnm, 2);

  ASSERT_TRUE(cc->forward(id, usr.msg));
  EXPECT_EQ(to_hex(body_of(expect(msg::kUsr, 2))), to_hex(usr.bytes));
  Body fac("33 01 32 02 91 00 00");
  ASSERT_TRUE(cc->forward(id, fac.msg));
  EXPECT_EQ(to_hex(body_of(expect(msg::kFac, 2))), to_hex(fac.bytes));
  Body cpg("2c 02 00");  // PROGRESS
  ASSERT_TRUE(cc->forward(id, cpg.msg));
  EXPECT_EQ(to_hex(body_of(expect(msg::kCpg, 2))), "2c0200");
  ASSERT_TRUE(cc->forward(id, sus.msg));
  EXPECT_EQ(to_hex(body_of(expect(msg::kSus, 2))), "0d0000");
  Body res("0e 00 00");
  ASSERT_TRUE(cc->forward(id, res.msg));
  EXPECT_EQ(to_hex(body_of(expect(msg::kRes, 2))), "0e0000");
  // An IAM or an ANM is no mid-call message.
  Body anm(kAnmBody);
  EXPECT_EQ(cc->forward(id, anm.msg).error(), CcError::kNotForwardable);
  expect_nothing();
}

TEST_F(BasisCallTest, TheUserGetsTheReceivedMessagesWhole) {
  make();
  const CallId id = setup_call();
  expect(msg::kIam, 1);
  MessageBuilder con(msg::kCon, 1);
  BackwardCallIndicators bci;
  bci.called_status = 1;
  con.fixed(par::kBackwardCallIndicators, bci);
  inject(con);
  EXPECT_EQ(user.pop(), "answer");
  EXPECT_EQ(user.last_answer_type, msg::kCon);
  (void)id;
  MessageBuilder rel(msg::kRel, 1);
  CauseIndicators ci;
  ci.location = 0;  // user
  ci.value = 21;
  rel.variable(par::kCauseIndicators, ci);
  inject(rel);
  EXPECT_EQ(user.pop(), "release:21");
  EXPECT_EQ(user.last_location, 0);
  EXPECT_TRUE(user.last_rel_received);
  expect(msg::kRlc, 1);
}

}  // namespace
}  // namespace isupgw::isup
