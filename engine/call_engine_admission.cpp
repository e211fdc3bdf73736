// The call engine's admission control (issue 18, engine/admission.h): a call
// from or to a trunk with limits passes its gate, or is refused; and the health
// of SIP trunks (engine/trunk_health.h) fed by OPTIONS keepalives and INVITE timeouts.
#include "engine/call_engine.h"

#include <set>

namespace isupgw::engine {

bool CallEngine::admit(AdmissionGate& gate, const Call& c, std::string_view trunk, std::string& why, int& retry_after) {
  const auto now = clock_->now();
  const auto verdict = gate.admit(now);
  if (verdict == AdmissionVerdict::kAdmitted) return true;
  why = verdict == AdmissionVerdict::kTooManyCalls ? "admission: max_calls" : "admission: calls_per_second";
  retry_after = static_cast<int>(gate.retry_after(verdict, now));
  // A flood of refusals is counted in full (the gate's counters) and logged about once a second.
  std::uint64_t held_back = 0;
  if (admission_log_.allow(now, held_back))
    log_.notice(Subsystem::kCall, "admission_refused",
                {{"call", c.id},
                 {"trunk", std::string(trunk)},
                 {"reason", why},
                 {"active", gate.active()},
                 {"not_logged_before", held_back}});
  return false;
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
