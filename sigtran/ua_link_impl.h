// The shared association's members (ua_link.h); included by m3ua_link.cpp and
// iua_link.cpp only, each instantiating UaLink for its layer.
#pragma once

#include <algorithm>
#include <string>

#include "sigtran/ua_link.h"

namespace isupgw::sigtran {

template <class L>
UaLink<L>::UaLink(Config cfg, Transport& transport, const Meters& meters, TimerService& timers, Logger& log,
                  Counters& counters)
    : cfg_(std::move(cfg)),
      transport_(transport),
      log_(log),
      rx_dropped_(counters.get(std::string(L::kCounters) + ".rx.dropped")),
      rx_errors_(counters.get(std::string(L::kCounters) + ".rx.decode_errors")),
      tx_errors_(counters.get(std::string(L::kCounters) + ".tx.errors")),
      backoff_(cfg_.reconnect_min),
      reconnect_(timers),
      rx_err_msgs_(counters.get(std::string(L::kCounters) + ".rx.err")),
      reconnects_(counters.get(std::string(L::kCounters) + ".reconnects")) {
  auto send = [this](const Message& m) { send_message(m); };
  if (L::local_half(cfg_)) {
    asp_ = std::make_unique<AspFsm>(L::asp_config(cfg_), meters.asp, timers, counters, send,
                                    [this](AspState from, AspState to) { on_asp_change(from, to); });
    for (auto c : L::as_contexts(cfg_)) as_.emplace(c, AsFsm(c, meters.as));
  }
  if (L::peer_half(cfg_)) {
    PeerAspConfig pc{cfg_.name, L::peer_notifies(cfg_), cfg_.asp_identifier};
    peer_ = std::make_unique<PeerAspFsm>(std::move(pc), meters.peer_asp, send, [this](PeerAspState, PeerAspState to) {
      on_peer_state(to);
      update_ready();
    });
  }
  beat_ = std::make_unique<BeatFsm>(
      cfg_.name, cfg_.t_beat, meters.beat, timers, log_, counters,
      [this](std::uint32_t seq) {
        Message b;
        b.type = L::MessageType::kBeat;
        b.heartbeat_data =
            std::vector<std::uint8_t>{static_cast<std::uint8_t>(seq >> 24), static_cast<std::uint8_t>(seq >> 16),
                                      static_cast<std::uint8_t>(seq >> 8), static_cast<std::uint8_t>(seq)};
        send_message(b);
      },
      [this] { transport_.close(); }, L::AspMessages::kUa);
  transport_.set_handler(this);
}

template <class L>
UaLink<L>::~UaLink() {
  transport_.set_handler(nullptr);
}

template <class L>
std::optional<AsState> UaLink<L>::as_state(std::uint32_t context) const {
  auto it = as_.find(context);
  if (it == as_.end()) return std::nullopt;
  return it->second.state();
}

template <class L>
void UaLink<L>::start() {
  stopping_ = false;
  log_.info(Subsystem::kM3ua, L::kLog.start, {{"link", cfg_.name}, {"role", to_string(cfg_.role)}});
  transport_.start();
}

template <class L>
void UaLink<L>::stop() {
  stopping_ = true;
  reconnect_.cancel();
  if (asp_ && is_up(asp_->state())) asp_->handle(AspEvent::kStop);
  transport_.close();
}

template <class L>
void UaLink<L>::on_connected() {
  backoff_ = cfg_.reconnect_min;
  reconnect_.cancel();
  log_.info(Subsystem::kM3ua, L::kLog.connected, {{"link", cfg_.name}});
  on_up();
  if (asp_) asp_->handle(AspEvent::kStart);
  beat_->handle(BeatEvent::kStart);
}

template <class L>
void UaLink<L>::on_disconnected(std::string_view reason) {
  log_.warn(Subsystem::kM3ua, L::kLog.disconnected, {{"link", cfg_.name}, {"reason", reason}});
  on_down();
  if (asp_) asp_->handle(AspEvent::kCommDown);
  if (peer_) peer_->handle(PeerAspEvent::kCommDown);
  beat_->handle(BeatEvent::kStop);
  update_ready();
  if (cfg_.reconnect && !stopping_) {
    reconnect_.arm(backoff_, [this] {
      reconnects_.inc();
      log_.info(Subsystem::kM3ua, L::kLog.reconnect, {{"link", cfg_.name}});
      transport_.start();
    });
    backoff_ = std::min(backoff_ * 2, cfg_.reconnect_max);
  }
}

template <class L>
bool UaLink<L>::active() const {
  return (asp_ && asp_->state() == AspState::kActive) || (peer_ && peer_->state() == PeerAspState::kActive);
}

template <class L>
void UaLink<L>::update_ready() {
  // Every half the role runs is ACTIVE (an IPSP double exchange needs both, RFC 4666 4.3.4.3).
  const bool r = (asp_ || peer_) && (!asp_ || asp_->state() == AspState::kActive) &&
                 (!peer_ || peer_->state() == PeerAspState::kActive);
  if (r == ready_) return;
  ready_ = r;
  log_.notice(Subsystem::kM3ua, r ? L::kLog.ready : L::kLog.not_ready, {{"link", cfg_.name}});
  report_ready(r);
}

template <class L>
void UaLink<L>::on_asp_change(AspState from, AspState to) {
  if (to == AspState::kDown) as_event(AsEvent::kAspDown);
  if (to == AspState::kInactive && from != AspState::kDown) as_event(AsEvent::kAspInactive);
  if (to == AspState::kActive) as_event(AsEvent::kAspActive);
  on_asp_state(from, to);
  update_ready();
}

template <class L>
void UaLink<L>::as_event(AsEvent e, const std::optional<std::vector<std::uint32_t>>& contexts) {
  for (auto& [c, fsm] : as_) {
    if (contexts && std::find(contexts->begin(), contexts->end(), c) == contexts->end()) continue;
    fsm.handle(e);
  }
}

template <class L>
bool UaLink<L>::send_message(const Message& m) {
  auto bytes = encode(m);
  if (!bytes) {
    tx_errors_.inc();
    log_.error(Subsystem::kM3ua, L::kLog.encode_failed,
               {{"link", cfg_.name}, {"type", to_string(m.type)}, {"error", bytes.error().to_string()}});
    return false;
  }
  log_.debug(Subsystem::kM3ua, L::kLog.tx, {{"link", cfg_.name}, {"type", to_string(m.type)}});
  if (!transport_.send(0, *bytes)) {
    tx_errors_.inc();
    return false;
  }
  return true;
}

template <class L>
void UaLink<L>::send_error(ErrorCode code, std::span<const std::uint8_t> offending) {
  send_error(make_error(code, offending), code, offending);
}

template <class L>
void UaLink<L>::send_error(const Message& err, ErrorCode code, std::span<const std::uint8_t> offending) {
  if (offending.size() >= 4 && offending[2] == common::cls::kMgmt && offending[3] == common::mgmt::kErr) return;
  rx_dropped_.inc();
  log_.warn(Subsystem::kM3ua, L::kLog.rejected,
            {{"link", cfg_.name}, {"error", to_string(code)}, {"code", static_cast<std::uint32_t>(code)}});
  send_message(err);
}

template <class L>
void UaLink<L>::receive(std::span<const std::uint8_t> raw) {
  auto m = L::decode(raw);
  if (!m) {
    rx_errors_.inc();
    send_error(m.error().error_code(), raw);
    return;
  }
  log_.debug(Subsystem::kM3ua, L::kLog.rx, {{"link", cfg_.name}, {"type", to_string(m->type)}});
  handle(*m, raw);
}

template <class L>
void UaLink<L>::handle(const Message& m, std::span<const std::uint8_t> raw) {
  using T = typename L::MessageType;
  auto local = [&](AspEvent e) {
    if (!asp_) return send_error(ErrorCode::kUnexpectedMessage, raw);
    asp_->handle(e);
  };
  auto remote = [&](PeerAspEvent e) {
    if (!peer_) return send_error(ErrorCode::kUnexpectedMessage, raw);
    peer_->handle(e, &m);
  };
  switch (m.type) {
    case T::kAspUpAck: local(AspEvent::kUpAck); return;
    case T::kAspDnAck: local(AspEvent::kDownAck); return;
    case T::kAspAcAck: local(AspEvent::kActiveAck); return;
    case T::kAspIaAck: local(AspEvent::kInactiveAck); return;
    case T::kAspUp:
      if (peer_ && !admit_aspup(m, raw)) return;
      remote(PeerAspEvent::kAspUp);
      return;
    case T::kAspDn: remote(PeerAspEvent::kAspDn); return;
    case T::kAspIa:
    case T::kAspAc:
      if (!admit_contexts(m, raw)) return;
      if (m.type == T::kAspAc && m.traffic_mode_type && L::traffic_mode(cfg_) &&
          *m.traffic_mode_type != *L::traffic_mode(cfg_))
        return send_error(L::kUnsupportedTrafficMode, raw);  // RFC 4666 4.3.4.3, RFC 4233 3.3.3.1
      remote(m.type == T::kAspAc ? PeerAspEvent::kAspAc : PeerAspEvent::kAspIa);
      return;
    case T::kBeat: {
      Message ack;
      ack.type = T::kBeatAck;
      ack.heartbeat_data = m.heartbeat_data;  // RFC 4666 3.5.6, RFC 4233 3.3.2.6: echoed unchanged
      send_message(ack);
      return;
    }
    case T::kBeatAck: return;  // liveness already noted
    case T::kNtfy:
      // RFC 4666 3.8.2, RFC 4233 3.3.3.2: unsolicited, accepted in every state.
      log_.info(Subsystem::kM3ua, L::kLog.ntfy,
                {{"link", cfg_.name}, {"status_type", m.status->type}, {"status_info", m.status->info}});
      if (m.status->type == common::status::kTypeAsStateChange) {
        const auto contexts = L::ntfy_contexts(m);
        if (m.status->info == common::status::kAsActive) as_event(AsEvent::kNtfyAsActive, contexts);
        if (m.status->info == common::status::kAsInactive) as_event(AsEvent::kNtfyAsInactive, contexts);
        if (m.status->info == common::status::kAsPending) as_event(AsEvent::kNtfyAsPending, contexts);
      } else if (m.status->info == common::status::kAlternateAspActive && asp_) {
        asp_->handle(AspEvent::kAlternateAsp);
      }
      return;
    case T::kErr:
      rx_err_msgs_.inc();
      log_.warn(
          Subsystem::kM3ua, L::kLog.err,
          {{"link", cfg_.name}, {"code", *m.error_code}, {"error", to_string(static_cast<ErrorCode>(*m.error_code))}});
      return;
    default: handle_payload(m, raw); return;
  }
}

}  // namespace isupgw::sigtran
