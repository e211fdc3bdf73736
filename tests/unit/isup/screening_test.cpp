// ISUP screening (issue 23): MSUs from point codes, network indicators or CICs
// of no trunk group are dropped and counted, never answered; maintenance that
// resets or blocks circuits is limited per peer exchange with an alarm.
#include "isup/screening.h"

#include <gtest/gtest.h>

#include "base/timer_service.h"
#include "isup/codes.h"

namespace isupgw::isup {
namespace {

using namespace std::chrono_literals;

struct Fixture {
  Fixture(ScreeningConfig cfg = {}) : timers(clock), log([this](std::string_view l) { lines.emplace_back(l); }) {
    TrunkGroupConfig a;
    a.name = "b-a";
    a.opc = 2;  // ours
    a.dpc = 1;  // peer A
    a.ni = 2;
    a.cics = {CicRange(1, 31), CicRange(33, 63)};
    TrunkGroupConfig a2 = a;
    a2.name = "b-a-2";
    a2.cics = {CicRange(100, 131)};
    TrunkGroupConfig c;
    c.name = "b-c";
    c.opc = 2;
    c.dpc = 3;
    c.ni = 3;
    c.variant = Variant::kAnsi;
    c.cics = {CicRange(5000, 5001)};
    screen = std::make_unique<Screening>(std::vector<TrunkGroupConfig>{a, a2, c}, cfg, clock, timers, log, counters);
  }
  ScreenVerdict msg(PointCode opc, PointCode dpc, std::uint8_t ni, unsigned cic, std::uint8_t type) {
    const std::uint8_t data[] = {static_cast<std::uint8_t>(cic), static_cast<std::uint8_t>(cic >> 8), type, 0};
    return screen->judge(MtpLabel{opc, dpc, kServiceIndicatorIsup, ni, 0}, data);
  }
  ManualClock clock;
  ManualTimerService timers;
  std::vector<std::string> lines;
  Logger log;
  Counters counters;
  std::unique_ptr<Screening> screen;
};

TEST(Screening, OnlyTheTrunkGroupsPointCodesNiAndCicsPass) {
  Fixture f;
  EXPECT_EQ(f.msg(1, 2, 2, 1, msg::kIam), ScreenVerdict::kPass);
  EXPECT_EQ(f.msg(1, 2, 2, 63, msg::kIam), ScreenVerdict::kPass);
  EXPECT_EQ(f.msg(1, 2, 2, 120, msg::kRel), ScreenVerdict::kPass);             // the peer's second group
  EXPECT_EQ(f.msg(3, 2, 3, 5001, msg::kIam), ScreenVerdict::kPass);            // ANSI: a 14-bit CIC
  EXPECT_EQ(f.msg(9, 2, 2, 1, msg::kIam), ScreenVerdict::kForeignPointCodes);  // foreign OPC
  EXPECT_EQ(f.msg(1, 7, 2, 1, msg::kIam), ScreenVerdict::kForeignPointCodes);  // not our point code
  EXPECT_EQ(f.msg(1, 2, 0, 1, msg::kIam), ScreenVerdict::kForeignPointCodes);  // international NI
  EXPECT_EQ(f.msg(1, 2, 2, 32, msg::kRsc), ScreenVerdict::kForeignCic);        // between the ranges
  EXPECT_EQ(f.msg(1, 2, 2, 64, msg::kGrs), ScreenVerdict::kForeignCic);
  EXPECT_EQ(f.msg(1, 2, 2, 0x1001, msg::kIam), ScreenVerdict::kPass);  // ITU: the 4 spare bits are not the CIC
  EXPECT_EQ(f.counters.value("guard.isup.foreign_point_codes"), 3u);
  EXPECT_EQ(f.counters.value("guard.isup.b-a.foreign_cic"), 2u);
  const std::uint8_t two[] = {1, 0};
  EXPECT_EQ(f.screen->judge(MtpLabel{1, 2, 5, 2, 0}, two), ScreenVerdict::kTooShort);
  // One log line for the burst of refusals within the second; the next says how many were held back.
  EXPECT_EQ(std::count_if(f.lines.begin(), f.lines.end(), [](auto& l) { return l.find("isup_screened") != l.npos; }),
            1);
  f.clock.advance(1s);
  f.msg(9, 2, 2, 1, msg::kIam);
  EXPECT_NE(f.lines.back().find("held_back=5"), std::string::npos) << f.lines.back();
}

// Issue 20: an ANSI CVT (T1.113.4 circuit validation) for a CIC the known peer's groups lack is call control's
// to answer (CVR "validation failure"); any other message on it, a CVT on ITU, a CVT from a foreign point
// code stay dropped.
TEST(Screening, AnsiCvtForAnUnknownCicReachesCallControl) {
  Fixture f;
  EXPECT_EQ(f.msg(3, 2, 3, 77, msg::kCvt), ScreenVerdict::kPass);
  EXPECT_EQ(f.msg(3, 2, 3, 77, msg::kIam), ScreenVerdict::kForeignCic);
  EXPECT_EQ(f.msg(3, 2, 3, 77, msg::kCrm), ScreenVerdict::kForeignCic);
  EXPECT_EQ(f.msg(1, 2, 2, 32, msg::kCvt), ScreenVerdict::kForeignCic);         // ITU peer: 0xEC is nothing
  EXPECT_EQ(f.msg(9, 2, 3, 77, msg::kCvt), ScreenVerdict::kForeignPointCodes);  // unknown peer
  EXPECT_EQ(f.counters.value("guard.isup.b-c.foreign_cic"), 2u);
}

TEST(Screening, CicsAReloadAddsAreThePeersFromThenOn) {
  Fixture f;
  EXPECT_EQ(f.msg(1, 2, 2, 64, msg::kGra), ScreenVerdict::kForeignCic);
  TrunkGroupConfig a;
  a.opc = 2;
  a.dpc = 1;
  a.ni = 2;
  const std::uint16_t added[] = {64, 65, 66, 90};
  f.screen->equip(a, added);
  for (unsigned cic : {64, 65, 66, 90}) EXPECT_EQ(f.msg(1, 2, 2, cic, msg::kGra), ScreenVerdict::kPass) << cic;
  EXPECT_EQ(f.msg(1, 2, 2, 67, msg::kGra), ScreenVerdict::kForeignCic);
  EXPECT_EQ(f.msg(3, 2, 3, 90, msg::kGra), ScreenVerdict::kForeignCic);  // another peer's CICs are unchanged
}

TEST(Screening, MaintenanceBeyondThePeersRateIsDroppedWithAnAlarm) {
  Fixture f(ScreeningConfig{.maintenance_per_second = 10, .maintenance_burst = 20, .alarm_clear = 5s});
  int passed = 0;
  for (int i = 0; i < 100; ++i) passed += f.msg(1, 2, 2, 1 + i % 31, msg::kRsc) == ScreenVerdict::kPass;
  EXPECT_EQ(passed, 20);
  EXPECT_TRUE(f.screen->alarmed(1));
  EXPECT_FALSE(f.screen->alarmed(3));
  EXPECT_EQ(f.counters.value("guard.isup.b-a.maintenance_over_rate"), 80u);
  EXPECT_EQ(f.counters.value("guard.isup.b-a.maintenance_alarms"), 1u);
  // Calls are never limited; another peer keeps its own budget.
  EXPECT_EQ(f.msg(1, 2, 2, 5, msg::kIam), ScreenVerdict::kPass);
  EXPECT_EQ(f.msg(3, 2, 3, 5000, msg::kGrs), ScreenVerdict::kPass);
  // 10 a second come back; the alarm clears after 5 s without a drop.
  f.timers.advance(1s);
  passed = 0;
  for (int i = 0; i < 30; ++i) passed += f.msg(1, 2, 2, 7, msg::kCgb) == ScreenVerdict::kPass;
  EXPECT_EQ(passed, 10);
  f.timers.advance(4900ms);
  EXPECT_TRUE(f.screen->alarmed(1));
  f.timers.advance(100ms);
  EXPECT_FALSE(f.screen->alarmed(1));
  EXPECT_EQ(std::count_if(f.lines.begin(), f.lines.end(),
                          [](auto& l) { return l.find("alarm=isup_maintenance_flood state=raised") != l.npos; }),
            1);
  EXPECT_NE(f.lines.back().find("state=cleared"), std::string::npos) << f.lines.back();
}

TEST(Screening, DefaultBurstLetsAResetOfEveryCircuitPassOnce) {
  Fixture f;  // 20/s, burst = the peer's 94 circuits + 32
  int passed = 0;
  for (unsigned cic : {1u, 33u, 100u})
    for (unsigned i = 0; i < 31; ++i) passed += f.msg(1, 2, 2, cic + i, msg::kRsc) == ScreenVerdict::kPass;
  EXPECT_EQ(passed, 93);
  EXPECT_FALSE(f.screen->alarmed(1));
}

}  // namespace
}  // namespace isupgw::isup
