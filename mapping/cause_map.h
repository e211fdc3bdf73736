// Q.850 cause <-> SIP status code, RFC 3398 8.2.6.1 (ISUP -> SIP) and
// 7.2.4.1 (SIP -> ISUP). The Reason header (RFC 3326) overrides either
// direction when present; that is the caller's job.
#pragma once

#include <cstdint>
#include <optional>

namespace isupgw::mapping {

// SIP final response for an ISUP release cause received before answer.
// Cause 16 (normal clearing) has no response code: the caller sends BYE/CANCEL,
// so nullopt is returned. Causes absent from the table map to 500.
std::optional<int> sip_status_for_cause(std::uint8_t cause);

// ISUP release cause for a SIP final response. 487 (own CANCEL) has no cause:
// nullopt. Unlisted codes use the class default: 4xx -> 127, 5xx -> 41 (RFC
// 3398 gives no entry, this is the conservative choice), 6xx -> 31.
std::optional<std::uint8_t> cause_for_sip_status(int status);

}  // namespace isupgw::mapping
