#include "media-gw/endpoint_map.h"

#include <gtest/gtest.h>

namespace isupgw::mediagw {
namespace {

TEST(EndpointMap, E1TimeslotsPerSpan) {
  E1EndpointPattern p;
  p.domain = "mg1";
  EXPECT_EQ(endpoint_for_cic(p, 1), "ds/e1-0/1@mg1");
  EXPECT_EQ(endpoint_for_cic(p, 31), "ds/e1-0/31@mg1");
  EXPECT_EQ(endpoint_for_cic(p, 32), "ds/e1-1/1@mg1");
  EXPECT_EQ(endpoint_for_cic(p, 0), std::nullopt);
}

TEST(EndpointMap, SkipsTimeslot16WhenAsked) {
  E1EndpointPattern p;
  p.skip_ts16 = true;
  EXPECT_EQ(endpoint_for_cic(p, 15), "ds/e1-0/15@mg");
  EXPECT_EQ(endpoint_for_cic(p, 16), "ds/e1-0/17@mg");
  EXPECT_EQ(endpoint_for_cic(p, 30), "ds/e1-0/31@mg");
  EXPECT_EQ(endpoint_for_cic(p, 31), "ds/e1-1/1@mg");
}

}  // namespace
}  // namespace isupgw::mediagw
