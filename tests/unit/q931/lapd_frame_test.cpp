// Q.921 frames: hex in, fields out (Q.921 2.3, 3.4-3.6, Table 5); octets back;
// tshark (link type 203) reads every frame type we encode with nothing malformed.
#include <gtest/gtest.h>

#include "base/hex.h"
#include "q931/lapd_frame.h"
#include "tests/support/tshark_oracle.h"

namespace isupgw::q931::lapd {
namespace {

std::vector<std::uint8_t> hex(std::string_view h) { return *from_hex(h); }

Frame decoded(std::string_view h) {
  auto f = decode(hex(h));
  EXPECT_TRUE(f.ok()) << h << ": " << (f ? "" : f.error().to_string());
  if (f) {
    auto back = encode(*f);
    EXPECT_TRUE(back.ok());
    if (back) {
      EXPECT_EQ(to_hex(*back), to_hex(hex(h)));
    }
  }
  return f ? *f : Frame{};
}

TEST(LapdFrame, AddressAndControlFields) {
  // SABME, SAPI 0, C/R 1 (a network command, 3.3.2), TEI 0, P=1: 02 01 7f.
  auto s = decoded("02 01 7f");
  EXPECT_EQ(s.type, FrameType::kSabme);
  EXPECT_EQ(s.sapi, 0);
  EXPECT_TRUE(s.cr);
  EXPECT_EQ(s.tei, 0);
  EXPECT_TRUE(s.pf);
  EXPECT_EQ(decoded("00 01 73").type, FrameType::kUa);  // UA, F=1, the user's response (C/R 0)
  // I frame N(S)=3 N(R)=5 P=0 carrying a Q.931 STATUS ENQUIRY.
  auto i = decoded("02 01 06 0a 08 02 00 05 75");
  EXPECT_EQ(i.type, FrameType::kI);
  EXPECT_EQ(i.ns, 3);
  EXPECT_EQ(i.nr, 5);
  EXPECT_FALSE(i.pf);
  EXPECT_EQ(to_hex(i.info), "0802000575");
  // RR N(R)=4 F=1, RNR N(R)=127, REJ N(R)=0 P=1.
  auto rr = decoded("00 01 01 09");
  EXPECT_EQ(rr.type, FrameType::kRr);
  EXPECT_EQ(rr.nr, 4);
  EXPECT_TRUE(rr.pf);
  EXPECT_EQ(decoded("00 01 05 fe").nr, 127);
  EXPECT_EQ(decoded("02 01 09 01").type, FrameType::kRej);
  EXPECT_EQ(decoded("02 01 43").type, FrameType::kDisc);
  EXPECT_EQ(decoded("00 01 1f").type, FrameType::kDm);
  // UI on SAPI 63, group TEI 127: TEI management (Identity request).
  auto ui = decoded("fc ff 03 0f 12 34 01 ff");
  EXPECT_EQ(ui.type, FrameType::kUi);
  EXPECT_EQ(ui.sapi, kSapiTeiManagement);
  EXPECT_EQ(ui.tei, kTeiGroup);
  EXPECT_EQ(decoded("00 01 97 7f 00 00 00 00").type, FrameType::kFrmr);
}

TEST(LapdFrame, Faults) {
  auto fault = [](std::string_view h) {
    auto f = decode(hex(h));
    EXPECT_FALSE(f.ok()) << h;
    return f ? Fault{} : f.error().fault;
  };
  EXPECT_EQ(fault("02 01"), Fault::kTooShort);
  EXPECT_EQ(fault("02 01 06"), Fault::kTooShort);
  EXPECT_EQ(fault("03 01 7f"), Fault::kAddress);
  EXPECT_EQ(fault("02 00 7f"), Fault::kAddress);
  EXPECT_EQ(fault("02 01 0d 00"), Fault::kUnknownControl);  // S frame with SS = 11
  EXPECT_EQ(fault("02 01 27"), Fault::kUnknownControl);
  EXPECT_EQ(fault("02 01 7f 00"), Fault::kInfoNotAllowed);
  EXPECT_EQ(fault("02 01 01 00 00"), Fault::kInfoNotAllowed);
  std::vector<std::uint8_t> big(4 + 261, 0);
  big[1] = 0x01;
  EXPECT_EQ(decode(big).error().fault, Fault::kTooLong);
  Frame f;
  f.ns = 128;
  EXPECT_EQ(encode(f).error().fault, Fault::kEncode);
}

TEST(LapdOracle, TsharkDecodesEveryFrameTypeWeEncode) {
  if (!tshark::available()) GTEST_SKIP() << "tshark/text2pcap not installed";
  const FrameType types[] = {FrameType::kI,     FrameType::kRr,   FrameType::kRnr, FrameType::kRej,
                             FrameType::kSabme, FrameType::kDm,   FrameType::kUi,  FrameType::kDisc,
                             FrameType::kUa,    FrameType::kFrmr, FrameType::kXid};
  std::vector<std::vector<std::uint8_t>> payloads;
  std::vector<Frame> frames;
  for (auto t : types) {
    Frame f;
    f.type = t;
    f.cr = true;
    f.ns = 3;
    f.nr = 5;
    f.pf = t == FrameType::kSabme;
    // I and UI frames carry layer 3 (a UI without one is no Q.921 use: tshark hands SAPI 0 to Q.931).
    if (t == FrameType::kI || t == FrameType::kUi) f.info = hex("0802000575");  // STATUS ENQUIRY
    if (t == FrameType::kFrmr) f.info = hex("7f000000 00");
    auto b = encode(f);
    ASSERT_TRUE(b.ok()) << to_string(t);
    payloads.push_back(*b);
    frames.push_back(f);
  }
  auto ds = tshark::dissect_many(payloads, tshark::Wrap::kLapd);
  ASSERT_EQ(ds.size(), payloads.size());
  for (std::size_t i = 0; i < ds.size(); ++i) {
    const auto& d = ds[i];
    SCOPED_TRACE(std::string(to_string(frames[i].type)));
    ASSERT_TRUE(d.ok()) << d.error;
    EXPECT_FALSE(d.malformed) << d.problems();
    EXPECT_TRUE(d.has("lapd.control")) << d.dump();
    EXPECT_EQ(d.first("lapd.cr"), "1");
    const auto control = d.all("lapd.control");
    ASSERT_FALSE(control.empty());
    if (frames[i].type == FrameType::kI) {
      EXPECT_EQ(d.first("lapd.control.n_s"), "3");
      EXPECT_EQ(d.first("lapd.control.n_r"), "5");
      EXPECT_EQ(d.first("q931.message_type"), "0x75");
    }
    if (frames[i].type == FrameType::kRr || frames[i].type == FrameType::kRnr || frames[i].type == FrameType::kRej) {
      EXPECT_EQ(d.first("lapd.control.n_r"), "5");
    }
  }
}

}  // namespace
}  // namespace isupgw::q931::lapd
