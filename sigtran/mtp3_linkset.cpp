#include "sigtran/mtp3_linkset.h"

#include <algorithm>

namespace isupgw::sigtran::mtp3 {
namespace {
// User messages received before the restart ended, held for MTP-RESUME; beyond: discarded, counted.
constexpr std::size_t kMaxHeldRx = 1024;
}  // namespace

LinkSet::LinkSet(LinkSetConfig cfg, TimerService& timers, Logger& log, Counters& counters)
    : cfg_(std::move(cfg)),
      timers_(timers),
      log_(log),
      link_meter_(m2pa::LinkFsm::make_meter(log, counters)),
      sl_meter_(make_sl_meter(cfg_.name, log, counters)),
      restart_meter_(MtpRestart::make_meter(cfg_.name, log, counters)),
      restart_(cfg_.name, cfg_.restart, restart_meter_, timers, log, counters, *this),
      t10_(timers),
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
      rx_held_(counters.get("mtp3.linkset." + cfg_.name + ".rx_held_restart")),
      counters_(counters) {}

LinkSet::~LinkSet() = default;

std::string LinkSet::link_name(std::size_t i) const { return cfg_.name + "/" + std::to_string(links_[i]->link->slc()); }

m2pa::Link* LinkSet::add_link(m2pa::LinkConfig cfg, Transport& transport) {
  if (links_.size() >= kMaxLinks || cfg.slc >= kMaxLinks || index_of_slc(cfg.slc)) return nullptr;
  if (cfg.name.empty() || cfg.name == "link") cfg.name = cfg_.name + "/" + std::to_string(cfg.slc);
  auto rec = std::make_unique<Rec>(timers_, sl_meter_, cfg.name);
  rec->link = std::make_unique<m2pa::Link>(std::move(cfg), transport, link_meter_, timers_, log_, counters_, *this);
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
    if (carrying(*links_[i])) out.push_back(i);
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
  if (carrying(*links_[h]) || holding(*links_[h])) return h;
  return alternative_for(sls, h);
}

void LinkSet::start() {
  started_ = true;
  restart_.start(cfg_.own_restart);
  for (auto& r : links_) r->link->start();
}

void LinkSet::stop() {
  started_ = false;
  restart_.stop();
  for (auto& r : links_) r->link->shutdown();
}

// --- Traffic -------------------------------------------------------------------------------------

bool LinkSet::serves(std::uint32_t dpc) const {
  return dpc == cfg_.adjacent_pc ||
         std::find(cfg_.destinations.begin(), cfg_.destinations.end(), dpc) != cfg_.destinations.end();
}

bool LinkSet::available(std::uint32_t dpc) const {
  if (!serves(dpc) || !traffic_allowed() || active().empty()) return false;
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
  if (holding(r)) {
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
  // only after SLTA, so nothing is rejected here. Before the restart has ended (the adjacent SP's
  // message may have overtaken its TRA over another link) it waits for MTP-RESUME.
  if (!traffic_allowed()) {
    if (held_rx_.size() >= kMaxHeldRx) {
      discarded_.inc();
      return;
    }
    rx_held_.inc();
    held_rx_.emplace_back(msu.begin(), msu.end());
    return;
  }
  deliver(l, u->data);
}

void LinkSet::deliver(const Label& l, std::span<const std::uint8_t> data) {
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
  user->on_transfer(ml, data);
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
      // Q.707 2.2: answer on the same link with the same SLC and test pattern. With our
      // answer the adjacent SP's test of this link ends: it may carry traffic at both ends.
      Management a = m;
      a.type = MgmtType::kSlta;
      send_mgmt(from, a, label_sls);
      fire(*links_[from], SlEvent::kSltmAnswered);
      return;
    }
    case MgmtType::kSlta: {
      auto& r = *links_[from];
      if (!r.slt_t1.armed() || m.slc != r.link->slc() || m.pattern != r.pattern || l.opc != cfg_.adjacent_pc) {
        slt_failures_.inc();
        return;  // Q.707 2.2: a wrong SLTA counts as none; T1 decides
      }
      r.slt_t1.cancel();
      r.slt_failures = 0;
      r.slt_t2.arm(cfg_.t2_slt, [this, rp = &r] { fire(*rp, SlEvent::kSltT2); });
      fire(r, SlEvent::kSltaOk);
      return;
    }
    case MgmtType::kCoo:
    case MgmtType::kXco:
    case MgmtType::kEco:
    case MgmtType::kCoa:
    case MgmtType::kXca:
    case MgmtType::kEca: on_changeover_message(from, m); return;  // mtp3_changeover.cpp
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
      if (m.cbc != r.cb_code) return;  // not the declaration we sent
      fire(r, r.cb_pending > 0 && --r.cb_pending == 0 ? SlEvent::kCbaLast : SlEvent::kCba);
      return;
    }
    case MgmtType::kTra: restart_.tra_received(); return;  // Q.704 9 (mtp3_restart.h)
    case MgmtType::kTfp:
    case MgmtType::kTfa:
    case MgmtType::kTfr:
      // Q.704 13.2-13.4 as an end point: the destination is (not) reachable through the adjacent STP.
      if (m.destination == cfg_.adjacent_pc || !serves(m.destination)) return;
      prohibited_[m.destination] = m.type == MgmtType::kTfp;
      if (m.type == MgmtType::kTfp && !t10_.armed()) t10_.arm(cfg_.t10_rst, [this] { on_t10(); });
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

// --- MTP restart (Q.704 9): the link set's side of mtp3_restart.h ------------------------------------

void LinkSet::restart_send_tra(bool before_traffic) {
  auto via = any_active();
  if (!via) return;
  Management tra;
  tra.type = MgmtType::kTra;
  send_mgmt(*via, tra, 0);
  auto& r = *links_[*via];
  log_.notice(Subsystem::kM3ua, "mtp3_tra_sent", {{"linkset", cfg_.name}, {"slc", r.link->slc()}});
  if (!before_traffic) return;
  // User traffic waits for the M2PA acknowledgement of this TRA: nothing overtakes it.
  tra_link_ = &r;
  tra_fsn_ = r.link->last_sent_fsn();
  tra_unacked_ = !r.link->acknowledged(tra_fsn_);
}

void LinkSet::on_link_acknowledged(m2pa::Link& link) {
  if (!tra_unacked_ || !tra_link_ || tra_link_->link.get() != &link || !link.acknowledged(tra_fsn_)) return;
  tra_unacked_ = false;
  tra_link_ = nullptr;
  log_.info(Subsystem::kM3ua, "mtp3_tra_acknowledged", {{"linkset", cfg_.name}, {"slc", link.slc()}});
  if (restart_.ended()) resume_traffic();
}

void LinkSet::restart_traffic() {
  if (traffic_allowed()) resume_traffic();  // else on the TRA's acknowledgement
}

void LinkSet::restart_stopped() {
  tra_unacked_ = false;
  tra_link_ = nullptr;
  discarded_.inc(held_rx_.size());
  held_rx_.clear();
  update_destinations();
}

// MTP-RESUME, then the user messages that arrived before it, in order.
void LinkSet::resume_traffic() {
  log_.notice(Subsystem::kM3ua, "mtp3_traffic_restart", {{"linkset", cfg_.name}, {"held", held_rx_.size()}});
  update_destinations();
  auto held = std::move(held_rx_);
  held_rx_.clear();
  for (const auto& msu : held)
    if (auto u = decode_user(msu, cfg_.variant)) deliver(u->label, u->data);
}

void LinkSet::restart_link(std::size_t i) {
  if (started_) links_[i]->link->start();  // realign (Q.704 3.3)
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

// Q.704 13.5.2: test prohibited destinations every T10.
void LinkSet::on_t10() {
  for (auto& [dpc, prohibited] : prohibited_) {
    if (!prohibited) continue;
    if (auto via = any_active()) {
      Management m;
      m.type = MgmtType::kRst;
      m.destination = dpc;
      send_mgmt(*via, m, 0);
    }
    if (!t10_.armed()) t10_.arm(cfg_.t10_rst, [this] { on_t10(); });
  }
}

}  // namespace isupgw::sigtran::mtp3
