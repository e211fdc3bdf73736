// Simple segmentation (Q.764 2.1.12; Q.763 Table 49 SGM): the codec's split and
// reassembly, and call control sending an over-length IAM as IAM + SGM and
// holding a received first segment for its SGM under T34.
#include "isup/segmentation.h"

#include <gtest/gtest.h>

#include "isup_cc_test_util.h"

namespace isupgw::isup::testing {
namespace {

std::vector<std::uint8_t> filled(std::size_t n, std::uint8_t base) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(base + i);
  return v;
}

TEST(Segmentation, LimitIsTheSifLessTheRoutingLabel) {
  // Q.704 2.3.8: SIF <= 272 octets; the routing label is 4 octets (ITU, Q.704
  // 2.2) or 7 (ANSI T1.111.4).
  EXPECT_EQ(max_message_length(Variant::kItu), 268u);
  EXPECT_EQ(max_message_length(Variant::kEtsi), 268u);
  EXPECT_EQ(max_message_length(Variant::kAnsi), 265u);
  for (auto t : {msg::kIam, msg::kAcm, msg::kCpg, msg::kAnm, msg::kCon}) EXPECT_TRUE(segmentable(t, Variant::kItu));
  for (auto t : {msg::kRel, msg::kSam, msg::kUsr, msg::kSgm}) EXPECT_FALSE(segmentable(t, Variant::kItu));
  EXPECT_FALSE(segmentable(msg::kIam, Variant::kAnsi));
  // Q.763 Table 49: what an SGM may carry.
  for (auto p : {par::kAccessTransport, par::kUserToUserInformation, par::kMessageCompatibilityInformation,
                 par::kGenericDigits, par::kGenericNotificationIndicator, par::kGenericNumber})
    EXPECT_TRUE(sgm_parameter(p));
  EXPECT_FALSE(sgm_parameter(par::kCallingPartyNumber));
  EXPECT_FALSE(sgm_parameter(par::kOptionalForwardCallIndicators));
}

// An ACM (Q.763 Table 22: BCI, optional part) with an optional backward call
// indicators and a UUI, split at 12 octets: the first segment keeps the OBCI
// with bit C set (3.37), the UUI goes in the SGM (Table 49: type 38, pointer
// to the optional part, UUI, end of optional parameters).
TEST(Segmentation, SplitsAnAcmAtTheLimitWithTheLayoutOfTheStandard) {
  const std::vector<std::uint8_t> acm = {0x05, 0x00,              // CIC 5
                                         0x06,                    // ACM
                                         0x16, 0x14,              // BCI
                                         0x01,                    // pointer to optional part
                                         0x29, 0x01, 0x01,        // OBCI: in-band information
                                         0x20, 0x03, 0xaa, 0xbb, 0xcc,  // UUI
                                         0x00};
  auto m = decode(acm, Variant::kItu);
  ASSERT_TRUE(m);
  auto parts = segment(*m, Variant::kItu, 12);
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->first, (std::vector<std::uint8_t>{0x05, 0x00, 0x06, 0x16, 0x14, 0x01, 0x29, 0x01, 0x05, 0x00}));
  EXPECT_EQ(parts->sgm, (std::vector<std::uint8_t>{0x05, 0x00, 0x38, 0x01, 0x20, 0x03, 0xaa, 0xbb, 0xcc, 0x00}));
  // And back: the OBCI's bit C cleared, the UUI appended.
  auto f = decode(parts->first, Variant::kItu);
  auto s = decode(parts->sgm, Variant::kItu);
  ASSERT_TRUE(f && s);
  EXPECT_TRUE(segmentation_indicated(*f));
  auto whole = reassemble(*f, *s, Variant::kItu);
  ASSERT_TRUE(whole);
  EXPECT_EQ(*whole, acm);
}

TEST(Segmentation, AnIamWithoutOptionalForwardCallIndicatorsGetsOne) {
  MessageBuilder b(msg::kIam, 3);
  b.fixed(par::kNatureOfConnectionIndicators, OctetValue{0});
  b.fixed(par::kForwardCallIndicators, ForwardCallIndicators{});
  b.fixed(par::kCallingPartysCategory, OctetValue{10});
  b.fixed(par::kTransmissionMediumRequirement, OctetValue{0});
  b.variable(par::kCalledPartyNumber, digits_number(NumberKind::kCalled, "1234F"));
  b.optional(par::kAccessTransport, filled(150, 0x10));
  b.optional(par::kUserToUserInformation, filled(129, 0x40));
  auto bytes = encode(b.message(), Variant::kItu);
  ASSERT_TRUE(bytes);
  ASSERT_GT(bytes->size(), 268u);
  auto parts = segment(b.message(), Variant::kItu, 268);
  ASSERT_TRUE(parts);
  auto f = decode(parts->first, Variant::kItu);
  auto s = decode(parts->sgm, Variant::kItu);
  ASSERT_TRUE(f && s);
  EXPECT_LE(parts->first.size(), 268u);
  EXPECT_TRUE(segmentation_indicated(*f));
  const Param* ofci = f->find(par::kOptionalForwardCallIndicators);
  ASSERT_NE(ofci, nullptr);
  EXPECT_EQ(ofci->value[0], 0x04);
  // As many as fit stay: the access transport in the IAM, the UUI moves.
  EXPECT_NE(f->find(par::kAccessTransport), nullptr);
  EXPECT_EQ(f->find(par::kUserToUserInformation), nullptr);
  ASSERT_NE(s->find(par::kUserToUserInformation), nullptr);
  EXPECT_EQ(s->find(par::kUserToUserInformation)->value.size(), 129u);
}

