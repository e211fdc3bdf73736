#include "daemon/ss7_stack.h"

#include "config/ss7_config.h"
#include "sigtran/sctp_transport.h"
#include "sigtran/tcp_transport.h"

namespace isupgw::daemon {

namespace asio = boost::asio;
using sigtran::m3ua::LinkConfig;
using sigtran::m3ua::Role;
using sigtran::m3ua::TrafficMode;

namespace {

Role role_of(config::M3uaRole r) {
  switch (r) {
    case config::M3UA_ROLE_SG: return Role::kSg;
    case config::M3UA_ROLE_IPSP_CLIENT: return Role::kIpspClient;
    case config::M3UA_ROLE_IPSP_SERVER: return Role::kIpspServer;
    case config::M3UA_ROLE_IPSP_DOUBLE: return Role::kIpspDouble;
    default: return Role::kAsp;
  }
}

std::optional<TrafficMode> mode_of(config::TrafficMode m) {
  switch (m) {
    case config::TRAFFIC_MODE_OVERRIDE: return TrafficMode::kOverride;
    case config::TRAFFIC_MODE_LOADSHARE: return TrafficMode::kLoadshare;
    case config::TRAFFIC_MODE_BROADCAST: return TrafficMode::kBroadcast;
    default: return std::nullopt;
  }
}

isup::Variant variant_of(config::IsupVariant v) {
  switch (v) {
    case config::ISUP_VARIANT_ANSI: return isup::Variant::kAnsi;
    case config::ISUP_VARIANT_ETSI: return isup::Variant::kEtsi;
    default: return isup::Variant::kItu;
  }
}

}  // namespace

Ss7Stack::Ss7Stack(asio::io_context& io, Logger& log, Counters& counters)
    : io_(io), log_(log), counters_(counters), timers_(io) {}

Ss7Stack::~Ss7Stack() = default;

Result<std::unique_ptr<Ss7Stack>, std::string> Ss7Stack::create(asio::io_context& io, const config::Ss7& cfg,
                                                                Logger& log, Counters& counters) {
  std::unique_ptr<Ss7Stack> s(new Ss7Stack(io, log, counters));
  s->mtp3_ = std::make_unique<sigtran::m3ua::Mtp3>(s->timers_, log, counters);
  const auto fmt = config::point_code_format(cfg);

  std::map<std::string, std::size_t> link_ids;
  for (const auto& l : cfg.m3ua_links()) {
    const bool client = config::is_client_role(l.role());
    const auto& ep = client ? l.remote() : l.local();
    std::unique_ptr<sigtran::Transport> t;
    if (l.transport() == config::SIGTRAN_TRANSPORT_TCP) {
      sigtran::TcpConfig tc;
      tc.server = !client;
      tc.address = ep.address();
      tc.port = static_cast<std::uint16_t>(ep.port());
      auto tcp = std::make_unique<sigtran::TcpTransport>(io, tc, log, counters);
      if (!client) {
        if (auto ec = tcp->listen())
          return Err("m3ua link '" + l.name() + "': cannot listen on " + tc.address + ":" + std::to_string(tc.port) +
                     ": " + ec.message());
        log.notice(Subsystem::kM3ua, "listening",
                   {{"link", l.name()}, {"transport", "tcp"}, {"address", tc.address}, {"port", tcp->local_port()}});
      }
      t = std::move(tcp);
    } else {
      sigtran::SctpConfig sc;
      sc.server = !client;
      sc.address = ep.address();
      sc.port = static_cast<std::uint16_t>(ep.port());
      if (client) {
        sc.local_address = l.local().address();
        sc.local_port = static_cast<std::uint16_t>(l.local().port());
      }
      auto sctp = std::make_unique<sigtran::SctpTransport>(io, sc, log, counters);
      if (!client) {
        if (auto ec = sctp->listen())
          return Err("m3ua link '" + l.name() + "': cannot listen on SCTP " + sc.address + ":" +
                     std::to_string(sc.port) + ": " + ec.message());
      }
      t = std::move(sctp);
    }
    LinkConfig lc;
    lc.name = l.name();
    lc.role = role_of(l.role());
    lc.routing_contexts.assign(l.routing_contexts().begin(), l.routing_contexts().end());
    lc.traffic_mode = mode_of(l.traffic_mode());
    if (l.asp_identifier() != 0) lc.asp_identifier = l.asp_identifier();
    lc.t_beat = std::chrono::milliseconds(l.beat_interval_ms());
    auto& link = s->mtp3_->add_link(std::move(lc), *t);
    link_ids[l.name()] = link.id();
    s->transports_.push_back(std::move(t));
  }
  // MTP3 tracks availability (PAUSE/RESUME) for routed DPCs only: the default
  // route is also installed below for every trunk group DPC without its own.
  std::optional<sigtran::m3ua::Route> default_route;
  std::set<std::uint32_t> routed;
  for (const auto& r : cfg.routes()) {
    sigtran::m3ua::Route route;
    for (const auto& name : r.links()) route.links.push_back(link_ids.at(name));  // validated by the loader
    route.mode = mode_of(r.traffic_mode()).value_or(TrafficMode::kOverride);
    if (r.dpc() == "default") {
      default_route = route;
      s->mtp3_->set_default_route(std::move(route));
    } else {
      const auto dpc = sigtran::parse_point_code(r.dpc(), fmt)->value;
      routed.insert(dpc);
      s->mtp3_->add_route(dpc, std::move(route));
    }
  }
  s->mtp3_->set_user(isup::kServiceIndicatorIsup, s.get());
  if (auto err = s->add_linksets(cfg, fmt)) return Err(*err);

  isup::IsupRecoveryConfig recovery;
  if (cfg.grs_in_flight() != 0) recovery.max_grs_in_flight = cfg.grs_in_flight();
  s->isup_ = std::make_unique<isup::IsupCallControl>(*s, *s, s->timers_, log, counters, recovery);
  for (const auto& g : cfg.trunk_groups()) {
    isup::TrunkGroupConfig tg;
    tg.name = g.name();
    tg.opc = sigtran::parse_point_code(g.opc(), fmt)->value;
    tg.dpc = sigtran::parse_point_code(g.dpc(), fmt)->value;
    tg.ni = config::network_indicator(g.network_indicator());
    tg.variant = variant_of(g.variant());
    tg.overlap_incoming = g.overlap();
    for (const auto& range : g.cics()) {
      auto span = config::parse_cic_range(range, config::max_cic(g.variant()));
      tg.cics.emplace_back(span->first, span->last);
    }
    if (default_route && !s->linkset_for(tg.dpc) && routed.insert(tg.dpc).second)
      s->mtp3_->add_route(tg.dpc, *default_route);
    s->trunk_group_dpcs_.insert(tg.dpc);
    auto id = s->isup_->add_group(std::move(tg));
    if (!id) return Err("trunk group '" + g.name() + "': " + std::string(isup::to_string(id.error())));
    s->groups_[g.name()] = *id;
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

void Ss7Stack::on_transfer(const MtpLabel& l, std::span<const std::uint8_t> data) { isup_->on_transfer(l, data); }

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
  if (call_user_) return call_user_->on_setup(call, setup);
  // No call engine (no routes configured): refuse cleanly (Q.850 41, temporary failure).
  counters_.get("call.refused_no_engine").inc();
  log_.warn(Subsystem::kCall, "incoming_call_refused",
            {{"cic", setup.cic}, {"cause", 41}, {"reason", "no call engine in this configuration"}});
  asio::post(io_, [this, call] { isup_->release(call, 41); });
}

void Ss7Stack::on_progress(isup::CallId call, const isup::BackwardIndication& ind) {
  if (call_user_) call_user_->on_progress(call, ind);
}
void Ss7Stack::on_answer(isup::CallId call) {
  if (call_user_) call_user_->on_answer(call);
}
void Ss7Stack::on_release(isup::CallId call, int cause) {
  if (call_user_) call_user_->on_release(call, cause);
}
void Ss7Stack::on_more_digits(isup::CallId call, std::string_view digits, bool complete) {
  if (call_user_) call_user_->on_more_digits(call, digits, complete);
}
void Ss7Stack::on_query_response(isup::GroupId g, std::uint16_t cic, std::span<const std::uint8_t> states) {
  if (call_user_) call_user_->on_query_response(g, cic, states);
}

}  // namespace isupgw::daemon
