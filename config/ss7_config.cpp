#include "config/ss7_config.h"

#include <charconv>

namespace isupgw::config {
namespace {
std::optional<unsigned> parse_number(std::string_view s) {
  unsigned v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}
}  // namespace

sigtran::PointCodeFormat point_code_format(const config::Ss7& ss7) {
  switch (ss7.point_code_format()) {
    case config::POINT_CODE_FORMAT_ANSI: return sigtran::PointCodeFormat::kAnsi888;
    case config::POINT_CODE_FORMAT_DECIMAL: return sigtran::PointCodeFormat::kDecimal;
    default: return sigtran::PointCodeFormat::kItu383;
  }
}

std::optional<CicSpan> parse_cic_range(std::string_view text, unsigned max) {
  auto dash = text.find('-');
  auto first = parse_number(text.substr(0, dash));
  auto last = dash == std::string_view::npos ? first : parse_number(text.substr(dash + 1));
  if (!first || !last || *first > *last || *last > max) return std::nullopt;
  return CicSpan(static_cast<std::uint16_t>(*first), static_cast<std::uint16_t>(*last));
}

unsigned max_cic(config::IsupVariant v) { return v == config::ISUP_VARIANT_ANSI ? 0x3fff : 0x0fff; }

std::uint8_t network_indicator(config::NetworkIndicator ni) {
  switch (ni) {
    case config::NETWORK_INDICATOR_INTERNATIONAL: return 0;
    case config::NETWORK_INDICATOR_INTERNATIONAL_SPARE: return 1;
    case config::NETWORK_INDICATOR_NATIONAL_SPARE: return 3;
    default: return 2;
  }
}

bool is_client_role(config::M3uaRole r) {
  return r == config::M3UA_ROLE_ASP || r == config::M3UA_ROLE_IPSP_CLIENT || r == config::M3UA_ROLE_IPSP_DOUBLE;
}

}  // namespace isupgw::config
