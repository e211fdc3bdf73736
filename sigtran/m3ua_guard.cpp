// The guards of an M3UA association's peer half (issue 23): the peer must
// present the configured ASP Identifier (RFC 4666 3.5.1, 3.8.1 codes 0x0e and
// 0x0f) and routing contexts (0x19) before it was ever ACTIVE, or it is told
// why (ERR) and the connection closed, as osmo-stp does with ASPs it has no
// configuration for; a connection that brings no ASP up within the handshake
// time is closed; received messages are limited per second (DATA, and the
// rest). Each refusal is counted (guard.m3ua.<link>.*) and logged; drops over a
// rate at most one line a second.
#include "sigtran/m3ua_link.h"

namespace isupgw::sigtran::m3ua {

bool Link::admit_rate(bool data) {
  if (cfg_.clock == nullptr) return true;
  const auto now = cfg_.clock->now();
  if (data ? data_bucket_.take(now) : management_bucket_.take(now)) return true;
  (data ? dropped_data_rate_ : dropped_management_rate_).inc();
  std::uint64_t held = 0;
  if (rate_log_.allow(now, held))
    log_.warn(Subsystem::kM3ua, "rx_over_rate",
              {{"link", cfg_.name}, {"kind", data ? "data" : "management"}, {"held_back", held}});
  return false;
}

bool Link::admit_aspup(const Message& m, std::span<const std::uint8_t> raw) {
  if (!cfg_.peer_asp_identifier || m.asp_identifier == cfg_.peer_asp_identifier) return true;
  send_error(m.asp_identifier ? ErrorCode::kInvalidAspIdentifier : ErrorCode::kAspIdentifierRequired, raw);
  refuse("asp_identifier", refused_asp_id_);
  return false;
}

void Link::refuse(std::string_view why, Counter& counter) {
  counter.inc();
  log_.warn(Subsystem::kM3ua, "peer_refused", {{"link", cfg_.name}, {"why", why}});
  transport_.reject();
}

void Link::on_handshake_timeout() {
  if (!peer_ || peer_->state() != PeerAspState::kDown || !transport_.connected()) return;
  refuse("handshake_timeout", handshake_timeouts_);
}

}  // namespace isupgw::sigtran::m3ua
