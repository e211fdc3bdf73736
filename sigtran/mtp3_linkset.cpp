#include "sigtran/mtp3_linkset.h"

#include <algorithm>

namespace isupgw::sigtran::mtp3 {

std::string_view to_string(LinkStatus s) {
  switch (s) {
    case LinkStatus::kDown: return "unavailable";
    case LinkStatus::kTesting: return "testing";
    case LinkStatus::kActive: return "available";
  }
  return "?";
}

LinkSet::LinkSet(LinkSetConfig cfg, Clock& clock, Logger& log, Counters& counters)
    : cfg_(std::move(cfg)),
      clock_(clock),
      log_(log),
      tx_msu_(counters.get("mtp3.linkset." + cfg_.name + ".tx_msu")),
      rx_msu_(counters.get("mtp3.linkset." + cfg_.name + ".rx_msu")),
      unavailable_(counters.get("mtp3.linkset." + cfg_.name + ".tx_unavailable")),
      no_user_(counters.get("mtp3.linkset." + cfg_.name + ".rx_no_user")),
      not_for_us_(counters.get("mtp3.linkset." + cfg_.name + ".rx_not_for_us")),
      changeovers_(counters.get("mtp3.linkset." + cfg_.name + ".changeovers")),
      changebacks_(counters.get("mtp3.linkset." + cfg_.name + ".changebacks")),
      retrieved_(counters.get("mtp3.linkset." + cfg_.name + ".retrieved")),
      discarded_(counters.get("mtp3.linkset." + cfg_.name + ".discarded")),
      slt_failures_(counters.get("mtp3.linkset." + cfg_.name + ".slt_failures")),
      decode_errors_(counters.get("mtp3.linkset." + cfg_.name + ".rx_decode_errors")),
      counters_(counters) {}

LinkSet::~LinkSet() = default;

std::string LinkSet::link_name(std::size_t i) const { return cfg_.name + "/" + std::to_string(links_[i]->link->slc()); }

m2pa::Link* LinkSet::add_link(m2pa::LinkConfig cfg, Transport& transport) {
  if (links_.size() >= kMaxLinks || cfg.slc >= kMaxLinks || index_of_slc(cfg.slc)) return nullptr;
  if (cfg.name.empty() || cfg.name == "link") cfg.name = cfg_.name + "/" + std::to_string(cfg.slc);
  auto rec = std::make_unique<Rec>();
  rec->link = std::make_unique<m2pa::Link>(std::move(cfg), transport, clock_, log_, counters_, *this);
  m2pa::Link* added = rec->link.get();
  links_.push_back(std::move(rec));
  // Home links in SLC order (Q.704 4.2.1: load sharing by SLS over the links of the set).
  std::sort(links_.begin(), links_.end(), [](const auto& a, const auto& b) { return a->link->slc() < b->link->slc(); });
  return added;
}

void LinkSet::set_user(int si, MtpUser* user) { users_[si] = user; }

MtpUser* LinkSet::user_for(std::uint8_t si) const {
  if (auto it = users_.find(si); it != users_.end()) return it->second;
  if (auto it = users_.find(-1); it != users_.end()) return it->second;
  return nullptr;
}

std::size_t LinkSet::index_of(const m2pa::Link& l) const {
  for (std::size_t i = 0; i < links_.size(); ++i)
    if (links_[i]->link.get() == &l) return i;
  return 0;
}

std::optional<std::size_t> LinkSet::index_of_slc(std::uint8_t slc) const {
  for (std::size_t i = 0; i < links_.size(); ++i)
    if (links_[i]->link->slc() == slc) return i;
  return std::nullopt;
}

std::vector<std::size_t> LinkSet::active() const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < links_.size(); ++i)
    if (links_[i]->status == LinkStatus::kActive) out.push_back(i);
  return out;
}

std::size_t LinkSet::active_links() const { return active().size(); }

std::optional<std::size_t> LinkSet::any_active(std::optional<std::size_t> excluding) const {
  for (auto i : active())
    if (!excluding || i != *excluding) return i;
  return std::nullopt;
}

