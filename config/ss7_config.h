// Helpers that read the ss7 section of the configuration: point codes in the
// configured format and CIC ranges ("1-31", "33").
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "config/config.pb.h"
#include "sigtran/point_code.h"

namespace isupgw::config {

struct CicSpan {
  CicSpan(std::uint16_t f, std::uint16_t l) : first(f), last(l) {}
  std::uint16_t first;
  std::uint16_t last;  // inclusive
};

sigtran::PointCodeFormat point_code_format(const config::Ss7& ss7);
// "first-last" or a single CIC, each at most max_cic.
std::optional<CicSpan> parse_cic_range(std::string_view text, unsigned max_cic);
unsigned max_cic(config::IsupVariant v);
// 0..3 as carried in the SIO (Q.704 14.2.2); national (2) when unspecified.
std::uint8_t network_indicator(config::NetworkIndicator ni);
bool is_client_role(config::M3uaRole r);

}  // namespace isupgw::config
