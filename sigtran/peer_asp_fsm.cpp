#include "sigtran/peer_asp_fsm.h"

#include "sigtran/m3ua_codec.h"

namespace isupgw::sigtran::m3ua {
namespace {

using S = PeerAspState;
using E = PeerAspEvent;
using A = PeerAspAction;
using Row = FsmRow<S, E, A>;

// RFC 4666 4.3.4.1-4.3.4.4, SGP / responding IPSP side.
constexpr std::array kTable = {
    Row{S::kDown, E::kAspUp, S::kInactive, A::kUpAck},
    Row{S::kDown, E::kAspDn, S::kDown, A::kDnAck},
    Row{S::kDown, E::kAspAc, S::kDown, A::kUnexpected},
    Row{S::kDown, E::kAspIa, S::kDown, A::kUnexpected},
    Row{S::kInactive, E::kAspUp, S::kInactive, A::kUpAck},  // duplicate ASPUP: ack again
    Row{S::kInactive, E::kAspAc, S::kActive, A::kAcAck},
    Row{S::kInactive, E::kAspIa, S::kInactive, A::kIaAck},
    Row{S::kInactive, E::kAspDn, S::kDown, A::kDnAck},
    Row{S::kInactive, E::kCommDown, S::kDown, A::kNone},
    Row{S::kActive, E::kAspUp, S::kInactive, A::kUpAckAndUnexpected},
    Row{S::kActive, E::kAspAc, S::kActive, A::kAcAck},  // duplicate ASPAC (lost ack)
    Row{S::kActive, E::kAspIa, S::kInactive, A::kIaAck},
    Row{S::kActive, E::kAspDn, S::kDown, A::kDnAck},
    Row{S::kActive, E::kCommDown, S::kDown, A::kNone},
};

}  // namespace

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

PeerAspFsm::PeerAspFsm(PeerAspConfig cfg, Logger& log, Counters& counters, Send send, OnChange on_change)
    : cfg_(std::move(cfg)),
      log_(log),
      ignored_(counters.get("m3ua.peer_asp_fsm.ignored_events")),
      send_(std::move(send)),
      on_change_(std::move(on_change)) {}

bool PeerAspFsm::handle(PeerAspEvent e, const Message* request) {
  const Row* row = find_row(kTable, state_, e);
  if (!row) {
    ignored_.inc();
    log_.debug(Subsystem::kM3ua, "peer_asp_fsm_ignored",
               {{"peer", cfg_.name}, {"state", to_string(state_)}, {"event", to_string(e)}});
    return false;
  }
  const S from = state_;
  state_ = row->to;
  log_.info(Subsystem::kM3ua, "peer_asp_fsm_transition",
            {{"peer", cfg_.name}, {"from", to_string(from)}, {"event", to_string(e)}, {"to", to_string(row->to)}});
  act(row->action, request);
  if (from != state_ && on_change_) on_change_(from, state_);
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

void PeerAspFsm::act(PeerAspAction a, const Message* request) {
  Message m;
  switch (a) {
    case A::kNone: return;
    case A::kUpAck:
    case A::kUpAckAndUnexpected:
      m.type = MessageType::kAspUpAck;
      m.asp_identifier = cfg_.asp_identifier;
      send_(m);
      if (a == A::kUpAckAndUnexpected) send_(make_error(ErrorCode::kUnexpectedMessage));
      notify(status::kAsInactive, nullptr);
      return;
    case A::kDnAck: m.type = MessageType::kAspDnAck; break;
    case A::kAcAck:
      m.type = MessageType::kAspAcAck;
      if (request) {
        m.traffic_mode_type = request->traffic_mode_type;
        m.routing_context = request->routing_context;
      }
      send_(m);
      notify(status::kAsActive, request);
      return;
    case A::kIaAck:
      m.type = MessageType::kAspIaAck;
      if (request) m.routing_context = request->routing_context;
      send_(m);
      notify(status::kAsInactive, request);
      return;
    case A::kUnexpected: m = make_error(ErrorCode::kUnexpectedMessage); break;
  }
  send_(m);
}

}  // namespace isupgw::sigtran::m3ua
