// Helpers that read the ss7 section of the configuration: point codes in the
// configured format and CIC ranges ("1-31", "33"). The section's checks, which
// build Ss7Settings, are build_ss7() (config/validate.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "config/config.pb.h"
#include "isup/isup_cc_config.h"
#include "sigtran/point_code.h"

namespace isupgw::config {

sigtran::PointCodeFormat point_code_format(const Ss7& ss7);
// "first-last" or a single CIC, each at most max_cic.
std::optional<isup::CicRange> parse_cic_range(std::string_view text, unsigned max_cic);
unsigned max_cic(IsupVariant v);
// 0..3 as carried in the SIO (Q.704 14.2.2); national (2) when unspecified.
std::uint8_t network_indicator(NetworkIndicator ni);
bool is_client_role(M3uaRole r);

}  // namespace isupgw::config
