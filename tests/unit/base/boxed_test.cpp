// Boxed<T>: std::optional's behaviour, one pointer in size (issue 19: memory per call).
#include "base/boxed.h"

#include <gtest/gtest.h>

#include <string>

namespace isupgw {
namespace {

struct Big {
  char bytes[512] = {};
  std::string name;
};

TEST(Boxed, OnePointerWhateverTheSize) {
  static_assert(sizeof(Boxed<Big>) == sizeof(void*));
  EXPECT_GT(sizeof(std::optional<Big>), sizeof(Boxed<Big>));
}

TEST(Boxed, BehavesAsOptional) {
  Boxed<Big> b;
  EXPECT_FALSE(b);
  EXPECT_FALSE(b.has_value());
  b = Big{{}, "iam"};
  ASSERT_TRUE(b);
  EXPECT_EQ(b->name, "iam");
  (*b).name = "sam";
  Boxed<Big> copy = b;  // a deep copy: the two are independent
  copy->name = "copy";
  EXPECT_EQ(b->name, "sam");
  Boxed<Big> moved = std::move(copy);
  EXPECT_EQ(moved->name, "copy");
  b = std::nullopt;
  EXPECT_FALSE(b);
  moved.reset();
  EXPECT_FALSE(moved);
  EXPECT_EQ(b.emplace(Big{{}, "x"}).name, "x");
  EXPECT_TRUE(b);
}

}  // namespace
}  // namespace isupgw
