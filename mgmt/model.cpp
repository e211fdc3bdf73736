// The management model's queries: read-only views of the stacks (model.h).
#include "mgmt/model.h"

#include <algorithm>

namespace isupgw::mgmt {

std::string_view to_string(Error::Code c) {
  switch (c) {
    case Error::Code::kNotFound: return "not_found";
    case Error::Code::kInvalid: return "invalid";
    case Error::Code::kConflict: return "conflict";
    case Error::Code::kUnavailable: return "unavailable";
    case Error::Code::kTimeout: return "timeout";
  }
  return "?";
}

std::string_view to_string(AdminState s) {
  switch (s) {
    case AdminState::kInService: return "in_service";
    case AdminState::kDraining: return "draining";
    case AdminState::kOutOfService: return "out_of_service";
  }
  return "?";
}

std::string_view to_string(OptionsState s) {
  switch (s) {
    case OptionsState::kOff: return "off";
    case OptionsState::kUnknown: return "unknown";
    case OptionsState::kUp: return "up";
    case OptionsState::kDown: return "down";
  }
  return "?";
}

namespace {

AdminState admin_state(bool in_service, std::size_t calls) {
  if (in_service) return AdminState::kInService;
  return calls > 0 ? AdminState::kDraining : AdminState::kOutOfService;
}

// Calls per SIP trunk / ISUP trunk group name (either leg).
std::map<std::string, std::size_t, std::less<>> calls_per_trunk(const engine::CallEngine* e, bool sip) {
  std::map<std::string, std::size_t, std::less<>> n;
  if (e == nullptr) return n;
  for (const auto& c : e->call_summaries()) {
    for (const auto* leg : {&c.a, &c.b})
      if (leg->sip == sip && !leg->trunk.empty() && (sip ? leg->sid != 0 : leg->cid != 0)) ++n[std::string(leg->trunk)];
  }
  return n;
}

}  // namespace

std::optional<isup::GroupId> Model::group_id(std::string_view name) const {
  const auto& groups = s_.trunk_groups();
  auto it = groups.find(name);
  if (it == groups.end()) return std::nullopt;
  return it->second;
}

std::vector<M3uaLinkView> Model::m3ua_links() const {
  std::vector<M3uaLinkView> out;
  auto* m3ua = s_.m3ua();
  if (m3ua == nullptr) return out;
  for (std::size_t i = 0; i < m3ua->link_count(); ++i) {
    const auto& l = m3ua->link(i);
    M3uaLinkView v;
    v.name = l.config().name;
    v.role = l.config().role;
    v.ready = l.ready();
    v.asp = l.asp_state();
    v.peer_asp = l.peer_state();
    for (auto rc : l.config().routing_contexts)
      v.as.push_back(AsView{rc, l.as_state(rc).value_or(sigtran::m3ua::AsState::kDown)});
    v.paths = l.paths();
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<LinkSetView> Model::linksets() const {
  std::vector<LinkSetView> out;
  const auto fmt = s_.point_code_format();
  for (const auto& ls : s_.linksets()) {
    if (!ls) continue;
    LinkSetView v;
    v.name = ls->config().name;
    v.local_pc = sigtran::format_point_code({ls->config().local_pc}, fmt);
    v.adjacent_pc = sigtran::format_point_code({ls->config().adjacent_pc}, fmt);
    v.active_links = ls->active_links();
    v.restart = ls->restart_state();
    for (std::size_t i = 0; i < ls->link_count(); ++i)
      v.links.push_back(SignallingLinkView{ls->link(i).slc(), ls->link_status(i), ls->link_state(i),
                                           ls->link(i).state(), ls->link(i).paths()});
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<TrunkGroupView> Model::trunk_groups() const {
  std::vector<TrunkGroupView> out;
  auto* isup = s_.isup();
  if (isup == nullptr) return out;
  const auto* engine = s_.engine();
  const auto calls = calls_per_trunk(engine, false);
  const auto fmt = s_.point_code_format();
  for (const auto& [name, id] : s_.trunk_groups()) {
    const isup::TrunkGroup* g = isup->group(id);
    if (g == nullptr) continue;
    TrunkGroupView v;
    v.name = name;
    v.opc = sigtran::format_point_code({g->config().opc}, fmt);
    v.dpc = sigtran::format_point_code({g->config().dpc}, fmt);
    v.variant = g->config().variant;
    v.circuits = g->circuits().size();
    for (const auto& c : g->circuits()) {
      v.idle += c->available_for_outgoing();
      v.busy += !c->call().idle();
      v.local_blocked += c->blocking().locally_blocked() || c->local_hw_blocked;
      v.remote_blocked += c->remote_maint_blocked || c->remote_hw_blocked;
      v.resetting += c->reset().resetting() || c->group_reset_pending;
      v.unequipped += c->unequipped;
    }
    auto n = calls.find(name);
    v.active_calls = n == calls.end() ? 0 : n->second;
    v.admin = admin_state(engine == nullptr || engine->group_in_service(name), v.active_calls);
    out.push_back(std::move(v));
  }
  return out;
}

Outcome<std::vector<CircuitView>> Model::circuits(std::string_view group) const {
  auto* isup = s_.isup();
  auto id = group_id(group);
  const isup::TrunkGroup* g = isup && id ? isup->group(*id) : nullptr;
  if (g == nullptr) return Err(Error{Error::Code::kNotFound, "no trunk group named '" + std::string(group) + "'"});
  const auto* engine = s_.engine();
  std::vector<CircuitView> out;
  out.reserve(g->circuits().size());
  for (const auto& c : g->circuits()) {
    CircuitView v;
    v.cic = c->cic();
    v.call_state = c->call().state();
    v.blocking = c->blocking().state();
    v.local_maintenance_blocked = c->blocking().locally_blocked();
    v.local_hardware_blocked = c->local_hw_blocked;
    v.remote_maintenance_blocked = c->remote_maint_blocked;
    v.remote_hardware_blocked = c->remote_hw_blocked;
    v.resetting = c->reset().resetting() || c->group_reset_pending;
    v.unequipped = c->unequipped;
    v.controlled_here = c->controlled_here();
    if (engine != nullptr && c->call().call_id() != 0) v.call = engine->call_of_isup(c->call().call_id());
    out.push_back(v);
  }
  return out;
}

namespace {

LegView leg_view(const engine::CallEngine::LegSummary& l, sip::UserAgent* ua, isup::IsupCallControl* isup) {
  LegView v;
  v.trunk = std::string(l.trunk);
  if (l.sip) {
    v.kind = LegView::Kind::kSip;
    if (auto info = ua && l.sid != 0 ? ua->session_info(l.sid) : std::nullopt) {
      v.call_id = std::move(info->call_id);
      v.local_tag = std::move(info->local_tag);
      v.remote_tag = std::move(info->remote_tag);
      const bool v6 = info->peer.host.find(':') != std::string::npos;
      v.peer = (v6 ? "[" + info->peer.host + "]" : info->peer.host) + ":" + std::to_string(info->peer.port) + "/" +
               std::string(sip::to_string(info->peer.transport));
    }
  } else if (l.cid != 0 || !l.trunk.empty()) {
    v.kind = LegView::Kind::kIsup;
    if (const isup::Circuit* c = isup && l.cid != 0 ? isup->circuit_of(l.cid) : nullptr) v.cic = c->cic();
  }
  return v;
}

}  // namespace

OverloadView Model::overload() const {
  OverloadView v;
  const auto* engine = s_.engine();
  if (engine == nullptr) return v;
  const auto& o = engine->overload();
  v.state = std::string(engine::to_string(o.state()));
  v.level = o.level();
  v.refusal = o.refusal();
  v.load = o.load();
  v.rx_backlog = o.last().rx_backlog;
  v.rx_drops = o.last().rx_drops;
  v.loop_lag_ms = std::chrono::duration<double, std::milli>(o.last().loop_lag).count();
  return v;
}

std::vector<CallView> Model::calls() const {
  std::vector<CallView> out;
  const auto* engine = s_.engine();
  if (engine == nullptr) return out;
  const auto now = s_.clock().now();
  auto* ua = s_.sip();
  auto* isup = s_.isup();
  for (const auto& c : engine->call_summaries()) {
    CallView v;
    v.id = c.id;
    v.state = c.state;
    v.answered = c.answered;
    v.age = now - c.started;
    v.called = std::string(c.called);
    v.a = leg_view(c.a, ua, isup);
    v.b = leg_view(c.b, ua, isup);
    if (c.media != 0 && engine->media() != nullptr)
      if (auto d = engine->media()->describe(c.media)) v.media = MediaView{d->mg, d->endpoint, d->connection_id};
    out.push_back(std::move(v));
  }
  std::sort(out.begin(), out.end(), [](const CallView& x, const CallView& y) { return x.id < y.id; });
  return out;
}

Outcome<CallView> Model::call(std::uint64_t id) const {
  for (auto& c : calls())
    if (c.id == id) return std::move(c);
  return Err(Error{Error::Code::kNotFound, "no call " + std::to_string(id)});
}

std::vector<SipTrunkView> Model::sip_trunks() const {
  std::vector<SipTrunkView> out;
  const auto* engine = s_.engine();
  if (engine == nullptr) return out;
  const auto calls = calls_per_trunk(engine, true);
  auto* ua = s_.sip();
  const auto regs = ua ? ua->registrations() : std::vector<sip::RegistrationStatus>{};
  for (const auto& t : engine->trunks()) {
    SipTrunkView v;
    v.name = t.name;
    v.address = t.peer.host;
    v.port = t.peer.port;
    v.transport = t.peer.transport;
    v.profile = t.profile.kind;
    if (auto ping = ua ? ua->ping_state(t.peer) : std::nullopt)
      v.options = *ping < 0 ? OptionsState::kUnknown : *ping ? OptionsState::kUp : OptionsState::kDown;
    auto n = calls.find(t.name);
    v.active_calls = n == calls.end() ? 0 : n->second;
    v.admin = admin_state(engine->sip_trunk_in_service(t.name), v.active_calls);
    for (auto& r : regs)
      if (r.trunk == t.name) v.registration = r;
    if (const auto* h = engine->sip_trunk_health(t.name)) v.health = h->state();
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<MediaGatewayView> Model::media_gateways() const {
  std::vector<MediaGatewayView> out;
  for (const auto& mg : s_.media_gateways()) {
    MediaGatewayView v;
    v.name = mg.name;
    v.address = mg.address;
    v.port = mg.port;
    if (mg.client) v.health = mg.client->health().state();
    if (mg.health) v.health = mg.health->state();
    if (mg.connections) v.connections = mg.connections->active();
    if (!mg.connections) v.connections = mg.h248_contexts;
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<std::pair<std::string, std::uint64_t>> Model::counters() const { return s_.counters().snapshot(); }

std::vector<HistogramView> Model::histograms() const {
  std::vector<HistogramView> out;
  const auto* engine = s_.engine();
  if (engine == nullptr) return out;
  const auto& t = engine->timings();
  out.push_back(HistogramView{"call_post_dial_delay_seconds",
                              "Setup received to the first progress (18x/ACM/CPG) or answer forwarded to the caller",
                              {},
                              t.post_dial_delay.snapshot()});
  out.push_back(HistogramView{"call_setup_gateway_seconds",
                              "Time the gateway adds to call setup: INVITE in -> IAM out, IAM in -> INVITE out",
                              {{"direction", "sip_to_isup"}},
                              t.setup_sip_to_isup.snapshot()});
  out.push_back(HistogramView{"call_setup_gateway_seconds",
                              "Time the gateway adds to call setup: INVITE in -> IAM out, IAM in -> INVITE out",
                              {{"direction", "isup_to_sip"}},
                              t.setup_isup_to_sip.snapshot()});
  return out;
}

}  // namespace isupgw::mgmt
