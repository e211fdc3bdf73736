#include "config/media_config.h"

#include <set>

#include "base/ip_address.h"
#include "media-gw/endpoint_map.h"

namespace isupgw::config {

namespace {

std::string describe(mediagw::PatternError e) {
  using E = mediagw::PatternError;
  switch (e) {
    case E::kEmpty: return "empty";
    case E::kNoDomain: return "no @domain after the local name";
    case E::kUnknownPlaceholder:
      return "unknown placeholder (known: {span}, {timeslot}, {e1}, {ts}, {cic}, with :x for hex)";
    case E::kUnterminatedPlaceholder: return "unterminated placeholder";
    case E::kMissingSpan: return "missing {span} (or {cic} alone)";
    case E::kMissingTimeslot: return "missing {timeslot}";
    case E::kDuplicatePlaceholder: return "a placeholder appears twice";
    case E::kAdjacentPlaceholders:
      return "a placeholder followed by a digit or another placeholder cannot be read back";
    case E::kWildcard: return "wildcards are for RTP endpoints only (\"rtpbridge/*@mgw\")";
    case E::kMixedPlaceholders: return "{cic} names the endpoint alone, without {span} or {timeslot}";
    case E::kBadLayout: return "bad circuit layout";
  }
  return std::string(mediagw::to_string(e));
}

}  // namespace

bool is_wildcard(std::string_view endpoint) {
  const auto at = endpoint.find('@');
  const auto local = endpoint.substr(0, at);
  return local.find('*') != std::string_view::npos || local.find('$') != std::string_view::npos;
}

std::string domain_of(std::string_view endpoint) {
  const auto at = endpoint.rfind('@');
  return at == std::string_view::npos ? std::string() : std::string(endpoint.substr(at + 1));
}

std::vector<std::pair<std::string, std::string>> check_media_config(const Config& cfg) {
  std::vector<std::pair<std::string, std::string>> errors;
  std::set<std::string> names;
  for (int i = 0; i < cfg.media_gateways_size(); ++i) {
    const auto& mg = cfg.media_gateways(i);
    const std::string p = "media_gateways[" + std::to_string(i) + "]";
    if (mg.name().empty()) errors.emplace_back(p, "media gateway needs a 'name'");
    if (!names.insert(mg.name()).second)
      errors.emplace_back(p + ".name", "duplicate media gateway '" + mg.name() + "'");
    if (mg.address().address().empty())
      errors.emplace_back(p, "media gateway '" + mg.name() + "' needs 'address' (the MG's IP literal and port)");
    else if (!valid_ip(mg.address().address()))
      errors.emplace_back(p + ".address.address", "'" + mg.address().address() + "' is not an IPv4 or IPv6 address");
    if (mg.address().port() > 65535) errors.emplace_back(p + ".address.port", "port out of range 0..65535");
    if (!mg.local().address().empty() && !valid_ip(mg.local().address()))
      errors.emplace_back(p + ".local.address", "'" + mg.local().address() + "' is not an IPv4 or IPv6 address");
    if (mg.local().port() > 65535) errors.emplace_back(p + ".local.port", "port out of range 0..65535");
    if (mg.max_rto_ms() != 0 && mg.max_rto_ms() < mg.initial_rto_ms())
      errors.emplace_back(p + ".max_rto_ms", "max_rto_ms must not be below initial_rto_ms");
    if (mg.max_retransmissions() > 20)
      errors.emplace_back(p + ".max_retransmissions", "max_retransmissions must be at most 20");
    if (!mg.keepalive_endpoint().empty() && mg.keepalive_endpoint().find('@') == std::string::npos)
      errors.emplace_back(p + ".keepalive_endpoint", "endpoint '" + mg.keepalive_endpoint() + "' has no @domain");
  }
  for (int i = 0; i < cfg.ss7().trunk_groups_size(); ++i) {
    const auto& g = cfg.ss7().trunk_groups(i);
    const std::string p = "ss7.trunk_groups[" + std::to_string(i) + "]";
    if (g.media_gateway().empty()) {
      if (!g.endpoints().empty())
        errors.emplace_back(p + ".endpoints", "'endpoints' needs 'media_gateway' (which MG carries the circuits)");
      continue;
    }
    if (!names.count(g.media_gateway()))
      errors.emplace_back(p + ".media_gateway", "unknown media gateway '" + g.media_gateway() + "'");
    if (g.endpoints().empty()) {
      errors.emplace_back(p, "trunk group '" + g.name() +
                                 "' needs 'endpoints' (\"ds/e1-{span}/{timeslot}@mg1\" or \"rtpbridge/*@mgw\")");
      continue;
    }
    if (is_wildcard(g.endpoints())) {
      if (domain_of(g.endpoints()).empty())
        errors.emplace_back(p + ".endpoints", "endpoint '" + g.endpoints() + "' has no @domain");
      continue;
    }
    auto pattern = mediagw::EndpointPattern::parse(g.endpoints());
    if (!pattern)
      errors.emplace_back(p + ".endpoints", "endpoint pattern '" + g.endpoints() + "': " + describe(pattern.error()));
  }
  return errors;
}

}  // namespace isupgw::config
