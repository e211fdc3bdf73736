#include "sigtran/mtp3.h"

#include <algorithm>

namespace isupgw::sigtran::m3ua {

Mtp3::Mtp3(TimerService& timers, Logger& log, Counters& counters)
    : timers_(timers),
      log_(log),
      meters_(log, counters),
      counters_(counters),
      audit_timer_(timers),
      no_route_(counters.get("m3ua.mtp.no_route")),
      unavailable_(counters.get("m3ua.mtp.dpc_unavailable")),
      no_user_(counters.get("m3ua.mtp.no_user")),
      audits_(counters.get("m3ua.mtp.daud_sent")) {}

Mtp3::~Mtp3() = default;

Link& Mtp3::add_link(LinkConfig cfg, Transport& transport) {
  wrong_origin_.push_back(&counters_.get("guard.m3ua." + cfg.name + ".wrong_origin"));
  links_.push_back(
      std::make_unique<Link>(links_.size(), std::move(cfg), transport, meters_, timers_, log_, counters_, *this));
  return *links_.back();
}

void Mtp3::add_route(std::uint32_t dpc, Route route) {
  routes_[dpc] = std::move(route);
  // Nothing is reachable before an association is ACTIVE; a changed route is re-evaluated.
  dest_available_.try_emplace(dpc, false);
  reevaluate();
}

void Mtp3::set_user(int si, MtpUser* user) { users_[si] = user; }

void Mtp3::set_audit_interval(Clock::duration interval) {
  audit_interval_ = interval;
  audit_timer_.cancel();
  if (interval != Clock::duration::zero()) audit_timer_.arm(interval, [this] { audit(); });
}

void Mtp3::start() {
  for (auto& l : links_) l->start();
}
void Mtp3::stop() {
  for (auto& l : links_) l->stop();
}

// RFC 4666 4.5.3: every T(daud), DAUD for each destination reported unavailable over an ACTIVE association.
void Mtp3::audit() {
  audit_timer_.arm(audit_interval_, [this] { audit(); });
  for (const auto& [dpc, link] : duna_) {
    if (!links_[link]->ready()) continue;
    Message daud;
    daud.type = MessageType::kDaud;
    daud.affected_point_code = std::vector<MaskedPointCode>{{0, dpc}};
    if (!links_[link]->config().routing_contexts.empty())
      daud.routing_context = std::vector<std::uint32_t>{links_[link]->config().routing_contexts.front()};
    audits_.inc();
    links_[link]->send_message(daud);
  }
}

const Route* Mtp3::route_for(std::uint32_t dpc) const {
  auto it = routes_.find(dpc);
  if (it != routes_.end()) return &it->second;
  return default_route_ ? &*default_route_ : nullptr;
}

bool Mtp3::usable(std::size_t link, std::uint32_t dpc) const {
  return links_[link]->ready() && !duna_.contains({dpc, link});
}

bool Mtp3::available(std::uint32_t dpc) const {
  const Route* r = route_for(dpc);
  if (!r) return false;
  return std::any_of(r->links.begin(), r->links.end(), [&](std::size_t l) { return usable(l, dpc); });
}

bool Mtp3::transfer(const MtpLabel& label, std::span<const std::uint8_t> data) {
  const Route* r = route_for(label.dpc);
  if (!r) {
    no_route_.inc();
    return false;
  }
  std::array<std::size_t, 16> cand{};
  std::size_t n = 0;
  for (auto l : r->links)
    if (n < cand.size() && usable(l, label.dpc)) cand[n++] = l;
  if (n == 0) {
    unavailable_.inc();
    return false;
  }
  switch (r->mode) {
    case TrafficMode::kOverride: return links_[cand[0]]->send_data(label, data);
    case TrafficMode::kLoadshare: return links_[cand[label.sls % n]]->send_data(label, data);  // same SLS, same link
    case TrafficMode::kBroadcast: {
      bool ok = false;
      for (std::size_t i = 0; i < n; ++i) ok = links_[cand[i]]->send_data(label, data) || ok;
      return ok;
    }
  }
  return false;
}

void Mtp3::for_each_user(const std::function<void(MtpUser&)>& f) const {
  std::set<MtpUser*> seen;
  for (const auto& [si, u] : users_)
    if (u && seen.insert(u).second) f(*u);
}

MtpUser* Mtp3::user_for(std::uint8_t si) const {
  auto it = users_.find(si);
  if (it != users_.end()) return it->second;
  it = users_.find(-1);
  return it != users_.end() ? it->second : nullptr;
}

void Mtp3::reevaluate() {
  for (auto& [dpc, was] : dest_available_) {
    const bool now = available(dpc);
    if (now == was) continue;
    was = now;
    log_.notice(Subsystem::kM3ua, now ? "mtp_resume" : "mtp_pause", {{"dpc", dpc}});
    for_each_user([&, d = dpc](MtpUser& u) { now ? u.on_resume(d) : u.on_pause(d); });
  }
}

void Mtp3::on_link_ready(std::size_t link, bool ready) {
  // RFC 4666 4.3.4.3: after ASPAC ACK every destination is assumed available until DUNA says otherwise;
  // SSNM state learnt over a lost association is void (a DUNA that overtook the ACK still counts).
  if (!ready) std::erase_if(duna_, [link](const auto& e) { return e.second == link; });
  reevaluate();
}

void Mtp3::on_link_data(std::size_t link, const DataView& d) {
  if (origin_check_) {
    const Route* r = route_for(d.opc);
    if (!r || std::find(r->links.begin(), r->links.end(), link) == r->links.end()) {
      wrong_origin_[link]->inc();
      return;
    }
  }
  MtpUser* u = user_for(d.si);
  if (!u) {
    no_user_.inc();
    return;
  }
  u->on_transfer(MtpLabel{d.opc, d.dpc, d.si, d.ni, d.mp, d.sls}, d.user_data);
}

std::vector<std::uint32_t> Mtp3::matching(const MaskedPointCode& apc) const {
  // RFC 4666 3.4.1: the mask wildcards that many low-order bits of the point code.
  std::vector<std::uint32_t> out;
  const std::uint32_t keep = apc.mask >= 32 ? 0 : ~((std::uint32_t{1} << apc.mask) - 1);
  for (const auto& [dpc, state] : dest_available_)
    if ((dpc & keep) == (apc.pc & keep)) out.push_back(dpc);
  if (apc.mask == 0 && out.empty()) out.push_back(apc.pc);  // not routed: still report status
  return out;
}

void Mtp3::on_link_ssnm(std::size_t link, const Message& m) {
  if (!m.affected_point_code) return;
  for (const auto& apc : *m.affected_point_code) {
    for (auto dpc : matching(apc)) {
      switch (m.type) {
        case MessageType::kDuna: duna_.insert({dpc, link}); break;
        case MessageType::kDava:
        case MessageType::kDrst:  // restricted is still available (RFC 4666 3.4.6)
          duna_.erase({dpc, link});
          break;
        case MessageType::kScon: {
          MtpStatus st{MtpStatusCause::kCongestion, m.congestion_level.value_or(0), 0, 0};
          for_each_user([&](MtpUser& u) { u.on_status(dpc, st); });
          break;
        }
        case MessageType::kDupu: {
          MtpStatus st{MtpStatusCause::kUserPartUnavailable, 0, m.user_cause->cause, m.user_cause->user};
          if (MtpUser* u = user_for(static_cast<std::uint8_t>(m.user_cause->user))) u->on_status(dpc, st);
          break;
        }
        case MessageType::kDaud: {
          // We answer audits as the SG side would (RFC 4666 4.5.3): DAVA or DUNA per point code.
          Message reply;
          reply.type = available(dpc) ? MessageType::kDava : MessageType::kDuna;
          reply.affected_point_code = std::vector<MaskedPointCode>{{0, dpc}};
          if (!links_[link]->config().routing_contexts.empty())
            reply.routing_context = std::vector<std::uint32_t>{links_[link]->config().routing_contexts.front()};
          links_[link]->send_message(reply);
          break;
        }
        default: break;
      }
    }
  }
  reevaluate();
}

}  // namespace isupgw::sigtran::m3ua
