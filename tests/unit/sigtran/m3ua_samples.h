// One M3UA message of every type, each with every parameter that type allows,
// shared by the codec, oracle and CLI tests.
#pragma once

#include <vector>

#include "sigtran/m3ua_message.h"

namespace isupgw::sigtran::m3ua::testing {

// ISUP IAM, CIC 1, called party 12345678 (as in tests/unit/oracle): valid for tshark's ISUP dissector.
inline std::vector<std::uint8_t> sample_iam() {
  return {0x01, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0a, 0x00, 0x02, 0x00, 0x06, 0x03, 0x90, 0x21, 0x43, 0x65, 0x87};
}

inline std::vector<Message> all_samples() {
  std::vector<Message> out;
  auto add = [&](MessageType t) -> Message& {
    out.push_back(Message{});
    out.back().type = t;
    return out.back();
  };
  {
    auto& m = add(MessageType::kErr);
    m.error_code = 0x19;
    m.routing_context = {{7}};
    m.network_appearance = 3;
    m.affected_point_code = {{{0, 0x1234}}};
    m.diagnostic_information = {{0x01, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x20}};
  }
  {
    auto& m = add(MessageType::kNtfy);
    m.status = Status{status::kTypeAsStateChange, status::kAsActive};
    m.asp_identifier = 42;
    m.routing_context = {{1, 2}};
    m.info_string = "as active";
  }
  {
    auto& m = add(MessageType::kData);
    m.network_appearance = 8;
    m.routing_context = {{100}};
    m.protocol_data = ProtocolData{1, 2, 5, 2, 0, 9, sample_iam()};
    m.correlation_id = 77;
  }
  {
    auto& m = add(MessageType::kData);
    m.protocol_data = ProtocolData{0x3fff, 0x0102, 5, 0, 0, 15, sample_iam()};
  }
  for (auto t : {MessageType::kDuna, MessageType::kDava, MessageType::kDrst}) {
    auto& m = add(t);
    m.network_appearance = 2;
    m.routing_context = {{10}};
    m.affected_point_code = {{{0, 0x000102}, {8, 0x010200}}};
    m.info_string = "ssnm";
  }
  {
    auto& m = add(MessageType::kDaud);
    m.network_appearance = 2;
    m.routing_context = {{10}};
    m.affected_point_code = {{{0, 0x0203}}};
    m.user_cause = UserCause{unavailability::kUnknown, 5};
    m.info_string = "audit";
  }
  {
    auto& m = add(MessageType::kScon);
    m.network_appearance = 2;
    m.routing_context = {{10}};
    m.affected_point_code = {{{0, 0x0203}}};
    m.concerned_destination = 0x0405;
    m.congestion_level = 2;
    m.info_string = "congested";
  }
  {
    auto& m = add(MessageType::kDupu);
    m.network_appearance = 2;
    m.routing_context = {{10}};
    m.affected_point_code = {{{0, 0x0203}}};
    m.user_cause = UserCause{unavailability::kInaccessible, 5};
    m.info_string = "isup down";
  }
  for (auto t : {MessageType::kAspUp, MessageType::kAspUpAck}) {
    auto& m = add(t);
    m.asp_identifier = 0x01020304;
    m.info_string = "up";
  }
  for (auto t : {MessageType::kAspDn, MessageType::kAspDnAck}) add(t).info_string = "down";
  for (auto t : {MessageType::kBeat, MessageType::kBeatAck})
    add(t).heartbeat_data = std::vector<std::uint8_t>{0xde, 0xad, 0xbe, 0xef, 0x01};
  for (auto t : {MessageType::kAspAc, MessageType::kAspAcAck}) {
    auto& m = add(t);
    m.traffic_mode_type = static_cast<std::uint32_t>(TrafficMode::kLoadshare);
    m.routing_context = {{1, 2, 3}};
    m.info_string = "active";
  }
  for (auto t : {MessageType::kAspIa, MessageType::kAspIaAck}) {
    auto& m = add(t);
    m.routing_context = {{1}};
    m.info_string = "inactive";
  }
  {
    auto& m = add(MessageType::kRegReq);
    RoutingKey rk;
    rk.local_rk_identifier = 1;
    rk.routing_context = {{55}};
    rk.traffic_mode_type = 1;
    rk.network_appearance = 2;
    RoutingKeyDestination d;
    d.dpc = {0, 0x0102};
    d.service_indicators = {{5, 3}};
    d.opc_list = {{{0, 0x0304}}};
    d.circuit_range = {{{{0, 0x0304}, 1, 31}}};
    rk.destinations.push_back(d);
    m.routing_keys.push_back(rk);
    RoutingKey rk2;
    rk2.local_rk_identifier = 2;
    rk2.destinations.push_back({{0, 0x0103}, std::nullopt, std::nullopt, std::nullopt});
    m.routing_keys.push_back(rk2);
  }
  {
    auto& m = add(MessageType::kRegRsp);
    m.registration_results = {{1, 0, 55}, {2, 2, 0}};
  }
  add(MessageType::kDeregReq).routing_context = {{55, 56}};
  {
    auto& m = add(MessageType::kDeregRsp);
    m.deregistration_results = {{55, 0}, {56, 2}};
  }
  return out;
}

}  // namespace isupgw::sigtran::m3ua::testing
