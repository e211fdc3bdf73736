// What the correlator and the ladder page need to know of a captured message, read off its bytes without
// allocating: the SIP start line and Call-ID (RFC 3261 7.1, 7.2, 20.8, compact form "i"), the ISUP circuit
// and message type under M3UA DATA (RFC 4666 3.3.1: Protocol Data 0x0210) or M2PA User Data (RFC 4165
// 2.3.1: priority octet, then SIO + routing label, Q.704 2.2; Q.763 1.2 CIC), the MGCP verb, transaction
// id and CallId (RFC 3435 3.2.1, 3.2.2.2, 3.3). Views point into the input; bad input gives nullopt.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace isupgw::trace {

struct SipKeys {
  std::string_view call_id;
  std::string_view method;  // request: its method; response: the CSeq's method
  int status = 0;           // response status, 0 for a request
};
std::optional<SipKeys> sip_keys(std::string_view message);

struct IsupKeys {
  std::uint32_t opc = 0, dpc = 0;
  std::uint16_t cic = 0;
  std::uint8_t type = 0;               // Q.763 Table 4 message type (0x01 IAM, 0x0c REL, 0x10 RLC)
  std::span<const std::uint8_t> isup;  // the ISUP message (from the CIC)
};
// An M3UA DATA message carrying ISUP (SI 5); nullopt for anything else.
std::optional<IsupKeys> m3ua_isup(std::span<const std::uint8_t> message);
// An M2PA User Data message carrying ISUP; `ansi`: 24-bit point codes, 7-octet label, 14-bit CIC.
std::optional<IsupKeys> m2pa_isup(std::span<const std::uint8_t> message, bool ansi);

struct MgcpKeys {
  std::string_view verb;  // command: "CRCX", "MDCX", ...; empty for a response
  int code = 0;           // response code
  std::string_view transaction;
  std::string_view endpoint;  // command's endpoint name
  std::string_view call_id;   // "C:" parameter (empty: none)
};
std::optional<MgcpKeys> mgcp_keys(std::string_view message);

constexpr std::uint8_t kIam = 0x01, kRel = 0x0c, kRlc = 0x10;

}  // namespace isupgw::trace