std::size_t LinkSet::home_of(std::uint8_t sls) const { return links_.empty() ? 0 : sls % links_.size(); }

std::optional<std::size_t> LinkSet::alternative_for(std::uint8_t sls, std::optional<std::size_t> excluding) const {
  std::vector<std::size_t> a;
  for (auto i : active())
    if (!excluding || i != *excluding) a.push_back(i);
  if (a.empty()) return std::nullopt;
  return a[sls % a.size()];
}

std::optional<std::size_t> LinkSet::link_for_sls(std::uint8_t sls) const {
  if (links_.empty()) return std::nullopt;
  const std::size_t h = home_of(sls);
  if (links_[h]->status == LinkStatus::kActive || links_[h]->holding) return h;
  return alternative_for(sls, h);
}

void LinkSet::start() {
  started_ = true;
  for (auto& r : links_) r->link->start();
}

void LinkSet::stop() {
  started_ = false;
  for (auto& r : links_) r->link->shutdown();
}

// --- Traffic -------------------------------------------------------------------------------------

bool LinkSet::serves(std::uint32_t dpc) const {
  return dpc == cfg_.adjacent_pc ||
         std::find(cfg_.destinations.begin(), cfg_.destinations.end(), dpc) != cfg_.destinations.end();
}

bool LinkSet::available(std::uint32_t dpc) const {
  if (!serves(dpc) || !restarted_ || active().empty()) return false;
  auto it = prohibited_.find(dpc);
  return it == prohibited_.end() || !it->second;
}

bool LinkSet::send_on(std::size_t i, std::span<const std::uint8_t> msu) {
  if (!links_[i]->link->send_msu(msu)) return false;
  tx_msu_.inc();
  return true;
}

void LinkSet::route_msu(std::vector<std::uint8_t> msu, std::uint8_t sls) {
  auto i = link_for_sls(sls);
  if (!i) {
    discarded_.inc();
    return;
  }
  auto& r = *links_[*i];
  if (r.holding) {
    r.held.push_back(std::move(msu));  // changeover / changeback in progress: keep the order
    return;
  }
  if (!send_on(*i, msu)) discarded_.inc();
}

bool LinkSet::transfer(const MtpLabel& label, std::span<const std::uint8_t> data) {
  if (!available(label.dpc)) {
    unavailable_.inc();
    return false;
  }
  Label l;
  l.si = label.si;
  l.ni = label.ni;
  l.priority = label.mp;
  l.opc = label.opc;
  l.dpc = label.dpc;
  l.sls = cfg_.variant == Variant::kItu ? (label.sls & 0x0f) : label.sls;
  std::vector<std::uint8_t> msu(1 + label_size(cfg_.variant) + data.size());
  (void)encode_user(l, data, cfg_.variant, msu);
  route_msu(std::move(msu), l.sls);
  return true;
}

void LinkSet::send_mgmt(std::size_t via, const Management& m, std::uint8_t sls) {
  Message msg;
  const bool test = m.type == MgmtType::kSltm || m.type == MgmtType::kSlta;
  msg.label.si = test ? slt_si(cfg_.variant) : si::kSnm;
  msg.label.ni = cfg_.ni;
  msg.label.opc = cfg_.local_pc;
  msg.label.dpc = cfg_.adjacent_pc;
  msg.label.sls = sls;
  msg.mgmt = m;
  auto bytes = encode(msg, cfg_.variant);
  log_.info(Subsystem::kM3ua, "mtp3_tx_mgmt",
            {{"linkset", cfg_.name},
             {"slc", links_[via]->link->slc()},
             {"message", to_string(m.type)},
             {"concerned_slc", m.slc},
             {"opc", pc(cfg_.local_pc)},
             {"dpc", pc(cfg_.adjacent_pc)}});
  links_[via]->link->send_msu(bytes);
}

// --- Received MSUs ---------------------------------------------------------------------------------

