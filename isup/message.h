// ISUP message model and codec (Q.763 clause 1): message type, mandatory fixed
// part, mandatory variable part (pointers), optional part (TLV list ending in 0x00).
//
// Decoding is zero-copy and heap-free: every parameter is a view into the input
// buffer, so the input must outlive the Message. Parameters keep their wire
// order (the optional part in particular), which makes decode -> encode
// byte-identical for canonically laid out messages and keeps unknown parameters
// transparent (SIP-I, Q.764 2.9.5). Typed access to parameter contents lives in
// params.h / number.h.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "isup/fixed_vector.h"
#include "isup/message_table.h"
#include "isup/variant.h"

namespace isupgw::isup {

// One parameter: its name code and its contents (without name/length octets).
struct Param {
  std::uint8_t code = 0;
  std::span<const std::uint8_t> value;
};
bool operator==(const Param& a, const Param& b);

inline constexpr std::size_t kMaxOptionalParams = 32;

// Where the ISUP message starts: at the CIC (MTP3/M3UA user data), or at the
// message type (RFC 3204 application/ISUP body in SIP-I/SIP-T: no CIC).
enum class Form { kWithCic, kBody };

struct Message {
  std::uint8_t type = 0;
  std::uint16_t cic = 0;                            // 0 in the kBody form
  FixedVector<Param, kMaxFixedParams> fixed;        // layout order
  FixedVector<Param, kMaxVariableParams> variable;  // layout order
  FixedVector<Param, kMaxOptionalParams> optional;  // wire order
  std::span<const std::uint8_t> body;               // national-format messages (CRG, PAM): all octets after the type

  // First parameter with that code in the fixed, variable, then optional part.
  const Param* find(std::uint8_t code) const;
};
bool operator==(const Message& a, const Message& b);

// Each fault is its own value so call control can choose the reaction (Q.764 2.9.5):
// unknown message -> CFN cause 97; unrecognized parameter -> cause 99 / 110;
// format errors -> discard or cause 111.
enum class DecodeError {
  kTruncated,              // message ends inside a fixed part, pointer or length octet, or no end-of-optional octet
  kBadPointer,             // a pointer is 0 (mandatory) or points outside the message / into the pointer area
  kLengthMismatch,         // a length octet runs past the end, or a parameter's contents have an impossible length
  kUnknownMessageType,     // type code not defined for the variant
  kUnrecognizedParameter,  // optional parameter code not defined for the variant (strict mode only)
  kTooManyParameters,      // more than kMaxOptionalParams optional parameters
  kCicOutOfRange,          // spare CIC bits set (12-bit ITU/ETSI, 14-bit ANSI)
  kBadValue,               // a typed parameter holds a value its format forbids
};
std::string_view to_string(DecodeError e);
// The Q.850 cause call control sends for that error (CFN / REL, Q.764 2.9.5).
int release_cause(DecodeError e);

struct DecodeOptions {
  Form form = Form::kWithCic;
  // Reject optional parameters unknown to the variant (else they are kept opaque).
  bool reject_unknown_params = false;
};

Result<Message, DecodeError> decode(std::span<const std::uint8_t> data, Variant v, DecodeOptions opt = {});

enum class EncodeError {
  kUnknownMessageType,
  kMissingParameter,   // fewer fixed/variable parameters than the layout needs
  kFixedSizeMismatch,  // a fixed parameter's size differs from the layout
  kParameterTooLong,   // contents over 255 octets
  kTooManyParameters,  // more fixed/variable parameters than the layout, or optional params without an optional part
  kCicOutOfRange,
  kBufferTooSmall,
  kPointerOverflow,   // a pointer would exceed 255
  kBadParameterCode,  // optional parameter code 0 (that is the end-of-optional-parameters octet)
};
std::string_view to_string(EncodeError e);

// Writes into out; returns the number of octets written. No allocation.
Result<std::size_t, EncodeError> encode(const Message& m, Variant v, std::span<std::uint8_t> out,
                                        Form form = Form::kWithCic);
// Convenience: encode into a new vector (sized by encoded_size).
Result<std::vector<std::uint8_t>, EncodeError> encode(const Message& m, Variant v, Form form = Form::kWithCic);
std::size_t encoded_size(const Message& m, Form form = Form::kWithCic);

}  // namespace isupgw::isup
