#include "mapping/reason_header.h"

#include <gtest/gtest.h>

namespace isupgw::mapping {
namespace {

TEST(ReasonHeader, Format) {
  EXPECT_EQ(format_q850_reason(17), "Q.850;cause=17;text=\"User busy\"");
  EXPECT_EQ(format_q850_reason(120), "Q.850;cause=120");
}

TEST(ReasonHeader, Parse) {
  EXPECT_EQ(parse_q850_reason("Q.850;cause=16;text=\"Normal call clearing\""), 16);
  EXPECT_EQ(parse_q850_reason("q.850 ; CAUSE = 34"), 34);
  EXPECT_EQ(parse_q850_reason("SIP;cause=200;text=\"a, b\", Q.850;cause=31"), 31);
  EXPECT_EQ(parse_q850_reason("SIP;cause=486"), std::nullopt);
  EXPECT_EQ(parse_q850_reason("Q.850;cause=128"), std::nullopt);
  EXPECT_EQ(parse_q850_reason("Q.850;cause=x1"), std::nullopt);
  EXPECT_EQ(parse_q850_reason(""), std::nullopt);
}

TEST(ReasonHeader, CauseTexts) {
  EXPECT_EQ(q850_cause_text(34), "No circuit/channel available");
  EXPECT_EQ(q850_cause_text(127), "Interworking, unspecified");
  EXPECT_EQ(q850_cause_text(0), "");
}

}  // namespace
}  // namespace isupgw::mapping
