// What ISUP needs from MTP3 (Q.704 / Q.701 clause 8 primitives; Q.764 2.13).
//
// isup/ does not depend on sigtran/: the gateway adapts the M3UA/M2PA MTP3
// service to these two interfaces. Downward, ISUP issues MTP-TRANSFER requests
// (routing label + user data starting at the CIC). Upward, MTP delivers
// MTP-TRANSFER indications and the availability primitives for a destination:
// MTP-PAUSE (DPC inaccessible), MTP-RESUME (accessible again) and MTP-STATUS
// (congestion, or the ISUP user part at the DPC is unavailable).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "base/mtp_label.h"

namespace isupgw::isup {

// A signalling point code: 14 bits (ITU/ETSI) or 24 bits (ANSI).
using PointCode = std::uint32_t;

// Service indicator of the ISDN User Part (Q.704 14.2.1).
inline constexpr std::uint8_t kServiceIndicatorIsup = 5;

// MTP-STATUS causes (Q.704 / Q.701 8.3; Q.764 2.13.2 and 2.14).
enum class MtpStatusCause : std::uint8_t {
  kCongestion,          // signalling network congestion, level in congestion_level
  kUserPartUnavailable  // ISUP at the DPC is unavailable, reason in upu_cause
};
// User part unavailable cause (Q.704 15.17.4 UPU).
enum class UpuCause : std::uint8_t { kUnknown = 0, kUnequippedRemoteUser = 1, kInaccessibleRemoteUser = 2 };

struct MtpStatus {
  MtpStatusCause cause = MtpStatusCause::kCongestion;
  std::uint8_t congestion_level = 0;  // 0 (none/unknown) .. 3
  UpuCause upu_cause = UpuCause::kUnknown;
};

// Downward interface: implemented by the MTP3 service (M3UA ASP, M2PA+MTP3) adapter.
class MtpPort {
 public:
  virtual ~MtpPort() = default;
  // MTP-TRANSFER request. data starts at the CIC (M3UA Protocol Data user data).
  // Delivery is not confirmed: MTP reports trouble only through MTP-PAUSE/STATUS.
  virtual void transfer(const MtpLabel& label, std::span<const std::uint8_t> data) = 0;
};

// Upward interface: implemented by ISUP call control, called by the MTP3 adapter.
class MtpUser {
 public:
  virtual ~MtpUser() = default;
  // MTP-TRANSFER indication with SI = 5. label.opc is the sender, label.dpc us.
  virtual void on_transfer(const MtpLabel& label, std::span<const std::uint8_t> data) = 0;
  // MTP-PAUSE: the destination is inaccessible (Q.764 2.13.1: no new calls towards it).
  virtual void on_pause(PointCode dpc) = 0;
  // MTP-RESUME: the destination is accessible again.
  virtual void on_resume(PointCode dpc) = 0;
  // MTP-STATUS for that destination.
  virtual void on_status(PointCode dpc, const MtpStatus& status) = 0;
};

inline std::string_view to_string(MtpStatusCause c) {
  return c == MtpStatusCause::kCongestion ? "congestion" : "user_part_unavailable";
}

}  // namespace isupgw::isup
