// Per-media-gateway health as seen by the Call Agent: UNKNOWN until the first
// keepalive audit answers, UP while audits are answered, DOWN after the
// audit is lost (every retransmission of it timed out, RFC 3435 3.5.5).
// OUT_OF_SERVICE: the MG is reachable but announced its endpoints are leaving
// service (RSIP graceful/forced, RFC 3435 2.3.12); audit answers do not undo
// that, only RSIP restart/disconnected/cancel-graceful does. Only UP is usable
// for new connections.
//
// A state/event table on the FSM kit (base/fsm.h): every event is counted and
// logged at trace (mg_health_event, mgcp.health.fsm.*); a change of state is
// also logged as mg_health_transition (notice, warn when the MG is lost) and
// counted (mgcp.health.transitions, mgcp.health.down). No timers here: the
// client feeds events.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/counters.h"
#include "base/fsm.h"
#include "base/log.h"

namespace isupgw::mediagw {

enum class HealthState : std::uint8_t { kUnknown, kUp, kDown, kOutOfService };
inline constexpr std::size_t kHealthStateCount = 4;

enum class HealthEvent : std::uint8_t {
  kAuditAnswered,       // any response to the keepalive AUEP: the MG is reachable
  kAuditLost,           // the keepalive AUEP timed out (consecutive-miss threshold reached)
  kRsipRestart,         // RSIP RM: restart -> endpoints back in service (after RD)
  kRsipDisconnected,    // RSIP RM: disconnected -> MG regained contact with us
  kRsipGraceful,        // RSIP RM: graceful -> endpoints leaving service, no new connections
  kRsipForced,          // RSIP RM: forced -> endpoints out of service, connections lost
  kRsipCancelGraceful,  // RSIP RM: cancel-graceful -> graceful restart cancelled
  kReset,               // operator/configuration reset: forget what we knew
};
inline constexpr std::size_t kHealthEventCount = 8;

std::string_view to_string(HealthState s);
std::string_view to_string(HealthEvent e);

class MgHealthFsm {
 public:
  using Listener = std::function<void(HealthState from, HealthState to, HealthEvent why)>;
  using Row = fsm::Row<HealthState, HealthEvent, fsm::NoAction>;  // the listener hears changes

  MgHealthFsm(std::string mg_name, Logger& log, Counters& counters);
  MgHealthFsm(const MgHealthFsm&) = delete;
  MgHealthFsm& operator=(const MgHealthFsm&) = delete;

  HealthState state() const { return m_.state(); }
  // Applies the table; returns the new state. Calls the listener only on a change.
  HealthState handle(HealthEvent e);
  void set_listener(Listener l) { listener_ = std::move(l); }

  // The table itself, for tests and documentation.
  static HealthState next(HealthState s, HealthEvent e);

 private:
  std::string name_;
  Logger& log_;
  Counter& transitions_;
  Counter& went_down_;
  fsm::Meter<Row> meter_;
  fsm::Machine<Row> m_;
  Listener listener_;
};

}  // namespace isupgw::mediagw
