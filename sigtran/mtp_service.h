// The MTP3 service M3UA offers its users (RFC 4666 1.4.2 / Q.701 clause 8):
// MTP-TRANSFER request/indication with the routing label fields, and
// MTP-PAUSE / MTP-RESUME / MTP-STATUS per destination, derived from
// DUNA / DAVA / SCON / DUPU and from the state of the associations.
// Mirrors isup/mtp_port.h; both carry the one MtpLabel (base/mtp_label.h).
#pragma once

#include <cstdint>
#include <span>

#include "base/mtp_label.h"

namespace isupgw::sigtran {

enum class MtpStatusCause : std::uint8_t { kCongestion, kUserPartUnavailable };
struct MtpStatus {
  MtpStatusCause cause = MtpStatusCause::kCongestion;
  std::uint8_t congestion_level = 0;  // SCON Congestion Indications (0..3)
  std::uint16_t upu_cause = 0;        // DUPU cause: 0 unknown, 1 unequipped, 2 inaccessible
  std::uint16_t user = 0;             // DUPU user (SI)
};

class MtpUser {
 public:
  virtual ~MtpUser() = default;
  virtual void on_transfer(const MtpLabel& label, std::span<const std::uint8_t> data) = 0;
  virtual void on_pause(std::uint32_t dpc) = 0;
  virtual void on_resume(std::uint32_t dpc) = 0;
  virtual void on_status(std::uint32_t dpc, const MtpStatus& status) = 0;
};

}  // namespace isupgw::sigtran
