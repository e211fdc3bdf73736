// MGCP 1.0 message model (RFC 3435 3.2 commands, 3.3 responses): plain value
// types, no I/O. The codec (mgcp_codec.h) turns bytes into these and back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace isupgw::mediagw::mgcp {

// RFC 3435 2.3: the nine commands. EPCF..AUCX, RQNT are Call Agent -> MG;
// NTFY and RSIP are MG -> Call Agent.
enum class Verb : std::uint8_t { kEpcf, kCrcx, kMdcx, kDlcx, kRqnt, kNtfy, kAuep, kAucx, kRsip };
inline constexpr std::size_t kVerbCount = 9;

std::string_view to_string(Verb v);
// Verbs are case-insensitive (RFC 3435 3.2.1).
std::optional<Verb> verb_from_string(std::string_view s);

// Parameter codes (RFC 3435 3.2.2). Codes are case-insensitive on the wire;
// these are the canonical spellings we emit.
namespace param {
inline constexpr std::string_view kResponseAck = "K";
inline constexpr std::string_view kBearerInformation = "B";
inline constexpr std::string_view kCallId = "C";
inline constexpr std::string_view kConnectionId = "I";
inline constexpr std::string_view kSecondConnectionId = "I2";
inline constexpr std::string_view kNotifiedEntity = "N";
inline constexpr std::string_view kRequestIdentifier = "X";
inline constexpr std::string_view kLocalConnectionOptions = "L";
inline constexpr std::string_view kConnectionMode = "M";
inline constexpr std::string_view kRequestedEvents = "R";
inline constexpr std::string_view kSignalRequests = "S";
inline constexpr std::string_view kDigitMap = "D";
inline constexpr std::string_view kObservedEvents = "O";
inline constexpr std::string_view kConnectionParameters = "P";
inline constexpr std::string_view kReasonCode = "E";
inline constexpr std::string_view kSpecificEndpointId = "Z";
inline constexpr std::string_view kSecondEndpointId = "Z2";
inline constexpr std::string_view kRequestedInfo = "F";
inline constexpr std::string_view kQuarantineHandling = "Q";
inline constexpr std::string_view kDetectEvents = "T";
inline constexpr std::string_view kEventStates = "ES";
inline constexpr std::string_view kRestartMethod = "RM";
inline constexpr std::string_view kRestartDelay = "RD";
inline constexpr std::string_view kCapabilities = "A";
inline constexpr std::string_view kPackageList = "PL";
inline constexpr std::string_view kMaxMgcpDatagram = "MD";
}  // namespace param

// One "code: value" line. The name keeps its received spelling so that a
// re-serialized message is byte-identical apart from whitespace; lookups
// compare case-insensitively.
struct Parameter {
  std::string name;
  std::string value;
  bool operator==(const Parameter&) const = default;
};

using Parameters = std::vector<Parameter>;

// Case-insensitive lookup of the first parameter with that code.
const std::string* find_param(const Parameters& ps, std::string_view code);
// Replaces the first parameter with that code or appends one.
void set_param(Parameters& ps, std::string_view code, std::string value);

struct Command {
  Verb verb = Verb::kAuep;
  std::uint32_t transaction_id = 0;  // RFC 3435 3.2.1: 1..999 999 999
  std::string endpoint;              // local-name@domain (RFC 3435 2.1.1)
  std::string version = "MGCP 1.0";  // "MGCP 1.0" optionally followed by a profile name
  Parameters params;
  std::string sdp;  // session description after the empty line, verbatim; empty if none

  const std::string* param(std::string_view code) const { return find_param(params, code); }
  void set(std::string_view code, std::string value) { set_param(params, code, std::move(value)); }
  bool operator==(const Command&) const = default;
};

struct Response {
  std::uint16_t code = 200;  // RFC 3435 2.4: three digits, 000..999
  std::uint32_t transaction_id = 0;
  std::string comment;  // free text after the transaction id (may be empty)
  Parameters params;
  std::string sdp;

  const std::string* param(std::string_view code) const { return find_param(params, code); }
  void set(std::string_view code, std::string value) { set_param(params, code, std::move(value)); }
  bool operator==(const Response&) const = default;
};

using Message = std::variant<Command, Response>;

// RFC 3435 2.4 return-code classes.
enum class CodeClass : std::uint8_t {
  kAck,          // 000 response acknowledgement
  kProvisional,  // 1xx
  kSuccess,      // 2xx
  kTransient,    // 4xx: retry may succeed
  kPermanent,    // 5xx
  kPackage,      // 8xx package-specific
  kOther,        // anything else (3xx, 6xx, 7xx, 9xx: not defined by RFC 3435)
};
CodeClass code_class(std::uint16_t code);
// Short English text for a return code (RFC 3435 2.4 / RFC 3661), "" if unknown.
std::string_view code_text(std::uint16_t code);

// RFC 3435 2.3.12 RestartMethod values (RM:), plus cancel-graceful.
enum class RestartMethod : std::uint8_t { kGraceful, kForced, kRestart, kDisconnected, kCancelGraceful };
std::string_view to_string(RestartMethod m);
std::optional<RestartMethod> restart_method_from_string(std::string_view s);

// RFC 3435 3.2.2.6 connection modes (M:).
enum class ConnectionMode : std::uint8_t {
  kSendOnly,
  kRecvOnly,
  kSendRecv,
  kConference,
  kInactive,
  kLoopback,
  kContinuityTest,
  kNetworkLoop,
  kNetworkTest,
  kData,
};
std::string_view to_string(ConnectionMode m);
std::optional<ConnectionMode> connection_mode_from_string(std::string_view s);

bool iequals(std::string_view a, std::string_view b);

}  // namespace isupgw::mediagw::mgcp
