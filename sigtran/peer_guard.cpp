#include "sigtran/peer_guard.h"

#include <arpa/inet.h>

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

namespace {

std::string text(std::span<const std::uint8_t> a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.size() == 4) inet_ntop(AF_INET, a.data(), buf, sizeof buf);
  if (a.size() == 16) inet_ntop(AF_INET6, a.data(), buf, sizeof buf);
  return buf;
}

IpPrefix host(std::span<const std::uint8_t> a) {
  IpPrefix h;
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (a.size() == 16 && std::equal(a.begin(), a.begin() + 12, kMapped)) a = a.subspan(12);
  h.v6 = a.size() == 16;
  h.bits = h.v6 ? 128 : 32;
  std::copy(a.begin(), a.end(), h.addr.begin());
  return h;
}

}  // namespace

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
  const IpPrefix h = host(address);
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
        {{"link", cfg_.link}, {"peer", text(address)}, {"port", port}, {"why", to_string(v)}, {"held_back", held}});
  return v;
}

}  // namespace isupgw::sigtran
