// Admission control per SIP trunk and per ISUP trunk group (issue 18): at most
// `max_calls` concurrent calls and `calls_per_second` new ones (a token bucket,
// base/rate_limit.h, on the engine's injectable clock). Calls in both directions
// count. The engine asks admit() when a call arrives from a trunk or is about to
// leave on one, and release()s the gate when the call ends (or hunts on).
// Counters per trunk: admission.sip_trunk.<name>.admitted, .refused_calls,
// .refused_cps (admission.trunk_group.<name>.* for ISUP trunk groups).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/counters.h"
#include "base/rate_limit.h"
#include "config/config_fwd.h"

namespace isupgw::engine {

struct AdmissionLimits {
  unsigned max_calls = 0;       // 0: no limit
  double calls_per_second = 0;  // 0: no limit
  double burst = 0;             // 0: one second's worth (at least 1)
  unsigned retry_after_s = 1;   // Retry-After for max_calls refusals
  bool limited() const { return max_calls != 0 || calls_per_second > 0; }
  static AdmissionLimits from(const config::Admission& a);
};

enum class AdmissionVerdict : std::uint8_t { kAdmitted, kTooManyCalls, kTooManyCalledPerSecond };

class AdmissionGate {
 public:
  // `name`: "sip_trunk.NAME" or "trunk_group.NAME", for the counters.
  AdmissionGate(std::string_view name, Counters& counters);
  // Keeps the calls in progress; a new rate starts with a full bucket.
  void configure(const AdmissionLimits& limits);
  AdmissionVerdict admit(Clock::time_point now);
  // What admit() would say now, spending nothing when it would admit (the caller admits the call later,
  // in the same turn of the event loop); a refusal is counted as admit() counts it.
  AdmissionVerdict screen(Clock::time_point now);
  // A call already in progress when limits came by reload: counted, no token spent, nothing refused.
  void adopt() { ++active_; }
  void release() {
    if (active_ > 0) --active_;
  }
  unsigned active() const { return active_; }
  const AdmissionLimits& limits() const { return limits_; }
  // Seconds a refused caller should wait (RFC 3261 20.33): max_calls' retry_after_s,
  // or the time until the bucket holds a token again (at least 1).
  unsigned retry_after(AdmissionVerdict v, Clock::time_point now);

 private:
  AdmissionLimits limits_;
  TokenBucket bucket_;
  unsigned active_ = 0;
  Counter& admitted_;
  Counter& refused_calls_;
  Counter& refused_cps_;
};

using AdmissionConfig = std::map<std::string, AdmissionLimits, std::less<>>;  // by trunk or group name

// The gates of SIP trunks and of trunk groups. Gates are never destroyed while the
// engine lives (calls hold pointers to them); a reload reconfigures them, and a gate
// whose trunk is gone is left without limits.
class Admission {
 public:
  explicit Admission(Counters& counters) : counters_(counters) {}
  // The limits of the configuration (at start and at each reload).
  void configure(const AdmissionConfig& sip_trunks, const AdmissionConfig& groups);
  // nullptr: no limits on this trunk (nothing is counted).
  AdmissionGate* sip_trunk(std::string_view name) const { return find(sip_, name); }
  AdmissionGate* group(std::string_view name) const { return find(groups_, name); }
  bool any() const { return any_; }

 private:
  using Gates = std::map<std::string, std::unique_ptr<AdmissionGate>, std::less<>>;
  AdmissionGate* find(const Gates& g, std::string_view name) const {
    if (!any_) return nullptr;
    auto it = g.find(name);
    return it == g.end() || !it->second->limits().limited() ? nullptr : it->second.get();
  }
  void set(Gates& g, const AdmissionConfig& limits, std::string_view kind);
  Counters& counters_;
  Gates sip_, groups_;
  bool any_ = false;
};

}  // namespace isupgw::engine
