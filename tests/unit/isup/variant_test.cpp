#include "isup/variant.h"

#include <gtest/gtest.h>

namespace isupgw::isup {
namespace {

TEST(Variant, NamesAndCicWidth) {
  EXPECT_EQ(variant_from_string("ansi"), Variant::kAnsi);
  EXPECT_EQ(to_string(Variant::kEtsi), "etsi");
  EXPECT_FALSE(variant_from_string("ITU-T"));
  EXPECT_EQ(max_cic(Variant::kItu), 4095u);
  EXPECT_EQ(max_cic(Variant::kAnsi), 16383u);
}

}  // namespace
}  // namespace isupgw::isup
