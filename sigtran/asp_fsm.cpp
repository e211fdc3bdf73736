#include "sigtran/asp_fsm.h"

namespace isupgw::sigtran::m3ua {
namespace {

using S = AspState;
using E = AspEvent;
using A = AspAction;
using Row = FsmRow<S, E, A>;

// RFC 4666 4.3.1 (ASP states) and 4.3.4 (ASPSM/ASPTM procedures), ASP side.
constexpr std::array kTable = {
    Row{S::kDown, E::kStart, S::kUpSent, A::kSendAspUp},
    Row{S::kUpSent, E::kAckTimeout, S::kUpSent, A::kSendAspUp},
    Row{S::kUpSent, E::kUpAck, S::kInactive, A::kNone},
    Row{S::kUpSent, E::kStop, S::kDownSent, A::kSendAspDn},
    Row{S::kInactive, E::kActivate, S::kActiveSent, A::kSendAspAc},
    Row{S::kInactive, E::kStop, S::kDownSent, A::kSendAspDn},
    Row{S::kInactive, E::kDownAck, S::kDown, A::kNone},
    Row{S::kActiveSent, E::kActiveAck, S::kActive, A::kNone},
    Row{S::kActiveSent, E::kAckTimeout, S::kActiveSent, A::kSendAspAc},
    Row{S::kActiveSent, E::kDeactivate, S::kInactiveSent, A::kSendAspIa},
    Row{S::kActiveSent, E::kStop, S::kDownSent, A::kSendAspDn},
    Row{S::kActiveSent, E::kDownAck, S::kDown, A::kNone},
    Row{S::kActive, E::kDeactivate, S::kInactiveSent, A::kSendAspIa},
    Row{S::kActive, E::kAlternateAsp, S::kInactive, A::kNone},
    Row{S::kActive, E::kInactiveAck, S::kInactive, A::kNone},  // SGP-initiated deactivation
    Row{S::kActive, E::kStop, S::kDownSent, A::kSendAspDn},
    Row{S::kActive, E::kDownAck, S::kDown, A::kNone},
    Row{S::kInactiveSent, E::kInactiveAck, S::kInactive, A::kNone},
    Row{S::kInactiveSent, E::kAckTimeout, S::kInactiveSent, A::kSendAspIa},
    Row{S::kInactiveSent, E::kStop, S::kDownSent, A::kSendAspDn},
    Row{S::kInactiveSent, E::kDownAck, S::kDown, A::kNone},
    Row{S::kDownSent, E::kDownAck, S::kDown, A::kNone},
    Row{S::kDownSent, E::kAckTimeout, S::kDownSent, A::kSendAspDn},
    // Transport loss from any state (RFC 4666 4.3.4: SCTP CDI -> ASP-DOWN).
    Row{S::kUpSent, E::kCommDown, S::kDown, A::kNone},
    Row{S::kInactive, E::kCommDown, S::kDown, A::kNone},
    Row{S::kActiveSent, E::kCommDown, S::kDown, A::kNone},
    Row{S::kActive, E::kCommDown, S::kDown, A::kNone},
    Row{S::kInactiveSent, E::kCommDown, S::kDown, A::kNone},
    Row{S::kDownSent, E::kCommDown, S::kDown, A::kNone},
};

bool awaits_ack(S s) { return s == S::kUpSent || s == S::kActiveSent || s == S::kInactiveSent || s == S::kDownSent; }

}  // namespace

std::string_view to_string(AspState s) {
  switch (s) {
    case S::kDown: return "ASP-DOWN";
    case S::kUpSent: return "ASP-DOWN/ASPUP-SENT";
    case S::kInactive: return "ASP-INACTIVE";
    case S::kActiveSent: return "ASP-INACTIVE/ASPAC-SENT";
    case S::kActive: return "ASP-ACTIVE";
    case S::kInactiveSent: return "ASP-ACTIVE/ASPIA-SENT";
    case S::kDownSent: return "ASP-INACTIVE/ASPDN-SENT";
  }
  return "?";
}

std::string_view to_string(AspEvent e) {
  switch (e) {
    case E::kStart: return "start";
    case E::kCommDown: return "comm_down";
    case E::kUpAck: return "aspup_ack";
    case E::kActivate: return "activate";
    case E::kActiveAck: return "aspac_ack";
    case E::kDeactivate: return "deactivate";
    case E::kInactiveAck: return "aspia_ack";
    case E::kStop: return "stop";
    case E::kDownAck: return "aspdn_ack";
    case E::kAckTimeout: return "t_ack_expiry";
    case E::kAlternateAsp: return "ntfy_alternate_asp_active";
  }
  return "?";
}

bool is_up(AspState s) { return s == S::kInactive || s == S::kActiveSent || s == S::kActive || s == S::kInactiveSent; }

AspFsm::AspFsm(AspConfig cfg, TimerService& timers, Logger& log, Counters& counters, Send send, OnChange on_change)
    : cfg_(std::move(cfg)),
      log_(log),
      ignored_(counters.get("m3ua.asp_fsm.ignored_events")),
      retransmits_(counters.get("m3ua.asp_fsm.retransmits")),
      send_(std::move(send)),
      on_change_(std::move(on_change)),
      t_ack_(timers) {}

bool AspFsm::handle(AspEvent e) {
  const Row* row = find_row(kTable, state_, e);
  if (!row) {
    ignored_.inc();
    log_.debug(Subsystem::kM3ua, "asp_fsm_ignored",
               {{"asp", cfg_.name}, {"state", to_string(state_)}, {"event", to_string(e)}});
    return false;
  }
  const S from = state_;
  state_ = row->to;
  log_.info(Subsystem::kM3ua, "asp_fsm_transition",
            {{"asp", cfg_.name}, {"from", to_string(from)}, {"event", to_string(e)}, {"to", to_string(row->to)}});
  if (e == E::kAckTimeout) retransmits_.inc();
  t_ack_.cancel();
  act(row->action);
  if (awaits_ack(state_) && !t_ack_.armed()) arm_t_ack();
  if (from != state_ && on_change_) on_change_(from, state_);
  // RFC 4666 4.3.4.3: the ASP activates once up, when so configured.
  if (state_ == S::kInactive && from == S::kUpSent && cfg_.auto_activate) handle(E::kActivate);
  return true;
}

void AspFsm::arm_t_ack() {
  t_ack_.arm(cfg_.t_ack, [this] { handle(E::kAckTimeout); });
}

void AspFsm::act(AspAction a) {
  Message m;
  switch (a) {
    case A::kNone: return;
    case A::kSendAspUp:
      m.type = MessageType::kAspUp;
      m.asp_identifier = cfg_.asp_identifier;
      break;
    case A::kSendAspAc:
      m.type = MessageType::kAspAc;
      if (cfg_.traffic_mode) m.traffic_mode_type = static_cast<std::uint32_t>(*cfg_.traffic_mode);
      if (!cfg_.routing_contexts.empty()) m.routing_context = cfg_.routing_contexts;
      break;
    case A::kSendAspIa:
      m.type = MessageType::kAspIa;
      if (!cfg_.routing_contexts.empty()) m.routing_context = cfg_.routing_contexts;
      break;
    case A::kSendAspDn: m.type = MessageType::kAspDn; break;
  }
  arm_t_ack();
  send_(m);
}

}  // namespace isupgw::sigtran::m3ua
