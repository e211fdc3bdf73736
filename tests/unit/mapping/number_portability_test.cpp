// Number portability (issue 20): RFC 4694 tel URI parameters <-> ISUP (Q.763 3.101
// number portability forward information, 3.90 network routing number).
// Rows not sourced from a standard's text readable here are named Unconfirmed_.
#include "mapping/number_portability.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace isupgw::mapping {
namespace {

using Bytes = std::vector<std::uint8_t>;

NumberPlan nanp() {
  NumberPlan p;
  p.country_code = "1";
  return p;
}

// RFC 4694 6: a ported number after the dip, its routing number in rn.
TEST(NumberPortability, Rfc4694ExampleParsed) {
  auto np = tel_np_from_user("+1-202-533-1234;npdi;rn=+1-202-544-0000");
  ASSERT_TRUE(np.ok());
  EXPECT_EQ(*np, (TelNp{"+1-202-544-0000", true}));
}

TEST(NumberPortability, Rfc4694ExampleWritten) {
  EXPECT_EQ(tel_user_with_np("+1-202-533-1234", TelNp{"+1-202-544-0000", true}),
            "+1-202-533-1234;npdi;rn=+1-202-544-0000");
  EXPECT_EQ(tel_user_with_np("+1-202-533-1234", TelNp{"", true}), "+1-202-533-1234;npdi");
  EXPECT_EQ(tel_user_with_np("+1-202-533-1234", TelNp{}), "+1-202-533-1234");
}

// The same user part in a sip: URI with user=phone; other parameters left alone.
TEST(NumberPortability, OtherParametersIgnored) {
  auto np = tel_np_from_user("+1-202-533-1234;isub=1234;rn=+1-202-544-0000;npdi;ext=5");
  ASSERT_TRUE(np.ok());
  EXPECT_EQ(*np, (TelNp{"+1-202-544-0000", true}));
  auto none = tel_np_from_user("+1-202-533-1234");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, TelNp{});
}

// RFC 4694 4 (npdi = ";npdi"; IANA tel URI registry: npdi "No value").
TEST(NumberPortability, NpdiTakesNoValue) {
  EXPECT_EQ(tel_np_from_user("+1-202-533-1234;npdi=yes").error(), NpError::kBadNpdi);
  EXPECT_EQ(tel_np_from_user("+1-202-533-1234;npdi;npdi").error(), NpError::kDuplicate);
  EXPECT_EQ(tel_np_from_user("+1-202-533-1234;rn=").error(), NpError::kBadRn);
  EXPECT_EQ(tel_np_from_user("+1-202-533-1234;rn=+1-202-544-0000;rn=+1-202-544-0001").error(), NpError::kDuplicate);
}

TEST(NumberPortability, Unconfirmed_ParameterNamesCaseInsensitive) {
  auto np = tel_np_from_user("+1-202-533-1234;NPDI;Rn=+1-202-544-0000");
  ASSERT_TRUE(np.ok());
  EXPECT_EQ(*np, (TelNp{"+1-202-544-0000", true}));
}

// Q.763 3.101: status indicator bits D-A, extension bit H.
TEST(NumberPortability, ForwardInformationStatusValues) {
  EXPECT_EQ(encode_np_forward_information(NpStatus::kNoIndication), (Bytes{0x80}));
  EXPECT_EQ(encode_np_forward_information(NpStatus::kQueryNotDone), (Bytes{0x81}));
  EXPECT_EQ(encode_np_forward_information(NpStatus::kNotPorted), (Bytes{0x82}));
  EXPECT_EQ(encode_np_forward_information(NpStatus::kPorted), (Bytes{0x83}));
  const Bytes ported{0x83}, not_ported{0x82}, not_done{0x81};
  EXPECT_EQ(*decode_np_forward_information(ported), NpStatus::kPorted);
  EXPECT_EQ(*decode_np_forward_information(not_ported), NpStatus::kNotPorted);
  EXPECT_EQ(*decode_np_forward_information(not_done), NpStatus::kQueryNotDone);
}

TEST(NumberPortability, ForwardInformationSpareAndNationalValuesRefused) {
  const Bytes spare{0x84}, national{0x88}, empty{};
  EXPECT_EQ(decode_np_forward_information(spare).error(), NpError::kBadIndicator);
  EXPECT_EQ(decode_np_forward_information(national).error(), NpError::kBadIndicator);
  EXPECT_EQ(decode_np_forward_information(empty).error(), NpError::kBadLength);
}

// SIP -> ISUP. RFC 4694: npdi = the NP database was dipped; rn = the routing
// number of the ported number. Our own country's rn is a national number.
TEST(NumberPortability, SipToIsupPortedWithRoutingNumber) {
  auto isup = isup_np_from_tel(TelNp{"+1-202-544-0000", true}, nanp());
  ASSERT_TRUE(isup.ok());
  EXPECT_EQ(*isup, (IsupNp{NpStatus::kPorted, "2025440000"}));
}

TEST(NumberPortability, SipToIsupDipDoneNotPorted) {
  auto isup = isup_np_from_tel(TelNp{"", true}, nanp());
  ASSERT_TRUE(isup.ok());
  EXPECT_EQ(*isup, (IsupNp{NpStatus::kNotPorted, ""}));
}

