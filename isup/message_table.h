// Per-message layouts (Q.763 Tables 32-54, ANSI T1.113.3 Tables; Wireshark
// packet-isup.c used as the cross-check): one row per message type lists the
// mandatory fixed parameters with their sizes, the mandatory variable
// parameters, and whether an optional part (and its pointer) exists.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "isup/variant.h"

namespace isupgw::isup {

inline constexpr std::size_t kMaxFixedParams = 4;
inline constexpr std::size_t kMaxVariableParams = 3;

struct FixedSpec {
  std::uint8_t code = 0;
  std::uint8_t size = 0;
};

struct MessageLayout {
  std::uint8_t type = 0;
  std::string_view acronym;
  std::array<FixedSpec, kMaxFixedParams> fixed{};
  std::uint8_t n_fixed = 0;
  std::array<std::uint8_t, kMaxVariableParams> variable{};
  std::uint8_t n_variable = 0;
  bool optional_part = false;
  // Format is a national matter (CRG) or an embedded message (PAM): the octets
  // after the message type are kept as one opaque body.
  bool opaque_body = false;
};

// Layout of that message type in that variant, or nullptr if the type is not defined there.
const MessageLayout* find_layout(std::uint8_t type, Variant v);
// All layouts of a variant (tests iterate them).
std::span<const MessageLayout> layouts(Variant v);

}  // namespace isupgw::isup
