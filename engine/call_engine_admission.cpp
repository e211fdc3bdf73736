// The call engine's admission control (issue 18, engine/admission.h): a call
// from or to a trunk with limits passes its gate, or is refused; and the health
// of SIP trunks (engine/trunk_health.h) fed by OPTIONS keepalives and INVITE timeouts.
#include "engine/call_engine.h"

#include <set>

#include "mapping/reason_header.h"

namespace isupgw::engine {

bool CallEngine::admit(AdmissionGate& gate, const Call& c, std::string_view trunk, std::string& why, int& retry_after) {
  const auto now = clock_->now();
  const auto verdict = gate.admit(now);
  if (verdict == AdmissionVerdict::kAdmitted) return true;
  why = refused(gate, verdict, now, c.id, {}, trunk, retry_after);
  return false;
}

std::string CallEngine::refused(AdmissionGate& gate, AdmissionVerdict verdict, Clock::time_point now,
                                std::uint64_t call, std::string_view call_id, std::string_view trunk,
                                int& retry_after) {
  std::string why = verdict == AdmissionVerdict::kTooManyCalls ? "admission: max_calls" : "admission: calls_per_second";
  retry_after = static_cast<int>(gate.retry_after(verdict, now));
  // A flood of refusals is counted in full (the gate's counters) and logged about once a second.
  std::uint64_t held_back = 0;
  if (admission_log_.allow(now, held_back)) {
    if (call != 0)
      log_.notice(Subsystem::kCall, "admission_refused",
                  {{"call", call},
                   {"trunk", std::string(trunk)},
                   {"reason", why},
                   {"active", gate.active()},
                   {"not_logged_before", held_back}});
    else  // refused before any call existed (screen_invite)
      log_.notice(Subsystem::kCall, "admission_refused",
                  {{"call_id", std::string(call_id)},
                   {"trunk", std::string(trunk)},
                   {"reason", why},
                   {"active", gate.active()},
                   {"not_logged_before", held_back}});
  }
  return why;
}

// Admission before the SIP transaction layer (RFC 3261 8.2.7): an INVITE from a trunk over its limit is
// refused with the 503 on_invite would send, but without a server transaction, a session or a call.
// Overlap trunks are left to on_invite: a new INVITE there may extend a call in progress (RFC 3578), which
// admission does not count again; so are drained trunks (their own 503, issue 16).
std::optional<sip::EarlyRefusal> CallEngine::screen_invite(const sip::Message& invite, const sip::Peer& from) {
  if (overload_.refuse()) {
    // Node-wide overload (issue 19): the cheapest refusal there is -- before a transaction, a session or a
    // call exists (RFC 3261 8.2.7). 503 with Retry-After (21.5.4, 20.33); Reason cause 42 switching equipment
    // congestion (RFC 3398 7.2.4.1 maps it to 503). Counted, never logged one by one.
    overload_.count_refused_sip();
    sip::EarlyRefusal r;
    r.headers.emplace_back("Reason", mapping::format_q850_reason(42));
    r.headers.emplace_back("Warning", "399 isupgw \"overload\"");
    r.headers.emplace_back("Retry-After", std::to_string(overload_.config().retry_after_s));
    return r;
  }
  if (!admission_.any()) return std::nullopt;
  const SipTrunkInfo* t = routing_->trunk_for_source(from.host);
  if (t == nullptr || !t->profile.append_st) return std::nullopt;
  AdmissionGate* gate = admission_.sip_trunk(t->name);
  if (gate == nullptr || out_of_service_trunks_.count(t->name)) return std::nullopt;
  const auto now = clock_->now();
  const auto verdict = gate->screen(now);
  if (verdict == AdmissionVerdict::kAdmitted) return std::nullopt;
  int retry_after = 1;
  const std::string why = refused(*gate, verdict, now, 0, invite.call_id, t->name, retry_after);
  counters_.get("call.refused_admission_stateless").inc();
  sip::EarlyRefusal r;
  // Over the trunk's limit: 503 with Retry-After (RFC 3261 21.5.4, 20.33), Reason cause 34 no circuit/channel
  // available (the cause RFC 3398 7.2.4.1 maps to 503), as on_invite answers.
  r.headers.emplace_back("Reason", mapping::format_q850_reason(34));
  r.headers.emplace_back("Warning", "399 isupgw \"" + why + "\"");
  r.headers.emplace_back("Retry-After", std::to_string(retry_after));
  return r;
}

void CallEngine::overload_sample(const LoadSample& s) {
  if (!overload_.sample(clock_->now(), s)) return;
  // Q.764 2.11: while congested, every REL this exchange sends carries the automatic congestion level.
  if (isup_ != nullptr) isup_->set_congestion_level(overload_.level());
}

void CallEngine::release_gates(Call& c) {
  if (c.gate_a != nullptr) c.gate_a->release();
  if (c.gate_b != nullptr) c.gate_b->release();
  c.gate_a = c.gate_b = nullptr;
}

void CallEngine::sync_health() {
  std::set<std::string, std::less<>> monitored;
  for (const auto& t : routing_->trunks) {
    if (!t.monitored) continue;
    monitored.insert(t.name);
    auto it = health_.find(t.name);
    if (it == health_.end())
      health_.emplace(t.name, std::make_unique<TrunkHealth>(t.name, t.down_after, t.up_after, log_, counters_));
    else
      it->second->set_thresholds(t.down_after, t.up_after);
  }
  for (auto it = health_.begin(); it != health_.end();)
    it = monitored.count(it->first) ? std::next(it) : health_.erase(it);
}

void CallEngine::trunk_failed(const SipTrunkInfo& t) {
  if (auto it = health_.find(t.name); it != health_.end()) it->second->failure();
}

void CallEngine::on_ping_result(const sip::Peer& peer, bool answered) {
  if (health_.empty()) return;
  for (const auto& t : routing_->trunks) {
    if (t.peer.host != peer.host || t.peer.port != peer.port || t.peer.transport != peer.transport) continue;
    auto it = health_.find(t.name);
    if (it == health_.end()) continue;
    if (answered)
      it->second->success();
    else
      it->second->failure();
  }
}

}  // namespace isupgw::engine
