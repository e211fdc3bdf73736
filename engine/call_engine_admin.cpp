// The call engine, management side (issue 16): call summaries for the
// management model, operator release, and the drain of SIP trunks and ISUP
// trunk groups (new calls refused, established calls run to their end).
#include "engine/call_engine.h"
#include "q931/pri_span.h"

namespace isupgw::engine {

CallEngine::LegSummary CallEngine::summary_of(const Leg& leg) const {
  LegSummary s;
  s.sip = leg.sip;
  s.sid = leg.sid;
  s.cid = leg.cid;
  if (leg.sip) {
    if (leg.trunk != nullptr) s.trunk = leg.trunk->name;
  } else if (leg.span != nullptr) {
    s.trunk = leg.span->config().name;
  } else if (leg.cid != 0 || leg.group != 0) {
    for (const auto& [name, id] : cfg_.groups)
      if (id == leg.group) s.trunk = name;
  }
  return s;
}

CallEngine::CallSummary CallEngine::summary_of(const Call& c) const {
  CallSummary s;
  s.id = c.id;
  s.state = c.state();
  s.answered = c.answered;
  s.started = c.started;
  s.called = c.called;
  s.a = summary_of(c.a);
  s.b = summary_of(c.b);
  s.media = c.media;
  return s;
}

std::vector<CallEngine::CallSummary> CallEngine::call_summaries() const {
  std::vector<CallSummary> out;
  out.reserve(calls_.size());
  for (const auto& [id, c] : calls_) out.push_back(summary_of(*c));
  return out;
}

std::optional<CallEngine::CallSummary> CallEngine::call_summary(std::uint64_t id) const {
  auto it = calls_.find(id);
  if (it == calls_.end()) return std::nullopt;
  return summary_of(*it->second);
}

std::uint64_t CallEngine::call_of_isup(isup::CallId cid) const {
  auto it = by_cid_.find(cid);
  return it == by_cid_.end() ? 0 : it->second->id;
}

bool CallEngine::release_call(std::uint64_t id, int cause) {
  Entry guard(*this);
  auto it = calls_.find(id);
  if (it == calls_.end()) return false;
  Call& c = *it->second;
  log_.notice(Subsystem::kCall, "operator_release", {{"call", c.id}, {"cause", cause}});
  counters_.get("call.operator_released").inc();
  fire(c, CallEvent::kCleared, EventData{cause, 0, {}, nullptr, nullptr});
  return true;
}

bool CallEngine::set_sip_trunk_service(std::string_view name, bool in_service, std::chrono::seconds retry_after) {
  if (routing_->trunk_named(name) == nullptr) return false;
  if (in_service) {
    if (auto it = out_of_service_trunks_.find(name); it != out_of_service_trunks_.end())
      out_of_service_trunks_.erase(it);
  } else {
    out_of_service_trunks_.insert_or_assign(std::string(name), retry_after);
  }
  log_.notice(Subsystem::kCall, in_service ? "trunk_in_service" : "trunk_out_of_service",
              {{"trunk", name}, {"retry_after", in_service ? 0 : retry_after.count()}});
  return true;
}

bool CallEngine::set_group_service(std::string_view name, bool in_service) {
  if (cfg_.groups.find(name) == cfg_.groups.end()) return false;
  if (in_service) {
    if (auto it = out_of_service_groups_.find(name); it != out_of_service_groups_.end())
      out_of_service_groups_.erase(it);
  } else {
    out_of_service_groups_.emplace(name);
  }
  log_.notice(Subsystem::kCall, in_service ? "trunk_group_in_service" : "trunk_group_out_of_service",
              {{"trunk_group", name}});
  return true;
}

// Limits that a reload gives a trunk or group count the calls it already carries (they hold no gate yet), so
// that max_calls is not exceeded by the calls set up before the reload.
void CallEngine::adopt_calls() {
  if (!admission_.any()) return;
  for (auto& [id, c] : calls_) {
    if (c->state() == CallState::kReleased) continue;
    if (c->gate_a == nullptr) {
      AdmissionGate* g = nullptr;
      if (c->a.sip && c->a.trunk != nullptr)
        g = admission_.sip_trunk(c->a.trunk->name);
      else if (!c->a.sip && c->a.cid != 0)
        g = admission_.group(group_name(c->a.group));
      if (g != nullptr) g->adopt(), c->gate_a = g;
    }
    if (c->gate_b == nullptr && c->route != nullptr && c->target < c->route->targets.size() &&
        (c->b.sid != 0 || c->b.cid != 0)) {
      const RouteTarget& t = c->route->targets[c->target];
      AdmissionGate* g =
          t.kind == RouteTarget::Kind::kTrunkGroup ? admission_.group(t.name) : admission_.sip_trunk(t.name);
      if (g != nullptr) g->adopt(), c->gate_b = g;
    }
  }
}

void CallEngine::reload(EngineConfig cfg) {
  if (!cfg.groups.empty()) cfg_.groups = std::move(cfg.groups);
  routing_ = std::make_shared<const Routing>(Routing{std::move(cfg.trunks), std::move(cfg.router)});
  admission_.configure(cfg.sip_admission, cfg.group_admission);
  overload_.configure(cfg.overload);
  adopt_calls();
  sync_health();
  for (auto it = out_of_service_trunks_.begin(); it != out_of_service_trunks_.end();)
    it = routing_->trunk_named(it->first) == nullptr ? out_of_service_trunks_.erase(it) : std::next(it);
  log_.notice(Subsystem::kCall, "routing_reloaded",
              {{"trunks", routing_->trunks.size()},
               {"routes", routing_->router.size()},
               {"calls_on_previous", calls_on_old_routing()}});
}

std::size_t CallEngine::calls_on_old_routing() const {
  std::size_t n = 0;
  for (const auto& [id, c] : calls_) n += c->routing != routing_;
  return n;
}

}  // namespace isupgw::engine
