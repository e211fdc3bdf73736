#include "media-gw/endpoint_map.h"

namespace isupgw::mediagw {

std::optional<std::string> endpoint_for_cic(const E1EndpointPattern& p, std::uint32_t cic) {
  if (cic < p.first_cic) return std::nullopt;
  const std::uint32_t per_span = p.skip_ts16 ? 30 : 31;
  std::uint32_t index = cic - p.first_cic;
  std::uint32_t span = p.first_span + index / per_span;
  std::uint32_t ts = 1 + index % per_span;
  if (p.skip_ts16 && ts >= 16) ++ts;
  return p.prefix + std::to_string(span) + "/" + std::to_string(ts) + "@" + p.domain;
}

}  // namespace isupgw::mediagw
