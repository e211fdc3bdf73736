// Stacks for the management model's unit tests: a real IsupCallControl (set
// `cc`) and its groups; no engine, SIP, M3UA or media.
#pragma once

#include "mgmt/model.h"

namespace isupgw::mgmt::testing {

class TestStacks final : public Stacks {
 public:
  TestStacks(Counters& c, const Clock& clock) : counters_(c), clock_(clock) {}
  Counters& counters() override { return counters_; }
  const Clock& clock() override { return clock_; }
  sigtran::PointCodeFormat point_code_format() const override { return sigtran::PointCodeFormat::kDecimal; }
  engine::CallEngine* engine() override { return nullptr; }
  sip::UserAgent* sip() override { return nullptr; }
  isup::IsupCallControl* isup() override { return cc; }
  const std::map<std::string, isup::GroupId, std::less<>>& trunk_groups() override { return groups; }
  sigtran::m3ua::Mtp3* m3ua() override { return nullptr; }
  std::span<const std::unique_ptr<sigtran::mtp3::LinkSet>> linksets() override { return {}; }
  std::vector<MediaGatewayRef> media_gateways() override { return {}; }
  void post(std::function<void()> fn) override { fn(); }
  void reload(std::function<void(Result<ReloadReport, std::string>)> done) override {
    done(Err(std::string("cfg.yaml:3: bad")));
  }

  isup::IsupCallControl* cc = nullptr;
  std::map<std::string, isup::GroupId, std::less<>> groups;

 private:
  Counters& counters_;
  const Clock& clock_;
};

}  // namespace isupgw::mgmt::testing
