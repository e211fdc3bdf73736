#include "sigtran/peer_asp_fsm.h"

#include "sigtran/m3ua_codec.h"

namespace isupgw::sigtran::m3ua {

using S = PeerAspState;
using E = PeerAspEvent;
using F = PeerAspFsm;
using fsm::in;

// RFC 4666 4.3.4.1-4.3.4.4, SGP / responding IPSP side.
const auto& PeerAspFsm::table() {
  static constexpr auto kTable = fsm::make_table<kPeerAspStates, kPeerAspEvents, Row>({
      {in(S::kDown, S::kInactive), E::kAspUp, S::kInactive, &F::a_up_ack},  // INACTIVE: a duplicate, ack again
      {S::kActive, E::kAspUp, S::kInactive, &F::a_up_ack_and_unexpected},
      {in(S::kDown, S::kInactive, S::kActive), E::kAspDn, S::kDown, &F::a_dn_ack},
      {in(S::kDown), E::kAspAc, fsm::stay, &F::a_unexpected},
      {in(S::kDown), E::kAspIa, fsm::stay, &F::a_unexpected},
      {in(S::kInactive, S::kActive), E::kAspAc, S::kActive, &F::a_ac_ack},  // ACTIVE: a duplicate (lost ack)
      {in(S::kInactive, S::kActive), E::kAspIa, S::kInactive, &F::a_ia_ack},
      {in(S::kInactive, S::kActive), E::kCommDown, S::kDown},
  });
  return kTable;
}

std::string_view to_string(PeerAspState s) {
  switch (s) {
    case S::kDown: return "ASP-DOWN";
    case S::kInactive: return "ASP-INACTIVE";
    case S::kActive: return "ASP-ACTIVE";
  }
  return "?";
}

std::string_view to_string(PeerAspEvent e) {
  switch (e) {
    case E::kAspUp: return "aspup";
    case E::kAspDn: return "aspdn";
    case E::kAspAc: return "aspac";
    case E::kAspIa: return "aspia";
    case E::kCommDown: return "comm_down";
  }
  return "?";
}

PeerAspFsm::Meter PeerAspFsm::make_meter(Logger& log, Counters& counters) {
  return Meter(table(), log, counters,
               {.name = {},
                .counters = "m3ua.peer_asp_fsm",
                .subsystem = Subsystem::kM3ua,
                .transition_level = LogLevel::kInfo,
                .refused_level = LogLevel::kDebug,
                .transition_log = "peer_asp_fsm_transition",
                .refused_log = "peer_asp_fsm_ignored",
                .refused_counter = "m3ua.peer_asp_fsm.ignored_events",
                .label_key = "peer",
                .id_key = {}});
}

PeerAspFsm::PeerAspFsm(PeerAspConfig cfg, const Meter& meter, Send send, OnChange on_change)
    : cfg_(std::move(cfg)),
      m_(meter, S::kDown, fsm::Label{cfg_.name}),
      send_(std::move(send)),
      on_change_(std::move(on_change)) {}

bool PeerAspFsm::handle(PeerAspEvent e, const Message* request) {
  const S from = m_.state();
  const Row* row = m_.step(e);
  if (!row) return false;
  if (row->action) (this->*row->action)(request);
  if (from != state() && on_change_) on_change_(from, state());
  return true;
}

void PeerAspFsm::notify(std::uint16_t as_state, const Message* request) {
  if (!cfg_.send_notify) return;
  Message n;
  n.type = MessageType::kNtfy;
  n.status = Status{status::kTypeAsStateChange, as_state};
  if (request && request->routing_context) n.routing_context = request->routing_context;
  send_(n);
}

void PeerAspFsm::a_up_ack(const Message*) {
  Message m;
  m.type = MessageType::kAspUpAck;
  m.asp_identifier = cfg_.asp_identifier;
  send_(m);
  notify(status::kAsInactive, nullptr);
}

void PeerAspFsm::a_up_ack_and_unexpected(const Message*) {
  Message m;
  m.type = MessageType::kAspUpAck;
  m.asp_identifier = cfg_.asp_identifier;
  send_(m);
  send_(make_error(ErrorCode::kUnexpectedMessage));
  notify(status::kAsInactive, nullptr);
}

void PeerAspFsm::a_dn_ack(const Message*) {
  Message m;
  m.type = MessageType::kAspDnAck;
  send_(m);
}

void PeerAspFsm::a_ac_ack(const Message* request) {
  Message m;
  m.type = MessageType::kAspAcAck;
  if (request) {
    m.traffic_mode_type = request->traffic_mode_type;
    m.routing_context = request->routing_context;
  }
  send_(m);
  notify(status::kAsActive, request);
}

void PeerAspFsm::a_ia_ack(const Message* request) {
  Message m;
  m.type = MessageType::kAspIaAck;
  if (request) m.routing_context = request->routing_context;
  send_(m);
  notify(status::kAsInactive, request);
}

void PeerAspFsm::a_unexpected(const Message*) { send_(make_error(ErrorCode::kUnexpectedMessage)); }

}  // namespace isupgw::sigtran::m3ua
