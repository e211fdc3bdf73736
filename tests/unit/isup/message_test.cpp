// Q.763 message format: hex in, decoded fields out, and back to the same hex.
#include "isup/message.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "base/hex.h"
#include "isup/builder.h"
#include "isup/codes.h"
#include "isup/number.h"
#include "isup/params.h"

namespace isupgw::isup {
namespace {

std::vector<std::uint8_t> hex(std::string_view h) { return *from_hex(h); }
std::string hex_of(std::span<const std::uint8_t> b) { return to_hex(b); }

// IAM CIC 1: NCI 00, FCI 2001, CPC 0a, TMR 00, called 12345678 (INN, E.164, national),
// optional: calling 0x0a (NAI 3, NPI 1, screening 3) 5551234, hop counter 0x3d, end.
constexpr std::string_view kIam =
    "0100 01 00 2001 0a 00 02 08 06 0390 2143 6587 "
    "0a 06 8313 5515 3204 3d 01 1f 00";

TEST(Message, DecodesIam) {
  auto bytes = hex(kIam);
  auto r = decode(bytes, Variant::kItu);
  ASSERT_TRUE(r.ok()) << to_string(r.error());
  const Message& m = *r;
  EXPECT_EQ(m.type, msg::kIam);
  EXPECT_EQ(m.cic, 1);
  ASSERT_EQ(m.fixed.size(), 4u);
  EXPECT_EQ(m.fixed[1].code, par::kForwardCallIndicators);
  EXPECT_EQ(hex_of(m.fixed[1].value), "2001");
  ASSERT_EQ(m.variable.size(), 1u);
  auto called = Number::decode(NumberKind::kCalled, m.variable[0].value);
  ASSERT_TRUE(called.ok());
  EXPECT_EQ(called->digits.view(), "12345678");
  EXPECT_EQ(called->nai, 3);
  EXPECT_TRUE(called->inn_ni);
  EXPECT_EQ(called->npi, 1);
  ASSERT_EQ(m.optional.size(), 2u);
  EXPECT_EQ(m.optional[0].code, par::kCallingPartyNumber);
  auto calling = Number::decode(NumberKind::kCalling, m.optional[0].value);
  ASSERT_TRUE(calling.ok());
  EXPECT_EQ(calling->digits.view(), "5551234");
  EXPECT_TRUE(calling->odd());
  EXPECT_EQ(calling->screening, 3);
  EXPECT_EQ(HopCounter::decode(m.optional[1].value)->value, 31);
  auto fci = ForwardCallIndicators::decode(m.fixed[1].value);
  EXPECT_TRUE(fci->isup_all_the_way);
  EXPECT_TRUE(fci->isdn_access);
  auto out = encode(m, Variant::kItu);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(hex_of(*out), hex_of(bytes));
}

TEST(Message, BodyFormHasNoCic) {
  auto bytes = hex(kIam.substr(5));
  auto r = decode(bytes, Variant::kItu, {.form = Form::kBody});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->cic, 0);
  EXPECT_EQ(r->type, msg::kIam);
  auto out = encode(*r, Variant::kItu, Form::kBody);
  EXPECT_EQ(hex_of(*out), hex_of(bytes));
}

TEST(Message, ReleaseWithCause) {
  // REL CIC 0x123: cause 16 normal clearing, location LN(2), ITU.
  auto bytes = hex("2301 0c 02 00 02 8290");
  auto r = decode(bytes, Variant::kItu);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->cic, 0x123);
  auto c = CauseIndicators::decode(r->find(par::kCauseIndicators)->value);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->value, 16);
  EXPECT_EQ(c->location, 2);
  EXPECT_EQ(c->coding_standard, 0);
  EXPECT_EQ(hex_of(*encode(*r, Variant::kItu)), hex_of(bytes));
}

TEST(Message, GroupBlockingWithRangeAndStatus) {
  // CGB CIC 1, maintenance, range 7 (8 circuits), status 0xff.
  auto bytes = hex("0100 18 00 01 02 07ff");
  auto r = decode(bytes, Variant::kItu);
  ASSERT_TRUE(r.ok());
  auto rs = RangeAndStatus::decode(r->variable[0].value);
  ASSERT_TRUE(rs.ok());
  EXPECT_EQ(rs->range, 7);
  EXPECT_TRUE(rs->status_bit(7));
  EXPECT_EQ(hex_of(*encode(*r, Variant::kItu)), hex_of(bytes));
}

TEST(Message, AnsiIamHasUsiAndFourteenBitCic) {
  // ANSI IAM CIC 0x3001: NCI, FCI, CPC; pointers to USI and called; optional part pointer.
  auto bytes = hex("0130 01 00 2001 0a 03 06 00 03 8090a2 06 0310 2143 6587");
  auto r = decode(bytes, Variant::kAnsi);
  ASSERT_TRUE(r.ok()) << to_string(r.error());
  EXPECT_EQ(r->cic, 0x3001);
  ASSERT_EQ(r->variable.size(), 2u);
  EXPECT_EQ(r->variable[0].code, par::kUserServiceInformation);
  auto usi = UserServiceInformation::decode(r->variable[0].value);
  ASSERT_TRUE(usi.ok());
  EXPECT_EQ(usi->transfer_rate, 0x10);
  EXPECT_EQ(hex_of(*encode(*r, Variant::kAnsi)), hex_of(bytes));
  // The same CIC is out of range for ITU (spare bits set).
  EXPECT_EQ(decode(bytes, Variant::kItu).error(), DecodeError::kCicOutOfRange);
}

