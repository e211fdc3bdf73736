// SS7 signalling point codes as SS7 engineers write them: ITU 14-bit "3-8-3"
// (e.g. 2-100-1) and ANSI 24-bit "8-8-8" network-cluster-member (e.g. 1-2-3).
// Also accepted: a plain decimal integer. Output uses the configured format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace isupgw::sigtran {

enum class PointCodeFormat { kItu383, kAnsi888, kDecimal };

struct PointCode {
  std::uint32_t value = 0;
  friend bool operator==(const PointCode&, const PointCode&) = default;
};

// Bit width of a point code for a network: ITU 14 (Q.704 2.2.2), ANSI 24 (T1.111.4).
constexpr unsigned point_code_bits(PointCodeFormat f) { return f == PointCodeFormat::kAnsi888 ? 24 : 14; }

// Parses "a-b-c" (also with '.' separators) in the given format, or a decimal integer.
// Rejects out-of-range components.
std::optional<PointCode> parse_point_code(std::string_view text, PointCodeFormat format);
std::string format_point_code(PointCode pc, PointCodeFormat format);

}  // namespace isupgw::sigtran
