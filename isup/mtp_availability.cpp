// What IsupCallControl does when MTP reports on a destination (Q.764 2.13:
// MTP-PAUSE, MTP-RESUME; MTP-STATUS congestion with T29/T30 and user part
// unavailable with T4) and the paced circuit group reset on start and after
// recovery (2.10.3.2).
#include "isup/isup_cc.h"

#include <algorithm>
#include <string>

#include "isup/codes.h"
#include "isup/params.h"

namespace isupgw::isup {

void IsupCallControl::queue_reset(TrunkGroup& g) {
  // Runs of consecutive CICs, at most 32 circuits (range 31) per GRS.
  const auto& cs = g.circuits();
  std::size_t i = 0;
  while (i < cs.size()) {
    std::size_t j = i;
    while (j + 1 < cs.size() && cs[j + 1]->cic() == cs[j]->cic() + 1 && j + 1 - i < 32) ++j;
    queue_grs(g, cs[i]->cic(), static_cast<std::uint8_t>(j - i));
    i = j + 1;
  }
  log_.info(Subsystem::kIsup, "recovery.reset_queued",
            {{"group", g.config().name}, {"jobs", dest(g.config().dpc).grs_queue.size()}});
}

void IsupCallControl::queue_grs(const TrunkGroup& g, std::uint16_t first, std::uint8_t range) {
  dest(g.config().dpc).grs_queue.push_back(GrsJob{g.id(), first, range});
}

std::size_t IsupCallControl::grs_in_flight() const {
  std::size_t n = 0;
  for (const auto& [dpc, d] : dests_) n += d.grs_in_flight;
  return n;
}

std::size_t IsupCallControl::grs_queued() const {
  std::size_t n = 0;
  for (const auto& [dpc, d] : dests_) n += d.grs_queue.size();
  return n;
}

void IsupCallControl::pump_grs() {
  for (auto& [dpc, d] : dests_)
    if (!d.grs_queue.empty()) pump_grs(dpc);
}

void IsupCallControl::pump_grs(PointCode dpc) {
  // Per adjacent exchange: at most max_grs_in_flight GRSs unanswered and at
  // most grs_per_second sent, so a restart never floods a peer; exchanges
  // are paced independently (a 60,000-circuit gateway facing 15 of them
  // resets them side by side, not one after another).
  auto& d = dest(dpc);
  const auto interval =
      std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(1)) / std::max(1u, recovery_.grs_per_second);
  while (!d.paused && !d.grs_queue.empty() && d.grs_in_flight < std::max(1u, recovery_.max_grs_in_flight)) {
    // At most one GRS (or RSC) per interval: the pace timer runs from the
    // last one and pumps again when it expires.
    if (d.pace && d.pace->armed()) return;
    const GrsJob job = d.grs_queue.front();
    d.grs_queue.pop_front();
    TrunkGroup* g = find_group(job.group);
    if (g == nullptr) continue;
    if (!d.pace) d.pace = std::make_unique<OneShotTimer>(timers_);
    d.pace->arm(interval, [this, dpc] { pump_grs(dpc); });
    if (job.range == 0) {
      // A lone circuit: GRS range 0 is reserved (Q.763 3.43), use RSC.
      if (Circuit* c = g->find(job.first); c && !c->reset().resetting()) {
        reset_locally(*c, cause::kTemporaryFailure, "recovery");
        c->reset().handle(ResetEvent::kResetReq);
      }
      continue;
    }
    if (group_reset(job.group, job.first, job.range)) {
      paced_grs_.insert({job.group, job.first});
      ++d.grs_in_flight;
    }
  }
}

void IsupCallControl::on_pause(PointCode dpc) {
  auto& d = dest(dpc);
  count("isup.mtp.pause");
  log_.warn(Subsystem::kIsup, "mtp.pause", {{"dpc", dpc}});
  d.paused = true;
}

void IsupCallControl::on_resume(PointCode dpc) {
  auto& d = dest(dpc);
  count("isup.mtp.resume");
  log_.notice(Subsystem::kIsup, "mtp.resume", {{"dpc", dpc}});
  const bool was_paused = d.paused;
  d.paused = false;
  if (was_paused && recovery_.reset_on_resume) {
    // Circuit states may have diverged during the outage: reset them all, paced.
    for (auto& g : groups_)
      if (g->config().dpc == dpc) queue_reset(*g);
  }
  pump_grs(dpc);
}