TEST(Message, Errors) {
  EXPECT_EQ(decode(hex("01"), Variant::kItu).error(), DecodeError::kTruncated);
  EXPECT_EQ(decode(hex("0100 01 00 20"), Variant::kItu).error(), DecodeError::kTruncated);
  EXPECT_EQ(decode(hex("0100 99"), Variant::kItu).error(), DecodeError::kUnknownMessageType);
  // REL: pointer 0, pointer past the end, length past the end.
  EXPECT_EQ(decode(hex("0100 0c 00 00"), Variant::kItu).error(), DecodeError::kBadPointer);
  EXPECT_EQ(decode(hex("0100 0c 09 00 02 8290"), Variant::kItu).error(), DecodeError::kBadPointer);
  EXPECT_EQ(decode(hex("0100 0c 02 00 05 8290"), Variant::kItu).error(), DecodeError::kLengthMismatch);
  // Optional parameter running past the end; missing end-of-optional octet.
  EXPECT_EQ(decode(hex("0100 09 01 3d 05 1f"), Variant::kItu).error(), DecodeError::kLengthMismatch);
  EXPECT_EQ(decode(hex("0100 09 01 3d 01 1f"), Variant::kItu).error(), DecodeError::kTruncated);
  // Unknown optional parameter: kept by default, an error in strict mode.
  auto unknown = hex("0100 09 01 fa 01 1f 00");
  ASSERT_TRUE(decode(unknown, Variant::kItu).ok());
  EXPECT_EQ(decode(unknown, Variant::kItu, {.reject_unknown_params = true}).error(),
            DecodeError::kUnrecognizedParameter);
  EXPECT_EQ(release_cause(DecodeError::kUnknownMessageType), 97);
  EXPECT_EQ(release_cause(DecodeError::kUnrecognizedParameter), 99);
  EXPECT_EQ(release_cause(DecodeError::kTruncated), 111);
}

TEST(Message, TooManyOptionalParameters) {
  std::vector<std::uint8_t> m = {0x01, 0x00, 0x09, 0x01};
  for (int i = 0; i < 33; ++i) m.insert(m.end(), {0x3d, 0x01, 0x1f});
  m.push_back(0);
  EXPECT_EQ(decode(m, Variant::kItu).error(), DecodeError::kTooManyParameters);
}

TEST(Message, PreservesOptionalOrderAndUnknownParameters) {
  auto bytes = hex("0100 09 01 fa 02 abcd 3d 01 1f 2c 01 80 2c 01 81 00");
  auto r = decode(bytes, Variant::kItu);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->optional.size(), 4u);
  EXPECT_EQ(r->optional[0].code, 0xfa);
  EXPECT_EQ(hex_of(*encode(*r, Variant::kItu)), hex_of(bytes));
}

TEST(Message, EncodeChecksLayout) {
  MessageBuilder b(msg::kRel, 5);
  EXPECT_EQ(encode(b.message(), Variant::kItu).error(), EncodeError::kMissingParameter);
  CauseIndicators c;
  c.value = 16;
  c.location = 2;
  b.variable(par::kCauseIndicators, c);
  EXPECT_EQ(hex_of(*encode(b.message(), Variant::kItu)),
            "05000c02000282"
            "90");
  MessageBuilder big(msg::kRlc, 0x1000);
  EXPECT_EQ(encode(big.message(), Variant::kItu).error(), EncodeError::kCicOutOfRange);
  MessageBuilder blo(msg::kBlo, 1);
  std::uint8_t one = 1;
  blo.optional(par::kHopCounter, std::span(&one, 1));
  EXPECT_EQ(encode(blo.message(), Variant::kItu).error(), EncodeError::kTooManyParameters);
}

TEST(Number, DigitsStAndCodes) {
  Number n;
  n.kind = NumberKind::kCalled;
  n.nai = 4;
  n.npi = 1;
  n.digits.assign("49B1C2F");  // code 11, code 12, ST: 7 signals -> odd
  ParamBytes b;
  n.encode(b);
  EXPECT_EQ(hex_of(std::span(b.begin(), b.size())),
            "8410"
            "94"
            "1b"
            "2c"
            "0f");
  auto d = Number::decode(NumberKind::kCalled, std::span(b.begin(), b.size()));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, n);
  EXPECT_TRUE(d->has_st());
  // Calling party number, address not available: no digits at all.
  auto na = Number::decode(NumberKind::kCalling, hex("0308"));
  ASSERT_TRUE(na.ok());
  EXPECT_EQ(na->apri, 2);
  EXPECT_EQ(na->digits.size, 0u);
  EXPECT_EQ(Number::decode(NumberKind::kCalled, hex("03")).error(), DecodeError::kLengthMismatch);
}

