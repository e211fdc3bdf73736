// Endpoint name helpers (RFC 3435 2.1.1) for the media_gateways section and the
// trunk groups' media fields; their checks, which build MediaSettings, are
// build_media() (config/validate.h).
#pragma once

#include <string>
#include <string_view>

#include "media-gw/endpoint_map.h"

namespace isupgw::config {

// "rtpbridge/*@mgw": a wildcard RTP endpoint, not a per-circuit pattern.
bool is_wildcard(std::string_view endpoint);
// The part after '@' ("mg1"), empty if none.
std::string domain_of(std::string_view endpoint);
// An endpoint pattern's fault in words, for a configuration error.
std::string describe_pattern_error(mediagw::PatternError e);

}  // namespace isupgw::config
