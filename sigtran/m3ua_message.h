// M3UA (RFC 4666) messages as value types: message classes/types, parameter
// tags, error codes, and one Message struct holding every parameter a message
// may carry. Which parameters each message allows/requires is in m3ua_rules.cpp
// (RFC 4666 section 3.3-3.8). No I/O and no JSON here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sigtran/sigtran_common.h"

namespace isupgw::sigtran::m3ua {

inline constexpr std::uint8_t kVersion = common::kVersion;       // RFC 4666 3.1.1
inline constexpr std::size_t kHeaderSize = common::kHeaderSize;  // RFC 4666 3.1
inline constexpr std::uint32_t kPpid = 3;                        // SCTP payload protocol identifier (RFC 4666 1.4.7)
inline constexpr std::uint16_t kDefaultPort = 2905;              // IANA
inline constexpr std::size_t kMaxInfoString = common::kMaxInfoString;  // RFC 4666 3.8.2

// Message classes (RFC 4666 3.1.2).
enum class MessageClass : std::uint8_t { kMgmt = 0, kTransfer = 1, kSsnm = 2, kAspsm = 3, kAsptm = 4, kRkm = 9 };

// Class in the high byte, type in the low byte (RFC 4666 3.1.3).
enum class MessageType : std::uint16_t {
  kErr = common::type_code(common::cls::kMgmt, common::mgmt::kErr),
  kNtfy = common::type_code(common::cls::kMgmt, common::mgmt::kNtfy),
  kData = 0x0101,
  kDuna = 0x0201,
  kDava = 0x0202,
  kDaud = 0x0203,
  kScon = 0x0204,
  kDupu = 0x0205,
  kDrst = 0x0206,
  kAspUp = common::type_code(common::cls::kAspsm, common::aspsm::kAspUp),
  kAspDn = common::type_code(common::cls::kAspsm, common::aspsm::kAspDn),
  kBeat = common::type_code(common::cls::kAspsm, common::aspsm::kBeat),
  kAspUpAck = common::type_code(common::cls::kAspsm, common::aspsm::kAspUpAck),
  kAspDnAck = common::type_code(common::cls::kAspsm, common::aspsm::kAspDnAck),
  kBeatAck = common::type_code(common::cls::kAspsm, common::aspsm::kBeatAck),
  kAspAc = common::type_code(common::cls::kAsptm, common::asptm::kAspAc),
  kAspIa = common::type_code(common::cls::kAsptm, common::asptm::kAspIa),
  kAspAcAck = common::type_code(common::cls::kAsptm, common::asptm::kAspAcAck),
  kAspIaAck = common::type_code(common::cls::kAsptm, common::asptm::kAspIaAck),
  kRegReq = 0x0901,
  kRegRsp = 0x0902,
  kDeregReq = 0x0903,
  kDeregRsp = 0x0904,
};

constexpr std::uint8_t class_of(MessageType t) { return static_cast<std::uint8_t>(static_cast<std::uint16_t>(t) >> 8); }
constexpr std::uint8_t type_of(MessageType t) {
  return static_cast<std::uint8_t>(static_cast<std::uint16_t>(t) & 0xff);
}
std::string_view to_string(MessageType t);  // "ASPUP", "DATA", ...
// All 23 message types, in class/type order.
const std::vector<MessageType>& all_message_types();

// Parameter tags (RFC 4666 3.2: common 0x0000-0x00ff, M3UA-specific 0x0200-0x02ff).
namespace tag {
inline constexpr std::uint16_t kInfoString = common::tag::kInfoString;
inline constexpr std::uint16_t kRoutingContext = 0x0006;
inline constexpr std::uint16_t kDiagnosticInformation = common::tag::kDiagnosticInformation;
inline constexpr std::uint16_t kHeartbeatData = common::tag::kHeartbeatData;
inline constexpr std::uint16_t kTrafficModeType = common::tag::kTrafficModeType;
inline constexpr std::uint16_t kErrorCode = common::tag::kErrorCode;
inline constexpr std::uint16_t kStatus = common::tag::kStatus;
inline constexpr std::uint16_t kAspIdentifier = common::tag::kAspIdentifier;
inline constexpr std::uint16_t kAffectedPointCode = 0x0012;
inline constexpr std::uint16_t kCorrelationId = 0x0013;
inline constexpr std::uint16_t kNetworkAppearance = 0x0200;
inline constexpr std::uint16_t kUserCause = 0x0204;
inline constexpr std::uint16_t kCongestionIndications = 0x0205;
inline constexpr std::uint16_t kConcernedDestination = 0x0206;
inline constexpr std::uint16_t kRoutingKey = 0x0207;
inline constexpr std::uint16_t kRegistrationResult = 0x0208;
inline constexpr std::uint16_t kDeregistrationResult = 0x0209;
inline constexpr std::uint16_t kLocalRkIdentifier = 0x020a;
inline constexpr std::uint16_t kDestinationPointCode = 0x020b;
inline constexpr std::uint16_t kServiceIndicators = 0x020c;
inline constexpr std::uint16_t kOriginatingPointCodeList = 0x020e;
inline constexpr std::uint16_t kCircuitRange = 0x020f;
inline constexpr std::uint16_t kProtocolData = 0x0210;
inline constexpr std::uint16_t kRegistrationStatus = 0x0212;
inline constexpr std::uint16_t kDeregistrationStatus = 0x0213;
}  // namespace tag

// ERR Error Code values (RFC 4666 3.8.1).
enum class ErrorCode : std::uint32_t {
  kInvalidVersion = 0x01,
  kUnsupportedMessageClass = 0x03,
  kUnsupportedMessageType = 0x04,
  kUnsupportedTrafficModeType = 0x05,
  kUnexpectedMessage = 0x06,
  kProtocolError = 0x07,
  kInvalidStreamIdentifier = 0x09,
  kRefusedManagementBlocking = 0x0d,
  kAspIdentifierRequired = 0x0e,
  kInvalidAspIdentifier = 0x0f,
  kInvalidParameterValue = 0x11,
  kParameterFieldError = 0x12,
  kUnexpectedParameter = 0x13,
  kDestinationStatusUnknown = 0x14,
  kInvalidNetworkAppearance = 0x15,
  kMissingParameter = 0x16,
  kInvalidRoutingContext = 0x19,
  kNoConfiguredAsForAsp = 0x1a,
};
std::string_view to_string(ErrorCode c);  // "invalid routing context"

// Traffic Mode Type (RFC 4666 3.8.5 / 3.7.1).
enum class TrafficMode : std::uint32_t { kOverride = 1, kLoadshare = 2, kBroadcast = 3 };

// NTFY Status (RFC 4666 3.8.2): the values the SIGTRAN layers share.
namespace status = common::status;

// DUPU User/Cause cause values (RFC 4666 3.4.5).
namespace unavailability {
inline constexpr std::uint16_t kUnknown = 0;
inline constexpr std::uint16_t kUnequipped = 1;
inline constexpr std::uint16_t kInaccessible = 2;
}  // namespace unavailability

// Protocol Data (RFC 4666 3.3.1): the MTP3 routing label fields plus the SIF.
struct ProtocolData {
  std::uint32_t opc = 0;
  std::uint32_t dpc = 0;
  std::uint8_t si = 0;
  std::uint8_t ni = 0;
  std::uint8_t mp = 0;
  std::uint8_t sls = 0;
  std::vector<std::uint8_t> data;
  friend bool operator==(const ProtocolData&, const ProtocolData&) = default;
};

// {Mask, 24-bit point code}: Affected Point Code entries, DPC, OPC list (RFC 4666 3.4.1, 3.6.1).
struct MaskedPointCode {
  std::uint8_t mask = 0;  // number of low-order bits wildcarded; 0 = exact
  std::uint32_t pc = 0;   // 24 bits on the wire
  friend bool operator==(const MaskedPointCode&, const MaskedPointCode&) = default;
};

using common::Status;  // NTFY Status (RFC 4666 3.8.2)

struct UserCause {
  std::uint16_t cause = 0;  // unavailability cause
  std::uint16_t user = 0;   // MTP3 user identity (SI)
  friend bool operator==(const UserCause&, const UserCause&) = default;
};

struct CircuitRange {
  MaskedPointCode opc;
  std::uint16_t lower_cic = 0;
  std::uint16_t upper_cic = 0;
  friend bool operator==(const CircuitRange&, const CircuitRange&) = default;
};

// One DPC with the parameters that qualify it inside a Routing Key (RFC 4666 3.6.1:
// DPC, SI, OPC List and Circuit Range may repeat; each SI/OPC/CIC belongs to the DPC before it).
struct RoutingKeyDestination {
  MaskedPointCode dpc;
  std::optional<std::vector<std::uint8_t>> service_indicators;
  std::optional<std::vector<MaskedPointCode>> opc_list;
  std::optional<std::vector<CircuitRange>> circuit_range;
  friend bool operator==(const RoutingKeyDestination&, const RoutingKeyDestination&) = default;
};

struct RoutingKey {
  std::uint32_t local_rk_identifier = 0;
  std::optional<std::vector<std::uint32_t>> routing_context;
  std::optional<std::uint32_t> traffic_mode_type;
  std::optional<std::uint32_t> network_appearance;
  std::vector<RoutingKeyDestination> destinations;  // at least one
  friend bool operator==(const RoutingKey&, const RoutingKey&) = default;
};

struct RegistrationResult {
  std::uint32_t local_rk_identifier = 0;
  std::uint32_t registration_status = 0;
  std::uint32_t routing_context = 0;
  friend bool operator==(const RegistrationResult&, const RegistrationResult&) = default;
};

struct DeregistrationResult {
  std::uint32_t routing_context = 0;
  std::uint32_t deregistration_status = 0;
  friend bool operator==(const DeregistrationResult&, const DeregistrationResult&) = default;
};

// Any M3UA message. Only the parameters the message type allows may be set
// (the encoder refuses others, the decoder answers them with "unexpected parameter").
struct Message {
  MessageType type = MessageType::kAspUp;

  std::optional<std::uint32_t> network_appearance;
  std::optional<std::vector<std::uint32_t>> routing_context;
  std::optional<std::string> info_string;
  std::optional<std::vector<std::uint8_t>> diagnostic_information;
  std::optional<std::vector<std::uint8_t>> heartbeat_data;
  std::optional<std::uint32_t> traffic_mode_type;
  std::optional<std::uint32_t> error_code;
  std::optional<Status> status;
  std::optional<std::uint32_t> asp_identifier;
  std::optional<std::vector<MaskedPointCode>> affected_point_code;
  std::optional<std::uint32_t> correlation_id;
  std::optional<UserCause> user_cause;
  std::optional<std::uint8_t> congestion_level;        // Congestion Indications
  std::optional<std::uint32_t> concerned_destination;  // 24-bit PC
  std::optional<ProtocolData> protocol_data;
  std::vector<RoutingKey> routing_keys;                      // REG REQ
  std::vector<RegistrationResult> registration_results;      // REG RSP
  std::vector<DeregistrationResult> deregistration_results;  // DEREG RSP

  friend bool operator==(const Message&, const Message&) = default;
};

}  // namespace isupgw::sigtran::m3ua