TEST(Params, RoundTripEveryTypedParameter) {
  auto rt = []<class T>(std::span<const std::uint8_t> in) -> Result<std::vector<std::uint8_t>, DecodeError> {
    auto r = T::decode(in);
    if (!r) return Err(r.error());
    ParamBytes b;
    r->encode(b);
    return std::vector<std::uint8_t>(b.begin(), b.end());
  };
  auto check = [&]<class T>(std::string_view h) {
    auto in = hex(h);
    auto r = rt.template operator()<T>(in);
    ASSERT_TRUE(r.ok()) << h;
    EXPECT_EQ(hex_of(*r), hex_of(in)) << h;
  };
  check.template operator()<NatureOfConnectionIndicators>("15");
  check.template operator()<ForwardCallIndicators>("6181");
  check.template operator()<BackwardCallIndicators>("1614");
  check.template operator()<OptionalForwardCallIndicators>("83");
  check.template operator()<OptionalBackwardCallIndicators>("0b");
  check.template operator()<EventInformation>("81");
  check.template operator()<HopCounter>("1f");
  check.template operator()<FlagOctet>("01");
  check.template operator()<CircuitGroupSupervisionMessageType>("01");
  check.template operator()<InformationRequestIndicators>("1b00");
  check.template operator()<InformationIndicators>("e300");
  check.template operator()<RedirectionInformation>("3412");
  check.template operator()<RedirectionInformation>("03");
  check.template operator()<CauseIndicators>("8290");
  check.template operator()<CauseIndicators>(
      "0281"
      "95"
      "0a");
  check.template operator()<RangeAndStatus>("1f");
  check.template operator()<RangeAndStatus>("0fffff");
  check.template operator()<UserServiceInformation>("8090a3");
  check.template operator()<UserServiceInformation>(
      "8898"
      "82");
  check.template operator()<PropagationDelayCounter>("0102");
  check.template operator()<ClosedUserGroupInterlockCode>("12340005");
  check.template operator()<CallReference>("0000010a00");
  check.template operator()<MessageCompatibilityInformation>("81");
  check.template operator()<ParameterCompatibilityInformation>(
      "3d81"
      "c001"
      "80");
  check.template operator()<CircuitGroupCharacteristics>("55");
  EXPECT_EQ(RangeAndStatus::decode(hex("0fff")).error(), DecodeError::kLengthMismatch);
  EXPECT_EQ(ParameterCompatibilityInformation::decode(hex("3d01")).error(), DecodeError::kLengthMismatch);
}

}  // namespace
}  // namespace isupgw::isup

namespace isupgw::isup {
namespace {

TEST(Codes, NamesAreUniquePerVariant) {
  for (auto v : {Variant::kItu, Variant::kEtsi, Variant::kAnsi}) {
    for (int c = 1; c < 256; ++c) {
      auto name = param_name(static_cast<std::uint8_t>(c), v);
      if (!name.empty()) {
        EXPECT_EQ(param_code(name, v), c) << name;
      }
    }
    for (const auto& l : layouts(v)) EXPECT_EQ(message_code(l.acronym, v), l.type) << l.acronym;
  }
  EXPECT_EQ(param_name(0xeb, Variant::kAnsi), "charge_number");
  EXPECT_EQ(param_name(0xc0, Variant::kItu), "generic_number");
  EXPECT_EQ(param_name(0xc0, Variant::kAnsi), "generic_address");
  EXPECT_EQ(message_acronym(msg::kCon, Variant::kAnsi), "");
  EXPECT_EQ(message_acronym(msg::kCvr, Variant::kItu), "");
}

}  // namespace
}  // namespace isupgw::isup

namespace isupgw::isup {
namespace {

// Every fuzz seed (real messages of every type, all variants and both forms) is
// a test vector too: decode -> encode is byte-identical.
TEST(Message, EverySeedRoundTripsByteIdentical) {
  const std::filesystem::path dir = std::filesystem::path(ISUPGW_SOURCE_DIR) / "tests/fuzz/corpus/isup";
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream f(entry.path(), std::ios::binary);
    std::vector<std::uint8_t> data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(data.empty()) << entry.path();
    const auto v = static_cast<Variant>(data[0] % 3);
    const auto form = (data[0] / 3) % 2 ? Form::kBody : Form::kWithCic;
    std::span<const std::uint8_t> in(data.data() + 1, data.size() - 1);
    auto m = decode(in, v, {.form = form, .reject_unknown_params = true});
    ASSERT_TRUE(m.ok()) << entry.path() << ": " << to_string(m.error());
    auto out = encode(*m, v, form);
    ASSERT_TRUE(out.ok()) << entry.path();
    EXPECT_EQ(to_hex(*out), to_hex(in)) << entry.path();
    ++n;
  }
  EXPECT_GE(n, 100u);
}

}  // namespace
}  // namespace isupgw::isup
