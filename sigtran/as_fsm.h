// AS state as seen from the ASP (RFC 4666 4.3.2): what our own ASP state and the
// SGP's NTFY (AS-State-Change, RFC 4666 3.8.2) tell us about one Application
// Server (one routing context). Informational on the ASP side: traffic follows
// our ASP state, the AS state tells whether the AS as a whole carries traffic.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/counters.h"
#include "base/log.h"
#include "sigtran/fsm_table.h"

namespace isupgw::sigtran::m3ua {

enum class AsState : std::uint8_t { kDown, kInactive, kActive, kPending };
enum class AsEvent : std::uint8_t {
  kAspDown,         // our ASP went ASP-DOWN (transport loss, ASPDN ACK)
  kAspInactive,     // our ASP is ASP-INACTIVE (ASPUP ACK, ASPIA ACK, replaced in override)
  kAspActive,       // our ASP is ASP-ACTIVE (ASPAC ACK)
  kNtfyAsInactive,  // NTFY AS-State-Change AS-INACTIVE
  kNtfyAsActive,    // NTFY AS-State-Change AS-ACTIVE
  kNtfyAsPending,   // NTFY AS-State-Change AS-PENDING
};
enum class AsAction : std::uint8_t { kNone };

std::string_view to_string(AsState s);
std::string_view to_string(AsEvent e);

class AsFsm {
 public:
  AsFsm(std::uint32_t routing_context, Logger& log, Counters& counters);
  AsState state() const { return state_; }
  std::uint32_t routing_context() const { return rc_; }
  bool handle(AsEvent e);

 private:
  std::uint32_t rc_;
  Logger& log_;
  Counter& ignored_;
  AsState state_ = AsState::kDown;
};

}  // namespace isupgw::sigtran::m3ua
