// M2PA (RFC 4165 2) and MTP3 (Q.704 2, 15; Q.707 5) codecs: hex in, fields out.
#include <gtest/gtest.h>

#include "base/hex.h"
#include "sigtran/m2pa_codec.h"
#include "sigtran/mtp3_codec.h"
#include "tests/unit/sigtran/m2pa_samples.h"

namespace isupgw::sigtran {
namespace {

std::vector<std::uint8_t> hex(std::string_view s) { return *from_hex(s); }

TEST(M2paCodec, LinkStatusAlignmentWithInitialSequenceNumbers) {
  // RFC 4165 2.3.2: common header, BSN = FSN = 2**24-1 before any User Data (4.1.2), State 1.
  auto m = m2pa::decode(hex("01000b02 00000014 00ffffff 00ffffff 00000001"));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->type, m2pa::MessageType::kLinkStatus);
  EXPECT_EQ(m->bsn, 0xffffffu);
  EXPECT_EQ(m->fsn, 0xffffffu);
  EXPECT_EQ(m->state, m2pa::LinkState::kAlignment);
  EXPECT_TRUE(m->filler.empty());
  EXPECT_EQ(to_hex(m2pa::encode(*m)), "01000b020000001400ffffff00ffffff00000001");
}

TEST(M2paCodec, LinkStatusProvingWithFiller) {
  auto m = m2pa::decode(hex("01000b02 00000018 00000005 00000007 00000002 a5a5a5a5"));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->state, m2pa::LinkState::kProvingNormal);
  EXPECT_EQ(m->bsn, 5u);
  EXPECT_EQ(m->fsn, 7u);
  EXPECT_EQ(m->filler, hex("a5a5a5a5"));
}

TEST(M2paCodec, EveryLinkState) {
  for (std::uint32_t s = 1; s <= 9; ++s) {
    auto bytes = m2pa::encode(testing::m2pa_status(static_cast<m2pa::LinkState>(s)));
    auto m = m2pa::decode(bytes);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(static_cast<std::uint32_t>(m->state), s);
  }
  EXPECT_EQ(m2pa::to_string(m2pa::LinkState::kProcessorRecovered), "Processor Recovered");
}

TEST(M2paCodec, UserDataCarriesPriorityAndMtp3Message) {
  // FSN 0, BSN 2**24-1; priority octet 0x40 (priority 1); SIO 0x85 (national, ISUP) + label + ISUP.
  auto bytes = hex("01000b01 0000001c 00ffffff 00000000 40 85 02 48 00 90 070017010101");
  auto m = m2pa::decode(bytes);
  ASSERT_TRUE(m.ok()) << m2pa::to_string(m.error());
  EXPECT_EQ(m->type, m2pa::MessageType::kUserData);
  EXPECT_EQ(m->fsn, 0u);
  EXPECT_EQ(m->bsn, 0xffffffu);
  EXPECT_EQ(m->priority, 1);
  EXPECT_EQ(to_hex(m->data), "8502480090070017010101");
  EXPECT_EQ(m2pa::encode(*m), bytes);
  auto v = m2pa::decode_user_data(bytes);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->fsn, 0u);
  EXPECT_EQ(v->data.size(), m->data.size());
  std::vector<std::uint8_t> out(m2pa::encoded_size(*v));
  auto n = m2pa::encode_user_data(*v, out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(out, bytes);
}

TEST(M2paCodec, EmptyUserDataIsAnAcknowledgement) {
  // RFC 4165 4.2.1: a User Data message without data acknowledges (BSN) only.
  auto m = m2pa::decode(hex("01000b01 00000010 0000002a 00000011"));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->bsn, 42u);
  EXPECT_EQ(m->fsn, 17u);
  EXPECT_TRUE(m->data.empty());
}

TEST(M2paCodec, Faults) {
  EXPECT_EQ(m2pa::decode(hex("01000b01 00000010 00000000")).error(), m2pa::Fault::kTruncatedHeader);
  EXPECT_EQ(m2pa::decode(hex("02000b01 00000010 00000000 00000000")).error(), m2pa::Fault::kInvalidVersion);
  EXPECT_EQ(m2pa::decode(hex("01000a01 00000010 00000000 00000000")).error(), m2pa::Fault::kUnsupportedClass);
  EXPECT_EQ(m2pa::decode(hex("01000b03 00000010 00000000 00000000")).error(), m2pa::Fault::kUnsupportedType);
  EXPECT_EQ(m2pa::decode(hex("01000b01 00000011 00000000 00000000")).error(), m2pa::Fault::kBadMessageLength);
  EXPECT_EQ(m2pa::decode(hex("01000b02 00000010 00000000 00000000")).error(), m2pa::Fault::kMissingLinkState);
  EXPECT_EQ(m2pa::decode(hex("01000b02 00000014 00000000 00000000 0000000a")).error(), m2pa::Fault::kInvalidLinkState);
  EXPECT_EQ(m2pa::decode_user_data(hex("01000b02 00000014 00000000 00000000 00000001")).error(),
            m2pa::Fault::kUnsupportedType);
}

TEST(M2paCodec, SequenceArithmeticWrapsAt24Bits) {
  EXPECT_EQ(m2pa::seq_next(0xffffff), 0u);
  EXPECT_EQ(m2pa::seq_distance(2, 0xfffffe), 4u);
}

