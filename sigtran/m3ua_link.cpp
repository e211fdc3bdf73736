#include "sigtran/m3ua_link.h"

#include <algorithm>
#include <array>

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

Link::Link(std::size_t id, LinkConfig cfg, Transport& transport, const LinkMeters& meters, TimerService& timers,
           Logger& log, Counters& counters, LinkUser& user)
    : id_(id),
      cfg_(std::move(cfg)),
      transport_(transport),
      timers_(timers),
      log_(log),
      user_(user),
      backoff_(cfg_.reconnect_min),
      reconnect_(timers),
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
      tx_dropped_(counters.get("m3ua.tx.dropped_not_ready")),
      rx_dropped_(counters.get("m3ua.rx.dropped")),
      rx_errors_(counters.get("m3ua.rx.decode_errors")),
      tx_errors_(counters.get("m3ua.tx.errors")),
      rx_err_msgs_(counters.get("m3ua.rx.err")),
      reconnects_(counters.get("m3ua.reconnects")) {
  auto send = [this](const Message& m) { send_message(m); };
  if (has_local_half()) {
    AspConfig ac;
    ac.name = cfg_.name;
    ac.asp_identifier = cfg_.asp_identifier;
    ac.routing_contexts = cfg_.routing_contexts;
    ac.traffic_mode = cfg_.traffic_mode;
    ac.t_ack = cfg_.t_ack;
    asp_ = std::make_unique<AspFsm>(ac, meters.asp, timers_, counters, send,
                                    [this](AspState from, AspState to) { on_asp_change(from, to); });
    if (cfg_.routing_contexts.empty()) {
      as_.emplace(0, AsFsm(0, meters.as));
    } else {
      for (auto rc : cfg_.routing_contexts) as_.emplace(rc, AsFsm(rc, meters.as));
    }
  }
  if (has_peer_half()) {
    PeerAspConfig pc;
    pc.name = cfg_.name;
    pc.send_notify = cfg_.role == Role::kSg;
    pc.asp_identifier = cfg_.asp_identifier;
    peer_ = std::make_unique<PeerAspFsm>(pc, meters.peer_asp, send, [this](PeerAspState, PeerAspState to) {
      if (to != PeerAspState::kDown) handshake_.cancel();  // the peer's ASP is up
      if (to == PeerAspState::kActive) peer_was_active_ = true;
      update_ready();
    });
  }
  beat_ = std::make_unique<BeatFsm>(
      cfg_.name, cfg_.t_beat, meters.beat, timers_, log_, counters,
      [this](std::uint32_t seq) {
        Message b;
        b.type = MessageType::kBeat;
        b.heartbeat_data =
            std::vector<std::uint8_t>{static_cast<std::uint8_t>(seq >> 24), static_cast<std::uint8_t>(seq >> 16),
                                      static_cast<std::uint8_t>(seq >> 8), static_cast<std::uint8_t>(seq)};
        send_message(b);
      },
      [this] { transport_.close(); });
  transport_.set_handler(this);
}

Link::~Link() { transport_.set_handler(nullptr); }

bool Link::has_local_half() const {
  return cfg_.role == Role::kAsp || cfg_.role == Role::kIpspClient || cfg_.role == Role::kIpspDouble;
}
bool Link::has_peer_half() const {
  return cfg_.role == Role::kSg || cfg_.role == Role::kIpspServer || cfg_.role == Role::kIpspDouble;
}

std::optional<AsState> Link::as_state(std::uint32_t rc) const {
  auto it = as_.find(rc);
  if (it == as_.end()) return std::nullopt;
  return it->second.state();
}

void Link::start() {
  stopping_ = false;
  log_.info(Subsystem::kM3ua, "link_start", {{"link", cfg_.name}, {"role", to_string(cfg_.role)}});
  transport_.start();
}

void Link::stop() {
  stopping_ = true;
  reconnect_.cancel();
  if (asp_ && is_up(asp_->state())) asp_->handle(AspEvent::kStop);
  transport_.close();
}

void Link::on_connected() {
  backoff_ = cfg_.reconnect_min;
  reconnect_.cancel();
  log_.info(Subsystem::kM3ua, "link_connected", {{"link", cfg_.name}});
  peer_was_active_ = false;
  if (peer_ && cfg_.handshake_timeout > Clock::duration::zero())
    handshake_.arm(cfg_.handshake_timeout, [this] { on_handshake_timeout(); });
  if (asp_) asp_->handle(AspEvent::kStart);
  beat_->handle(BeatEvent::kStart);
}

