// isup-peer over M3UA/TCP: adapts sigtran's MTP3 service (sigtran/mtp_service.h)
// to isup::MtpPort / isup::MtpUser. Only the isup-peer executable uses this;
// the isupgw_isup library does not depend on sigtran/.
#pragma once

#include <optional>
#include <string>

#include "isup/mtp_port.h"
#include "sigtran/mtp3.h"
#include "sigtran/mtp_service.h"

namespace isupgw::isup::peer {

class SigtranPort final : public MtpPort {
 public:
  explicit SigtranPort(sigtran::m3ua::Mtp3& mtp) : mtp_(mtp) {}
  void transfer(const MtpLabel& l, std::span<const std::uint8_t> data) override { mtp_.transfer(l, data); }

 private:
  sigtran::m3ua::Mtp3& mtp_;
};

class SigtranBridge final : public sigtran::MtpUser {
 public:
  isup::MtpUser* target = nullptr;
  void on_transfer(const MtpLabel& l, std::span<const std::uint8_t> data) override {
    if (target) target->on_transfer(l, data);
  }
  void on_pause(std::uint32_t dpc) override {
    if (target) target->on_pause(dpc);
  }
  void on_resume(std::uint32_t dpc) override {
    if (target) target->on_resume(dpc);
  }
  void on_status(std::uint32_t dpc, const sigtran::MtpStatus& s) override {
    if (!target) return;
    MtpStatus st;
    st.cause = s.cause == sigtran::MtpStatusCause::kCongestion ? MtpStatusCause::kCongestion
                                                               : MtpStatusCause::kUserPartUnavailable;
    st.congestion_level = s.congestion_level;
    st.upu_cause = static_cast<UpuCause>(s.upu_cause & 3);
    target->on_status(dpc, st);
  }
};

}  // namespace isupgw::isup::peer
