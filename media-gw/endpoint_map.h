// CIC <-> MGCP endpoint name mapping for one trunk group (RFC 3435 2.1.1
// local endpoint names). A pattern such as "ds/e1-{span}/{ts}@mg1" is expanded
// per circuit: span = (cic - first_cic) / 31 + first_span, ts = timeslot 1..31
// skipping 16 when configured for E1 with CAS-free signalling.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace isupgw::mediagw {

struct E1EndpointPattern {
  std::string prefix = "ds/e1-";  // endpoint local name prefix before the span number
  std::string domain = "mg";      // after '@'
  std::uint32_t first_cic = 1;
  std::uint32_t first_span = 0;
  bool skip_ts16 = false;  // ts16 carries signalling on channel-associated E1s
};

// Endpoint for a CIC, e.g. "ds/e1-0/1@mg"; nullopt below first_cic.
std::optional<std::string> endpoint_for_cic(const E1EndpointPattern& p, std::uint32_t cic);

}  // namespace isupgw::mediagw
