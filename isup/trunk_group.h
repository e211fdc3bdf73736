// A trunk group: the circuits between this exchange and one adjacent
// exchange, with their point codes, network indicator and ISUP variant.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "isup/circuit.h"
#include "isup/isup_cc_config.h"
#include "isup/isup_cc_user.h"

namespace isupgw::isup {

class TrunkGroup {
 public:
  TrunkGroup(GroupId id, TrunkGroupConfig cfg, CircuitEnv& env);
  TrunkGroup(const TrunkGroup&) = delete;
  TrunkGroup& operator=(const TrunkGroup&) = delete;

  GroupId id() const { return id_; }
  const TrunkGroupConfig& config() const { return cfg_; }
  Circuit* find(std::uint16_t cic);
  const Circuit* find(std::uint16_t cic) const;
  // A circuit equipped after start (reload, issue 16); nullptr if the CIC exists.
  Circuit* add(std::uint16_t cic, CircuitEnv& env);
  // Ascending CIC order.
  const std::vector<std::unique_ptr<Circuit>>& circuits() const { return circuits_; }
  // Dual seizure control: the exchange with the higher signalling point code
  // controls the even CICs, the other one the odd CICs (Q.764 2.10.1.4).
  bool controls(std::uint16_t cic) const { return (cfg_.opc > cfg_.dpc) == (cic % 2 == 0); }

 private:
  GroupId id_;
  TrunkGroupConfig cfg_;
  std::vector<std::unique_ptr<Circuit>> circuits_;
  std::map<std::uint16_t, Circuit*> by_cic_;
};

}  // namespace isupgw::isup