void LinkSet::on_link_msu(m2pa::Link& link, std::span<const std::uint8_t> msu) {
  const std::size_t from = index_of(link);
  auto u = decode_user(msu, cfg_.variant);
  if (!u) {
    decode_errors_.inc();
    return;
  }
  const Label& l = u->label;
  if (l.si == si::kSnm || l.si == slt_si(cfg_.variant) || l.si == si::kSltmItu) {
    auto m = decode(msu, cfg_.variant);
    if (!m || !m->mgmt) {
      decode_errors_.inc();
      return;
    }
    on_mgmt(from, l, *m->mgmt);
    return;
  }
  rx_msu_.inc();
  if (l.dpc != cfg_.local_pc) {
    not_for_us_.inc();  // a signalling end point does not transfer (Q.704 2.4)
    return;
  }
  // A message arriving on a link proves it: a link still under test becomes usable by traffic
  // only after SLTA, so nothing is rejected here.
  MtpUser* user = user_for(l.si);
  if (!user) {
    // Q.704 11.2.7 / 15.17: user part unavailable, cause unequipped.
    no_user_.inc();
    Management upu;
    upu.type = MgmtType::kUpu;
    upu.destination = cfg_.local_pc;
    upu.user = l.si;
    upu.cause = 1;
    if (auto via = any_active()) send_mgmt(*via, upu, 0);
    return;
  }
  MtpLabel ml{l.opc, l.dpc, l.si, l.ni, l.priority, l.sls};
  user->on_transfer(ml, u->data);
}

