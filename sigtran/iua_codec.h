// IUA wire codec (RFC 4233 section 3). Errors are values; each decode fault
// maps to the ERR Error Code a receiver answers with (RFC 4233 3.3.3.1).
// Receiver rules as M3UA's (shared walker, sigtran_common.h): parameters in any
// order, Parameter Length without padding, tags IUA does not define skipped, a
// defined tag the message does not allow (or a repeated one) refused.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "sigtran/iua_message.h"

namespace isupgw::sigtran::iua {

enum class Fault : std::uint8_t {
  kTruncatedHeader,        // fewer than 8 octets
  kInvalidVersion,         // version != 1
  kUnsupportedClass,       // class not used by IUA
  kUnsupportedType,        // type unknown in its class
  kBadMessageLength,       // length field != octets given
  kBadParameterLength,     // TLV length < 4, beyond the message, or wrong for the parameter
  kUnexpectedParameter,    // defined tag not allowed in this message (or repeated)
  kMissingParameter,       // mandatory parameter absent
  kInvalidParameterValue,  // value out of range
  kUnsupportedTrafficMode,
  kInvalidInterfaceId,  // QPTM header with both integer and text identifiers, or a list
};

struct CodecError {
  Fault fault = Fault::kTruncatedHeader;
  std::uint16_t tag = 0;
  ErrorCode error_code() const;
  std::string to_string() const;  // "missing parameter 0x0005 (protocol error)"
  friend bool operator==(const CodecError&, const CodecError&) = default;
};

// `bytes` must hold exactly one message.
Result<Message, CodecError> decode(std::span<const std::uint8_t> bytes);
Result<std::vector<std::uint8_t>, CodecError> encode(const Message& m);

// A Data Request/Indication carrying one Q.931 message for the given interface
// (integer id) and DLCI SAPI 0 / TEI 0: the PRI's call-control path.
Message make_data(MessageType type, std::uint32_t interface_id, std::vector<std::uint8_t> q931);
// The ERR a receiver sends for a decode fault; Diagnostic Information holds the
// first octets of the offending message.
Message make_error(ErrorCode code, std::span<const std::uint8_t> offending = {});

}  // namespace isupgw::sigtran::iua
