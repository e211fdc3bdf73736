// Checks of the media_gateways section and the trunk groups' media fields
// (endpoint patterns, RFC 3435 2.1.1 endpoint names), and the endpoint helpers
// the media stack shares with them.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.pb.h"

namespace isupgw::config {

// (field path, message) pairs the loader turns into FILE:LINE errors.
std::vector<std::pair<std::string, std::string>> check_media_config(const Config& cfg);

// "rtpbridge/*@mgw": a wildcard RTP endpoint, not a per-circuit pattern.
bool is_wildcard(std::string_view endpoint);
// The part after '@' ("mg1"), empty if none.
std::string domain_of(std::string_view endpoint);

}  // namespace isupgw::config
