// HEPv3 (the HEP/EEP protocol of Homer and sngrep): one captured SIP message as one datagram of chunks,
// with the gateway's call id as the correlation id (chunk 0x0011), so a HEP collector groups a call's
// legs. Chunks (vendor 0): 1 IP family, 2 IP protocol, 3/4 IPv4 or 5/6 IPv6 source and destination,
// 7/8 ports, 9/10 seconds and microseconds, 11 protocol type (1 = SIP), 12 capture agent id, 15 payload,
// 17 correlation id. Protocol types: 1 SIP, 6 MGCP, 9 M3UA (M2PA has none).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "trace/capture.h"

namespace isupgw::trace {

void encode_hep3(std::vector<std::uint8_t>& out, const Record& r, std::span<const std::uint8_t> payload,
                 std::uint32_t agent_id);

}  // namespace isupgw::trace
