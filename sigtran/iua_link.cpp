#include "sigtran/iua_link.h"

#include <algorithm>

namespace isupgw::sigtran::iua {

namespace {

using T = MessageType;

// Sent by the ASP (RFC 4233 3.3.1, 3.3.3.3, RFC 5133); everything else of QPTM/TEI comes from the SG.
bool asp_sends(T t) {
  switch (t) {
    case T::kDataRequest:
    case T::kUnitDataRequest:
    case T::kEstablishRequest:
    case T::kReleaseRequest:
    case T::kTeiStatusRequest:
    case T::kTeiQueryRequest: return true;
    default: return false;
  }
}

bool is_primitive(T t) {
  return class_of(t) == common::cls::kQptm || t == T::kTeiStatusRequest || t == T::kTeiStatusConfirm ||
         t == T::kTeiStatusIndication || t == T::kTeiQueryRequest;
}

bool carries_data(T t) {
  return t == T::kDataRequest || t == T::kDataIndication || t == T::kUnitDataRequest || t == T::kUnitDataIndication;
}

std::string iid_text(const InterfaceId& iid) {
  if (const auto* n = std::get_if<std::uint32_t>(&iid)) return std::to_string(*n);
  return std::get<std::string>(iid);
}

}  // namespace

std::string_view to_string(Role r) { return r == Role::kAsp ? "asp" : "sg"; }

Link::Link(LinkConfig cfg, Transport& transport, const LinkMeters& meters, TimerService& timers, Logger& log,
           Counters& counters, LinkUser& user)
    : cfg_(std::move(cfg)),
      transport_(transport),
      log_(log),
      user_(user),
      backoff_(cfg_.reconnect_min),
      reconnect_(timers),
      rx_qptm_(counters.get("iua.rx.qptm")),
      tx_qptm_(counters.get("iua.tx.qptm")),
      tx_refused_(counters.get("iua.tx.refused")),
      rx_dropped_(counters.get("iua.rx.dropped")),
      rx_errors_(counters.get("iua.rx.decode_errors")),
      tx_errors_(counters.get("iua.tx.errors")),
      rx_err_msgs_(counters.get("iua.rx.err")),
      reconnects_(counters.get("iua.reconnects")) {
  auto send = [this](const Message& m) { send_message(m); };
  if (cfg_.role == Role::kAsp) {
    AspConfig ac;
    ac.name = cfg_.name;
    ac.asp_identifier = cfg_.asp_identifier;
    ac.interface_ids = cfg_.interface_ids;
    ac.interface_names = cfg_.interface_names;
    ac.traffic_mode = cfg_.traffic_mode;
    ac.t_ack = cfg_.t_ack;
    asp_ = std::make_unique<AspFsm>(ac, meters.asp, timers, counters, send,
                                    [this](AspState from, AspState to) { on_asp_change(from, to); });
    as_.emplace(0, meters.as);
  } else {
    PeerAspConfig pc;
    pc.name = cfg_.name;
    pc.asp_identifier = cfg_.asp_identifier;
    peer_ = std::make_unique<PeerAspFsm>(pc, meters.peer_asp, send, [this](PeerAspState, PeerAspState to) {
      if (to == PeerAspState::kDown) dlc_.clear();
      update_ready();
    });
  }
  beat_ = std::make_unique<BeatFsm>(
      cfg_.name, cfg_.t_beat, meters.beat, timers, log_, counters,
      [this](std::uint32_t seq) {
        Message b;
        b.type = T::kBeat;
        b.heartbeat_data =
            std::vector<std::uint8_t>{static_cast<std::uint8_t>(seq >> 24), static_cast<std::uint8_t>(seq >> 16),
                                      static_cast<std::uint8_t>(seq >> 8), static_cast<std::uint8_t>(seq)};
        send_message(b);
      },
      [this] { transport_.close(); }, Ua::kIua);
  transport_.set_handler(this);
}

Link::~Link() { transport_.set_handler(nullptr); }

void Link::start() {
  stopping_ = false;
  log_.info(Subsystem::kM3ua, "iua_link_start", {{"link", cfg_.name}, {"role", to_string(cfg_.role)}});
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
  log_.info(Subsystem::kM3ua, "iua_link_connected", {{"link", cfg_.name}});
  if (asp_) asp_->handle(AspEvent::kStart);
  beat_->handle(BeatEvent::kStart);
}

void Link::on_disconnected(std::string_view reason) {
  log_.warn(Subsystem::kM3ua, "iua_link_disconnected", {{"link", cfg_.name}, {"reason", reason}});
  if (asp_) asp_->handle(AspEvent::kCommDown);
  if (peer_) peer_->handle(PeerAspEvent::kCommDown);
  beat_->handle(BeatEvent::kStop);
  dlc_.clear();  // RFC 4233 4.3.4: the data links are not ours any more
  update_ready();
  if (cfg_.reconnect && !stopping_) {
    reconnect_.arm(backoff_, [this] {
      reconnects_.inc();
      transport_.start();
    });
    backoff_ = std::min(backoff_ * 2, cfg_.reconnect_max);
  }
}

bool Link::active() const {
  return (asp_ && asp_->state() == AspState::kActive) || (peer_ && peer_->state() == PeerAspState::kActive);
}

void Link::update_ready() {
  const bool r = active();
  if (r == ready_) return;
  ready_ = r;
  log_.notice(Subsystem::kM3ua, r ? "iua_link_ready" : "iua_link_not_ready", {{"link", cfg_.name}});
  user_.on_link_ready(r);
}

void Link::on_asp_change(AspState from, AspState to) {
  if (to == AspState::kDown) as_->handle(AsEvent::kAspDown);
  if (to == AspState::kInactive && from != AspState::kDown) as_->handle(AsEvent::kAspInactive);
  if (to == AspState::kActive) as_->handle(AsEvent::kAspActive);
  if (to == AspState::kDown || to == AspState::kInactive) dlc_.clear();
  update_ready();
}

bool Link::established(const InterfaceId& iid, Dlci dlci) const {
  auto it = dlc_.find(key(iid, dlci));
  return it != dlc_.end() && it->second;
}

void Link::track(MessageType type, const InterfaceId& iid, Dlci dlci) {
  switch (type) {
    case T::kEstablishConfirm:
    case T::kEstablishIndication: dlc_[key(iid, dlci)] = true; break;
    case T::kReleaseConfirm:
    case T::kReleaseIndication: dlc_.erase(key(iid, dlci)); break;
    default: break;
  }
}

std::uint16_t Link::stream_for(const InterfaceId& iid) const {
  // RFC 4233 1.4.7 (as RFC 4666): stream 0 for management, one interface's primitives on one stream keep order.
  const std::uint16_t n = transport_.streams();
  if (n <= 1) return 0;
  const auto* id = std::get_if<std::uint32_t>(&iid);
  return static_cast<std::uint16_t>(1 + (id ? *id : 0) % (n - 1));
}

std::optional<ErrorCode> Link::check_address(const InterfaceId& iid, Dlci dlci, MessageType type) const {
  const bool any = cfg_.interface_ids.empty() && cfg_.interface_names.empty();
  if (!any) {
    if (const auto* id = std::get_if<std::uint32_t>(&iid)) {
      if (cfg_.interface_ids.empty()) return ErrorCode::kUnsupportedInterfaceIdentifierType;
      if (std::find(cfg_.interface_ids.begin(), cfg_.interface_ids.end(), *id) == cfg_.interface_ids.end())
        return ErrorCode::kInvalidInterfaceIdentifier;
    } else {
      const auto& name = std::get<std::string>(iid);
      if (cfg_.interface_names.empty()) return ErrorCode::kUnsupportedInterfaceIdentifierType;
      if (std::find(cfg_.interface_names.begin(), cfg_.interface_names.end(), name) == cfg_.interface_names.end())
        return ErrorCode::kInvalidInterfaceIdentifier;
    }
  }
  if (std::find(cfg_.sapis.begin(), cfg_.sapis.end(), dlci.sapi) == cfg_.sapis.end())
    return ErrorCode::kUnrecognizedSapi;
  // Q.921 3.3.4.2: TEI 127 is the group TEI, for UI frames (Unit Data) only.
  const bool unit = type == T::kUnitDataRequest || type == T::kUnitDataIndication;
  if (dlci.tei == 127 && !unit && class_of(type) == common::cls::kQptm) return ErrorCode::kInvalidTeiSapiCombination;
  return std::nullopt;
}

std::optional<ErrorCode> Link::check_interfaces(const Message& m) const {
  if (cfg_.interface_ids.empty() && cfg_.interface_names.empty()) return std::nullopt;
  for (auto id : m.interface_ids)
    if (check_address(InterfaceId{id}, Dlci{cfg_.sapis.empty() ? std::uint8_t{0} : cfg_.sapis.front(), 0}, m.type))
      return ErrorCode::kInvalidInterfaceIdentifier;
  for (const auto& n : m.interface_names)
    if (check_address(InterfaceId{n}, Dlci{cfg_.sapis.empty() ? std::uint8_t{0} : cfg_.sapis.front(), 0}, m.type))
      return cfg_.interface_names.empty() ? ErrorCode::kUnsupportedInterfaceIdentifierType
                                          : ErrorCode::kInvalidInterfaceIdentifier;
  // A range is served when every identifier in it is (counted, not walked: a range may span 2^32).
  for (const auto& r : m.interface_ranges) {
    std::vector<std::uint32_t> in(cfg_.interface_ids.size());
    auto end = std::copy_if(cfg_.interface_ids.begin(), cfg_.interface_ids.end(), in.begin(),
                            [&](std::uint32_t id) { return id >= r.start && id <= r.end; });
    std::sort(in.begin(), end);
    const auto served = static_cast<std::uint64_t>(std::unique(in.begin(), end) - in.begin());
    if (served != std::uint64_t{r.end} - r.start + 1) return ErrorCode::kInvalidInterfaceIdentifier;
  }
  return std::nullopt;
}

bool Link::send_primitive(MessageType type, const InterfaceId& iid, Dlci dlci, std::span<const std::uint8_t> data,
                          std::optional<std::uint32_t> reason) {
  const bool mine = is_primitive(type) && asp_sends(type) == (cfg_.role == Role::kAsp);
  if (!ready_ || !mine || check_address(iid, dlci, type)) {
    tx_refused_.inc();
    return false;
  }
  Message m;
  m.type = type;
  m.interface_id = iid;
  m.dlci = dlci;
  if (carries_data(type)) m.protocol_data.emplace(data.begin(), data.end());
  if (type == T::kReleaseRequest || type == T::kReleaseIndication)
    m.release_reason = reason.value_or(release_reason::kMgmt);
  auto bytes = encode(m);
  if (!bytes || !transport_.send(stream_for(iid), *bytes)) {
    tx_errors_.inc();
    return false;
  }
  tx_qptm_.inc();
  log_.debug(
      Subsystem::kM3ua, "iua_tx",
      {{"link", cfg_.name}, {"type", to_string(type)}, {"iid", iid_text(iid)}, {"sapi", dlci.sapi}, {"tei", dlci.tei}});
  if (cfg_.role == Role::kSg) track(type, iid, dlci);
  return true;
}

bool Link::send_data(const InterfaceId& iid, Dlci dlci, std::span<const std::uint8_t> q931) {
  return send_primitive(cfg_.role == Role::kAsp ? T::kDataRequest : T::kDataIndication, iid, dlci, q931);
}

bool Link::send_message(const Message& m) {
  auto bytes = encode(m);
  if (!bytes) {
    tx_errors_.inc();
    log_.error(Subsystem::kM3ua, "iua_encode_failed",
               {{"link", cfg_.name}, {"type", to_string(m.type)}, {"error", bytes.error().to_string()}});
    return false;
  }
  log_.debug(Subsystem::kM3ua, "iua_tx", {{"link", cfg_.name}, {"type", to_string(m.type)}});
  if (!transport_.send(0, *bytes)) {
    tx_errors_.inc();
    return false;
  }
  return true;
}

void Link::send_error(ErrorCode code, std::span<const std::uint8_t> offending) {
  // RFC 4233 3.3.3.1: an ERR is never answered with an ERR.
  if (offending.size() >= 4 && offending[2] == common::cls::kMgmt && offending[3] == common::mgmt::kErr) return;
  rx_dropped_.inc();
  log_.warn(Subsystem::kM3ua, "iua_rx_rejected",
            {{"link", cfg_.name}, {"error", to_string(code)}, {"code", static_cast<std::uint32_t>(code)}});
  send_message(make_error(code, offending));
}

void Link::on_message(std::uint16_t, std::span<const std::uint8_t> raw) {
  beat_->handle(BeatEvent::kPeerAlive);
  auto m = decode(raw);
  if (!m) {
    rx_errors_.inc();
    send_error(m.error().error_code(), raw);
    return;
  }
  log_.debug(Subsystem::kM3ua, "iua_rx", {{"link", cfg_.name}, {"type", to_string(m->type)}});
  handle(*m, raw);
}

void Link::handle_qptm(const Message& m, std::span<const std::uint8_t> raw) {
  // The direction of the role (RFC 4233 1.3: Requests go ASP -> SG, Indications/Confirms SG -> ASP).
  if (asp_sends(m.type) == (cfg_.role == Role::kAsp)) {
    send_error(ErrorCode::kUnexpectedMessage, raw);
    return;
  }
  if (auto e = check_address(*m.interface_id, *m.dlci, m.type)) {
    Message err = make_error(*e, raw);
    if (const auto* id = std::get_if<std::uint32_t>(&*m.interface_id))
      err.interface_ids.push_back(*id);  // RFC 4233 3.3.3.1: the invalid identifier is named
    else
      err.interface_names.push_back(std::get<std::string>(*m.interface_id));
    rx_dropped_.inc();
    log_.warn(Subsystem::kM3ua, "iua_rx_rejected",
              {{"link", cfg_.name}, {"error", to_string(*e)}, {"iid", iid_text(*m.interface_id)}});
    send_message(err);
    return;
  }
  if (!active()) {
    send_error(ErrorCode::kUnexpectedMessage, raw);  // RFC 4233 4.3.4.3: QPTM only towards an ACTIVE ASP
    return;
  }
  rx_qptm_.inc();
  if (cfg_.role == Role::kAsp) track(m.type, *m.interface_id, *m.dlci);
  Primitive p;
  p.type = m.type;
  p.interface_id = *m.interface_id;
  p.dlci = *m.dlci;
  if (m.protocol_data) p.data = *m.protocol_data;
  p.reason = m.release_reason;
  p.tei_status = m.tei_status;
  user_.on_primitive(p);
}

void Link::handle(const Message& m, std::span<const std::uint8_t> raw) {
  if (is_primitive(m.type)) {
    handle_qptm(m, raw);
    return;
  }
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
    case T::kAspUp: remote(PeerAspEvent::kAspUp); return;
    case T::kAspDn: remote(PeerAspEvent::kAspDn); return;
    case T::kAspIa:
    case T::kAspAc:
      if (auto e = check_interfaces(m)) return send_error(*e, raw);
      if (m.type == T::kAspAc && m.traffic_mode_type && cfg_.traffic_mode && *m.traffic_mode_type != *cfg_.traffic_mode)
        return send_error(ErrorCode::kUnsupportedTrafficHandlingMode, raw);  // RFC 4233 3.3.3.1 0x05
      remote(m.type == T::kAspAc ? PeerAspEvent::kAspAc : PeerAspEvent::kAspIa);
      return;
    case T::kBeat: {
      Message ack;
      ack.type = T::kBeatAck;
      ack.heartbeat_data = m.heartbeat_data;  // RFC 4233 3.3.2.6: echoed unchanged
      send_message(ack);
      return;
    }
    case T::kBeatAck: return;  // liveness already noted
    case T::kNtfy:
      // RFC 4233 3.3.3.2: unsolicited, accepted in every state.
      log_.info(Subsystem::kM3ua, "iua_rx_ntfy",
                {{"link", cfg_.name}, {"status_type", m.status->type}, {"status_info", m.status->info}});
      if (!as_) return;
      if (m.status->type == common::status::kTypeAsStateChange) {
        if (m.status->info == common::status::kAsActive) as_->handle(AsEvent::kNtfyAsActive);
        if (m.status->info == common::status::kAsInactive) as_->handle(AsEvent::kNtfyAsInactive);
        if (m.status->info == common::status::kAsPending) as_->handle(AsEvent::kNtfyAsPending);
      } else if (m.status->info == common::status::kAlternateAspActive && asp_) {
        asp_->handle(AspEvent::kAlternateAsp);
      }
      return;
    case T::kErr:
      rx_err_msgs_.inc();
      log_.warn(
          Subsystem::kM3ua, "iua_rx_err",
          {{"link", cfg_.name}, {"code", *m.error_code}, {"error", to_string(static_cast<ErrorCode>(*m.error_code))}});
      return;
    default: return;  // primitives handled above
  }
}

}  // namespace isupgw::sigtran::iua
