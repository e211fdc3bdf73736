// Hex <-> bytes, used by the CLI `decode` commands, tests and traces.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace isupgw {

using Bytes = std::vector<std::uint8_t>;

// Accepts upper/lower case, ignores whitespace, ':' and '-', and an optional
// leading "0x". Returns nullopt on an odd digit count or a non-hex character.
std::optional<Bytes> from_hex(std::string_view text);

// Lower-case hex, no separators.
std::string to_hex(std::span<const std::uint8_t> bytes);

}  // namespace isupgw
