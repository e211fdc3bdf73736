// Every row of the cause tables is its own named test case.
#include "mapping/cause_map.h"

#include <gtest/gtest.h>

#include <string>

namespace isupgw::mapping {
namespace {

struct CauseRow {
  int cause;
  int status;  // 0: no response (BYE/CANCEL)
};
std::string cause_name(const testing::TestParamInfo<CauseRow>& i) {
  return "Cause" + std::to_string(i.param.cause) + "_to_" +
         (i.param.status ? std::to_string(i.param.status) : std::string("ByeOrCancel"));
}

// RFC 3398 8.2.6.1 (ISUP -> SIP), every row, plus "any other" examples -> 500.
class IsupCauseToSipStatus : public testing::TestWithParam<CauseRow> {};
TEST_P(IsupCauseToSipStatus, Rfc3398Row) {
  auto [cause, status] = GetParam();
  auto got = sip_status_for_cause(static_cast<std::uint8_t>(cause));
  if (status == 0) {
    EXPECT_EQ(got, std::nullopt);
  } else {
    EXPECT_EQ(got, status);
  }
  EXPECT_EQ(sip_status_for_cause(static_cast<std::uint8_t>(cause), CauseTable::kRfc3398), got);
}
INSTANTIATE_TEST_SUITE_P(Rfc3398, IsupCauseToSipStatus,
                         testing::Values(CauseRow{1, 404}, CauseRow{2, 404}, CauseRow{3, 404}, CauseRow{16, 0},
                                         CauseRow{17, 486}, CauseRow{18, 408}, CauseRow{19, 480}, CauseRow{20, 480},
                                         CauseRow{21, 403}, CauseRow{22, 410}, CauseRow{23, 410}, CauseRow{26, 404},
                                         CauseRow{27, 502}, CauseRow{28, 484}, CauseRow{29, 501}, CauseRow{31, 480},
                                         CauseRow{34, 503}, CauseRow{38, 503}, CauseRow{41, 503}, CauseRow{42, 503},
                                         CauseRow{47, 503}, CauseRow{55, 403}, CauseRow{57, 403}, CauseRow{58, 503},
                                         CauseRow{65, 488}, CauseRow{70, 488}, CauseRow{79, 501}, CauseRow{87, 403},
                                         CauseRow{88, 503}, CauseRow{102, 504}, CauseRow{111, 500}, CauseRow{127, 500},
                                         // "any other" -> 500
                                         CauseRow{4, 500}, CauseRow{25, 500}, CauseRow{44, 500}, CauseRow{63, 500},
                                         CauseRow{95, 500}, CauseRow{0, 500}),
                         cause_name);

// RFC 3398 8.2.6.1 note: call rejected by the user (location U) -> 603 Decline.
TEST(IsupCauseToSipStatus, CallRejectedByUserIs603) {
  EXPECT_EQ(sip_status_for_cause(21, CauseTable::kQ1912_5, kLocationUser), 603);
  EXPECT_EQ(sip_status_for_cause(21, CauseTable::kRfc3398, kLocationUser), 603);
  EXPECT_EQ(sip_status_for_cause(21, CauseTable::kQ1912_5, kLocationBeyondInterworking), 403);
  EXPECT_EQ(sip_status_for_cause(17, CauseTable::kQ1912_5, kLocationUser), 486);
}

struct StatusRow {
  int status;
  int cause;  // -1: no mapping (own CANCEL)
};
std::string status_name(const testing::TestParamInfo<StatusRow>& i) {
  return "Status" + std::to_string(i.param.status) + "_to_" +
         (i.param.cause >= 0 ? "Cause" + std::to_string(i.param.cause) : std::string("None"));
}
std::optional<std::uint8_t> expected(int cause) {
  if (cause < 0) return std::nullopt;
  return static_cast<std::uint8_t>(cause);
}

// RFC 3398 7.2.4.1 (SIP -> ISUP), every row, and the class defaults.
class SipStatusToCauseRfc3398 : public testing::TestWithParam<StatusRow> {};
TEST_P(SipStatusToCauseRfc3398, Row) {
  EXPECT_EQ(cause_for_sip_status(GetParam().status, CauseTable::kRfc3398), expected(GetParam().cause));
}
INSTANTIATE_TEST_SUITE_P(
    Rfc3398, SipStatusToCauseRfc3398,
    testing::Values(StatusRow{400, 41}, StatusRow{401, 21}, StatusRow{402, 21}, StatusRow{403, 21}, StatusRow{404, 1},
                    StatusRow{405, 63}, StatusRow{406, 79}, StatusRow{407, 21}, StatusRow{408, 102}, StatusRow{410, 22},
                    StatusRow{413, 127}, StatusRow{414, 127}, StatusRow{415, 79}, StatusRow{416, 127},
                    StatusRow{420, 127}, StatusRow{421, 127}, StatusRow{423, 127}, StatusRow{480, 18},
                    StatusRow{481, 41}, StatusRow{482, 25}, StatusRow{483, 25}, StatusRow{484, 28}, StatusRow{485, 1},
                    StatusRow{486, 17}, StatusRow{487, -1}, StatusRow{488, 127}, StatusRow{500, 41}, StatusRow{501, 79},
                    StatusRow{502, 38}, StatusRow{503, 41}, StatusRow{504, 102}, StatusRow{505, 127},
                    StatusRow{513, 127}, StatusRow{600, 17}, StatusRow{603, 21}, StatusRow{604, 1}, StatusRow{606, 127},
                    // class defaults for unlisted codes
                    StatusRow{499, 127}, StatusRow{599, 41}, StatusRow{699, 31}),
    status_name);

// Q.1912.5 (SIP -> ISUP): the statuses with their own cause; every other
// final response is 127 interworking (location BI). Differs from RFC 3398 for
// 480 (20, not 18) and for every status RFC 3398 gives another cause.
class SipStatusToCauseQ1912 : public testing::TestWithParam<StatusRow> {};
TEST_P(SipStatusToCauseQ1912, Row) {
  EXPECT_EQ(cause_for_sip_status(GetParam().status), expected(GetParam().cause));
  EXPECT_EQ(cause_for_sip_status(GetParam().status, CauseTable::kQ1912_5), expected(GetParam().cause));
}
INSTANTIATE_TEST_SUITE_P(Q1912_5, SipStatusToCauseQ1912,
                         testing::Values(StatusRow{404, 1}, StatusRow{410, 22}, StatusRow{480, 20}, StatusRow{484, 28},
                                         StatusRow{485, 1}, StatusRow{486, 17}, StatusRow{487, -1}, StatusRow{600, 17},
                                         StatusRow{603, 21}, StatusRow{604, 1}, StatusRow{606, 127},
                                         // interworking for the rest
                                         StatusRow{400, 127}, StatusRow{401, 127}, StatusRow{402, 127},
                                         StatusRow{403, 127}, StatusRow{405, 127}, StatusRow{406, 127},
                                         StatusRow{407, 127}, StatusRow{408, 127}, StatusRow{413, 127},
                                         StatusRow{414, 127}, StatusRow{415, 127}, StatusRow{416, 127},
                                         StatusRow{420, 127}, StatusRow{421, 127}, StatusRow{423, 127},
                                         StatusRow{481, 127}, StatusRow{482, 127}, StatusRow{483, 127},
                                         StatusRow{488, 127}, StatusRow{500, 127}, StatusRow{501, 127},
                                         StatusRow{502, 127}, StatusRow{503, 127}, StatusRow{504, 127},
                                         StatusRow{505, 127}, StatusRow{513, 127}, StatusRow{699, 127}),
                         status_name);

// The end-to-end cases of issue 7 survive a SIP -> ISUP -> SIP tandem.
TEST(CauseMap, BusyAndUnallocatedRoundTrip) {
  EXPECT_EQ(sip_status_for_cause(*cause_for_sip_status(486)), 486);
  EXPECT_EQ(sip_status_for_cause(*cause_for_sip_status(404)), 404);
  EXPECT_EQ(sip_status_for_cause(*cause_for_sip_status(484)), 484);
  EXPECT_EQ(sip_status_for_cause(*cause_for_sip_status(410)), 410);
}

TEST(CauseMap, TablesExposeTheirRows) {
  EXPECT_EQ(cause_to_status_rows().size(), 31u);
  EXPECT_EQ(status_to_cause_rows(CauseTable::kRfc3398).size(), 36u);
  EXPECT_EQ(status_to_cause_rows(CauseTable::kQ1912_5).size(), 10u);
}

}  // namespace
}  // namespace isupgw::mapping
