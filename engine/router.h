// Call routing (issue 7 "Routing"): the longest called-number prefix among the
// routes that accept the call's source wins; a route with a routing-number prefix
// (issue 20, number portability) matches only a call whose routing number (Q.763 3.90,
// national significant digits) starts with it, and beats every route without one; a route lists targets (a SIP trunk
// or an ISUP trunk group) tried in order, the next one only when the previous
// is congested (Q.850 cause 34 no circuit, 42 switching equipment congestion).
// Each target rewrites the called number: strip leading digits, put a prefix
// in front, set the nature of address.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_fwd.h"

namespace isupgw::engine {

struct RouteTarget {
  enum class Kind : std::uint8_t { kSipTrunk, kTrunkGroup, kPriSpan };
  Kind kind = Kind::kSipTrunk;
  std::string name;  // SIP trunk, ISUP trunk group or PRI span name
  unsigned strip = 0;
  std::string prefix;
  std::optional<std::uint8_t> nai;  // Q.763 3.9 c nature of address; nullopt = keep
  bool enum_lookup = false;         // the destination from ENUM (RFC 6116) of the called number

  // The called digits this target dials (no ST).
  std::string manipulate(std::string_view digits) const;
};

struct RouteEntry {
  std::string prefix;
  std::string from;  // empty = any source
  std::vector<RouteTarget> targets;
  std::string rn_prefix;  // empty = any call (routing number or not); else the routing number's prefix
};

// Q.850 causes after which the next target of a route is tried.
inline bool congestion_cause(int cause) { return cause == 34 || cause == 42; }

class Router {
 public:
  Router() = default;
  explicit Router(const google::protobuf::RepeatedPtrField<config::Route>& routes);
  void add(RouteEntry r) { routes_.push_back(std::move(r)); }

  // Longest matching prefix among the routes for `source` (a SIP trunk or
  // trunk group name); a route naming the source beats a generic one of the
  // same length. `rn`: the call's routing number (national significant digits, "" = none): the
  // longest matching rn_prefix wins first. nullptr = no route (Q.850 cause 3).
  const RouteEntry* lookup(std::string_view source, std::string_view digits, std::string_view rn = {}) const;
  std::size_t size() const { return routes_.size(); }

 private:
  std::vector<RouteEntry> routes_;
};

}  // namespace isupgw::engine
