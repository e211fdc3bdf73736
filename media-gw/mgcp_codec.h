// MGCP 1.0 text codec (RFC 3435 3.1 ABNF, appendix A): bytes <-> message model.
//
// The parser never throws and never reads outside the given span; every
// fault is a distinct ParseError. Header lines end in CRLF or LF (3.1: LF
// alone is accepted); the session description after the empty line is kept
// verbatim. Several messages may share one datagram, separated by a line
// holding a single "." (3.5.5 piggybacking): parse() rejects such input with
// kPiggybacked, parse_datagram() splits it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "media-gw/mgcp_message.h"

namespace isupgw::mediagw::mgcp {

enum class ParseError : std::uint8_t {
  kEmpty,               // no bytes, or only whitespace
  kTooLong,             // over kMaxMessageSize
  kBadCharacter,        // control character (other than HT) or NUL in a header line
  kBadStartLine,        // too few tokens on the command/response line
  kUnknownVerb,         // not one of the nine verbs and not a 3-digit code
  kBadTransactionId,    // not 1..999999999
  kBadEndpoint,         // endpoint name without local@domain
  kBadVersion,          // not "MGCP <digits>.<digits>"
  kBadResponseCode,     // response code not three digits
  kBadParameterLine,    // no ':' or an invalid parameter name
  kTooManyParameters,   // more than kMaxParameters lines
  kPiggybacked,         // a "." separator line in input given to parse()
  kTooManyMessages,     // more than kMaxPiggybacked messages in a datagram
  kEmptyPiggybackPart,  // "." separator with nothing before it
};
std::string_view to_string(ParseError e);

inline constexpr std::size_t kMaxMessageSize = 65535;  // one UDP datagram
inline constexpr std::size_t kMaxParameters = 64;
inline constexpr std::size_t kMaxPiggybacked = 16;

Result<Message, ParseError> parse(std::string_view text);
Result<Message, ParseError> parse(std::span<const std::uint8_t> bytes);
// One datagram, possibly several piggy-backed messages in order.
Result<std::vector<Message>, ParseError> parse_datagram(std::span<const std::uint8_t> bytes);

// Canonical form: single spaces on the first line, "name: value" parameter
// lines, CRLF line ends, an empty line before a non-empty SDP body.
void serialize_to(std::string& out, const Command& c);
void serialize_to(std::string& out, const Response& r);
std::string serialize(const Command& c);
std::string serialize(const Response& r);
std::string serialize(const Message& m);
// Messages joined by "." lines (RFC 3435 3.5.5).
std::string serialize_datagram(const std::vector<Message>& ms);

}  // namespace isupgw::mediagw::mgcp
