#include "isup/trunk_group.h"

#include <algorithm>

namespace isupgw::isup {

TrunkGroup::TrunkGroup(GroupId id, TrunkGroupConfig cfg, CircuitEnv& env) : id_(id), cfg_(std::move(cfg)) {
  for (const auto& r : cfg_.cics)
    for (unsigned cic = r.first; cic <= r.last; ++cic) {
      if (by_cic_.count(static_cast<std::uint16_t>(cic))) continue;
      auto c = std::make_unique<Circuit>(*this, static_cast<std::uint16_t>(cic), env);
      by_cic_[c->cic()] = c.get();
      circuits_.push_back(std::move(c));
    }
  std::sort(circuits_.begin(), circuits_.end(), [](const auto& a, const auto& b) { return a->cic() < b->cic(); });
}

Circuit* TrunkGroup::add(std::uint16_t cic, CircuitEnv& env) {
  if (by_cic_.count(cic)) return nullptr;
  auto c = std::make_unique<Circuit>(*this, cic, env);
  Circuit* raw = c.get();
  by_cic_[cic] = raw;
  auto at = std::lower_bound(circuits_.begin(), circuits_.end(), cic,
                             [](const std::unique_ptr<Circuit>& x, std::uint16_t v) { return x->cic() < v; });
  circuits_.insert(at, std::move(c));
  cfg_.cics.emplace_back(cic, cic);
  return raw;
}

Circuit* TrunkGroup::find(std::uint16_t cic) {
  auto it = by_cic_.find(cic);
  return it == by_cic_.end() ? nullptr : it->second;
}
const Circuit* TrunkGroup::find(std::uint16_t cic) const {
  auto it = by_cic_.find(cic);
  return it == by_cic_.end() ? nullptr : it->second;
}

}  // namespace isupgw::isup
