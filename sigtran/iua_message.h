// IUA (RFC 4233, with RFC 5133's TEI Query Request number) messages as value
// types: classes/types, parameter tags, error codes, the DLCI and one Message
// struct holding every parameter an IUA message may carry. The common header,
// the ASPSM/ASPTM/MGMT numbering and the common tags come from
// sigtran_common.h (shared with M3UA). Which parameters each message allows is
// in iua_rules.cpp. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sigtran/sigtran_common.h"

namespace isupgw::sigtran::iua {

inline constexpr std::uint32_t kPpid = 1;            // SCTP payload protocol identifier (RFC 4233 1.4.7)
inline constexpr std::uint16_t kDefaultPort = 9900;  // IANA (RFC 4233 1.4.8)

namespace qptm {
// Q.921/Q.931 Boundary Primitives Transport messages (RFC 4233 3.1.3, class 5).
inline constexpr std::uint8_t kDataRequest = 1;
inline constexpr std::uint8_t kDataIndication = 2;
inline constexpr std::uint8_t kUnitDataRequest = 3;
inline constexpr std::uint8_t kUnitDataIndication = 4;
inline constexpr std::uint8_t kEstablishRequest = 5;
inline constexpr std::uint8_t kEstablishConfirm = 6;
inline constexpr std::uint8_t kEstablishIndication = 7;
inline constexpr std::uint8_t kReleaseRequest = 8;
inline constexpr std::uint8_t kReleaseConfirm = 9;
inline constexpr std::uint8_t kReleaseIndication = 10;
}  // namespace qptm

using common::type_code;
namespace c = common::cls;

// Class in the high byte, type in the low byte.
enum class MessageType : std::uint16_t {
  kErr = type_code(c::kMgmt, common::mgmt::kErr),
  kNtfy = type_code(c::kMgmt, common::mgmt::kNtfy),
  kTeiStatusRequest = type_code(c::kMgmt, 2),  // RFC 4233 3.3.3.3
  kTeiStatusConfirm = type_code(c::kMgmt, 3),
  kTeiStatusIndication = type_code(c::kMgmt, 4),
  kTeiQueryRequest = type_code(c::kMgmt, 8),  // RFC 5133 2: 8, not RFC 4233's 5 (DUA's DLC Status Request)
  kAspUp = type_code(c::kAspsm, common::aspsm::kAspUp),
  kAspDn = type_code(c::kAspsm, common::aspsm::kAspDn),
  kBeat = type_code(c::kAspsm, common::aspsm::kBeat),
  kAspUpAck = type_code(c::kAspsm, common::aspsm::kAspUpAck),
  kAspDnAck = type_code(c::kAspsm, common::aspsm::kAspDnAck),
  kBeatAck = type_code(c::kAspsm, common::aspsm::kBeatAck),
  kAspAc = type_code(c::kAsptm, common::asptm::kAspAc),
  kAspIa = type_code(c::kAsptm, common::asptm::kAspIa),
  kAspAcAck = type_code(c::kAsptm, common::asptm::kAspAcAck),
  kAspIaAck = type_code(c::kAsptm, common::asptm::kAspIaAck),
  kDataRequest = type_code(c::kQptm, qptm::kDataRequest),
  kDataIndication = type_code(c::kQptm, qptm::kDataIndication),
  kUnitDataRequest = type_code(c::kQptm, qptm::kUnitDataRequest),
  kUnitDataIndication = type_code(c::kQptm, qptm::kUnitDataIndication),
  kEstablishRequest = type_code(c::kQptm, qptm::kEstablishRequest),
  kEstablishConfirm = type_code(c::kQptm, qptm::kEstablishConfirm),
  kEstablishIndication = type_code(c::kQptm, qptm::kEstablishIndication),
  kReleaseRequest = type_code(c::kQptm, qptm::kReleaseRequest),
  kReleaseConfirm = type_code(c::kQptm, qptm::kReleaseConfirm),
  kReleaseIndication = type_code(c::kQptm, qptm::kReleaseIndication),
};

constexpr std::uint8_t class_of(MessageType t) { return static_cast<std::uint8_t>(static_cast<std::uint16_t>(t) >> 8); }
constexpr std::uint8_t type_of(MessageType t) {
  return static_cast<std::uint8_t>(static_cast<std::uint16_t>(t) & 0xff);
}
std::string_view to_string(MessageType t);  // "DATA REQUEST", "ASPAC", ...
// Every message type, in class/type order; from_string is its inverse.
const std::vector<MessageType>& all_message_types();
std::optional<MessageType> message_type_from_string(std::string_view s);

// Parameter tags (RFC 4233 3.2).
namespace tag {
inline constexpr std::uint16_t kInterfaceIdInteger = 0x0001;
inline constexpr std::uint16_t kInterfaceIdText = 0x0003;
inline constexpr std::uint16_t kInfoString = common::tag::kInfoString;
inline constexpr std::uint16_t kDlci = 0x0005;
inline constexpr std::uint16_t kDiagnosticInformation = common::tag::kDiagnosticInformation;
inline constexpr std::uint16_t kInterfaceIdRange = 0x0008;
inline constexpr std::uint16_t kHeartbeatData = common::tag::kHeartbeatData;
inline constexpr std::uint16_t kTrafficModeType = common::tag::kTrafficModeType;
inline constexpr std::uint16_t kErrorCode = common::tag::kErrorCode;
inline constexpr std::uint16_t kStatus = common::tag::kStatus;
inline constexpr std::uint16_t kProtocolData = 0x000e;
inline constexpr std::uint16_t kReleaseReason = 0x000f;
inline constexpr std::uint16_t kTeiStatus = 0x0010;
inline constexpr std::uint16_t kAspIdentifier = common::tag::kAspIdentifier;
}  // namespace tag

// ERR Error Code values (RFC 4233 3.3.3.1).
enum class ErrorCode : std::uint32_t {
  kInvalidVersion = 0x01,
  kInvalidInterfaceIdentifier = 0x02,
  kUnsupportedMessageClass = 0x03,
  kUnsupportedMessageType = 0x04,
  kUnsupportedTrafficHandlingMode = 0x05,
  kUnexpectedMessage = 0x06,
  kProtocolError = 0x07,
  kUnsupportedInterfaceIdentifierType = 0x08,
  kInvalidStreamIdentifier = 0x09,
  kUnassignedTei = 0x0a,
  kUnrecognizedSapi = 0x0b,
  kInvalidTeiSapiCombination = 0x0c,
  kRefusedManagementBlocking = 0x0d,
  kAspIdentifierRequired = 0x0e,
  kInvalidAspIdentifier = 0x0f,
};
std::string_view to_string(ErrorCode c);

// Release Reason (RFC 4233 3.3.2.6) and TEI Status (3.3.3.3).
namespace release_reason {
inline constexpr std::uint32_t kMgmt = 0;   // management layer generated release
inline constexpr std::uint32_t kPhys = 1;   // physical layer alarm
inline constexpr std::uint32_t kDm = 2;     // DM received from the peer (Release Indication)
inline constexpr std::uint32_t kOther = 3;  // other reasons
}  // namespace release_reason
namespace tei_status {
inline constexpr std::uint32_t kAssigned = 0;
inline constexpr std::uint32_t kUnassigned = 1;
}  // namespace tei_status

// DLCI (RFC 4233 3.2): the Q.921 address field -- octet 1 SAPI (6 bits), a spare
// bit where Q.921 has C/R, a zero EA bit; octet 2 TEI (7 bits) and a one EA bit;
// then 16 spare bits.
struct Dlci {
  std::uint8_t sapi = 0;  // 0 = call control (Q.931)
  std::uint8_t tei = 0;   // 0 on a PRI (point-to-point)
  bool spare = false;     // the C/R position; sent 0
  friend bool operator==(const Dlci&, const Dlci&) = default;
};

struct InterfaceIdRange {
  std::uint32_t start = 0;
  std::uint32_t end = 0;
  friend bool operator==(const InterfaceIdRange&, const InterfaceIdRange&) = default;
};

using common::Status;  // NTFY Status (RFC 4233 3.3.3.2)

// An interface identifier: integer (tag 0x1) or text (tag 0x3) (RFC 4233 3.1.3).
using InterfaceId = std::variant<std::uint32_t, std::string>;

// Any IUA message. Only the parameters the message type allows may be set.
struct Message {
  MessageType type = MessageType::kAspUp;

  // The IUA Message Header of QPTM and TEI messages (RFC 4233 3.1.3): one
  // interface identifier and the DLCI.
  std::optional<InterfaceId> interface_id;
  std::optional<Dlci> dlci;

  std::optional<std::vector<std::uint8_t>> protocol_data;  // the Q.931 message (Data, Unit Data)
  std::optional<std::uint32_t> release_reason;
  std::optional<std::uint32_t> tei_status;
  // ASPTM, ERR and NTFY: lists of interfaces.
  std::vector<std::uint32_t> interface_ids;
  std::vector<InterfaceIdRange> interface_ranges;
  std::vector<std::string> interface_names;
  std::optional<std::uint32_t> traffic_mode_type;  // 1 override, 2 load-share, 3 broadcast
  std::optional<std::uint32_t> error_code;
  std::optional<Status> status;
  std::optional<std::uint32_t> asp_identifier;
  std::optional<std::string> info_string;
  std::optional<std::vector<std::uint8_t>> diagnostic_information;
  std::optional<std::vector<std::uint8_t>> heartbeat_data;

  friend bool operator==(const Message&, const Message&) = default;
};

}  // namespace isupgw::sigtran::iua
