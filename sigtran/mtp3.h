// The MTP3 service over M3UA associations (RFC 4666 1.4.2, 4.5): a route table
// from DPC to associations (override / loadshare by SLS / broadcast), the
// MTP-TRANSFER request and indication, and MTP-PAUSE / MTP-RESUME / MTP-STATUS
// derived from association state and DUNA / DAVA / SCON / DUPU (RFC 4666 4.5.1-4.5.2).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/one_shot_timer.h"
#include "sigtran/m3ua_link.h"
#include "sigtran/mtp_service.h"
#include "sigtran/transport.h"

namespace isupgw::sigtran::m3ua {

struct Route {
  std::vector<std::size_t> links;  // in preference order
  TrafficMode mode = TrafficMode::kOverride;
};

class Mtp3 final : public LinkUser {
 public:
  Mtp3(TimerService& timers, Logger& log, Counters& counters);
  ~Mtp3() override;

  // The association is driven by this object; `transport` must outlive it.
  Link& add_link(LinkConfig cfg, Transport& transport);
  Link& link(std::size_t id) { return *links_.at(id); }
  std::size_t link_count() const { return links_.size(); }

  // Route for one DPC (exact). PAUSE/RESUME are reported for routed DPCs only.
  void add_route(std::uint32_t dpc, Route route);
  // Route for any DPC without its own route.
  void set_default_route(Route route) { default_route_ = std::move(route); }

  // Users by service indicator; si < 0 = every SI without its own user.
  void set_user(int si, MtpUser* user);

  // Issue 23: accept an MTP-TRANSFER indication only over an association its OPC is
  // routed through (its own route, else the default route), as an STP screens the
  // origin by link set; the rest is dropped and counted (guard.m3ua.<link>.wrong_origin).
  void set_origin_check(bool on) { origin_check_ = on; }

  // RFC 4666 4.5.3: while a destination is reported unavailable (DUNA) over an ACTIVE
  // association, audit it with DAUD every `interval` (T(daud), network-specific; 0 = off).
  void set_audit_interval(Clock::duration interval);

  void start();  // starts every association
  void stop();

  // MTP-TRANSFER request. False if the DPC is unroutable or unavailable (counted).
  bool transfer(const MtpLabel& label, std::span<const std::uint8_t> data);
  bool available(std::uint32_t dpc) const;

  // LinkUser
  void on_link_ready(std::size_t link, bool ready) override;
  void on_link_data(std::size_t link, const DataView& data) override;
  void on_link_ssnm(std::size_t link, const Message& m) override;

 private:
  const Route* route_for(std::uint32_t dpc) const;
  bool usable(std::size_t link, std::uint32_t dpc) const;
  void reevaluate();
  void audit();
  MtpUser* user_for(std::uint8_t si) const;
  void for_each_user(const std::function<void(MtpUser&)>& f) const;
  std::vector<std::uint32_t> matching(const MaskedPointCode& apc) const;

  TimerService& timers_;
  Logger& log_;
  LinkMeters meters_;
  Counters& counters_;
  std::vector<std::unique_ptr<Link>> links_;
  std::map<std::uint32_t, Route> routes_;
  std::optional<Route> default_route_;
  std::map<std::uint32_t, bool> dest_available_;          // routed DPC -> last reported state
  std::set<std::pair<std::uint32_t, std::size_t>> duna_;  // (dpc, link) reported unavailable by DUNA
  std::map<int, MtpUser*> users_;
  Clock::duration audit_interval_{};
  bool origin_check_ = false;
  std::vector<Counter*> wrong_origin_;  // by link
  OneShotTimer audit_timer_;
  Counter& no_route_;
  Counter& unavailable_;
  Counter& no_user_;
  Counter& audits_;
};

}  // namespace isupgw::sigtran::m3ua
