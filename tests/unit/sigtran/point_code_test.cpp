#include "sigtran/point_code.h"

#include <gtest/gtest.h>

namespace isupgw::sigtran {
namespace {

TEST(PointCode, Itu383) {
  auto pc = parse_point_code("2-100-1", PointCodeFormat::kItu383);
  ASSERT_TRUE(pc);
  EXPECT_EQ(pc->value, (2u << 11) | (100u << 3) | 1u);
  EXPECT_EQ(format_point_code(*pc, PointCodeFormat::kItu383), "2-100-1");
  EXPECT_FALSE(parse_point_code("8-0-0", PointCodeFormat::kItu383));  // 3 bits
  EXPECT_FALSE(parse_point_code("16384", PointCodeFormat::kItu383));  // 14 bits
  EXPECT_EQ(parse_point_code("16383", PointCodeFormat::kItu383)->value, 16383u);
}

TEST(PointCode, Ansi888) {
  auto pc = parse_point_code("1.2.3", PointCodeFormat::kAnsi888);
  ASSERT_TRUE(pc);
  EXPECT_EQ(pc->value, 0x010203u);
  EXPECT_EQ(format_point_code(*pc, PointCodeFormat::kAnsi888), "1-2-3");
  EXPECT_FALSE(parse_point_code("256-0-0", PointCodeFormat::kAnsi888));
  EXPECT_FALSE(parse_point_code("1-2", PointCodeFormat::kAnsi888));
  EXPECT_FALSE(parse_point_code("1-2-3-4", PointCodeFormat::kAnsi888));
}

}  // namespace
}  // namespace isupgw::sigtran