void IsupCallControl::on_status(PointCode dpc, const MtpStatus& st) {
  if (st.cause == MtpStatusCause::kCongestion) {
    count("isup.mtp.congestion");
    log_.warn(Subsystem::kIsup, "mtp.congestion", {{"dpc", dpc}, {"level", st.congestion_level}});
    // Q.764 2.13.3: reduce the traffic by one step and start T29 and T30;
    // indications while T29 runs are ignored; each T30 expiry restores one step.
    const TrunkGroup* g = nullptr;
    for (auto& x : groups_)
      if (x->config().dpc == dpc) g = x.get();
    if (g == nullptr) return;
    auto& d = dest(dpc);
    if (!d.t29) d.t29 = std::make_unique<OneShotTimer>(timers_);
    if (!d.t30) d.t30 = std::make_unique<OneShotTimer>(timers_);
    if (d.t29->armed()) return;
    d.congestion_level = std::min(d.congestion_level + 1, std::max(1u, recovery_.congestion_steps));
    log_.notice(Subsystem::kIsup, "traffic.reduced", {{"dpc", dpc}, {"step", d.congestion_level}});
    const auto& t = g->config().timers;
    d.t29->arm(t.t29, [] {});
    d.t30->arm(t.t30, [this, dpc, t30 = t.t30] { on_t30(dpc, t30); });
    return;
  }
  count("isup.mtp.user_part_unavailable");
  log_.warn(Subsystem::kIsup, "mtp.user_part_unavailable", {{"dpc", dpc}, {"cause", static_cast<int>(st.upu_cause)}});
  auto& d = dest(dpc);
  d.user_part_unavailable = true;
  // Q.764 2.13.2: probe with UPT every T4 until the user part answers.
  TrunkGroup* probe = nullptr;
  for (auto& g : groups_)
    if (g->config().dpc == dpc && !g->circuits().empty()) probe = g.get();
  if (probe == nullptr || (d.t4 && d.t4->armed())) return;
  if (!d.t4) d.t4 = std::make_unique<OneShotTimer>(timers_);
  d.t4->arm(probe->config().timers.t4, [this, dpc, probe] { on_t4(dpc, probe); });
}

void IsupCallControl::on_t30(PointCode dpc, milliseconds t30) {
  auto& d = dest(dpc);
  if (d.congestion_level > 0) --d.congestion_level;
  log_.notice(Subsystem::kIsup, "traffic.restored", {{"dpc", dpc}, {"step", d.congestion_level}});
  if (d.congestion_level > 0) d.t30->arm(t30, [this, dpc, t30] { on_t30(dpc, t30); });
}

// Q.764 2.11.2: on a REL with the automatic congestion level the exchange reduces the traffic it offers
// the overloaded exchange; how much is a national matter. Ours: the traffic reduction steps of 2.10
// (signalling congestion, above) -- level 1 takes the destination to at least step 1, level 2 to at least
// step 2 (of congestion_steps, 4 by default: a quarter, a half of new calls refused) -- and T30 without a
// further ACL (or congestion indication) gives one step back, as 2.10 does.
void IsupCallControl::rx_acl(const TrunkGroup& g, const Message& rel) {
  const Param* p = rel.find(par::kAutomaticCongestionLevel);
  if (p == nullptr || p->value.size() != 1) return;
  const unsigned level = p->value[0];
  if (level < 1 || level > 3) return;  // spare (Q.763 3.4); 3 is ANSI's (T1.113.3) and counts as 2 here
  count("isup.acl.received");
  const PointCode dpc = g.config().dpc;
  auto& d = dest(dpc);
  const unsigned steps = std::max(1u, recovery_.congestion_steps);
  const unsigned want = std::min(std::min(level, 2u), steps);
  if (!d.t30) d.t30 = std::make_unique<OneShotTimer>(timers_);
  if (d.congestion_level < want) {
    d.congestion_level = want;
    log_.notice(Subsystem::kIsup, "traffic.reduced", {{"dpc", dpc}, {"step", d.congestion_level}, {"acl", level}});
  }
  const auto t30 = g.config().timers.t30;
  d.t30->arm(t30, [this, dpc, t30] { on_t30(dpc, t30); });
}

bool IsupCallControl::admit(PointCode dpc) {
  auto it = dests_.find(dpc);
  if (it == dests_.end() || it->second.congestion_level == 0) return true;
  auto& d = it->second;
  const unsigned n = std::max(1u, recovery_.congestion_steps);
  return (d.admitted++ % n) < n - std::min(d.congestion_level, n);
}

unsigned IsupCallControl::congestion_level(PointCode dpc) const {
  auto it = dests_.find(dpc);
  return it == dests_.end() ? 0 : it->second.congestion_level;
}

void IsupCallControl::on_t4(PointCode dpc, TrunkGroup* probe) {
  auto& d = dest(dpc);
  if (!d.user_part_unavailable) return;
  MessageBuilder b(msg::kUpt, probe->circuits().front()->cic());
  send_on(*probe, b);
  d.t4->arm(probe->config().timers.t4, [this, dpc, probe] { on_t4(dpc, probe); });
}

}  // namespace isupgw::isup
