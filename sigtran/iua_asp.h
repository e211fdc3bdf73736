// IUA's ASP state machines (RFC 4233 4.3): the tables M3UA uses
// (ua_asp_fsm.h) with the IUA messages -- ASPUP with the ASP Identifier,
// ASPAC/ASPIA with the interface identifiers (integer, text) and traffic mode,
// the acks echoing the request's identifiers, NTFY AS-State-Change.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sigtran/iua_message.h"
#include "sigtran/ua_asp_fsm.h"

namespace isupgw::sigtran::iua {

using sigtran::PeerAspConfig;

struct AspConfig {
  std::string name = "iua";
  std::optional<std::uint32_t> asp_identifier;
  std::vector<std::uint32_t> interface_ids;   // sent in ASPAC/ASPIA (Interface Identifier (Integer))
  std::vector<std::string> interface_names;   // and (Text) (RFC 4233 3.3.2.7)
  std::optional<std::uint32_t> traffic_mode;  // 1 override, 2 load-share, 3 broadcast
  bool auto_activate = true;                  // ASPAC right after ASPUP ACK
  Clock::duration t_ack = std::chrono::seconds(2);
};

struct AspMessages {
  using Message = iua::Message;
  using AspConfig = iua::AspConfig;
  static constexpr Ua kUa = Ua::kIua;
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
using PeerAspFsm = UaPeerAspFsm<AspMessages>;

}  // namespace isupgw::sigtran::iua