void LinkSet::on_mgmt(std::size_t from, const Label& l, const Management& m) {
  log_.info(Subsystem::kM3ua, "mtp3_rx_mgmt",
            {{"linkset", cfg_.name},
             {"slc", links_[from]->link->slc()},
             {"message", to_string(m.type)},
             {"concerned_slc", m.slc},
             {"opc", pc(l.opc)},
             {"dpc", pc(l.dpc)}});
  const std::uint8_t label_sls = cfg_.variant == Variant::kItu ? m.slc : 0;
  switch (m.type) {
    case MgmtType::kSltm: {
      // Q.707 2.2: answer on the same link with the same SLC and test pattern.
      Management a = m;
      a.type = MgmtType::kSlta;
      send_mgmt(from, a, label_sls);
      return;
    }
    case MgmtType::kSlta: {
      auto& r = *links_[from];
      if (!r.slt_deadline || m.slc != r.link->slc() || m.pattern != r.pattern || l.opc != cfg_.adjacent_pc) {
        slt_failures_.inc();
        return;  // Q.707 2.2: a wrong SLTA counts as none; T1 decides
      }
      r.slt_deadline.reset();
      r.slt_failures = 0;
      r.next_test = clock_.now() + cfg_.t2_slt;
      if (r.status == LinkStatus::kTesting) link_available(from);
      return;
    }
    case MgmtType::kCoo:
    case MgmtType::kXco:
    case MgmtType::kEco: {
      // Q.704 5.2-5.6: the peer changes over link `slc`. Acknowledge with our last accepted FSN.
      auto i = index_of_slc(m.slc);
      if (!i) return;
      auto& r = *links_[*i];
      Management a;
      a.slc = m.slc;
      if (r.changed_over) {
        // Q.704 5.7.3: our changeover from this link is complete (the link may be realigning):
        // emergency acknowledgement, no further action.
        a.type = MgmtType::kEca;
        send_mgmt(from, a, label_sls);
        return;
      }
      if (r.status != LinkStatus::kDown) {
        // We had not noticed the failure yet: take the link down now (hold its traffic).
        r.link->stop();  // reports out of service when M2PA had it in service
        if (r.status != LinkStatus::kDown) link_unavailable(*i, "changeover order from the adjacent SP");
      }
      if (!r.link->sequence_known()) {
        a.type = MgmtType::kEca;  // Q.704 5.6.1: our last accepted FSN cannot be determined
      } else if (m.type == MgmtType::kCoo) {
        a.type = MgmtType::kCoa;  // answered in the peer's own (7-bit) form, Q.704 5.4.1
        a.fsn = r.link->last_accepted_fsn() & 0x7f;
      } else {
        // XCO, and ECO too: the peer still updates its buffer with our FSN (Q.704 5.6.1).
        a.type = MgmtType::kXca;
        a.fsn = r.link->last_accepted_fsn();
      }
      send_mgmt(from, a, label_sls);
      if (r.holding)
        complete_changeover(*i, m.type == MgmtType::kEco ? std::nullopt : std::optional<std::uint32_t>(m.fsn),
                            m.type == MgmtType::kCoo);
      return;
    }
    case MgmtType::kCoa:
    case MgmtType::kXca:
    case MgmtType::kEca: {
      auto i = index_of_slc(m.slc);
      if (!i || !links_[*i]->holding || links_[*i]->status != LinkStatus::kDown) return;
      complete_changeover(*i, m.type == MgmtType::kEca ? std::nullopt : std::optional<std::uint32_t>(m.fsn),
                          m.type == MgmtType::kCoa);
      return;
    }
    case MgmtType::kCbd: {
      // Q.704 6.2: acknowledge on the link the declaration came on; the traffic sent before it precedes.
      Management a = m;
      a.type = MgmtType::kCba;
      send_mgmt(from, a, label_sls);
      return;
    }
    case MgmtType::kCba: {
      auto i = index_of_slc(m.slc);
      if (!i) return;
      auto& r = *links_[*i];
      if (r.cb_pending > 0 && m.cbc == r.cb_code && --r.cb_pending == 0) complete_changeback(*i);
      return;
    }
    case MgmtType::kTra:
      // Q.704 9.3: the adjacent SP has restarted: its destinations are available.
      restart_deadline_.reset();
      restarted_ = true;
      update_destinations();
      return;
    case MgmtType::kTfp:
    case MgmtType::kTfa:
    case MgmtType::kTfr:
      // Q.704 13.2-13.4 as an end point: the destination is (not) reachable through the adjacent STP.
      if (m.destination == cfg_.adjacent_pc || !serves(m.destination)) return;
      prohibited_[m.destination] = m.type == MgmtType::kTfp;
      if (m.type == MgmtType::kTfp && !next_rst_) next_rst_ = clock_.now() + cfg_.t10_rst;
      update_destinations();
      return;
    case MgmtType::kRst:
    case MgmtType::kRsr:
      // Q.704 13.5: only our own point code is reachable through us: answer TFA for it.
      if (m.destination == cfg_.local_pc) {
        Management a;
        a.type = MgmtType::kTfa;
        a.destination = cfg_.local_pc;
        send_mgmt(from, a, 0);
      }
      return;
    case MgmtType::kUpu: {
      // Q.704 11.2.7: MTP-STATUS (user part unavailable) to the user part concerned.
      MtpStatus st;
      st.cause = MtpStatusCause::kUserPartUnavailable;
      st.upu_cause = m.cause;
      st.user = m.user;
      if (MtpUser* u = user_for(m.user)) u->on_status(m.destination, st);
      return;
    }
    default: return;
  }
}

// --- Link availability ------------------------------------------------------------------------------

void LinkSet::on_link_in_service(m2pa::Link& link) {
  const auto i = index_of(link);
  links_[i]->changed_over = false;  // new sequence numbers: a later changeover is a new one
  start_test(i);
}

void LinkSet::start_test(std::size_t i) {
  auto& r = *links_[i];
  r.status = LinkStatus::kTesting;
  r.pattern.clear();
  for (int k = 0; k < 4; ++k) r.pattern.push_back(static_cast<std::uint8_t>(0x5a ^ (++slt_seed_ * 37)));
  r.slt_deadline = clock_.now() + cfg_.t1_slt;
  Management m;
  m.type = MgmtType::kSltm;
  m.slc = r.link->slc();
  m.pattern = r.pattern;
  send_mgmt(i, m, cfg_.variant == Variant::kItu ? m.slc : 0);
}

void LinkSet::on_link_out_of_service(m2pa::Link& link, std::string_view reason) {
  link_unavailable(index_of(link), reason);
}

