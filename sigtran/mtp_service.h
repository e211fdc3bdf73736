// The MTP3 service M3UA offers its users (RFC 4666 1.4.2 / Q.701 clause 8):
// MTP-TRANSFER request/indication with the routing label fields, and
// MTP-PAUSE / MTP-RESUME / MTP-STATUS per destination, derived from
// DUNA / DAVA / SCON / DUPU and from the state of the associations.
// Mirrors isup/mtp_port.h so the gateway adapts one to the other 1:1.
#pragma once

#include <cstdint>
#include <span>

namespace isupgw::sigtran {

struct MtpLabel {
  std::uint32_t opc = 0;
  std::uint32_t dpc = 0;
  std::uint8_t si = 5;  // Q.704 14.2.1: 5 = ISUP
  std::uint8_t ni = 2;
  std::uint8_t mp = 0;  // message priority (ANSI; 0 in ITU)
  std::uint8_t sls = 0;
  friend bool operator==(const MtpLabel&, const MtpLabel&) = default;
};

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
