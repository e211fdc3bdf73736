#include "sip/source_guard.h"

#include <algorithm>

namespace isupgw::sip {

SourceGuard::SourceGuard(SourceGuardConfig cfg, const Clock& clock, Logger& log, Counters& counters)
    : cfg_(std::move(cfg)),
      clock_(clock),
      log_(log),
      per_source_({.per_source = cfg_.unlisted_per_source, .capacity = cfg_.tracked_sources}),
      total_(cfg_.unlisted_total),
      dropped_source_(counters.get("guard.sip.dropped_over_source_rate")),
      dropped_total_(counters.get("guard.sip.dropped_over_unlisted_rate")),
      refused_conn_source_(counters.get("guard.sip.refused_connections_per_source")),
      refused_conn_total_(counters.get("guard.sip.refused_connections_unlisted")),
      idle_closed_(counters.get("guard.sip.idle_connections_closed")) {}

bool SourceGuard::listed(std::span<const std::uint8_t> address) const {
  const IpPrefix h = IpPrefix::host(address);
  return std::any_of(cfg_.listed.begin(), cfg_.listed.end(), [&](const IpPrefix& p) { return p.contains(h); });
}

bool SourceGuard::admit_message(std::span<const std::uint8_t> address) {
  if (listed(address)) return true;
  const auto now = clock_.now();
  if (!per_source_.admit(SourceKey::from(address), now)) {
    refused("over_source_rate", address, dropped_source_);
    return false;
  }
  if (!total_.take(now)) {
    refused("over_unlisted_rate", address, dropped_total_);
    return false;
  }
  return true;
}

bool SourceGuard::admit_connection(std::span<const std::uint8_t> address) {
  if (connections_total_ >= cfg_.unlisted_connections_total) {
    refused("unlisted_connections", address, refused_conn_total_);
    return false;
  }
  auto& n = connections_[SourceKey::from(address)];
  if (n >= cfg_.unlisted_connections_per_source) {
    refused("connections_per_source", address, refused_conn_source_);
    return false;
  }
  ++n;
  ++connections_total_;
  return true;
}

void SourceGuard::release_connection(std::span<const std::uint8_t> address) {
  auto it = connections_.find(SourceKey::from(address));
  if (it == connections_.end() || it->second == 0) return;
  --connections_total_;
  if (--it->second == 0) connections_.erase(it);
}

void SourceGuard::idle_closed(std::span<const std::uint8_t> address) {
  refused("idle_connection", address, idle_closed_);
}

void SourceGuard::refused(std::string_view why, std::span<const std::uint8_t> address, Counter& counter) {
  counter.inc();
  std::uint64_t held = 0;
  if (throttle_.allow(clock_.now(), held))
    log_.warn(Subsystem::kSip, "source_refused", {{"why", why}, {"source", ip_text(address)}, {"held_back", held}});
}

}  // namespace isupgw::sip
