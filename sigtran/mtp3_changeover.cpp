// The link set's changeover (Q.704 5, with Q.2210 XCO/XCA for M2PA's 24-bit FSN)
// and changeback (Q.704 6): the actions of the signalling link table
// (mtp3_link_status.cpp) and the handling of the messages; see mtp3_linkset.h.
#include <algorithm>

#include "sigtran/mtp3_linkset.h"

namespace isupgw::sigtran::mtp3 {

using S = SlState;
using E = SlEvent;

// The changeover messages concerning one of our links, received on link `from`.
void LinkSet::on_changeover_message(std::size_t from, const Management& m) {
  auto i = index_of_slc(m.slc);
  if (!i) return;
  order_ = m;
  order_from_ = from;
  const bool order = m.type == MgmtType::kCoo || m.type == MgmtType::kXco || m.type == MgmtType::kEco;
  fire(*links_[*i], order ? E::kChangeoverOrder : E::kChangeoverAck);
}

// Q.704 5.2: hold the link's traffic, send XCO with our last accepted FSN on an alternative link;
// ECO when that FSN cannot be determined (Q.704 5.6.1). T2 awaits the answer.
void LinkSet::a_begin_changeover(Rec& r) {
  stop_tests(r);
  note_unavailable(r);
  changeovers_.inc();
  auto via = any_active();
  if (!via) return;
  auto co_timer = [this, rp = &r](Clock::duration d) { rp->co_timer.arm(d, [this, rp] { fire(*rp, E::kCoTimer); }); };
  if (r.remote_outage) {
    // Q.704 5.6.2 time-controlled changeover: no changeover message can be exchanged with a far
    // end in processor outage. The traffic is held for T1, so that what is still on its way over
    // the failed link is not overtaken, then sent on the alternative links.
    r.co_sent = false;
    co_timer(cfg_.t1_changeover);
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
  co_timer(cfg_.t2_changeover);
  send_mgmt(*via, m, cfg_.variant == Variant::kItu ? m.slc : 0);
}

void LinkSet::a_complete_changeover(Rec& r) {
  complete_changeover(r, order_.type == MgmtType::kEca ? std::nullopt : std::optional<std::uint32_t>(order_.fsn),
                      order_.type == MgmtType::kCoa);
}

// T2: no answer to our changeover order, new traffic on the alternatives (Q.704 5.7.2);
// T1: the end of a time-controlled changeover (Q.704 5.6.2).
void LinkSet::a_changeover_timeout(Rec& r) {
  if (r.co_sent)
    log_.warn(Subsystem::kM3ua, "mtp3_changeover_timeout", {{"linkset", cfg_.name}, {"slc", r.link->slc()}});
  complete_changeover(r, std::nullopt, false);
}

// Q.704 5.2-5.6: the adjacent SP changes over the link. Acknowledge with our last accepted FSN.
void LinkSet::a_answer_order(Rec& r) {
  Management a;
  a.slc = order_.slc;
  if (!r.link->sequence_known()) {
    a.type = MgmtType::kEca;  // Q.704 5.6.1: our last accepted FSN cannot be determined
  } else if (order_.type == MgmtType::kCoo) {
    a.type = MgmtType::kCoa;  // answered in the peer's own (7-bit) form, Q.704 5.4.1
    a.fsn = r.link->last_accepted_fsn() & 0x7f;
  } else {
    // XCO, and ECO too: the peer still updates its buffer with our FSN (Q.704 5.6.1).
    a.type = MgmtType::kXca;
    a.fsn = r.link->last_accepted_fsn();
  }
  send_mgmt(order_from_, a, cfg_.variant == Variant::kItu ? order_.slc : 0);
}

void LinkSet::a_answer_and_complete(Rec& r) {
  a_answer_order(r);
  complete_changeover(r, order_.type == MgmtType::kEco ? std::nullopt : std::optional<std::uint32_t>(order_.fsn),
                      order_.type == MgmtType::kCoo);
}

// Q.704 5.7.3: our changeover from this link is complete (the link may be realigning):
// emergency acknowledgement, no further action.
void LinkSet::a_eca(Rec&) {
  Management a;
  a.type = MgmtType::kEca;
  a.slc = order_.slc;
  send_mgmt(order_from_, a, cfg_.variant == Variant::kItu ? order_.slc : 0);
}

// We had not noticed the failure yet: take the link down now (its traffic is held by the
// changeover), then handle the order as in the link's new state.
void LinkSet::a_order_unnoticed(Rec& r) {
  r.link->stop();  // reports out of service when M2PA had it in service
  if (r.sl.in(fsm::in(S::kAvailable, S::kChangeback, S::kTesting, S::kPeerTested, S::kTested)))
    link_unavailable(index_of(&r), "changeover order from the adjacent SP");
  fire(r, E::kChangeoverOrder);
}

// Q.704 5.4: retrieve what the peer has not accepted, send it first, then the held traffic.
void LinkSet::complete_changeover(Rec& r, std::optional<std::uint32_t> peer_fsn, bool low7) {
  r.co_sent = false;
  r.co_timer.cancel();
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
  flush_held(r);
  if (!r.link->in_service())
    restart_link(index_of(&r));
  else if (!r.remote_outage)
    fire(r, E::kRetest);  // M2PA stayed in service (a processor outage that has ended): test, then change back
}

void LinkSet::flush_held(Rec& r) {
  auto held = std::move(r.held);
  r.held.clear();
  for (auto& msu : held) {
    auto u = decode_user(msu, cfg_.variant);
    route_msu(std::move(msu), u ? u->label.sls : 0);
  }
}

// The links that carry SLSs whose home is link i while it is unavailable.
std::vector<std::size_t> LinkSet::changeback_carriers(std::size_t i) const {
  std::vector<std::size_t> carriers;
  const std::uint32_t span = cfg_.variant == Variant::kItu ? 16 : 256;
  for (std::uint32_t sls = 0; sls < span; ++sls) {
    if (home_of(static_cast<std::uint8_t>(sls)) != i) continue;
    auto alt = alternative_for(static_cast<std::uint8_t>(sls), i);
    if (alt && std::find(carriers.begin(), carriers.end(), *alt) == carriers.end()) carriers.push_back(*alt);
  }
  return carriers;
}

// Q.704 6.2: hold the SLSs coming home, declare changeback on each link that carried them.
void LinkSet::a_begin_changeback(Rec& r) {
  const auto carriers = changeback_carriers(index_of(&r));
  changebacks_.inc();
  r.cb_code = next_cb_code_++;
  r.cb_pending = static_cast<int>(carriers.size());
  r.cb_timer.arm(cfg_.t4_changeback, [this, rp = &r] { fire(*rp, E::kT4); });
  for (auto c : carriers) {
    Management m;
    m.type = MgmtType::kCbd;
    m.slc = r.link->slc();
    m.cbc = r.cb_code;
    send_mgmt(c, m, cfg_.variant == Variant::kItu ? m.slc : 0);
  }
}

void LinkSet::a_complete_changeback(Rec& r) {
  r.cb_pending = 0;
  r.cb_timer.cancel();
  log_.notice(Subsystem::kM3ua, "mtp3_changeback_done",
              {{"linkset", cfg_.name}, {"slc", r.link->slc()}, {"held", r.held.size()}});
  flush_held(r);
}

void LinkSet::a_changeback_timeout(Rec& r) {
  log_.warn(Subsystem::kM3ua, "mtp3_changeback_timeout", {{"linkset", cfg_.name}, {"slc", r.link->slc()}});
  a_complete_changeback(r);  // Q.704 6.4 time-controlled diversion
}

}  // namespace isupgw::sigtran::mtp3
