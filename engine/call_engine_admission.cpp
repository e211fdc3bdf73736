// The call engine's admission control (issue 18, engine/admission.h): a call
// from or to a trunk with limits passes its gate, or is refused.
#include "engine/call_engine.h"

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

}  // namespace isupgw::engine
