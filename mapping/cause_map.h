// Q.850 cause <-> SIP status code: ISUP -> SIP per RFC 3398 8.2.6.1, SIP ->
// ISUP per Q.1912.5 (profile A/C, as TS 29.163) where it differs from RFC
// 3398 7.2.4.1. Both tables are kept, selectable per trunk. A Reason header
// with a Q.850 cause (RFC 3326) overrides either direction when present; that
// is interworking.h's job.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <utility>

namespace isupgw::mapping {

enum class CauseTable : std::uint8_t {
  kQ1912_5,  // ITU-T Q.1912.5 choices where they differ from RFC 3398 (the default)
  kRfc3398,  // IETF RFC 3398 only
};

// Q.850 2.2.4 location of a cause.
inline constexpr std::uint8_t kLocationUser = 0;
inline constexpr std::uint8_t kLocationBeyondInterworking = 10;  // BI: what a gateway puts in REL

// SIP final response for an ISUP release cause received before answer.
// Cause 16 (normal clearing) has no response code: the caller sends BYE/CANCEL,
// so nullopt is returned. Causes absent from the table map to 500. Cause 21
// from the called user (location U) becomes 603 Decline, else 403 (RFC 3398
// 8.2.6.1 note).
std::optional<int> sip_status_for_cause(std::uint8_t cause, CauseTable table = CauseTable::kQ1912_5,
                                        std::uint8_t location = kLocationBeyondInterworking);

// ISUP release cause for a SIP final response. 487 (own CANCEL) has no cause:
// nullopt. Q.1912.5: unlisted codes -> 127 interworking. RFC 3398: unlisted
// codes use the class default: 4xx -> 127, 5xx -> 41, 6xx -> 31 (RFC 3398
// gives no entry: our choice).
std::optional<std::uint8_t> cause_for_sip_status(int status, CauseTable table = CauseTable::kQ1912_5);

// The table rows, for tests and documentation.
std::span<const std::pair<std::uint8_t, int>> cause_to_status_rows();
std::span<const std::pair<int, std::uint8_t>> status_to_cause_rows(CauseTable table);

}  // namespace isupgw::mapping
