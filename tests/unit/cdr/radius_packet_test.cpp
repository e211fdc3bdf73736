// RADIUS accounting (RFC 2866): Accounting-Request bytes with their Request Authenticator, and the
// Response Authenticator check. Expected hex computed outside this code (Python hashlib.md5 over the
// RFC 2866 3 text: Code+Identifier+Length+16 zero octets+attributes+secret).
#include <gtest/gtest.h>

#include "cdr/radius_packet.h"

namespace isupgw::cdr::radius {
namespace {

std::string hex_of(const std::vector<std::uint8_t>& v) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (auto b : v) {
    s += d[b >> 4];
    s += d[b & 15];
  }
  return s;
}

std::vector<std::uint8_t> bytes_of(std::string_view hex) {
  std::vector<std::uint8_t> v;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    v.push_back(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return v;
}

constexpr std::string_view kStartHex =
    "04070040e971f7d2946a6ebbd39504b363f3c4d0"  // Code 4, Id 7, Length 64, Request Authenticator
    "2806"
    "00000001"  // Acct-Status-Type (40) = Start (1)
    "2c06"
    "632d3432"  // Acct-Session-Id (44) = "c-42"
    "2008"
    "697375706777"  // NAS-Identifier (32) = "isupgw"
    "1f09"
    "34393330313233"  // Calling-Station-Id (31)
    "1e09"
    "34393430393939"  // Called-Station-Id (30)
    "2906"
    "00000000";  // Acct-Delay-Time (41) = 0

Accounting start() {
  Accounting a;
  a.status = StatusType::kStart;
  a.session_id = "c-42";
  a.nas_identifier = "isupgw";
  a.calling = "4930123";
  a.called = "4940999";
  return a;
}

TEST(RadiusAccounting, StartRequestBytesAndAuthenticator) {
  EXPECT_EQ(hex_of(encode_request(start(), 7, "testing123")), kStartHex);
}

TEST(RadiusAccounting, StopCarriesSessionTimeAndTerminateCause) {
  Accounting a = start();
  a.status = StatusType::kStop;
  a.session_time_s = 13;
  a.terminate_cause = TerminateCause::kUserRequest;
  EXPECT_EQ(hex_of(encode_request(a, 8, "testing123")),
            "0408004c625844b63e72043e972db2fc94afccee"
            "280600000002"
            "2c06632d3432"
            "2008697375706777"
            "1f0934393330313233"
            "1e0934393430393939"
            "290600000000"
            "2e060000000d"    // Acct-Session-Time (46) = 13 s
            "310600000001");  // Acct-Terminate-Cause (49) = User-Request (1)
}

// Issue 20: the CRGs the call received go in the Stop as Vendor-Specific (RFC 2865 5.26: Type 26, Length,
// Vendor-Id 9, vendor type 1 Cisco-AVPair, vendor length, "name=value"); bytes and authenticator computed
// with Python (struct + hashlib.md5), outside this code.
TEST(RadiusAccounting, StopCarriesChargeInformationAsVendorSpecific) {
  Accounting a = start();
  a.status = StatusType::kStop;
  a.session_time_s = 13;
  a.terminate_cause = TerminateCause::kUserRequest;
  a.charge_messages = 2;
  a.charge_info = "0102 03";
  EXPECT_EQ(hex_of(encode_request(a, 8, "testing123")),
            "0408008a127220c2f5eafbf6da67cffaefff8ff6"
            "280600000002"
            "2c06632d3432"
            "2008697375706777"
            "1f0934393330313233"
            "1e0934393430393939"
            "290600000000"
            "2e060000000d"
            "310600000001"
            "1a1e000000090118697375702d6368617267652d6d657373616765733d32"          // isup-charge-messages=2
            "1a2000000009011a697375702d6368617267652d696e666f3d30313032203033");  // isup-charge-info=0102 03
  a.status = StatusType::kStart;  // a Start has no charge information yet
  EXPECT_EQ(encode_request(a, 8, "testing123").size(), 20u + 6 + 6 + 8 + 9 + 9 + 6 + 6 + 6);
}

TEST(RadiusAccounting, ResponseAuthenticatorChecked) {
  const auto request = bytes_of(kStartHex);
  const auto response = bytes_of("050700140743e5596e18b778894da6a6001d2bdc");
  EXPECT_TRUE(check_response(response, request, "testing123").ok());
  auto wrong_secret = check_response(response, request, "testing124");
  ASSERT_FALSE(wrong_secret.ok());
  EXPECT_NE(wrong_secret.error().find("Authenticator"), std::string::npos);
  auto tampered = response;
  tampered[10] ^= 1;
  EXPECT_FALSE(check_response(tampered, request, "testing123").ok());
  auto other_id = response;
  other_id[1] = 8;
  EXPECT_FALSE(check_response(other_id, request, "testing123").ok());
  auto not_response = response;
  not_response[0] = 4;
  EXPECT_FALSE(check_response(not_response, request, "testing123").ok());
  EXPECT_FALSE(check_response(std::span(response).first(19), request, "testing123").ok());
}

TEST(RadiusAccounting, StopOfCdrRecord) {
  CdrRecord r;
  r.call_id = "c-9";
  r.calling_in = "+4930123";
  r.called_in = "+4940555";
  r.called_out = "040555";
  r.answer = 1000;
  r.release = 61500;  // 60.5 s -> 61 (RFC 2866 5.7 whole seconds, rounded)
  r.cause = 16;
  r.released_by = "sip";
  const Accounting s = stop_of(r, "gw1");
  EXPECT_EQ(s.status, StatusType::kStop);
  EXPECT_EQ(s.session_id, "c-9");
  EXPECT_EQ(s.nas_identifier, "gw1");
  EXPECT_EQ(s.calling, "+4930123");
  EXPECT_EQ(s.called, "040555");
  EXPECT_EQ(s.session_time_s, 61u);
  EXPECT_EQ(s.terminate_cause, TerminateCause::kUserRequest);
  EXPECT_EQ(s.charge_messages, 0u);
  r.charge_messages = 2;
  r.charge_info = "0102 03";
  EXPECT_EQ(stop_of(r, "gw1").charge_messages, 2u);
  EXPECT_EQ(stop_of(r, "gw1").charge_info, "0102 03");
  r.released_by = "gateway";
  EXPECT_EQ(terminate_cause_of(r), TerminateCause::kNasRequest);
  const Accounting st = start_of(r, "gw1");
  EXPECT_EQ(st.status, StatusType::kStart);
  EXPECT_FALSE(st.session_time_s);
  EXPECT_FALSE(st.terminate_cause);
}

}  // namespace
}  // namespace isupgw::cdr::radius
