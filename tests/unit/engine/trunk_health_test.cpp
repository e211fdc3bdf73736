// Trunk health (issue 18): the table of engine/trunk_health.cpp driven by
// failures and answers, with the thresholds of the configuration.
#include "engine/trunk_health.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace isupgw::engine {
namespace {

struct Fixture {
  Fixture() : log([this](std::string_view l) { lines.emplace_back(l); }) {}
  std::vector<std::string> lines;
  Logger log;
  Counters counters;
  int transitions() const {
    int n = 0;
    for (const auto& l : lines) n += l.find("trunk_health_transition") != std::string::npos;
    return n;
  }
};

TEST(TrunkHealth, DownAfterConsecutiveFailuresUpAfterConsecutiveAnswers) {
  Fixture f;
  TrunkHealth h("carrier-a", 2, 3, f.log, f.counters);
  EXPECT_EQ(h.state(), TrunkHealthState::kUp);
  h.failure();
  h.success();  // not in a row: the count starts again
  h.failure();
  EXPECT_TRUE(h.up());
  h.failure();  // the second in a row
  EXPECT_EQ(h.state(), TrunkHealthState::kDown);
  EXPECT_EQ(f.transitions(), 1);
  h.failure();
  EXPECT_EQ(h.state(), TrunkHealthState::kDown);
  h.success();  // the first answer: probing, routes still skip it
  EXPECT_EQ(h.state(), TrunkHealthState::kProbing);
  EXPECT_FALSE(h.up());
  h.failure();  // a failure while probing: down again at once
  EXPECT_EQ(h.state(), TrunkHealthState::kDown);
  h.success();
  h.success();
  EXPECT_EQ(h.state(), TrunkHealthState::kProbing);
  h.success();  // the third answer in a row
  EXPECT_TRUE(h.up());
  EXPECT_EQ(f.transitions(), 5);  // UP>DOWN, DOWN>PROBING, PROBING>DOWN, DOWN>PROBING, PROBING>UP
  EXPECT_EQ(f.counters.value("sip.trunk_health.carrier-a.went_down"), 2u);
  EXPECT_EQ(f.counters.value("sip.trunk_health.carrier-a.went_probing"), 2u);
  EXPECT_EQ(f.counters.value("sip.trunk_health.carrier-a.went_up"), 1u);
  EXPECT_NE(f.lines.back().find("trunk=carrier-a from=PROBING to=UP"), std::string::npos) << f.lines.back();
}

TEST(TrunkHealth, OneAnswerBringsItBackWhenUpAfterIsOne) {
  Fixture f;
  TrunkHealth h("t", 1, 1, f.log, f.counters);
  h.failure();
  EXPECT_EQ(h.state(), TrunkHealthState::kDown);
  h.success();
  EXPECT_TRUE(h.up());
}

}  // namespace
}  // namespace isupgw::engine
