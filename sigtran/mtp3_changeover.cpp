// The link set's changeover (Q.704 5, with Q.2210 XCO/XCA for M2PA's 24-bit FSN)
// and changeback (Q.704 6) procedures; see mtp3_linkset.h.
#include "sigtran/mtp3_linkset.h"

#include <algorithm>

namespace isupgw::sigtran::mtp3 {

// Q.704 5.2: hold the link's traffic, send XCO with our last accepted FSN on an alternative link;
// ECO when that FSN cannot be determined (Q.704 5.6.1). T2 awaits the answer.
void LinkSet::begin_changeover(std::size_t i) {
  auto& r = *links_[i];
  changeovers_.inc();
  r.holding = true;
  r.changed_over = false;
  auto via = any_active(i);
  if (!via) return;
  if (r.remote_outage) {
    // Q.704 5.6.2 time-controlled changeover: no changeover message can be exchanged with a far
    // end in processor outage. The traffic is held for T1, so that what is still on its way over
    // the failed link is not overtaken, then sent on the alternative links.
    r.co_sent = false;
    arm_changeover_timer(r, cfg_.t1_changeover);
    log_.notice(Subsystem::kM3ua, "mtp3_changeover_time_controlled",
                {{"linkset", cfg_.name},
                 {"slc", r.link->slc()},
                 {"t1_ms", std::chrono::duration_cast<std::chrono::milliseconds>(cfg_.t1_changeover).count()}});
    return;
  }
  Management m;
  m.slc = r.link->slc();
  if (r.link->sequence_known()) {
    m.type = MgmtType::kXco;
    m.fsn = r.link->last_accepted_fsn();
  } else {
    m.type = MgmtType::kEco;
  }
  r.co_sent = true;
  arm_changeover_timer(r, cfg_.t2_changeover);
  send_mgmt(*via, m, cfg_.variant == Variant::kItu ? m.slc : 0);
}

// Q.704 5.4: retrieve what the peer has not accepted, send it first, then the held traffic.
void LinkSet::complete_changeover(std::size_t i, std::optional<std::uint32_t> peer_fsn, bool low7) {
  auto& r = *links_[i];
  r.co_sent = false;
  r.co_timer.cancel();
  r.holding = false;
  r.changed_over = true;
  std::vector<std::vector<std::uint8_t>> resend;
  if (peer_fsn && !low7 && !r.link->fsn_reasonable(*peer_fsn)) {
    // Q.704 5.7.1: an unreasonable FSN: no buffer updating, new traffic on the alternatives.
    log_.warn(Subsystem::kM3ua, "mtp3_changeover_unreasonable_fsn",
              {{"linkset", cfg_.name}, {"slc", r.link->slc()}, {"fsn", *peer_fsn}});
    peer_fsn.reset();
  }
  if (peer_fsn) {
    // XCO/XCA carry the whole 24-bit FSN; COO/COA its 7 low bits (Q.704 5.4.1).
    resend = low7 ? r.link->retrieve_low7(static_cast<std::uint8_t>(*peer_fsn)) : r.link->retrieve(*peer_fsn);
    retrieved_.inc(resend.size());
  } else {
    // Emergency or time-controlled changeover (Q.704 5.6, 5.7.2): which of our messages the peer
    // accepted is unknown. Resending them all could duplicate (an IAM twice seizes twice);
    // they are discarded and counted instead: possible loss, which ISUP's timers recover.
    discarded_.inc(r.link->unacked());
    (void)r.link->retrieve(r.link->last_accepted_fsn());
  }
  log_.notice(Subsystem::kM3ua, "mtp3_changeover_done",
              {{"linkset", cfg_.name}, {"slc", r.link->slc()}, {"retrieved", resend.size()}, {"held", r.held.size()}});
  for (auto& msu : resend) {
    auto u = decode_user(msu, cfg_.variant);
    route_msu(std::move(msu), u ? u->label.sls : 0);
  }
  flush_held(i);
  if (!r.link->in_service()) {
    restart_link(i);
  } else if (!r.remote_outage) {
    start_test(i);  // M2PA stayed in service (a processor outage that has ended): test, then change back
  }
}

void LinkSet::flush_held(std::size_t i) {
  auto held = std::move(links_[i]->held);
  links_[i]->held.clear();
  for (auto& msu : held) {
    auto u = decode_user(msu, cfg_.variant);
    route_msu(std::move(msu), u ? u->label.sls : 0);
  }
}

// Q.704 6.2: hold the SLSs coming home, declare changeback on each link that carried them.
void LinkSet::begin_changeback(std::size_t i) {
  auto& r = *links_[i];
  std::vector<std::size_t> carriers;
  const std::uint32_t span = cfg_.variant == Variant::kItu ? 16 : 256;
  for (std::uint32_t sls = 0; sls < span; ++sls) {
    if (home_of(static_cast<std::uint8_t>(sls)) != i) continue;
    auto alt = alternative_for(static_cast<std::uint8_t>(sls), i);
    if (alt && std::find(carriers.begin(), carriers.end(), *alt) == carriers.end()) carriers.push_back(*alt);
  }
  if (carriers.empty()) return;
  changebacks_.inc();
  r.holding = true;
  r.cb_code = next_cb_code_++;
  r.cb_pending = static_cast<int>(carriers.size());
  r.cb_timer.arm(cfg_.t4_changeback, [this, rp = &r] {
    log_.warn(Subsystem::kM3ua, "mtp3_changeback_timeout", {{"linkset", cfg_.name}, {"slc", rp->link->slc()}});
    complete_changeback(index_of(rp));  // Q.704 6.4 time-controlled diversion
  });
  for (auto c : carriers) {
    Management m;
    m.type = MgmtType::kCbd;
    m.slc = r.link->slc();
    m.cbc = r.cb_code;
    send_mgmt(c, m, cfg_.variant == Variant::kItu ? m.slc : 0);
  }
}

void LinkSet::complete_changeback(std::size_t i) {
  auto& r = *links_[i];
  r.cb_pending = 0;
  r.cb_timer.cancel();
  r.holding = false;
  log_.notice(Subsystem::kM3ua, "mtp3_changeback_done",
              {{"linkset", cfg_.name}, {"slc", r.link->slc()}, {"held", r.held.size()}});
  flush_held(i);
}

// T2: no answer to our changeover order, new traffic on the alternatives (Q.704 5.7.2);
// T1: the end of a time-controlled changeover (Q.704 5.6.2).
void LinkSet::arm_changeover_timer(Rec& r, Clock::duration d) {
  r.co_timer.arm(d, [this, rp = &r] {
    if (rp->co_sent)
      log_.warn(Subsystem::kM3ua, "mtp3_changeover_timeout", {{"linkset", cfg_.name}, {"slc", rp->link->slc()}});
    complete_changeover(index_of(rp), std::nullopt);
  });
}

}  // namespace isupgw::sigtran::mtp3