TEST(Segmentation, NothingAnSgmMayCarryMeansNoSplit) {
  MessageBuilder b(msg::kAnm, 3);
  b.optional(par::kConnectedNumber, filled(200, 0));
  b.optional(par::kRedirectionNumber, filled(100, 0));
  auto parts = segment(b.message(), Variant::kItu, 268);
  ASSERT_FALSE(parts);
  EXPECT_EQ(parts.error(), EncodeError::kBufferTooSmall);
}

class SegmentationCcTest : public CcFixture {
 protected:
  void peer_segmented_iam(std::uint16_t cic) {
    peer_iam(cic, "1234F", 0, [](MessageBuilder& b) {
      b.optional(par::kOptionalForwardCallIndicators, OctetValue{0x04});
      b.optional(par::kAccessTransport, filled(150, 0x10));
    });
  }
  void peer_sgm(std::uint16_t cic) {
    MessageBuilder b(msg::kSgm, cic);
    b.optional(par::kUserToUserInformation, filled(129, 0x40));
    inject(b);
  }
};

TEST_F(SegmentationCcTest, OverLengthIamGoesAsIamAndSgm) {
  make();
  SetupRequest req;
  req.called = digits_number(NumberKind::kCalled, "4321F");
  req.optional.emplace_back(par::kAccessTransport, filled(150, 0x10));
  req.optional.emplace_back(par::kUserToUserInformation, filled(129, 0x40));
  ASSERT_TRUE(cc->setup(group, std::move(req)));
  auto iam = expect(msg::kIam, 1);
  EXPECT_TRUE(segmentation_indicated(iam));
  EXPECT_LE(last_.bytes.size(), 268u);
  EXPECT_EQ(iam.find(par::kUserToUserInformation), nullptr);
  auto sgm = expect(msg::kSgm, 1);
  ASSERT_NE(sgm.find(par::kUserToUserInformation), nullptr);
  EXPECT_EQ(sgm.find(par::kUserToUserInformation)->value.size(), 129u);
  EXPECT_EQ(counter("isup.tx.segmented"), 1u);
  EXPECT_EQ(counter("isup.tx.SGM"), 1u);
  EXPECT_EQ(counter("isup.tx.IAM"), 1u);
}

TEST_F(SegmentationCcTest, AMessageThatFitsIsNotSegmented) {
  make();
  SetupRequest req;
  req.called = digits_number(NumberKind::kCalled, "4321F");
  req.optional.emplace_back(par::kUserToUserInformation, filled(129, 0x40));
  ASSERT_TRUE(cc->setup(group, std::move(req)));
  auto iam = expect(msg::kIam, 1);
  EXPECT_FALSE(segmentation_indicated(iam));
  expect_nothing();
  EXPECT_EQ(counter("isup.tx.segmented"), 0u);
}

TEST_F(SegmentationCcTest, ReceivedIamWaitsForItsSgmAndIsProcessedWhole) {
  make();
  peer_segmented_iam(2);
  EXPECT_EQ(user.pop(), "<none>");  // held for the SGM
  peer_sgm(2);
  EXPECT_EQ(user.pop(), "setup:1234F");
  EXPECT_EQ(user.last_iam_atp, 150u);
  EXPECT_EQ(user.last_iam_uui, 129u);
  EXPECT_EQ(counter("isup.rx.reassembled"), 1u);
  EXPECT_EQ(counter("isup.rx.SGM"), 1u);
  advance_s(5);
  EXPECT_EQ(counter("isup.t34.expired"), 0u);
  EXPECT_EQ(user.pop(), "<none>");
}

TEST_F(SegmentationCcTest, T34ExpiryProcessesTheFirstSegmentAloneAndALateSgmIsDiscarded) {
  make();
  peer_segmented_iam(2);
  advance_s(2.9);
  EXPECT_EQ(user.pop(), "<none>");
  advance_s(0.2);  // T34 = 3 s (Q.764 Table A.1: 2-4 s)
  EXPECT_EQ(user.pop(), "setup:1234F");
  EXPECT_EQ(user.last_iam_atp, 150u);
  EXPECT_EQ(user.last_iam_uui, 0u);
  EXPECT_EQ(counter("isup.t34.expired"), 1u);
  peer_sgm(2);
  EXPECT_EQ(counter("isup.rx.sgm_unexpected"), 1u);
  EXPECT_EQ(user.pop(), "<none>");
}

TEST_F(SegmentationCcTest, AnotherMessageBeforeTheSgmReleasesTheHeldOneFirst) {
  make();
  peer_segmented_iam(2);
  peer_rel(2);
  EXPECT_EQ(user.pop(), "setup:1234F");
  EXPECT_EQ(user.pop(), "release:16");
  advance_s(5);
  EXPECT_EQ(counter("isup.t34.expired"), 0u);
}

TEST_F(SegmentationCcTest, AnsiIsNotSegmented) {
  make(1, 8, Variant::kAnsi);
  SetupRequest req;
  req.called = digits_number(NumberKind::kCalled, "4321F");
  req.optional.emplace_back(par::kAccessTransport, filled(150, 0x10));
  req.optional.emplace_back(par::kUserToUserInformation, filled(129, 0x40));
  ASSERT_TRUE(cc->setup(group, std::move(req)));
  expect(msg::kIam, 1);
  expect_nothing();
}

}  // namespace
}  // namespace isupgw::isup::testing
