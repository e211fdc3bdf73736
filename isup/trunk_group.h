// A trunk group: the circuits between this exchange and one adjacent
// exchange, with their point codes, network indicator and ISUP variant.
#pragma once

#include <cstdint>
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

  // Circuit hunting for an outgoing call (Q.764 2.10.1.4): the circuits this
  // exchange controls upwards, then the others downwards; `exclude` (a failed
  // attempt's circuit) is passed over. nullptr: none available.
  // It walks a bit per CIC, not the circuits: the bit is set whenever the
  // circuit may have become available (touched(): any transition of its state
  // machines, a blocking or reset flag cleared) and cleared when the hunt finds
  // the circuit unavailable, so every available circuit has its bit set and a
  // busy one costs one bit test -- a full group of 4,000 CICs is 63 words, not
  // 4,000 circuits' state read from memory.
  Circuit* hunt(const Circuit* exclude);
  void touched(std::uint16_t cic) {
    if (cic / 64u < maybe_.size()) maybe_[cic / 64u] |= std::uint64_t{1} << (cic % 64u);
  }

 private:
  void index(Circuit& c);

  GroupId id_;
  TrunkGroupConfig cfg_;
  std::vector<std::unique_ptr<Circuit>> circuits_;
  std::vector<Circuit*> by_cic_;      // indexed by CIC, up to the highest one
  std::vector<std::uint64_t> maybe_;  // bit per CIC: may be available for an outgoing call
};

}  // namespace isupgw::isup
