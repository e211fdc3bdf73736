#include "daemon/ss7_stack.h"

#include "sigtran/transport_factory.h"

namespace isupgw::daemon {

namespace asio = boost::asio;

Ss7Stack::Ss7Stack(asio::io_context& io, Logger& log, Counters& counters)
    : io_(io), log_(log), counters_(counters), timers_(io) {}

Ss7Stack::~Ss7Stack() = default;

Result<std::unique_ptr<Ss7Stack>, std::string> Ss7Stack::create(asio::io_context& io, const config::Ss7Settings& cfg,
                                                                Logger& log, Counters& counters, TransportWrap wrap) {
  std::unique_ptr<Ss7Stack> s(new Ss7Stack(io, log, counters));
  s->wrap_ = std::move(wrap);
  s->mtp3_ = std::make_unique<sigtran::m3ua::Mtp3>(s->timers_, log, counters);

  std::vector<std::size_t> link_ids;  // by index in cfg.m3ua_links
  for (const auto& l : cfg.m3ua_links) {
    auto t = s->open(l.transport);
    if (!t) return Err("m3ua link '" + l.link.name + "': " + t.error());
    if (l.transport.server && l.transport.kind == sigtran::TransportSpec::Kind::kTcp)
      log.notice(
          Subsystem::kM3ua, "listening",
          {{"link", l.link.name}, {"transport", "tcp"}, {"address", l.transport.address}, {"port", t->local_port}});
    auto lc = l.link;
    lc.clock = &s->clock_;  // the guards' rates and log throttles
    auto& link = s->mtp3_->add_link(std::move(lc), *t->transport);
    link_ids.push_back(link.id());
  }
  // An MSU only over an association its OPC is routed through (issue 23), unless told otherwise.
  s->mtp3_->set_origin_check(cfg.origin_check);
  // MTP3 tracks availability (PAUSE/RESUME) for routed DPCs only: the default
  // route is also installed below for every trunk group DPC without its own.
  std::optional<sigtran::m3ua::Route> default_route;
  std::set<std::uint32_t> routed;
  for (const auto& r : cfg.routes) {
    sigtran::m3ua::Route route;
    for (auto i : r.links) route.links.push_back(link_ids.at(i));
    route.mode = r.mode;
    if (!r.dpc) {
      default_route = route;
      s->mtp3_->set_default_route(std::move(route));
    } else {
      routed.insert(*r.dpc);
      s->mtp3_->add_route(*r.dpc, std::move(route));
    }
  }
  s->mtp3_->set_user(isup::kServiceIndicatorIsup, s.get());
  if (auto err = s->add_linksets(cfg)) return Err(*err);

  isup::IsupRecoveryConfig recovery;
  if (cfg.grs_in_flight != 0) recovery.max_grs_in_flight = cfg.grs_in_flight;
  s->isup_ = std::make_unique<isup::IsupCallControl>(*s, *s, s->timers_, log, counters, recovery);
  s->screening_ =
      std::make_unique<isup::Screening>(cfg.trunk_groups, cfg.screening, s->clock_, s->timers_, log, counters);
  for (const auto& tg : cfg.trunk_groups) {
    if (default_route && !s->linkset_for(tg.dpc) && routed.insert(tg.dpc).second)
      s->mtp3_->add_route(tg.dpc, *default_route);
    s->trunk_group_dpcs_.insert(tg.dpc);
    auto id = s->isup_->add_group(tg);
    if (!id) return Err("trunk group '" + tg.name + "': " + std::string(isup::to_string(id.error())));
    s->groups_[tg.name] = *id;
  }
  return s;
}

void Ss7Stack::start() {
  // Every destination is inaccessible until its association is up (as after an
  // MTP restart, Q.704 9): ISUP hears MTP-PAUSE now and resets the circuits of
  // a destination with paced GRS when MTP-RESUME arrives (Q.764 2.10.3.2).
  // Starting ISUP's own reset here instead would send GRS into a dead route.
  for (auto dpc : trunk_group_dpcs_)
    if (!available(dpc)) isup_->on_pause(dpc);
  mtp3_->start();
  for (auto& ls : linksets_) ls->start();
}

void Ss7Stack::stop() {
  mtp3_->stop();
  for (auto& ls : linksets_) ls->stop();
}

bool Ss7Stack::stopped() const {
  for (const auto& t : transports_)
    if (t->connected()) return false;
  return true;
}

void Ss7Stack::transfer(const MtpLabel& l, std::span<const std::uint8_t> data) {
  // One MTP service for ISUP: the link set serving the DPC, else the M3UA routes.
  if (auto* ls = linkset_for(l.dpc))
    ls->transfer(l, data);  // refusals are counted per link set
  else
    mtp3_->transfer(l, data);  // refusals are counted and logged by MTP3
}

Result<std::size_t, isup::CcError> Ss7Stack::equip(isup::GroupId group, std::span<const std::uint16_t> cics) {
  if (const isup::TrunkGroup* g = isup_->group(group)) screening_->equip(g->config(), cics);
  return isup_->equip(group, cics);
}

void Ss7Stack::on_transfer(const MtpLabel& l, std::span<const std::uint8_t> data) {
  if (screening_->judge(l, data) == isup::ScreenVerdict::kPass) isup_->on_transfer(l, data);
}

Result<Ss7Stack::Opened, std::string> Ss7Stack::open(const sigtran::TransportSpec& spec) {
  auto t = sigtran::open_transport(io_, spec, clock_, log_, counters_);
  if (!t) return Err(t.error());
  if (spec.server && !spec.allowed_peers)
    log_.warn(spec.subsystem, "open_to_any_peer", {{"link", spec.name}, {"hint", "set remote or allowed_peers"}});
  if (t->guard) guards_.push_back(std::move(t->guard));
  if (wrap_) t->transport = wrap_(std::move(t->transport), spec, t->local_port);
  transports_.push_back(std::move(t->transport));
  return Opened{transports_.back().get(), t->local_port};
}

void Ss7Stack::on_pause(std::uint32_t dpc) { isup_->on_pause(dpc); }
void Ss7Stack::on_resume(std::uint32_t dpc) { isup_->on_resume(dpc); }

void Ss7Stack::on_status(std::uint32_t dpc, const sigtran::MtpStatus& st) {
  isup::MtpStatus s;
  s.cause = st.cause == sigtran::MtpStatusCause::kCongestion ? isup::MtpStatusCause::kCongestion
                                                             : isup::MtpStatusCause::kUserPartUnavailable;
  s.congestion_level = st.congestion_level;
  s.upu_cause = static_cast<isup::UpuCause>(st.upu_cause <= 2 ? st.upu_cause : 0);
  isup_->on_status(dpc, s);
}

void Ss7Stack::on_setup(isup::CallId call, const isup::IncomingSetup& setup) {
  // No call engine (no routes configured): refuse cleanly (Q.850 41, temporary failure).
  counters_.get("call.refused_no_engine").inc();
  log_.warn(Subsystem::kCall, "incoming_call_refused",
            {{"cic", setup.cic}, {"cause", 41}, {"reason", "no call engine in this configuration"}});
  asio::post(io_, [this, call, cic = setup.cic] {
    if (auto r = isup_->release(call, 41); !r)
      log_.warn(Subsystem::kCall, "refusal_release_failed", {{"cic", cic}, {"error", isup::to_string(r.error())}});
  });
}

}  // namespace isupgw::daemon
