// Node-wide overload control (issue 19, engine/overload.h) in virtual time: entering on the receive
// backlog, on kernel drops and on the loop's lag; the refusal fraction's climb and hysteresis; leaving only
// after `hold` calm; refusals spread evenly; the congestion level (Q.764 2.11: level 1, level 2).
#include "engine/overload.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace isupgw::engine {
namespace {

using namespace std::chrono_literals;

struct Fixture {
  Fixture() : log([this](std::string_view l) { lines.emplace_back(l); }), ctl(OverloadConfig{}, log, counters) {}
  std::vector<std::string> lines;
  Logger log;
  Counters counters;
  OverloadControl ctl;
  ManualClock clock;
  // One sample period later, the given load.
  bool tick(double backlog, std::uint64_t drops = 0, Clock::duration lag = {}) {
    clock.advance(ctl.config().sample);
    return ctl.sample(clock.now(), LoadSample{backlog, drops, lag});
  }
  int state_lines() const {
    int n = 0;
    for (const auto& l : lines) n += l.find("overload_state") != std::string::npos;
    return n;
  }
};

TEST(Overload, NormalUnderTheThresholdRefusesNothing) {
  Fixture f;
  for (int i = 0; i < 50; ++i) EXPECT_FALSE(f.tick(0.2));  // 20 % < the 25 % default threshold
  EXPECT_EQ(f.ctl.state(), OverloadState::kNormal);
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(f.ctl.refuse());
  EXPECT_EQ(f.state_lines(), 0);
}

TEST(Overload, BacklogOverTheThresholdEntersLevel1AndRefusesEvenly) {
  Fixture f;
  EXPECT_TRUE(f.tick(0.30));
  EXPECT_EQ(f.ctl.state(), OverloadState::kLevel1);
  EXPECT_EQ(f.ctl.level(), 1u);
  EXPECT_NEAR(f.ctl.refusal(), 0.1, 1e-9);
  EXPECT_EQ(f.state_lines(), 1);
  EXPECT_EQ(f.counters.value("overload.state_changes"), 1u);
  // 10 %: exactly one of every ten new calls, evenly spread.
  int refused = 0;
  for (int i = 0; i < 100; ++i) refused += f.ctl.refuse();
  EXPECT_EQ(refused, 10);
}

TEST(Overload, RefusalClimbsWhileOverloadedAndReachesLevel2) {
  Fixture f;
  for (int i = 0; i < 4; ++i) f.tick(0.9);
  EXPECT_EQ(f.ctl.state(), OverloadState::kLevel1);
  EXPECT_NEAR(f.ctl.refusal(), 0.4, 1e-9);
  f.tick(0.9);
  EXPECT_EQ(f.ctl.state(), OverloadState::kLevel2);  // 50 %: the more severe threshold
  EXPECT_EQ(f.ctl.level(), 2u);
  for (int i = 0; i < 20; ++i) f.tick(0.9);
  EXPECT_NEAR(f.ctl.refusal(), 0.99, 1e-9);  // never every call: the refused rate keeps being measured
}

TEST(Overload, KernelDropsMeanOverloadWhateverTheQueueHoldsNow) {
  Fixture f;
  EXPECT_TRUE(f.tick(0.0, 17));
  EXPECT_EQ(f.ctl.state(), OverloadState::kLevel1);
  EXPECT_EQ(f.counters.value("overload.rx_drops"), 17u);
}

TEST(Overload, LoopLagOverItsThresholdCountsToo) {
  Fixture f;
  EXPECT_FALSE(f.tick(0.0, 0, 150ms));
  EXPECT_TRUE(f.tick(0.0, 0, 250ms));  // default lag threshold 200 ms
  EXPECT_EQ(f.ctl.state(), OverloadState::kLevel1);
}

TEST(Overload, HysteresisHoldsTheFractionBetweenLeaveAndTheThreshold) {
  Fixture f;
  for (int i = 0; i < 3; ++i) f.tick(0.5);
  const double r = f.ctl.refusal();
  // 15 %: load 0.6 of the threshold, above leave (0.5): neither up nor down.
  for (int i = 0; i < 30; ++i) f.tick(0.15);
  EXPECT_DOUBLE_EQ(f.ctl.refusal(), r);
  EXPECT_NE(f.ctl.state(), OverloadState::kNormal);
}

TEST(Overload, LeavesOnlyAfterTheFractionIsBackAtZeroAndHoldHasPassed) {
  Fixture f;
  f.tick(0.5);
  f.tick(0.5);  // 20 %
  EXPECT_EQ(f.ctl.state(), OverloadState::kLevel1);
  // Calm: -2 % per sample; at zero after 10 samples (1 s), but the 2 s hold counts from the first calm one.
  int samples = 0;
  while (f.ctl.state() != OverloadState::kNormal && samples < 100) {
    f.tick(0.0);
    ++samples;
    if (f.ctl.refusal() > 0) {
      EXPECT_NE(f.ctl.state(), OverloadState::kNormal);
    }
  }
  EXPECT_EQ(f.ctl.state(), OverloadState::kNormal);
  EXPECT_EQ(samples, 21);  // 2 s after the first calm sample (20 periods), seen at the sample after
  EXPECT_EQ(f.state_lines(), 2);
  EXPECT_FALSE(f.ctl.refuse());
}

TEST(Overload, Level2FallsBackToLevel1AsTheFractionDecays) {
  Fixture f;
  for (int i = 0; i < 6; ++i) f.tick(1.0);  // 60 %
  EXPECT_EQ(f.ctl.state(), OverloadState::kLevel2);
  while (f.ctl.refusal() >= 0.5) f.tick(0.0);
  EXPECT_EQ(f.ctl.state(), OverloadState::kLevel1);
}

TEST(Overload, DisabledNeverRefuses) {
  Fixture f;
  OverloadConfig c;
  c.enabled = false;
  f.ctl.configure(c);
  for (int i = 0; i < 10; ++i) f.tick(1.0, 100, 1s);
  EXPECT_EQ(f.ctl.state(), OverloadState::kNormal);
  EXPECT_FALSE(f.ctl.refuse());
}

}  // namespace
}  // namespace isupgw::engine
