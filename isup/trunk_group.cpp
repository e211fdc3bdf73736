#include "isup/trunk_group.h"

#include <algorithm>
#include <bit>

namespace isupgw::isup {

TrunkGroup::TrunkGroup(GroupId id, TrunkGroupConfig cfg, CircuitEnv& env) : id_(id), cfg_(std::move(cfg)) {
  for (const auto& r : cfg_.cics)
    for (unsigned cic = r.first; cic <= r.last; ++cic) {
      if (find(static_cast<std::uint16_t>(cic))) continue;
      circuits_.push_back(std::make_unique<Circuit>(*this, static_cast<std::uint16_t>(cic), env));
      index(*circuits_.back());
    }
  std::sort(circuits_.begin(), circuits_.end(), [](const auto& a, const auto& b) { return a->cic() < b->cic(); });
}

void TrunkGroup::index(Circuit& c) {
  if (c.cic() >= by_cic_.size()) {
    by_cic_.resize(c.cic() + 1u, nullptr);
    maybe_.resize(c.cic() / 64u + 1u, 0);
  }
  by_cic_[c.cic()] = &c;
  touched(c.cic());
}

Circuit* TrunkGroup::add(std::uint16_t cic, CircuitEnv& env) {
  if (find(cic)) return nullptr;
  auto c = std::make_unique<Circuit>(*this, cic, env);
  Circuit* raw = c.get();
  auto at = std::lower_bound(circuits_.begin(), circuits_.end(), cic,
                             [](const std::unique_ptr<Circuit>& x, std::uint16_t v) { return x->cic() < v; });
  circuits_.insert(at, std::move(c));
  index(*raw);
  cfg_.cics.emplace_back(cic, cic);
  return raw;
}

Circuit* TrunkGroup::find(std::uint16_t cic) { return cic < by_cic_.size() ? by_cic_[cic] : nullptr; }
const Circuit* TrunkGroup::find(std::uint16_t cic) const { return cic < by_cic_.size() ? by_cic_[cic] : nullptr; }

Circuit* TrunkGroup::hunt(const Circuit* exclude) {
  // Bit i of word w is CIC 64w + i: the even CICs are the even bits.
  const std::uint64_t even = 0x5555'5555'5555'5555u;
  const std::uint64_t mine = cfg_.opc > cfg_.dpc ? even : ~even;
  auto take = [&](std::size_t w, int b) -> Circuit* {
    Circuit* c = by_cic_[w * 64 + static_cast<std::size_t>(b)];  // a bit is only ever set for an equipped CIC
    if (c == exclude) return nullptr;
    if (c->available_for_outgoing()) return c;
    maybe_[w] &= ~(std::uint64_t{1} << b);
    return nullptr;
  };
  for (std::size_t w = 0; w < maybe_.size(); ++w)
    for (std::uint64_t bits = maybe_[w] & mine; bits != 0; bits &= bits - 1)
      if (Circuit* c = take(w, std::countr_zero(bits))) return c;
  for (std::size_t w = maybe_.size(); w-- > 0;)
    for (std::uint64_t bits = maybe_[w] & ~mine; bits != 0;) {
      const int b = 63 - std::countl_zero(bits);
      if (Circuit* c = take(w, b)) return c;
      bits &= ~(std::uint64_t{1} << b);
    }
  return nullptr;
}

}  // namespace isupgw::isup
