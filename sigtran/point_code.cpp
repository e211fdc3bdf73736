#include "sigtran/point_code.h"

#include <array>
#include <charconv>

namespace isupgw::sigtran {
namespace {

// Component widths, most significant first.
constexpr std::array<unsigned, 3> widths(PointCodeFormat f) {
  return f == PointCodeFormat::kAnsi888 ? std::array<unsigned, 3>{8, 8, 8} : std::array<unsigned, 3>{3, 8, 3};
}

std::optional<std::uint32_t> parse_uint(std::string_view s) {
  std::uint32_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<PointCode> parse_point_code(std::string_view text, PointCodeFormat format) {
  auto sep = text.find_first_of("-.");
  if (sep == std::string_view::npos) {
    auto v = parse_uint(text);
    if (!v || *v >= (1u << point_code_bits(format))) return std::nullopt;
    return PointCode{*v};
  }
  if (format == PointCodeFormat::kDecimal) return std::nullopt;
  auto w = widths(format);
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    auto end = i < 2 ? text.find_first_of("-.") : text.size();
    if (end == std::string_view::npos) return std::nullopt;
    auto part = parse_uint(text.substr(0, end));
    if (!part || *part >= (1u << w[i])) return std::nullopt;
    value = value << w[i] | *part;
    text.remove_prefix(i < 2 ? end + 1 : end);
  }
  return PointCode{value};
}

std::string format_point_code(PointCode pc, PointCodeFormat format) {
  if (format == PointCodeFormat::kDecimal) return std::to_string(pc.value);
  auto w = widths(format);
  unsigned shift2 = 0, shift1 = w[2], shift0 = w[2] + w[1];
  auto part = [&](unsigned shift, unsigned width) { return (pc.value >> shift) & ((1u << width) - 1); };
  return std::to_string(part(shift0, w[0])) + "-" + std::to_string(part(shift1, w[1])) + "-" +
         std::to_string(part(shift2, w[2]));
}

}  // namespace isupgw::sigtran
