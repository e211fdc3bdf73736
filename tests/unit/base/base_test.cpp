#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/counters.h"
#include "base/hex.h"
#include "base/log.h"

namespace isupgw {
namespace {

TEST(Hex, RoundTripsAndToleratesSeparators) {
  auto b = from_hex("0x01 00:03-01");
  ASSERT_TRUE(b);
  EXPECT_EQ(to_hex(*b), "01000301");
  EXPECT_FALSE(from_hex("123"));
  EXPECT_FALSE(from_hex("zz"));
  EXPECT_EQ(from_hex("")->size(), 0u);
}

TEST(ManualClock, AdvancesOnlyWhenTold) {
  ManualClock c;
  auto t0 = c.now();
  EXPECT_EQ(c.now(), t0);
  c.advance(std::chrono::seconds(30));
  EXPECT_EQ(c.now() - t0, std::chrono::seconds(30));
}

TEST(Counters, CreateOnFirstUseAndSnapshotSorted) {
  Counters cs;
  cs.get("sip.rx").inc();
  cs.get("isup.tx").inc(3);
  cs.get("sip.rx").inc();
  EXPECT_EQ(cs.value("sip.rx"), 2u);
  EXPECT_EQ(cs.value("missing"), 0u);
  auto snap = cs.snapshot();
  ASSERT_EQ(snap.size(), 2u);
  EXPECT_EQ(snap[0].first, "isup.tx");
  EXPECT_EQ(snap[0].second, 3u);
}

TEST(Logger, PerSubsystemLevels) {
  std::vector<std::string> lines;
  Logger log([&](std::string_view l) { lines.emplace_back(l); });
  log.set_all_levels(LogLevel::kWarn);
  log.set_level(Subsystem::kIsup, LogLevel::kDebug);
  log.info(Subsystem::kSip, "dropped");
  log.debug(Subsystem::kIsup, "iam_received", {{"cic", 17}, {"called", "4930 123"}});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(" debug isup iam_received cic=17 called=\"4930 123\"\n"), std::string::npos) << lines[0];
}

TEST(Logger, JsonFormatEscapes) {
  std::string out;
  Logger log([&](std::string_view l) { out = l; });
  log.set_format(LogFormat::kJson);
  log.error(Subsystem::kM3ua, "asp_down", {{"reason", "peer said \"bye\""}, {"rc", 7}});
  EXPECT_NE(out.find("\"subsys\":\"m3ua\",\"event\":\"asp_down\",\"reason\":\"peer said \\\"bye\\\"\",\"rc\":7}"),
            std::string::npos)
      << out;
}

TEST(Logger, NamesRoundTrip) {
  for (auto s : {Subsystem::kCore, Subsystem::kConfig, Subsystem::kSip, Subsystem::kIsup, Subsystem::kM3ua,
                 Subsystem::kMgcp, Subsystem::kCall})
    EXPECT_EQ(subsystem_from_string(to_string(s)), s);
  EXPECT_EQ(log_level_from_string("notice"), LogLevel::kNotice);
  EXPECT_FALSE(log_level_from_string("verbose"));
}

}  // namespace
}  // namespace isupgw
