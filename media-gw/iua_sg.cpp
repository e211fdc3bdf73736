#include "media-gw/iua_sg.h"

namespace isupgw::mediagw {

namespace iua = sigtran::iua;
using iua::MessageType;

namespace {
constexpr iua::Dlci kPriDlci{0, 0, false};  // Q.931 on a PRI: SAPI 0, TEI 0 (Q.921 point-to-point)
}

IuaSg::IuaSg(IuaSgConfig cfg, sigtran::Transport& transport, TimerService& timers, Logger& log, Counters& counters,
             SendFrame send)
    : log_(log),
      send_(std::move(send)),
      lapd_meter_(q931::lapd::Link::make_meter(log, counters)),
      iua_meters_(log, counters),
      to_asp_(counters.get("iua_sg.to_asp")),
      from_asp_(counters.get("iua_sg.from_asp")),
      dropped_(counters.get("iua_sg.dropped")) {
  cfg.link.role = iua::Role::kSg;
  cfg.link.interface_ids = cfg.interfaces;
  for (auto id : cfg.interfaces) {
    Dchan& d = dchans_[id];
    d.id = id;
    q931::lapd::Link::Hooks h;
    h.send = [this, id](q931::lapd::Frame f) {
      auto b = q931::lapd::encode(f);
      if (b) send_(id, *b);
    };
    h.established = [this, &d] { on_established(d); };
    h.released = [this, &d] { on_released(d); };
    h.data = [this, &d](std::vector<std::uint8_t> l3) { on_data(d, std::move(l3)); };
    d.link = std::make_unique<q931::lapd::Link>(q931::Side::kNetwork, lapd_meter_, timers, cfg.lapd, std::move(h));
  }
  iua_ = std::make_unique<iua::Link>(std::move(cfg.link), transport, iua_meters_, timers, log, counters, *this);
}

IuaSg::~IuaSg() = default;

bool IuaSg::receive_frame(std::uint32_t interface_id, std::span<const std::uint8_t> frame) {
  auto it = dchans_.find(interface_id);
  if (it == dchans_.end()) return false;
  auto f = q931::lapd::decode(frame);
  if (!f) {
    dropped_.inc();
    return false;
  }
  it->second.link->receive(*f);
  return true;
}

q931::lapd::LinkState IuaSg::lapd_state(std::uint32_t interface_id) const {
  auto it = dchans_.find(interface_id);
  return it == dchans_.end() ? q931::lapd::LinkState::k4TeiAssigned : it->second.link->state();
}

bool IuaSg::indicate(MessageType type, const Dchan& d, std::span<const std::uint8_t> data,
                     std::optional<std::uint32_t> reason) {
  if (!iua_->ready()) {
    dropped_.inc();  // no ASP to tell: it learns the link state when it becomes active (on_link_ready)
    return false;
  }
  if (!iua_->send_primitive(type, iua::InterfaceId{d.id}, kPriDlci, data, reason)) {
    dropped_.inc();
    return false;
  }
  to_asp_.inc();
  return true;
}

void IuaSg::on_established(Dchan& d) {
  const bool confirm = d.establish_requested;
  d.establish_requested = false;
  log_.info(Subsystem::kM3ua, "iua_sg_dl_established", {{"interface", d.id}, {"confirm", confirm ? 1 : 0}});
  indicate(confirm ? MessageType::kEstablishConfirm : MessageType::kEstablishIndication, d);
}

void IuaSg::on_released(Dchan& d) {
  const bool confirm = d.release_requested;
  d.release_requested = false;
  d.establish_requested = false;
  log_.info(Subsystem::kM3ua, "iua_sg_dl_released", {{"interface", d.id}, {"confirm", confirm ? 1 : 0}});
  if (confirm)
    indicate(MessageType::kReleaseConfirm, d);
  else
    indicate(MessageType::kReleaseIndication, d, {}, iua::release_reason::kOther);
}

void IuaSg::on_data(Dchan& d, std::vector<std::uint8_t> l3) { indicate(MessageType::kDataIndication, d, l3); }

void IuaSg::on_link_ready(bool ready) {
  if (!ready) return;
  // The ASP (re)activated: tell it which D channels are up.
  for (auto& [id, d] : dchans_)
    if (d.link->state() == q931::lapd::LinkState::k7Established ||
        d.link->state() == q931::lapd::LinkState::k8TimerRecovery)
      indicate(MessageType::kEstablishIndication, d);
}

void IuaSg::on_primitive(const iua::Primitive& p) {
  from_asp_.inc();
  const auto* id = std::get_if<std::uint32_t>(&p.interface_id);
  auto it = id ? dchans_.find(*id) : dchans_.end();
  if (it == dchans_.end()) return;  // the link checked the interface; text identifiers are not served here
  Dchan& d = it->second;
  if (p.dlci.tei != 0) {
    // RFC 4233 3.3.3.1: a PRI has TEI 0 only (Q.921 point-to-point).
    iua_->send_message(iua::make_error(iua::ErrorCode::kUnassignedTei));
    return;
  }
  const bool up = d.link->state() == q931::lapd::LinkState::k7Established ||
                  d.link->state() == q931::lapd::LinkState::k8TimerRecovery;
  switch (p.type) {
    case MessageType::kEstablishRequest:
      if (up) {
        indicate(MessageType::kEstablishConfirm, d);  // Q.921 5.5.1: already established
        return;
      }
      d.establish_requested = true;
      d.link->establish();
      return;
    case MessageType::kReleaseRequest:
      if (!up) {
        indicate(MessageType::kReleaseConfirm, d);
        return;
      }
      d.release_requested = true;
      d.link->release();
      return;
    case MessageType::kDataRequest: d.link->send_data(std::vector<std::uint8_t>(p.data.begin(), p.data.end())); return;
    case MessageType::kUnitDataRequest: dropped_.inc(); return;  // UI frames: not on a point-to-point PRI
    default: dropped_.inc(); return;
  }
}

}  // namespace isupgw::mediagw