void Link::on_disconnected(std::string_view reason) {
  log_.warn(Subsystem::kM3ua, "link_disconnected", {{"link", cfg_.name}, {"reason", reason}});
  handshake_.cancel();
  if (asp_) asp_->handle(AspEvent::kCommDown);
  if (peer_) peer_->handle(PeerAspEvent::kCommDown);
  beat_->handle(BeatEvent::kStop);
  update_ready();
  if (cfg_.reconnect && !stopping_) {
    reconnect_.arm(backoff_, [this] {
      reconnects_.inc();
      log_.info(Subsystem::kM3ua, "link_reconnect", {{"link", cfg_.name}});
      transport_.start();
    });
    backoff_ = std::min(backoff_ * 2, cfg_.reconnect_max);
  }
}

void Link::update_ready() {
  bool r = false;
  switch (cfg_.role) {
    case Role::kAsp:
    case Role::kIpspClient: r = asp_->state() == AspState::kActive; break;
    case Role::kSg:
    case Role::kIpspServer: r = peer_->state() == PeerAspState::kActive; break;
    case Role::kIpspDouble: r = asp_->state() == AspState::kActive && peer_->state() == PeerAspState::kActive; break;
  }
  if (r == ready_) return;
  ready_ = r;
  log_.notice(Subsystem::kM3ua, r ? "link_ready" : "link_not_ready", {{"link", cfg_.name}});
  user_.on_link_ready(id_, r);
}

void Link::on_asp_change(AspState from, AspState to) {
  if (to == AspState::kDown) as_event(AsEvent::kAspDown);
  if (to == AspState::kInactive && from != AspState::kDown) as_event(AsEvent::kAspInactive);
  if (to == AspState::kActive) as_event(AsEvent::kAspActive);
  update_ready();
}

void Link::as_event(AsEvent e, std::optional<std::vector<std::uint32_t>> rcs) {
  for (auto& [rc, fsm] : as_) {
    if (rcs && std::find(rcs->begin(), rcs->end(), rc) == rcs->end()) continue;
    fsm.handle(e);
  }
}

std::uint16_t Link::stream_for(std::uint8_t sls) const {
  // RFC 4666 1.4.7: DATA never on stream 0; the same SLS always on the same stream keeps order.
  const std::uint16_t n = transport_.streams();
  return n > 1 ? static_cast<std::uint16_t>(1 + sls % (n - 1)) : 0;
}

