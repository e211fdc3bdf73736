// Q.931 wire codec (Q.931 4, EN 300 403-1 4). Errors are values and name the
// cause a receiver's call control answers with (Q.931 5.8): 95/96/100.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "q931/message.h"

namespace isupgw::q931 {

enum class Fault : std::uint8_t {
  kTooShort,               // fewer than 3 octets, or the call reference runs past the end (5.8.1)
  kProtocolDiscriminator,  // not 0x08 (5.8.1: ignored)
  kCallReferenceLength,    // over 2 octets (5.8.3.1: ignored)
  kMessageType,            // bit 8 set (escape, not supported)
  kTruncatedIe,            // an IE's length runs past the message (cause 100)
  kInvalidIeContents,      // an IE we model does not parse (cause 100)
  kRepeatedIe,             // an IE we model twice where it may not repeat (cause 100)
  kEncode,                 // a value out of range at encoding
};

struct CodecError {
  Fault fault = Fault::kTooShort;
  std::uint8_t ie = 0;         // offending IE identifier, when relevant
  std::uint8_t cause() const;  // Q.850 cause the call control answers with (5.8): 95 or 100
  std::string to_string() const;
  friend bool operator==(const CodecError&, const CodecError&) = default;
};

Result<Message, CodecError> decode(std::span<const std::uint8_t> bytes);
Result<std::vector<std::uint8_t>, CodecError> encode(const Message& m);

}  // namespace isupgw::q931
