// ISUP screening (issue 23): what the gateway accepts from the SS7 network
// before call control sees it. An MSU must belong to a configured trunk group:
// its OPC the group's adjacent exchange, its DPC our point code, its network
// indicator the group's, its CIC one of the group's circuits. Anything else is
// dropped and counted -- never answered (no UCIC, REL or reset towards whoever
// sent it) -- but for an ANSI CVT from a known peer on a CIC we do not have: that
// one is call control's to answer with CVR "validation failure" (T1.113.4, issue 20). Circuit maintenance that resets or blocks circuits (RSC, GRS, CGB,
// CGU; Q.764 2.8, 2.9.2, 2.10.3) is limited per peer exchange: beyond the rate
// the messages are dropped and an alarm is raised, cleared once the peer has
// been quiet for a while. Counters guard.isup.*, log lines isup_screened and
// alarm (at most one line a second per kind).
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/one_shot_timer.h"
#include "base/rate_limit.h"
#include "isup/isup_cc_config.h"

namespace isupgw::isup {

struct ScreeningConfig {
  // RSC/GRS/CGB/CGU accepted per second from one peer exchange; 0 = unlimited.
  double maintenance_per_second = 20;
  // Saved up at most; 0 = the peer's circuit count plus 32, so that a reset of
  // every circuit one by one (Q.764 2.10.3.1) passes once.
  double maintenance_burst = 0;
  // The alarm clears after this long without a dropped maintenance message.
  Clock::duration alarm_clear = std::chrono::seconds(10);
};

enum class ScreenVerdict : std::uint8_t {
  kPass,
  kForeignPointCodes,  // no trunk group between these point codes with this NI
  kForeignCic,         // the peer's, but the CIC is none of its groups' circuits
  kMaintenanceOverRate,
  kTooShort,  // no CIC and message type
};
std::string_view to_string(ScreenVerdict v);

class Screening {
 public:
  Screening(const std::vector<TrunkGroupConfig>& groups, ScreeningConfig cfg, const Clock& clock, TimerService& timers,
            Logger& log, Counters& counters);

  // One MTP-TRANSFER indication for ISUP: kPass lets call control have it.
  ScreenVerdict judge(const MtpLabel& label, std::span<const std::uint8_t> data);
  // CICs a reload added to trunk group `g` (issue 16): from now on the peer's.
  void equip(const TrunkGroupConfig& g, std::span<const std::uint16_t> cics);
  bool alarmed(PointCode peer) const;

 private:
  // One adjacent exchange as our trunk groups describe it.
  struct Peer {
    PointCode ours = 0, theirs = 0;
    std::uint8_t ni = 2;
    std::uint16_t cic_mask = 0x0fff;  // Q.763 1.2: 12 bits; ANSI 14
    bool ansi = false;                // a CVT for a CIC not ours still reaches call control (CVR failure)
    std::string name;                 // its first trunk group: names counters and log lines
    std::vector<CicRange> cics;
    TokenBucket maintenance;
    bool alarm = false;
    std::unique_ptr<OneShotTimer> clear;
    Counter* foreign_cic = nullptr;
    Counter* over_rate = nullptr;
    Counter* alarms = nullptr;
  };
  Peer* find(const MtpLabel& label);
  void screened(ScreenVerdict v, const MtpLabel& label, unsigned cic, unsigned type);
  void raise(Peer& p);

  ScreeningConfig cfg_;
  const Clock& clock_;
  TimerService& timers_;
  Logger& log_;
  std::vector<Peer> peers_;
  Counter& foreign_points_;
  Counter& too_short_;
  LogThrottle log_throttle_;
};

}  // namespace isupgw::isup
