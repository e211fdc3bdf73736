#include "sigtran/peer_guard.h"

#include <algorithm>

namespace isupgw::sigtran {

std::string_view to_string(AcceptVerdict v) {
  switch (v) {
    case AcceptVerdict::kAdmit: return "admitted";
    case AcceptVerdict::kUnlistedAddress: return "unlisted_address";
    case AcceptVerdict::kWrongPort: return "wrong_port";
    case AcceptVerdict::kBusy: return "busy";
  }
  return "?";
}

PeerGuard::PeerGuard(PeerGuardConfig cfg, const Clock& clock, Logger& log, Counters& counters)
    : cfg_(std::move(cfg)),
      clock_(clock),
      log_(log),
      admitted_(counters.get("guard.sigtran." + cfg_.link + ".admitted")),
      refused_address_(counters.get("guard.sigtran." + cfg_.link + ".refused_unlisted_address")),
      refused_port_(counters.get("guard.sigtran." + cfg_.link + ".refused_wrong_port")),
      refused_busy_(counters.get("guard.sigtran." + cfg_.link + ".refused_busy")) {}

AcceptVerdict PeerGuard::check(std::span<const std::uint8_t> address, std::uint16_t port) const {
  if (address.size() != 4 && address.size() != 16) return AcceptVerdict::kUnlistedAddress;
  const IpPrefix h = IpPrefix::host(address);
  bool address_ok = false;
  for (const auto& p : cfg_.allowed) {
    if (!p.net.contains(h)) continue;
    address_ok = true;
    if (p.port == 0 || p.port == port) return AcceptVerdict::kAdmit;
  }
  return address_ok ? AcceptVerdict::kWrongPort : AcceptVerdict::kUnlistedAddress;
}

AcceptVerdict PeerGuard::judge(std::span<const std::uint8_t> address, std::uint16_t port, bool busy) {
  AcceptVerdict v = check(address, port);
  if (v == AcceptVerdict::kAdmit && busy) v = AcceptVerdict::kBusy;
  switch (v) {
    case AcceptVerdict::kAdmit: admitted_.inc(); return v;
    case AcceptVerdict::kUnlistedAddress: refused_address_.inc(); break;
    case AcceptVerdict::kWrongPort: refused_port_.inc(); break;
    case AcceptVerdict::kBusy: refused_busy_.inc(); break;
  }
  std::uint64_t held = 0;
  if (throttle_.allow(clock_.now(), held))
    log_.warn(
        cfg_.subsystem, "peer_refused",
        {{"link", cfg_.link}, {"peer", ip_text(address)}, {"port", port}, {"why", to_string(v)}, {"held_back", held}});
  return v;
}

}  // namespace isupgw::sigtran
