// M3UA's local ASP (RFC 4666 4.3.1, 4.3.4): the shared ASP table
// (ua_asp_fsm.h) with the M3UA messages -- ASPUP with the ASP Identifier,
// ASPAC/ASPIA with the routing contexts and traffic mode.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sigtran/m3ua_message.h"
#include "sigtran/ua_asp_fsm.h"

namespace isupgw::sigtran::m3ua {

using sigtran::AspEvent;
using sigtran::AspState;
using sigtran::is_up;
using sigtran::kAspEvents;
using sigtran::kAspStates;
using sigtran::PeerAspConfig;
using sigtran::to_string;

struct AspConfig {
  std::string name = "asp";
  std::optional<std::uint32_t> asp_identifier;
  std::vector<std::uint32_t> routing_contexts;  // sent in ASPAC/ASPIA when non-empty
  std::optional<TrafficMode> traffic_mode;      // sent in ASPAC when set
  bool auto_activate = true;                    // ASPAC right after ASPUP ACK
  Clock::duration t_ack = std::chrono::seconds(2);
};

// The M3UA messages of the shared tables' actions.
struct AspMessages {
  using Message = m3ua::Message;
  using AspConfig = m3ua::AspConfig;
  static constexpr Ua kUa = Ua::kM3ua;
  static Message aspup(const AspConfig& c);
  static Message aspac(const AspConfig& c);
  static Message aspia(const AspConfig& c);
  static Message aspdn(const AspConfig& c);
  static Message up_ack(const PeerAspConfig& c);
  static Message dn_ack();
  static Message ac_ack(const Message* request);
  static Message ia_ack(const Message* request);
  static Message ntfy(std::uint16_t as_state, const Message* request);
  static Message unexpected();
};

using AspFsm = UaAspFsm<AspMessages>;

}  // namespace isupgw::sigtran::m3ua
