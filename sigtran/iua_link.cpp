#include "sigtran/iua_link.h"

#include <algorithm>

#include "sigtran/ua_link_impl.h"

namespace isupgw::sigtran {
template class UaLink<iua::Layer>;
}  // namespace isupgw::sigtran

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

AspConfig Layer::asp_config(const LinkConfig& c) {
  AspConfig ac;
  ac.name = c.name;
  ac.asp_identifier = c.asp_identifier;
  ac.interface_ids = c.interface_ids;
  ac.interface_names = c.interface_names;
  ac.traffic_mode = c.traffic_mode;
  ac.t_ack = c.t_ack;
  return ac;
}

Link::Link(LinkConfig cfg, Transport& transport, const LinkMeters& meters, TimerService& timers, Logger& log,
           Counters& counters, LinkUser& user)
    : UaLink(std::move(cfg), transport, meters, timers, log, counters),
      user_(user),
      rx_qptm_(counters.get("iua.rx.qptm")),
      tx_qptm_(counters.get("iua.tx.qptm")),
      tx_refused_(counters.get("iua.tx.refused")) {}

void Link::on_asp_state(AspState, AspState to) {
  if (to == AspState::kDown || to == AspState::kInactive) dlc_.clear();
}

void Link::on_peer_state(PeerAspState to) {
  if (to == PeerAspState::kDown) dlc_.clear();
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
  if (!ready() || !mine || check_address(iid, dlci, type)) {
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

void Link::on_message(std::uint16_t, std::span<const std::uint8_t> raw) {
  beat_->handle(BeatEvent::kPeerAlive);
  receive(raw);
}

void Link::handle_payload(const Message& m, std::span<const std::uint8_t> raw) {
  if (!is_primitive(m.type)) return;
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
    send_error(err, *e, raw);
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

bool Link::admit_contexts(const Message& m, std::span<const std::uint8_t> raw) {
  auto e = check_interfaces(m);
  if (e) send_error(*e, raw);
  return !e;
}

}  // namespace isupgw::sigtran::iua
