#include "engine/admission.h"

#include <cmath>

#include "config/config.pb.h"

namespace isupgw::engine {

AdmissionLimits AdmissionLimits::from(const config::Admission& a) {
  AdmissionLimits l;
  l.max_calls = a.max_calls();
  l.calls_per_second = a.calls_per_second();
  l.burst = a.burst() != 0 ? a.burst() : std::max(1.0, l.calls_per_second);
  l.retry_after_s = a.retry_after_s() != 0 ? a.retry_after_s() : 1;
  return l;
}

AdmissionGate::AdmissionGate(std::string_view name, Counters& counters)
    : admitted_(counters.get("admission." + std::string(name) + ".admitted")),
      refused_calls_(counters.get("admission." + std::string(name) + ".refused_calls")),
      refused_cps_(counters.get("admission." + std::string(name) + ".refused_cps")) {}

void AdmissionGate::configure(const AdmissionLimits& limits) {
  const bool new_rate = limits.calls_per_second != limits_.calls_per_second || limits.burst != limits_.burst;
  limits_ = limits;
  if (new_rate) bucket_ = TokenBucket(RateLimit{limits.calls_per_second, limits.burst});
}

AdmissionVerdict AdmissionGate::admit(Clock::time_point now) {
  if (limits_.max_calls != 0 && active_ >= limits_.max_calls) {
    refused_calls_.inc();
    return AdmissionVerdict::kTooManyCalls;
  }
  // The concurrent-calls check first: a call it refuses spends no token.
  if (!bucket_.take(now)) {
    refused_cps_.inc();
    return AdmissionVerdict::kTooManyCalledPerSecond;
  }
  ++active_;
  admitted_.inc();
  return AdmissionVerdict::kAdmitted;
}

AdmissionVerdict AdmissionGate::screen(Clock::time_point now) {
  if (limits_.max_calls != 0 && active_ >= limits_.max_calls) {
    refused_calls_.inc();
    return AdmissionVerdict::kTooManyCalls;
  }
  if (!bucket_.unlimited() && bucket_.tokens(now) < 1) {
    refused_cps_.inc();
    return AdmissionVerdict::kTooManyCalledPerSecond;
  }
  return AdmissionVerdict::kAdmitted;
}

unsigned AdmissionGate::retry_after(AdmissionVerdict v, Clock::time_point now) {
  if (v != AdmissionVerdict::kTooManyCalledPerSecond || limits_.calls_per_second <= 0) return limits_.retry_after_s;
  const double missing = 1.0 - bucket_.tokens(now);
  return static_cast<unsigned>(std::max(1.0, std::ceil(missing / limits_.calls_per_second)));
}

void Admission::set(Gates& g, const AdmissionConfig& limits, std::string_view kind) {
  for (auto& [name, gate] : g)
    if (!limits.count(name)) gate->configure(AdmissionLimits{});
  for (const auto& [name, l] : limits) {
    auto it = g.find(name);
    if (it == g.end())
      it = g.emplace(name, std::make_unique<AdmissionGate>(std::string(kind) + "." + name, counters_)).first;
    it->second->configure(l);
  }
}

void Admission::configure(const AdmissionConfig& sip_trunks, const AdmissionConfig& groups) {
  set(sip_, sip_trunks, "sip_trunk");
  set(groups_, groups, "trunk_group");
  any_ = false;
  for (const auto* gates : {&sip_, &groups_})
    for (const auto& [name, gate] : *gates) any_ = any_ || gate->limits().limited();
}

}  // namespace isupgw::engine