// Remote processor outage (RFC 4165 4.1.5, Q.704 3.2.6): the link cannot carry traffic while the
// far end's level 3 is out; its changeover is time-controlled (the far end cannot answer). On
// recovery the link is tested again and its traffic changed back.
void LinkSet::on_link_remote_outage(m2pa::Link& link, bool outage) {
  log_.warn(Subsystem::kM3ua, outage ? "mtp3_remote_processor_outage" : "mtp3_remote_processor_recovered",
            {{"linkset", cfg_.name}, {"slc", link.slc()}});
  const auto i = index_of(link);
  auto& r = *links_[i];
  r.remote_outage = outage;
  if (outage) {
    if (r.status != LinkStatus::kDown) link_unavailable(i, "remote processor outage");
    return;
  }
  if (r.status == LinkStatus::kDown && !r.holding && link.in_service()) start_test(i);
}

void LinkSet::link_available(std::size_t i) {
  auto& r = *links_[i];
  const bool others = !active().empty();
  const bool first = !others;
  r.status = LinkStatus::kActive;
  log_.notice(Subsystem::kM3ua, "mtp3_link_available",
              {{"linkset", cfg_.name}, {"slc", r.link->slc()}, {"adjacent", pc(cfg_.adjacent_pc)}});
  if (first) {
    // Q.704 9: the link set (and the route to the adjacent SP) becomes available: TRA.
    Management tra;
    tra.type = MgmtType::kTra;
    send_mgmt(i, tra, 0);
    if (!restarted_) restart_deadline_ = clock_.now() + cfg_.t_restart;
    update_destinations();
    return;
  }
  begin_changeback(i);
}

void LinkSet::link_unavailable(std::size_t i, std::string_view reason) {
  auto& r = *links_[i];
  const LinkStatus was = r.status;
  if (was == LinkStatus::kDown && r.holding) return;  // changeover in progress: it restarts the link
  r.status = LinkStatus::kDown;
  r.slt_deadline.reset();
  r.next_test.reset();
  log_.warn(Subsystem::kM3ua, "mtp3_link_unavailable",
            {{"linkset", cfg_.name},
             {"slc", r.link->slc()},
             {"adjacent", pc(cfg_.adjacent_pc)},
             {"was", to_string(was)},
             {"reason", reason}});
  if (r.cb_pending > 0) {  // failed during changeback: what was held goes back to the alternatives
    r.cb_pending = 0;
    r.cb_deadline.reset();
  }
  if (was == LinkStatus::kActive && !active().empty()) {
    begin_changeover(i);
    return;
  }
  // No alternative (or the link never carried traffic): nothing to change over to.
  if (r.holding) {
    r.holding = false;
    flush_held(i);
  }
  discarded_.inc(r.link->unacked());
  (void)r.link->retrieve(r.link->last_accepted_fsn());
  if (active().empty()) {
    restarted_ = false;
    restart_deadline_.reset();
    update_destinations();
  }
  restart_link(i);
}

void LinkSet::restart_link(std::size_t i) {
  if (started_) links_[i]->link->start();  // realign (Q.704 3.3)
}

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
    r.co_deadline = clock_.now() + cfg_.t1_changeover;
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
  r.co_deadline = clock_.now() + cfg_.t2_changeover;
  send_mgmt(*via, m, cfg_.variant == Variant::kItu ? m.slc : 0);
}

// Q.704 5.4: retrieve what the peer has not accepted, send it first, then the held traffic.
void LinkSet::complete_changeover(std::size_t i, std::optional<std::uint32_t> peer_fsn, bool low7) {
  auto& r = *links_[i];
  r.co_sent = false;
  r.co_deadline.reset();
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
  r.cb_deadline = clock_.now() + cfg_.t4_changeback;
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
  r.cb_deadline.reset();
  r.holding = false;
  log_.notice(Subsystem::kM3ua, "mtp3_changeback_done",
              {{"linkset", cfg_.name}, {"slc", r.link->slc()}, {"held", r.held.size()}});
  flush_held(i);
}

// --- Destinations -------------------------------------------------------------------------------------

