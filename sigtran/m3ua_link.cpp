#include "sigtran/m3ua_link.h"

#include <algorithm>
#include <array>

#include "sigtran/ua_link_impl.h"

namespace isupgw::sigtran {
template class UaLink<m3ua::Layer>;
}  // namespace isupgw::sigtran

namespace isupgw::sigtran::m3ua {

std::string_view to_string(Role r) {
  switch (r) {
    case Role::kAsp: return "asp";
    case Role::kSg: return "sg";
    case Role::kIpspClient: return "ipsp-client";
    case Role::kIpspServer: return "ipsp-server";
    case Role::kIpspDouble: return "ipsp-double";
  }
  return "?";
}

AspConfig Layer::asp_config(const LinkConfig& c) {
  AspConfig ac;
  ac.name = c.name;
  ac.asp_identifier = c.asp_identifier;
  ac.routing_contexts = c.routing_contexts;
  ac.traffic_mode = c.traffic_mode;
  ac.t_ack = c.t_ack;
  return ac;
}

std::vector<std::uint32_t> Layer::as_contexts(const LinkConfig& c) {
  return c.routing_contexts.empty() ? std::vector<std::uint32_t>{0} : c.routing_contexts;
}

std::optional<std::uint32_t> Layer::traffic_mode(const LinkConfig& c) {
  if (!c.traffic_mode) return std::nullopt;
  return static_cast<std::uint32_t>(*c.traffic_mode);
}

Link::Link(std::size_t id, LinkConfig cfg, Transport& transport, const LinkMeters& meters, TimerService& timers,
           Logger& log, Counters& counters, LinkUser& user)
    : UaLink(std::move(cfg), transport, meters, timers, log, counters),
      id_(id),
      user_(user),
      handshake_(timers),
      data_bucket_(cfg_.data_rate),
      management_bucket_(cfg_.management_rate),
      refused_asp_id_(counters.get("guard.m3ua." + cfg_.name + ".refused_asp_identifier")),
      refused_rc_(counters.get("guard.m3ua." + cfg_.name + ".refused_routing_context")),
      handshake_timeouts_(counters.get("guard.m3ua." + cfg_.name + ".handshake_timeouts")),
      dropped_data_rate_(counters.get("guard.m3ua." + cfg_.name + ".dropped_data_over_rate")),
      dropped_management_rate_(counters.get("guard.m3ua." + cfg_.name + ".dropped_management_over_rate")),
      rx_data_(counters.get("m3ua.rx.data")),
      tx_data_(counters.get("m3ua.tx.data")),
      tx_dropped_(counters.get("m3ua.tx.dropped_not_ready")) {}

void Link::on_up() {
  peer_was_active_ = false;
  if (peer_ && cfg_.handshake_timeout > Clock::duration::zero())
    handshake_.arm(cfg_.handshake_timeout, [this] { on_handshake_timeout(); });
}

void Link::on_down() { handshake_.cancel(); }

void Link::on_peer_state(PeerAspState to) {
  if (to != PeerAspState::kDown) handshake_.cancel();  // the peer's ASP is up
  if (to == PeerAspState::kActive) peer_was_active_ = true;
}

void Link::report_ready(bool ready) { user_.on_link_ready(id_, ready); }

std::uint16_t Link::stream_for(std::uint8_t sls) const {
  // RFC 4666 1.4.7: DATA never on stream 0; the same SLS always on the same stream keeps order.
  const std::uint16_t n = transport_.streams();
  return n > 1 ? static_cast<std::uint16_t>(1 + sls % (n - 1)) : 0;
}

bool Link::send_data(const MtpLabel& label, std::span<const std::uint8_t> data) {
  if (!ready()) {
    tx_dropped_.inc();
    return false;
  }
  DataView d;
  d.network_appearance = cfg_.network_appearance;
  if (!cfg_.routing_contexts.empty()) d.routing_context = cfg_.routing_contexts.front();
  d.opc = label.opc;
  d.dpc = label.dpc;
  d.si = label.si;
  d.ni = label.ni;
  d.mp = label.mp;
  d.sls = label.sls;
  d.user_data = data;
  std::array<std::uint8_t, 2048> buf;
  std::span<std::uint8_t> out(buf);
  if (encoded_size(d) > buf.size()) {
    tx_.resize(encoded_size(d));
    out = tx_;
  }
  auto n = encode_data(d, out);
  if (!n || !transport_.send(stream_for(label.sls), out.first(*n))) {
    tx_errors_.inc();
    return false;
  }
  tx_data_.inc();
  return true;
}

bool Link::check_routing_context(std::uint32_t rc, std::span<const std::uint8_t> raw) {
  if (cfg_.routing_contexts.empty() ||
      std::find(cfg_.routing_contexts.begin(), cfg_.routing_contexts.end(), rc) != cfg_.routing_contexts.end())
    return true;
  Message e = make_error(ErrorCode::kInvalidRoutingContext, raw);  // RFC 4666 3.8.1 0x19, naming it
  e.routing_context = std::vector<std::uint32_t>{rc};
  send_error(e, ErrorCode::kInvalidRoutingContext, raw);
  if (peer_ && !peer_was_active_) refuse("routing_context", refused_rc_);  // issue 23: not our peer
  return false;
}

bool Link::check_routing_contexts(const std::optional<std::vector<std::uint32_t>>& rcs,
                                  std::span<const std::uint8_t> raw) {
  if (!rcs) return true;
  return std::all_of(rcs->begin(), rcs->end(), [&](std::uint32_t rc) { return check_routing_context(rc, raw); });
}

bool Link::admit_contexts(const Message& m, std::span<const std::uint8_t> raw) {
  return check_routing_contexts(m.routing_context, raw);
}

void Link::on_message(std::uint16_t stream, std::span<const std::uint8_t> raw) {
  auto h = peek_header(raw);
  const bool data = h && h->version == kVersion && h->message_class == 1 && h->message_type == 1;
  if (!admit_rate(data)) return;
  beat_->handle(BeatEvent::kPeerAlive);
  if (!data) return receive(raw);
  if (stream == 0 && transport_.streams() > 1)
    return send_error(ErrorCode::kInvalidStreamIdentifier, raw);  // RFC 4666 1.4.7: DATA not on stream 0
  handle_data(raw);
}

void Link::handle_data(std::span<const std::uint8_t> raw) {
  auto d = decode_data(raw);
  if (!d) {
    rx_errors_.inc();
    send_error(d.error().error_code(), raw);
    return;
  }
  if (d->routing_context && !check_routing_context(*d->routing_context, raw)) return;
  if (!active()) return send_error(ErrorCode::kUnexpectedMessage, raw);  // RFC 4666 4.3.4.3: only between ACTIVE ASPs
  rx_data_.inc();
  user_.on_link_data(id_, *d);
}

void Link::handle_payload(const Message& m, std::span<const std::uint8_t> raw) {
  switch (m.type) {
    case MessageType::kDuna:
    case MessageType::kDava:
    case MessageType::kDaud:
    case MessageType::kScon:
    case MessageType::kDupu:
    case MessageType::kDrst:
      if (check_routing_contexts(m.routing_context, raw)) user_.on_link_ssnm(id_, m);
      return;
    case MessageType::kRegReq:
    case MessageType::kDeregReq:
      // Dynamic registration is not offered: routing keys are configured (RFC 4666 4.4.1 allows static).
      return send_error(ErrorCode::kUnsupportedMessageType, raw);
    case MessageType::kRegRsp:
    case MessageType::kDeregRsp: return send_error(ErrorCode::kUnexpectedMessage, raw);
    default: return;  // DATA: handle_data; the shared classes: UaLink
  }
}

}  // namespace isupgw::sigtran::m3ua
