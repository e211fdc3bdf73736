#include "engine/router.h"

#include "config/config.pb.h"

namespace isupgw::engine {

std::string RouteTarget::manipulate(std::string_view digits) const {
  std::string out = prefix;
  if (strip < digits.size()) out.append(digits.substr(strip));
  return out;
}

Router::Router(const google::protobuf::RepeatedPtrField<config::Route>& routes) {
  for (const auto& r : routes) {
    RouteEntry e;
    e.prefix = r.prefix();
    e.from = r.from();
    e.rn_prefix = r.rn_prefix();
    for (const auto& t : r.targets()) {
      RouteTarget rt;
      if (!t.pri_span().empty()) {
        rt.kind = RouteTarget::Kind::kPriSpan;
        rt.name = t.pri_span();
      } else {
        rt.kind = t.sip_trunk().empty() ? RouteTarget::Kind::kTrunkGroup : RouteTarget::Kind::kSipTrunk;
        rt.name = t.sip_trunk().empty() ? t.trunk_group() : t.sip_trunk();
      }
      rt.strip = t.strip();
      rt.prefix = t.prefix();
      rt.enum_lookup = t.enum_lookup();
      if (t.noa() != config::NATURE_OF_ADDRESS_UNSPECIFIED) rt.nai = static_cast<std::uint8_t>(t.noa());
      e.targets.push_back(std::move(rt));
    }
    routes_.push_back(std::move(e));
  }
}

namespace {
// The order of preference: the longer routing-number prefix, then the longer called prefix, then the
// route naming the source.
bool better(const RouteEntry& a, const RouteEntry& b) {
  if (a.rn_prefix.size() != b.rn_prefix.size()) return a.rn_prefix.size() > b.rn_prefix.size();
  if (a.prefix.size() != b.prefix.size()) return a.prefix.size() > b.prefix.size();
  return !a.from.empty() && b.from.empty();
}
}  // namespace

const RouteEntry* Router::lookup(std::string_view source, std::string_view digits, std::string_view rn) const {
  const RouteEntry* best = nullptr;
  for (const auto& r : routes_) {
    if (!r.from.empty() && r.from != source) continue;
    if (!digits.starts_with(r.prefix)) continue;
    if (!r.rn_prefix.empty() && (rn.empty() || !rn.starts_with(r.rn_prefix))) continue;
    if (best == nullptr || better(r, *best)) best = &r;
  }
  return best;
}

}  // namespace isupgw::engine
