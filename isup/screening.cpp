#include "isup/screening.h"

#include <algorithm>
#include <memory>

#include "isup/codes.h"

namespace isupgw::isup {

std::string_view to_string(ScreenVerdict v) {
  switch (v) {
    case ScreenVerdict::kPass: return "pass";
    case ScreenVerdict::kForeignPointCodes: return "foreign_point_codes";
    case ScreenVerdict::kForeignCic: return "foreign_cic";
    case ScreenVerdict::kMaintenanceOverRate: return "maintenance_over_rate";
    case ScreenVerdict::kTooShort: return "too_short";
  }
  return "?";
}

namespace {
// Q.764 maintenance that resets or blocks circuits.
bool maintenance(unsigned type) {
  return type == msg::kRsc || type == msg::kGrs || type == msg::kCgb || type == msg::kCgu;
}
}  // namespace

Screening::Screening(const std::vector<TrunkGroupConfig>& groups, ScreeningConfig cfg, const Clock& clock,
                     TimerService& timers, Logger& log, Counters& counters)
    : cfg_(cfg),
      clock_(clock),
      timers_(timers),
      log_(log),
      foreign_points_(counters.get("guard.isup.foreign_point_codes")),
      too_short_(counters.get("guard.isup.too_short")) {
  for (const auto& g : groups) {
    auto it = std::find_if(peers_.begin(), peers_.end(),
                           [&](const Peer& p) { return p.ours == g.opc && p.theirs == g.dpc && p.ni == g.ni; });
    if (it == peers_.end()) {
      Peer p;
      p.ours = g.opc;
      p.theirs = g.dpc;
      p.ni = g.ni;
      p.cic_mask = static_cast<std::uint16_t>(max_cic(g.variant));
      p.ansi = g.variant == Variant::kAnsi;
      p.name = g.name;
      p.clear = std::make_unique<OneShotTimer>(timers_);
      p.foreign_cic = &counters.get("guard.isup." + g.name + ".foreign_cic");
      p.over_rate = &counters.get("guard.isup." + g.name + ".maintenance_over_rate");
      p.alarms = &counters.get("guard.isup." + g.name + ".maintenance_alarms");
      peers_.push_back(std::move(p));
      it = std::prev(peers_.end());
    }
    it->cics.insert(it->cics.end(), g.cics.begin(), g.cics.end());
  }
  for (auto& p : peers_) {
    double circuits = 0;
    for (const auto& r : p.cics) circuits += r.last - r.first + 1;
    p.maintenance = TokenBucket(
        RateLimit{cfg_.maintenance_per_second, cfg_.maintenance_burst > 0 ? cfg_.maintenance_burst : circuits + 32});
  }
}

Screening::Peer* Screening::find(const MtpLabel& l) {
  for (auto& p : peers_)
    if (p.theirs == l.opc && p.ours == l.dpc && p.ni == l.ni) return &p;
  return nullptr;
}

bool Screening::alarmed(PointCode peer) const {
  return std::any_of(peers_.begin(), peers_.end(), [&](const Peer& p) { return p.theirs == peer && p.alarm; });
}

void Screening::equip(const TrunkGroupConfig& g, std::span<const std::uint16_t> cics) {
  auto it = std::find_if(peers_.begin(), peers_.end(),
                         [&](const Peer& p) { return p.ours == g.opc && p.theirs == g.dpc && p.ni == g.ni; });
  if (it == peers_.end()) return;              // groups are fixed at start: the peer is known
  for (std::size_t i = 0; i < cics.size();) {  // runs of consecutive CICs: judge() scans ranges
    std::size_t j = i;
    while (j + 1 < cics.size() && cics[j + 1] == cics[j] + 1) ++j;
    it->cics.emplace_back(cics[i], cics[j]);
    i = j + 1;
  }
}

ScreenVerdict Screening::judge(const MtpLabel& label, std::span<const std::uint8_t> data) {
  if (data.size() < 3) {
    too_short_.inc();
    screened(ScreenVerdict::kTooShort, label, 0, 0);
    return ScreenVerdict::kTooShort;
  }
  Peer* p = find(label);
  const unsigned raw_cic = data[0] | (data[1] << 8);
  const unsigned type = data[2];
  if (p == nullptr) {
    foreign_points_.inc();
    screened(ScreenVerdict::kForeignPointCodes, label, raw_cic, type);
    return ScreenVerdict::kForeignPointCodes;
  }
  const unsigned cic = raw_cic & p->cic_mask;
  const bool ours =
      std::any_of(p->cics.begin(), p->cics.end(), [&](const CicRange& r) { return cic >= r.first && cic <= r.last; });
  // T1.113.4 circuit validation exists to find translations that differ: a CVT for a CIC we do not have is
  // answered with CVR "validation failure" by call control (the peer is known, its point codes checked above).
  if (!ours && p->ansi && type == msg::kCvt) return ScreenVerdict::kPass;
  if (!ours) {
    p->foreign_cic->inc();
    screened(ScreenVerdict::kForeignCic, label, cic, type);
    return ScreenVerdict::kForeignCic;
  }
  if (maintenance(type) && !p->maintenance.take(clock_.now())) {
    p->over_rate->inc();
    raise(*p);
    screened(ScreenVerdict::kMaintenanceOverRate, label, cic, type);
    return ScreenVerdict::kMaintenanceOverRate;
  }
  return ScreenVerdict::kPass;
}

void Screening::raise(Peer& p) {
  // Re-armed by every drop: the alarm clears after alarm_clear without one.
  p.clear->arm(cfg_.alarm_clear, [this, &p] {
    p.alarm = false;
    log_.notice(
        Subsystem::kIsup, "alarm",
        {{"alarm", "isup_maintenance_flood"}, {"state", "cleared"}, {"trunk_group", p.name}, {"peer", p.theirs}});
  });
  if (p.alarm) return;
  p.alarm = true;
  p.alarms->inc();
  log_.error(Subsystem::kIsup, "alarm",
             {{"alarm", "isup_maintenance_flood"},
              {"state", "raised"},
              {"trunk_group", p.name},
              {"peer", p.theirs},
              {"limit_per_second", cfg_.maintenance_per_second}});
}

void Screening::screened(ScreenVerdict v, const MtpLabel& l, unsigned cic, unsigned type) {
  std::uint64_t held = 0;
  if (!log_throttle_.allow(clock_.now(), held)) return;
  log_.warn(Subsystem::kIsup, "isup_screened",
            {{"why", to_string(v)},
             {"opc", l.opc},
             {"dpc", l.dpc},
             {"ni", l.ni},
             {"cic", cic},
             {"type", type},
             {"held_back", held}});
}

}  // namespace isupgw::isup
