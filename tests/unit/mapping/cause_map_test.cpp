#include "mapping/cause_map.h"

#include <gtest/gtest.h>

namespace isupgw::mapping {
namespace {

// RFC 3398 8.2.6.1 rows.
TEST(CauseMap, IsupCauseToSipStatus) {
  EXPECT_EQ(sip_status_for_cause(1), 404);
  EXPECT_EQ(sip_status_for_cause(17), 486);
  EXPECT_EQ(sip_status_for_cause(18), 408);
  EXPECT_EQ(sip_status_for_cause(27), 502);
  EXPECT_EQ(sip_status_for_cause(28), 484);
  EXPECT_EQ(sip_status_for_cause(34), 503);
  EXPECT_EQ(sip_status_for_cause(102), 504);
  EXPECT_EQ(sip_status_for_cause(127), 500);          // "any other"
  EXPECT_EQ(sip_status_for_cause(16), std::nullopt);  // BYE/CANCEL, not a response
}

// RFC 3398 7.2.4.1 rows.
TEST(CauseMap, SipStatusToIsupCause) {
  EXPECT_EQ(cause_for_sip_status(404), 1);
  EXPECT_EQ(cause_for_sip_status(486), 17);
  EXPECT_EQ(cause_for_sip_status(480), 18);
  EXPECT_EQ(cause_for_sip_status(484), 28);
  EXPECT_EQ(cause_for_sip_status(503), 41);
  EXPECT_EQ(cause_for_sip_status(600), 17);
  EXPECT_EQ(cause_for_sip_status(487), std::nullopt);
  EXPECT_EQ(cause_for_sip_status(499), 127);  // unlisted 4xx
  EXPECT_EQ(cause_for_sip_status(699), 31);   // unlisted 6xx
}

}  // namespace
}  // namespace isupgw::mapping