TEST(Mtp3Codec, ItuRoutingLabel) {
  // Q.704 2.2.4: DPC 14 bits first, then OPC, then SLS; LSB first on the wire.
  // SIO 0x85: NI 2 (national), SI 5 (ISUP). DPC 2-0-2 = 0x0802... here DPC 2, OPC 1, SLS 9.
  auto m = mtp3::decode(hex("85 02400090 0700170101 01"), mtp3::Variant::kItu);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->label.si, 5);
  EXPECT_EQ(m->label.ni, 2);
  EXPECT_EQ(m->label.dpc, 2u);
  EXPECT_EQ(m->label.opc, 1u);
  EXPECT_EQ(m->label.sls, 9);
  EXPECT_FALSE(m->mgmt);
  EXPECT_EQ(to_hex(m->data), "070017010101");
  EXPECT_EQ(to_hex(mtp3::encode(*m, mtp3::Variant::kItu)),
            "85024000900700170101"
            "01");
}

TEST(Mtp3Codec, AnsiRoutingLabel) {
  // T1.111.4: DPC member, cluster, network; OPC likewise; 8-bit SLS. SIO 0x95: NI 2, MP 1, SI 5.
  auto m = mtp3::decode(hex("95 060504 030201 a7 0700170101 01"), mtp3::Variant::kAnsi);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->label.priority, 1);
  EXPECT_EQ(m->label.dpc, 0x040506u);  // 4-5-6
  EXPECT_EQ(m->label.opc, 0x010203u);  // 1-2-3
  EXPECT_EQ(m->label.sls, 0xa7);
  auto v = mtp3::decode_user(hex("95 060504 030201 a7 07"), mtp3::Variant::kAnsi);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->data.size(), 1u);
}

TEST(Mtp3Codec, ItuChangeoverOrderCarriesSlcInTheSlsField) {
  // Q.704 15.4: COO, SLC 3 in the label's SLS, FSN of the last accepted MSU = 0x55.
  auto m = mtp3::decode(hex("80 02400030 11 55"), mtp3::Variant::kItu);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->mgmt);
  EXPECT_EQ(m->mgmt->type, mtp3::MgmtType::kCoo);
  EXPECT_EQ(m->mgmt->slc, 3);
  EXPECT_EQ(m->mgmt->fsn, 0x55u);
}

TEST(Mtp3Codec, ItuExtendedChangeoverCarries24BitFsn) {
  auto m = mtp3::decode(hex("80 02400030 31 563412"), mtp3::Variant::kItu);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->mgmt->type, mtp3::MgmtType::kXco);
  EXPECT_EQ(m->mgmt->fsn, 0x123456u);
}

TEST(Mtp3Codec, TransferProhibitedAndUserPartUnavailable) {
  auto tfp = mtp3::decode(hex("80 02400000 14 3412"), mtp3::Variant::kItu);
  ASSERT_TRUE(tfp.ok());
  EXPECT_EQ(tfp->mgmt->type, mtp3::MgmtType::kTfp);
  EXPECT_EQ(tfp->mgmt->destination, 0x1234u);
  // Q.704 15.17.2: UPU for destination 0x1234, user part 5 (ISUP), cause 2 (inaccessible).
  auto upu = mtp3::decode(hex("80 02400000 1a 3412 25"), mtp3::Variant::kItu);
  ASSERT_TRUE(upu.ok());
  EXPECT_EQ(upu->mgmt->type, mtp3::MgmtType::kUpu);
  EXPECT_EQ(upu->mgmt->user, 5);
  EXPECT_EQ(upu->mgmt->cause, 2);
}

TEST(Mtp3Codec, SignallingLinkTest) {
  // Q.707 5.4: SI 1, H0 1 H1 1, length 4 in the high nibble, pattern.
  auto m = mtp3::decode(hex("81 02400030 11 40 11223344"), mtp3::Variant::kItu);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->mgmt->type, mtp3::MgmtType::kSltm);
  EXPECT_EQ(m->mgmt->slc, 3);
  EXPECT_EQ(to_hex(m->mgmt->pattern), "11223344");
  EXPECT_EQ(mtp3::decode(hex("81 02400030 11 50 11223344"), mtp3::Variant::kItu).error(), mtp3::Fault::kBadTestLength);
  // ANSI (T1.111.7): SI 2, SLC in the low nibble.
  auto a = mtp3::decode(hex("82 060504 030201 00 21 33 112233"), mtp3::Variant::kAnsi);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->mgmt->type, mtp3::MgmtType::kSlta);
  EXPECT_EQ(a->mgmt->slc, 3);
  EXPECT_EQ(a->mgmt->pattern.size(), 3u);
}

TEST(Mtp3Codec, Faults) {
  EXPECT_EQ(mtp3::decode(hex("85 024000"), mtp3::Variant::kItu).error(), mtp3::Fault::kTruncatedLabel);
  EXPECT_EQ(mtp3::decode(hex("85 024000 9000 00"), mtp3::Variant::kAnsi).error(), mtp3::Fault::kTruncatedLabel);
  EXPECT_EQ(mtp3::decode(hex("80 02400030"), mtp3::Variant::kItu).error(), mtp3::Fault::kTruncatedMessage);
  EXPECT_EQ(mtp3::decode(hex("80 02400030 31 5634"), mtp3::Variant::kItu).error(), mtp3::Fault::kTruncatedMessage);
}

TEST(Mtp3Codec, EverySampleRoundTrips) {
  for (auto v : {mtp3::Variant::kItu, mtp3::Variant::kAnsi})
    for (const auto& m : testing::m2pa_samples(v)) {
      auto bytes = m2pa::encode(m);
      auto back = m2pa::decode(bytes);
      ASSERT_TRUE(back.ok());
      EXPECT_EQ(*back, m);
      if (m.data.empty()) continue;
      auto msu = mtp3::decode(m.data, v);
      ASSERT_TRUE(msu.ok()) << to_hex(m.data);
      EXPECT_EQ(mtp3::encode(*msu, v), m.data);
    }
}

}  // namespace
}  // namespace isupgw::sigtran
