// `isupgw decode PROTOCOL HEX`: one JSON object on stdout per message.
// Each codec registers a decoder here (isup, m3ua, m2pa, sip, ...).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/hex.h"
#include "base/result.h"

namespace isupgw::gateway {

struct Decoder {
  std::string_view name;     // "m3ua"
  std::string_view summary;  // one line for `isupgw help`
  // Returns the JSON text, or a one-line reason.
  Result<std::string, std::string> (*decode)(std::span<const std::uint8_t> bytes);
};

const std::vector<Decoder>& decoders();

}  // namespace isupgw::gateway
