// AS state as seen from the ASP (RFC 4666 4.3.2; RFC 4233 4.3.2 the same, an AS
// being a set of interface identifiers there): what our own ASP state and the
// SGP's NTFY (AS-State-Change, RFC 4666 3.8.2) tell us about one Application
// Server (one routing context). Informational on the ASP side: traffic follows
// our ASP state, the AS state tells whether the AS as a whole carries traffic.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/counters.h"
#include "base/fsm.h"
#include "base/log.h"
#include "sigtran/ua_asp_fsm.h"

namespace isupgw::sigtran {

enum class AsState : std::uint8_t { kDown, kInactive, kActive, kPending };
inline constexpr std::size_t kAsStates = static_cast<std::size_t>(AsState::kPending) + 1;
enum class AsEvent : std::uint8_t {
  kAspDown,         // our ASP went ASP-DOWN (transport loss, ASPDN ACK)
  kAspInactive,     // our ASP is ASP-INACTIVE (ASPUP ACK, ASPIA ACK, replaced in override)
  kAspActive,       // our ASP is ASP-ACTIVE (ASPAC ACK)
  kNtfyAsInactive,  // NTFY AS-State-Change AS-INACTIVE
  kNtfyAsActive,    // NTFY AS-State-Change AS-ACTIVE
  kNtfyAsPending,   // NTFY AS-State-Change AS-PENDING
};
inline constexpr std::size_t kAsEvents = static_cast<std::size_t>(AsEvent::kNtfyAsPending) + 1;

std::string_view to_string(AsState s);
std::string_view to_string(AsEvent e);

class AsFsm {
 public:
  using Row = fsm::Row<AsState, AsEvent, void (AsFsm::*)()>;  // no actions: the state is the information
  using Meter = fsm::Meter<Row>;
  // as_fsm_transition rc=N log lines, <ua>.as_fsm.* counters; built once at wiring time.
  static Meter make_meter(Logger& log, Counters& counters, Ua ua = Ua::kM3ua);

  AsFsm(std::uint32_t routing_context, const Meter& meter);
  AsState state() const { return m_.state(); }
  std::uint32_t routing_context() const { return rc_; }
  // False when the event is refused in this state (counted and logged).
  bool handle(AsEvent e) { return m_.step(e) != nullptr; }

 private:
  static const auto& table();

  std::uint32_t rc_;
  fsm::Machine<Row> m_;
};

}  // namespace isupgw::sigtran

namespace isupgw::sigtran::m3ua {
using sigtran::AsEvent;
using sigtran::AsFsm;
using sigtran::AsState;
using sigtran::kAsEvents;
using sigtran::kAsStates;
using sigtran::to_string;
}  // namespace isupgw::sigtran::m3ua
