// M3UA wire codec (RFC 4666 section 3). Errors are values; each decode fault
// maps to the ERR Error Code a receiver answers with (RFC 4666 3.8.1).
//
// Two decoders:
//  - decode(): any message into an owning Message value;
//  - decode_data(): the DATA hot path, no allocation, views into the input.
//
// Receiver rules (RFC 4666 3.2): parameters may come in any order; the Parameter
// Length excludes padding; 0-3 padding octets follow each parameter (a missing
// pad after the last parameter is tolerated); tags M3UA does not define are
// skipped; a defined tag the message does not allow, or a repeated one, is an
// "unexpected parameter".
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "sigtran/m3ua_message.h"

namespace isupgw::sigtran::m3ua {

enum class Fault : std::uint8_t {
  kTruncatedHeader,         // fewer than 8 octets
  kInvalidVersion,          // version != 1
  kUnsupportedClass,        // class not M3UA
  kUnsupportedType,         // type unknown in its class
  kBadMessageLength,        // length field != octets given, or < 8
  kBadParameterLength,      // TLV length < 4 or beyond the message, or wrong for the parameter
  kUnexpectedParameter,     // defined tag not allowed in this message (or repeated)
  kMissingParameter,        // mandatory parameter absent
  kInvalidParameterValue,   // value out of range (INFO > 255 octets, empty list, ...)
  kUnsupportedTrafficMode,  // Traffic Mode Type not 1..3
  kBufferTooSmall,          // encode only
};

struct CodecError {
  Fault fault = Fault::kTruncatedHeader;
  std::uint16_t tag = 0;  // offending parameter tag when relevant
  // The ERR Error Code to answer with.
  ErrorCode error_code() const;
  // One line, e.g. "unexpected parameter 0x0006 (unexpected parameter)".
  std::string to_string() const;
  friend bool operator==(const CodecError&, const CodecError&) = default;
};

// Header fields read without validating the rest (framing, quick dispatch).
struct Header {
  std::uint8_t version = 0;
  std::uint8_t message_class = 0;
  std::uint8_t message_type = 0;
  std::uint32_t length = 0;
};
std::optional<Header> peek_header(std::span<const std::uint8_t> bytes);

// `bytes` must hold exactly one message (the length field must match).
Result<Message, CodecError> decode(std::span<const std::uint8_t> bytes);
// Appends the encoded message to `out`.
Result<std::size_t, CodecError> encode(const Message& m, std::vector<std::uint8_t>& out);
Result<std::vector<std::uint8_t>, CodecError> encode(const Message& m);

// DATA (RFC 4666 3.3.1) as views: nothing is allocated on decode or encode.
struct DataView {
  std::optional<std::uint32_t> network_appearance;
  std::optional<std::uint32_t> routing_context;  // DATA carries at most one RC
  std::uint32_t opc = 0;
  std::uint32_t dpc = 0;
  std::uint8_t si = 0;
  std::uint8_t ni = 0;
  std::uint8_t mp = 0;
  std::uint8_t sls = 0;
  std::span<const std::uint8_t> user_data;  // into the decoded buffer / the caller's buffer
  std::optional<std::uint32_t> correlation_id;
};
Result<DataView, CodecError> decode_data(std::span<const std::uint8_t> bytes);
std::size_t encoded_size(const DataView& d);
// Writes into `out`; returns the octets written or kBufferTooSmall.
Result<std::size_t, CodecError> encode_data(const DataView& d, std::span<std::uint8_t> out);

// Builds the ERR a receiver sends for a decode fault (RFC 4666 3.8.1); the
// Diagnostic Information carries the first octets of the offending message.
Message make_error(ErrorCode code, std::span<const std::uint8_t> offending = {});

}  // namespace isupgw::sigtran::m3ua