void LinkSet::set_destination(std::uint32_t dpc, bool avail) {
  // Destinations start unavailable: only changes are reported.
  auto it = reported_.find(dpc);
  if ((it != reported_.end() ? it->second : false) == avail) return;
  reported_[dpc] = avail;
  log_.notice(Subsystem::kM3ua, avail ? "mtp3_resume" : "mtp3_pause", {{"linkset", cfg_.name}, {"dpc", pc(dpc)}});
  std::vector<MtpUser*> seen;
  for (auto& [si, u] : users_) {
    if (!u || std::find(seen.begin(), seen.end(), u) != seen.end()) continue;
    seen.push_back(u);
    if (avail)
      u->on_resume(dpc);
    else
      u->on_pause(dpc);
  }
}

void LinkSet::update_destinations() {
  set_destination(cfg_.adjacent_pc, available(cfg_.adjacent_pc));
  for (auto d : cfg_.destinations) set_destination(d, available(d));
}

void LinkSet::tick() {
  const auto now = clock_.now();
  for (std::size_t i = 0; i < links_.size(); ++i) {
    auto& r = *links_[i];
    r.link->tick();
    if (r.slt_deadline && now >= *r.slt_deadline) {
      // Q.707 2.2: T1 expiry: repeat once; a second failure restarts the link.
      r.slt_deadline.reset();
      slt_failures_.inc();
      if (++r.slt_failures >= 2) {
        r.slt_failures = 0;
        log_.warn(Subsystem::kM3ua, "mtp3_slt_failed", {{"linkset", cfg_.name}, {"slc", r.link->slc()}});
        r.link->stop();  // reports out of service when M2PA had it in service
        if (r.status != LinkStatus::kDown) link_unavailable(i, "signalling link test failed");
      } else {
        const LinkStatus keep = r.status;
        start_test(i);
        if (keep == LinkStatus::kActive) r.status = keep;
      }
    }
    if (r.next_test && now >= *r.next_test && r.status == LinkStatus::kActive) {
      r.next_test = now + cfg_.t2_slt;
      // Periodic test (Q.707 2.2 T2): the link keeps carrying traffic meanwhile.
      start_test(i);
      r.status = LinkStatus::kActive;
    }
    if (r.co_deadline && now >= *r.co_deadline) {
      // T2: no answer to our changeover order, new traffic on the alternatives (Q.704 5.7.2);
      // T1: the end of a time-controlled changeover (Q.704 5.6.2).
      if (r.co_sent)
        log_.warn(Subsystem::kM3ua, "mtp3_changeover_timeout", {{"linkset", cfg_.name}, {"slc", r.link->slc()}});
      complete_changeover(i, std::nullopt);
    }
    if (r.cb_deadline && now >= *r.cb_deadline) {
      log_.warn(Subsystem::kM3ua, "mtp3_changeback_timeout", {{"linkset", cfg_.name}, {"slc", r.link->slc()}});
      complete_changeback(i);  // Q.704 6.4 time-controlled diversion
    }
  }
  if (restart_deadline_ && now >= *restart_deadline_) {
    restart_deadline_.reset();
    restarted_ = true;
    update_destinations();
  }
  if (next_rst_ && now >= *next_rst_) {
    // Q.704 13.5.2: test prohibited destinations every T10.
    next_rst_.reset();
    for (auto& [dpc, prohibited] : prohibited_) {
      if (!prohibited) continue;
      if (auto via = any_active()) {
        Management m;
        m.type = MgmtType::kRst;
        m.destination = dpc;
        send_mgmt(*via, m, 0);
      }
      next_rst_ = now + cfg_.t10_rst;
    }
  }
}

std::optional<Clock::time_point> LinkSet::next_deadline() const {
  std::optional<Clock::time_point> d;
  auto take = [&](const std::optional<Clock::time_point>& t) {
    if (t && (!d || *t < *d)) d = t;
  };
  for (const auto& r : links_) {
    take(r->link->next_deadline());
    take(r->slt_deadline);
    take(r->next_test);
    take(r->co_deadline);
    take(r->cb_deadline);
  }
  take(restart_deadline_);
  take(next_rst_);
  return d;
}

}  // namespace isupgw::sigtran::mtp3
