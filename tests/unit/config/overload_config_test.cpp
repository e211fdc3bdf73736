// Issue 19: the node-wide overload section (engine/overload.h): defaults that work untuned, limits checked.
#include <gtest/gtest.h>

#include "config/config.pb.h"
#include "config/loader.h"

namespace isupgw::config {
namespace {

std::string error_of(std::string_view yaml) {
  auto r = load_config_text(yaml, "o.yaml");
  EXPECT_FALSE(r.ok()) << "accepted:\n" << yaml;
  return r.ok() ? std::string() : r.error().to_string();
}

// Absent: off (engine/call_engine.cpp says why); an empty section turns it on with the defaults.
TEST(OverloadConfig, AbsentMeansOffAnEmptySectionOn) {
  auto r = load_config_text("node: {name: a}\n", "o.yaml");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_FALSE(r->config.has_overload());
  auto on = load_config_text("node: {name: a}\noverload: {}\n", "o.yaml");
  ASSERT_TRUE(on.ok()) << on.error().to_string();
  EXPECT_TRUE(on->config.has_overload());
  EXPECT_FALSE(on->config.overload().disabled());
}

TEST(OverloadConfig, LoadsItsKeys) {
  auto r = load_config_text(
      "overload: {sample_ms: 50, backlog_percent: 40, lag_ms: 100, hold_ms: 5000, retry_after_s: 3}\n", "o.yaml");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->config.overload().sample_ms(), 50u);
  EXPECT_EQ(r->config.overload().backlog_percent(), 40u);
  EXPECT_EQ(r->config.overload().lag_ms(), 100u);
  EXPECT_EQ(r->config.overload().hold_ms(), 5000u);
  EXPECT_EQ(r->config.overload().retry_after_s(), 3u);
}

TEST(OverloadConfig, ErrorsNameTheLine) {
  EXPECT_EQ(error_of("node: {name: a}\noverload: {sample_ms: 5}\n"), "o.yaml:2: sample_ms must be between 10 and 10000");
  EXPECT_EQ(error_of("overload:\n  backlog_percent: 101\n"), "o.yaml:2: backlog_percent must be 1..100");
  EXPECT_EQ(error_of("overload: {retry_after_s: 100000}\n"), "o.yaml:1: retry_after_s must be at most 86400");
}

}  // namespace
}  // namespace isupgw::config
