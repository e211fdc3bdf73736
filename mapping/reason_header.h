// The Reason header carrying a Q.850 cause (RFC 3326, RFC 6432):
//   Reason: Q.850;cause=17;text="User busy"
// Gateways add it to every BYE, CANCEL and final error response so the far
// gateway can restore the exact ISUP cause (Q.1912.5 prefers it over the status).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace isupgw::mapping {

// Q.850 cause names (Q.850 Table 1), "" for unassigned values.
std::string_view q850_cause_text(std::uint8_t cause);

std::string format_q850_reason(std::uint8_t cause);

// The cause of the first Q.850 reason-value in a Reason header value (several
// may be comma-separated: "SIP;cause=200, Q.850;cause=16"). nullopt when there
// is none or its cause is not 0..127.
std::optional<std::uint8_t> parse_q850_reason(std::string_view header_value);

}  // namespace isupgw::mapping
