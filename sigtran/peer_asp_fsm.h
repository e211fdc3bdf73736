// State of the REMOTE ASP as kept by the receiving side of the ASPSM/ASPTM
// exchanges: an SGP towards its ASPs, or the responding side of an IPSP
// exchange (RFC 4666 4.3.1 and 4.3.4, the "SGP/IPSP" half). The peer sends
// ASPUP / ASPAC / ASPIA / ASPDN, we acknowledge and move.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/counters.h"
#include "base/log.h"
#include "sigtran/fsm_table.h"
#include "sigtran/m3ua_message.h"

namespace isupgw::sigtran::m3ua {

enum class PeerAspState : std::uint8_t { kDown, kInactive, kActive };
enum class PeerAspEvent : std::uint8_t { kAspUp, kAspDn, kAspAc, kAspIa, kCommDown };
enum class PeerAspAction : std::uint8_t {
  kNone,
  kUpAck,               // ASPUP ACK (+ NTFY AS-INACTIVE when notify is on, RFC 4666 4.3.4.5)
  kUpAckAndUnexpected,  // ASPUP while ACTIVE: ASPUP ACK + ERR Unexpected Message (RFC 4666 4.3.4.1)
  kDnAck,               // ASPDN ACK
  kAcAck,               // ASPAC ACK (+ NTFY AS-ACTIVE)
  kIaAck,               // ASPIA ACK (+ NTFY AS-INACTIVE)
  kUnexpected,          // ERR Unexpected Message (ASPAC/ASPIA from an ASP that is DOWN)
};

std::string_view to_string(PeerAspState s);
std::string_view to_string(PeerAspEvent e);

struct PeerAspConfig {
  std::string name = "peer";
  bool send_notify = true;                      // SGP: NTFY after state changes (RFC 4666 4.3.4.5); IPSP usually off
  std::optional<std::uint32_t> asp_identifier;  // echoed in ASPUP ACK
};

class PeerAspFsm {
 public:
  using Send = std::function<void(const Message&)>;
  using OnChange = std::function<void(PeerAspState from, PeerAspState to)>;

  PeerAspFsm(PeerAspConfig cfg, Logger& log, Counters& counters, Send send, OnChange on_change = {});

  PeerAspState state() const { return state_; }
  // `request` is the received message (its RC / traffic mode are echoed in the ack).
  bool handle(PeerAspEvent e, const Message* request = nullptr);

 private:
  void act(PeerAspAction a, const Message* request);
  void notify(std::uint16_t as_state, const Message* request);

  PeerAspConfig cfg_;
  Logger& log_;
  Counter& ignored_;
  Send send_;
  OnChange on_change_;
  PeerAspState state_ = PeerAspState::kDown;
};

}  // namespace isupgw::sigtran::m3ua