// Without npdi nothing says whether a query was made: no indication rather than
// "query not done".
TEST(NumberPortability, Unconfirmed_SipToIsupNoNpParametersIsNoIndication) {
  auto isup = isup_np_from_tel(TelNp{}, nanp());
  ASSERT_TRUE(isup.ok());
  EXPECT_EQ(*isup, (IsupNp{NpStatus::kNoIndication, ""}));
}

TEST(NumberPortability, Unconfirmed_SipToIsupRnWithoutNpdiIsPorted) {
  auto isup = isup_np_from_tel(TelNp{"+1-202-544-0000", false}, nanp());
  ASSERT_TRUE(isup.ok());
  EXPECT_EQ(*isup, (IsupNp{NpStatus::kPorted, "2025440000"}));
}

// ISUP's network routing number is national (Q.763 3.90 "national use"): an rn
// of another country, a local rn (needs rn-context, not supported) and junk are refused.
TEST(NumberPortability, SipToIsupRnThatIsupCannotCarry) {
  NumberPlan de;
  de.country_code = "49";
  EXPECT_EQ(isup_np_from_tel(TelNp{"+1-202-544-0000", true}, de).error(), NpError::kForeignRn);
  EXPECT_EQ(isup_np_from_tel(TelNp{"544-0000", true}, nanp()).error(), NpError::kLocalRn);
  EXPECT_EQ(isup_np_from_tel(TelNp{"+1-202-544-x000", true}, nanp()).error(), NpError::kBadRn);
  EXPECT_EQ(isup_np_from_tel(TelNp{"+1", true}, nanp()).error(), NpError::kForeignRn);
}

// ISUP -> SIP, the reverse rows.
TEST(NumberPortability, IsupToSipPortedGivesNpdiAndRn) {
  EXPECT_EQ(tel_np_from_isup(IsupNp{NpStatus::kPorted, "2025440000"}, nanp()), (TelNp{"+12025440000", true}));
  EXPECT_EQ(tel_user_with_np("+12025331234", tel_np_from_isup(IsupNp{NpStatus::kPorted, "2025440000"}, nanp())),
            "+12025331234;npdi;rn=+12025440000");
}

TEST(NumberPortability, IsupToSipNotPortedGivesNpdiOnly) {
  EXPECT_EQ(tel_np_from_isup(IsupNp{NpStatus::kNotPorted, ""}, nanp()), (TelNp{"", true}));
}

// npdi says a dip was done: not when the query was not done or nothing is known.
TEST(NumberPortability, IsupToSipNoQueryGivesNoNpdi) {
  EXPECT_EQ(tel_np_from_isup(IsupNp{NpStatus::kQueryNotDone, ""}, nanp()), TelNp{});
  EXPECT_EQ(tel_np_from_isup(IsupNp{NpStatus::kNoIndication, ""}, nanp()), TelNp{});
}

TEST(NumberPortability, Unconfirmed_IsupToSipRoutingNumberWithoutStatusGivesNpdiAndRn) {
  EXPECT_EQ(tel_np_from_isup(IsupNp{NpStatus::kNoIndication, "2025440000"}, nanp()), (TelNp{"+12025440000", true}));
}

// Q.763 3.90 network routing number: O/E (H), NPI (G-E) 1, NAI (D-A) 1 national
// format, BCD digits. Bit positions from secondary sources only.
TEST(NumberPortability, Unconfirmed_NetworkRoutingNumberLayout) {
  EXPECT_EQ(encode_network_routing_number("2025440000"), (Bytes{0x11, 0x02, 0x52, 0x44, 0x00, 0x00}));
  EXPECT_EQ(encode_network_routing_number("12345"), (Bytes{0x91, 0x21, 0x43, 0x05}));
  const Bytes even{0x11, 0x02, 0x52, 0x44, 0x00, 0x00}, odd{0x91, 0x21, 0x43, 0x05};
  EXPECT_EQ(*decode_network_routing_number(even), "2025440000");
  EXPECT_EQ(*decode_network_routing_number(odd), "12345");
}

TEST(NumberPortability, NetworkRoutingNumberBadInputRefused) {
  const Bytes short_param{0x11}, spare_nai{0x10, 0x21}, bad_digit{0x11, 0x2a};
  EXPECT_EQ(decode_network_routing_number(short_param).error(), NpError::kBadLength);
  EXPECT_EQ(decode_network_routing_number(spare_nai).error(), NpError::kBadIndicator);
  EXPECT_EQ(decode_network_routing_number(bad_digit).error(), NpError::kBadRn);
}

// Q.769.1 concatenated address: the called party number is RN followed by the
// directory number; splitting needs the (national) routing number length.
TEST(NumberPortability, Unconfirmed_ConcatenatedAddress) {
  EXPECT_EQ(concatenate_rn("2025440000", "2025331234"), "20254400002025331234");
  EXPECT_EQ(split_rn("20254400002025331234", 10), (std::pair<std::string, std::string>{"2025440000", "2025331234"}));
  EXPECT_EQ(split_rn("2025331234", 10), (std::pair<std::string, std::string>{"", "2025331234"}));
  EXPECT_EQ(split_rn("2025331234", 0), (std::pair<std::string, std::string>{"", "2025331234"}));
}

}  // namespace
}  // namespace isupgw::mapping