bool Link::send_data(const MtpLabel& label, std::span<const std::uint8_t> data) {
  if (!ready_) {
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

bool Link::send_message(const Message& m) {
  tx_.clear();
  auto n = encode(m, tx_);
  if (!n) {
    tx_errors_.inc();
    log_.error(Subsystem::kM3ua, "encode_failed",
               {{"link", cfg_.name}, {"type", to_string(m.type)}, {"error", n.error().to_string()}});
    return false;
  }
  log_.debug(Subsystem::kM3ua, "tx", {{"link", cfg_.name}, {"type", to_string(m.type)}});
  if (!transport_.send(0, tx_)) {
    tx_errors_.inc();
    return false;
  }
  return true;
}

void Link::send_error(ErrorCode code, std::span<const std::uint8_t> offending, std::optional<std::uint32_t> rc) {
  // RFC 4666 3.8.1: never answer an ERR with an ERR.
  if (offending.size() >= 4 && offending[2] == 0 && offending[3] == 0) return;
  log_.warn(Subsystem::kM3ua, "rx_rejected",
            {{"link", cfg_.name}, {"error", to_string(code)}, {"code", static_cast<std::uint32_t>(code)}});
  Message e = make_error(code, offending);
  if (rc) e.routing_context = std::vector<std::uint32_t>{*rc};
  send_message(e);
}

bool Link::check_routing_contexts(const std::optional<std::vector<std::uint32_t>>& rcs,
                                  std::span<const std::uint8_t> raw) {
  if (!rcs || cfg_.routing_contexts.empty()) return true;
  for (auto rc : *rcs) {
    if (std::find(cfg_.routing_contexts.begin(), cfg_.routing_contexts.end(), rc) == cfg_.routing_contexts.end()) {
      rx_dropped_.inc();
      send_error(ErrorCode::kInvalidRoutingContext, raw, rc);                  // RFC 4666 3.8.1 0x19
      if (peer_ && !peer_was_active_) refuse("routing_context", refused_rc_);  // issue 23: not our peer
      return false;
    }
  }
  return true;
}

void Link::on_message(std::uint16_t stream, std::span<const std::uint8_t> raw) {
  auto h = peek_header(raw);
  const bool data = h && h->version == kVersion && h->message_class == 1 && h->message_type == 1;
  if (!admit_rate(data)) return;
  beat_->handle(BeatEvent::kPeerAlive);
  if (data) {
    if (stream == 0 && transport_.streams() > 1) {
      rx_dropped_.inc();
      send_error(ErrorCode::kInvalidStreamIdentifier, raw);  // RFC 4666 1.4.7: DATA not on stream 0
      return;
    }
    handle_data(raw);
    return;
  }
  auto m = decode(raw);
  if (!m) {
    rx_errors_.inc();
    send_error(m.error().error_code(), raw);
    return;
  }
  log_.debug(Subsystem::kM3ua, "rx", {{"link", cfg_.name}, {"type", to_string(m->type)}});
  handle(*m, raw);
}

void Link::handle_data(std::span<const std::uint8_t> raw) {
  auto d = decode_data(raw);
  if (!d) {
    rx_errors_.inc();
    send_error(d.error().error_code(), raw);
    return;
  }
  if (d->routing_context && !cfg_.routing_contexts.empty() &&
      std::find(cfg_.routing_contexts.begin(), cfg_.routing_contexts.end(), *d->routing_context) ==
          cfg_.routing_contexts.end()) {
    rx_dropped_.inc();
    send_error(ErrorCode::kInvalidRoutingContext, raw, d->routing_context);
    if (peer_ && !peer_was_active_) refuse("routing_context", refused_rc_);  // issue 23: not our peer
    return;
  }
  const bool active =
      (asp_ && asp_->state() == AspState::kActive) || (peer_ && peer_->state() == PeerAspState::kActive);
  if (!active) {
    rx_dropped_.inc();
    send_error(ErrorCode::kUnexpectedMessage, raw);  // RFC 4666 4.3.4.3: DATA only between ACTIVE ASPs
    return;
  }
  rx_data_.inc();
  user_.on_link_data(id_, *d);
}

void Link::handle(const Message& m, std::span<const std::uint8_t> raw) {
  auto local = [&](AspEvent e) {
    if (!asp_) {
      send_error(ErrorCode::kUnexpectedMessage, raw);
      return;
    }
    asp_->handle(e);
  };
  auto remote = [&](PeerAspEvent e) {
    if (!peer_) {
      send_error(ErrorCode::kUnexpectedMessage, raw);
      return;
    }
    peer_->handle(e, &m);
  };
  switch (m.type) {
    case MessageType::kAspUpAck: local(AspEvent::kUpAck); return;
    case MessageType::kAspDnAck: local(AspEvent::kDownAck); return;
    case MessageType::kAspAcAck: local(AspEvent::kActiveAck); return;
    case MessageType::kAspIaAck: local(AspEvent::kInactiveAck); return;
    case MessageType::kAspUp:
      if (peer_ && !admit_aspup(m, raw)) return;
      remote(PeerAspEvent::kAspUp);
      return;
    case MessageType::kAspDn: remote(PeerAspEvent::kAspDn); return;
    case MessageType::kAspIa:
      if (check_routing_contexts(m.routing_context, raw)) remote(PeerAspEvent::kAspIa);
      return;
    case MessageType::kAspAc:
      if (!check_routing_contexts(m.routing_context, raw)) return;
      if (m.traffic_mode_type && cfg_.traffic_mode &&
          *m.traffic_mode_type != static_cast<std::uint32_t>(*cfg_.traffic_mode)) {
        send_error(ErrorCode::kUnsupportedTrafficModeType, raw);  // RFC 4666 4.3.4.3
        return;
      }
      remote(PeerAspEvent::kAspAc);
      return;
    case MessageType::kBeat: {
      Message ack;
      ack.type = MessageType::kBeatAck;
      ack.heartbeat_data = m.heartbeat_data;  // RFC 4666 3.5.6: echoed unchanged
      send_message(ack);
      return;
    }
    case MessageType::kBeatAck: return;  // liveness already noted
    case MessageType::kNtfy: {
      // RFC 4666 3.8.2: unsolicited, accepted in every state.
      log_.info(Subsystem::kM3ua, "rx_ntfy",
                {{"link", cfg_.name}, {"status_type", m.status->type}, {"status_info", m.status->info}});
      if (m.status->type == status::kTypeAsStateChange) {
        if (m.status->info == status::kAsActive) as_event(AsEvent::kNtfyAsActive, m.routing_context);
        if (m.status->info == status::kAsInactive) as_event(AsEvent::kNtfyAsInactive, m.routing_context);
        if (m.status->info == status::kAsPending) as_event(AsEvent::kNtfyAsPending, m.routing_context);
      } else if (m.status->info == status::kAlternateAspActive && asp_) {
        asp_->handle(AspEvent::kAlternateAsp);
      }
      return;
    }
    case MessageType::kErr:
      rx_err_msgs_.inc();
      log_.warn(
          Subsystem::kM3ua, "rx_err",
          {{"link", cfg_.name}, {"code", *m.error_code}, {"error", to_string(static_cast<ErrorCode>(*m.error_code))}});
      return;
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
      send_error(ErrorCode::kUnsupportedMessageType, raw);
      return;
    case MessageType::kRegRsp:
    case MessageType::kDeregRsp: send_error(ErrorCode::kUnexpectedMessage, raw); return;
    case MessageType::kData: return;  // handled by handle_data
  }
}

}  // namespace isupgw::sigtran::m3ua
