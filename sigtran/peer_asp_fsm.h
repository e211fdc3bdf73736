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
#include "base/fsm.h"
#include "base/log.h"
#include "sigtran/m3ua_message.h"

namespace isupgw::sigtran::m3ua {

enum class PeerAspState : std::uint8_t { kDown, kInactive, kActive };
inline constexpr std::size_t kPeerAspStates = static_cast<std::size_t>(PeerAspState::kActive) + 1;
enum class PeerAspEvent : std::uint8_t { kAspUp, kAspDn, kAspAc, kAspIa, kCommDown };
inline constexpr std::size_t kPeerAspEvents = static_cast<std::size_t>(PeerAspEvent::kCommDown) + 1;

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

  using Row = fsm::Row<PeerAspState, PeerAspEvent, void (PeerAspFsm::*)(const Message*)>;
  using Meter = fsm::Meter<Row>;
  // peer_asp_fsm_transition peer=<name> log lines, m3ua.peer_asp_fsm.* counters; built once at wiring time.
  static Meter make_meter(Logger& log, Counters& counters);

  PeerAspFsm(PeerAspConfig cfg, const Meter& meter, Send send, OnChange on_change = {});

  PeerAspState state() const { return m_.state(); }
  // `request` is the received message (its RC / traffic mode are echoed in the ack).
  bool handle(PeerAspEvent e, const Message* request = nullptr);

 private:
  static const auto& table();
  // Actions; `request` is the message being acknowledged.
  void a_up_ack(const Message* request);                 // ASPUP ACK (+ NTFY AS-INACTIVE, RFC 4666 4.3.4.5)
  void a_up_ack_and_unexpected(const Message* request);  // ASPUP while ACTIVE: + ERR Unexpected (4.3.4.1)
  void a_dn_ack(const Message* request);                 // ASPDN ACK
  void a_ac_ack(const Message* request);                 // ASPAC ACK (+ NTFY AS-ACTIVE)
  void a_ia_ack(const Message* request);                 // ASPIA ACK (+ NTFY AS-INACTIVE)
  void a_unexpected(const Message* request);             // ERR Unexpected Message (ASPAC/ASPIA while DOWN)
  void notify(std::uint16_t as_state, const Message* request);

  PeerAspConfig cfg_;
  fsm::Machine<Row> m_;
  Send send_;
  OnChange on_change_;
};

}  // namespace isupgw::sigtran::m3ua
