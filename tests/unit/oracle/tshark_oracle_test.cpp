// The oracle itself: known-good and known-bad bytes through text2pcap + tshark.
#include "tests/support/tshark_oracle.h"

#include <gtest/gtest.h>

#include "base/hex.h"

namespace isupgw::tshark {
namespace {

std::vector<std::uint8_t> hex(std::string_view h) { return *from_hex(h); }

class Oracle : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!available()) GTEST_FAIL() << "text2pcap/tshark not installed (scripts/setup installs them)";
  }
};

TEST_F(Oracle, M3uaAspUp) {
  auto d = dissect(hex("01 00 03 01 00000008"), Wrap::kM3ua);
  ASSERT_TRUE(d.ok()) << d.error;
  EXPECT_FALSE(d.malformed);
  EXPECT_EQ(d.first("m3ua.message_class"), "3");
  EXPECT_EQ(d.first("m3ua.message_type"), "1");
}

TEST_F(Oracle, M3uaDataCarryingIsupIam) {
  // M3UA DATA, Protocol Data: OPC 1, DPC 2, SI 5 (ISUP), NI 2, MP 0, SLS 0, then
  // ISUP IAM CIC 1: NCI 00, FCI 2001, CPC 0a, TMR 00, called party 8 digits "12345678".
  auto iam =
      "0100 01 "            // CIC 1, IAM
      "00 2001 0a 00 "      // NCI, FCI, CPC, TMR
      "02 00 "              // pointer to called party, no optional part
      "06 0390 2143 6587";  // called: len 6, even, NAI 3, INN/NPI 0x90, BCD 12345678
  std::string data = std::string("00000001 00000002 05 02 00 00 ") + iam;
  auto payload = hex(data);
  // Protocol Data parameter (0x0210) with padding to 4 octets.
  std::vector<std::uint8_t> param = {0x02, 0x10, 0, static_cast<std::uint8_t>(4 + payload.size())};
  param.insert(param.end(), payload.begin(), payload.end());
  while (param.size() % 4) param.push_back(0);
  std::vector<std::uint8_t> msg = {1, 0, 1, 1, 0, 0, 0, static_cast<std::uint8_t>(8 + param.size())};
  msg.insert(msg.end(), param.begin(), param.end());
  auto d = dissect(msg, Wrap::kM3ua);
  ASSERT_TRUE(d.ok()) << d.error;
  EXPECT_FALSE(d.malformed) << d.problems() << d.dump();
  EXPECT_EQ(d.first("m3ua.protocol_data_opc"), "1");
  EXPECT_EQ(d.first("m3ua.protocol_data_dpc"), "2");
  EXPECT_EQ(d.first("m3ua.protocol_data_si"), "5");
  EXPECT_EQ(d.first("isup.cic"), "1");
  EXPECT_EQ(d.first("isup.message_type"), "1");
  EXPECT_EQ(d.first("isup.called"), "12345678");
}

TEST_F(Oracle, FlagsMalformed) {
  // Length says 16, parameter claims 32 octets.
  auto d = dissect(hex("01 00 01 01 00000010 0210 0020 0000"), Wrap::kM3ua);
  ASSERT_TRUE(d.ok()) << d.error;
  EXPECT_TRUE(d.malformed);
  EXPECT_FALSE(d.problems().empty());
}

TEST_F(Oracle, SipAndMgcpOverUdpInOneRun) {
  std::string options =
      "OPTIONS sip:gw@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK1\r\n"
      "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:gw@127.0.0.1>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\n"
      "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
  auto sip = dissect(std::vector<std::uint8_t>(options.begin(), options.end()), Wrap::kSipUdp);
  ASSERT_TRUE(sip.ok()) << sip.error;
  EXPECT_EQ(sip.first("sip.Method"), "OPTIONS");
  EXPECT_EQ(sip.first("sip.Call-ID"), "c1");

  std::string auep = "AUEP 1201 ds/e1-0/1@mg MGCP 1.0\r\n";
  auto mgcp = dissect(std::vector<std::uint8_t>(auep.begin(), auep.end()), Wrap::kMgcpUdp);
  ASSERT_TRUE(mgcp.ok()) << mgcp.error;
  EXPECT_EQ(mgcp.first("mgcp.req.verb"), "AUEP");
  EXPECT_EQ(mgcp.first("mgcp.transid"), "1201");
}

TEST_F(Oracle, ManyPayloadsOneRun) {
  auto ds = dissect_many({hex("01 00 03 01 00000008"), hex("01 00 03 04 00000008")}, Wrap::kM3ua);
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_EQ(ds[0].first("m3ua.message_type"), "1");
  EXPECT_EQ(ds[1].first("m3ua.message_type"), "4");
}

}  // namespace
}  // namespace isupgw::tshark
