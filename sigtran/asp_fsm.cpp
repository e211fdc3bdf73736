#include "sigtran/asp_fsm.h"

namespace isupgw::sigtran::m3ua {

using S = AspState;
using E = AspEvent;
using F = AspFsm;
using fsm::in;

namespace {
bool awaits_ack(S s) { return s == S::kUpSent || s == S::kActiveSent || s == S::kInactiveSent || s == S::kDownSent; }
}  // namespace

// RFC 4666 4.3.1 (ASP states) and 4.3.4 (ASPSM/ASPTM procedures), ASP side.
const auto& AspFsm::table() {
  static constexpr auto kTable = fsm::make_table<kAspStates, kAspEvents, Row>({
      {S::kDown, E::kStart, S::kUpSent, &F::a_send_aspup},
      {S::kUpSent, E::kAckTimeout, fsm::stay, &F::a_send_aspup},
      {S::kUpSent, E::kUpAck, S::kInactive},
      {in(S::kUpSent, S::kInactive, S::kActiveSent, S::kActive, S::kInactiveSent), E::kStop, S::kDownSent,
       &F::a_send_aspdn},
      {S::kInactive, E::kActivate, S::kActiveSent, &F::a_send_aspac},
      {in(S::kInactive, S::kActiveSent, S::kActive, S::kInactiveSent, S::kDownSent), E::kDownAck, S::kDown},
      {S::kActiveSent, E::kActiveAck, S::kActive},
      {S::kActiveSent, E::kAckTimeout, fsm::stay, &F::a_send_aspac},
      {in(S::kActiveSent, S::kActive), E::kDeactivate, S::kInactiveSent, &F::a_send_aspia},
      {S::kActive, E::kAlternateAsp, S::kInactive},
      {in(S::kActive, S::kInactiveSent), E::kInactiveAck, S::kInactive},  // from ACTIVE: SGP-initiated deactivation
      {S::kInactiveSent, E::kAckTimeout, fsm::stay, &F::a_send_aspia},
      {S::kDownSent, E::kAckTimeout, fsm::stay, &F::a_send_aspdn},
      // Transport loss from any state (RFC 4666 4.3.4: SCTP CDI -> ASP-DOWN).
      {in(S::kUpSent, S::kInactive, S::kActiveSent, S::kActive, S::kInactiveSent, S::kDownSent), E::kCommDown,
       S::kDown},
  });
  return kTable;
}

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

AspFsm::Meter AspFsm::make_meter(Logger& log, Counters& counters) {
  return Meter(table(), log, counters,
               {.name = {},
                .counters = "m3ua.asp_fsm",
                .subsystem = Subsystem::kM3ua,
                .transition_level = LogLevel::kInfo,
                .refused_level = LogLevel::kDebug,
                .transition_log = "asp_fsm_transition",
                .refused_log = "asp_fsm_ignored",
                .refused_counter = "m3ua.asp_fsm.ignored_events",
                .label_key = "asp",
                .id_key = {}});
}

AspFsm::AspFsm(AspConfig cfg, const Meter& meter, TimerService& timers, Counters& counters, Send send,
               OnChange on_change)
    : cfg_(std::move(cfg)),
      m_(meter, S::kDown, fsm::Label{cfg_.name}),
      retransmits_(counters.get("m3ua.asp_fsm.retransmits")),
      send_(std::move(send)),
      on_change_(std::move(on_change)),
      t_ack_(timers) {}

bool AspFsm::handle(AspEvent e) {
  const S from = m_.state();
  const Row* row = m_.step(e);
  if (!row) return false;
  if (e == E::kAckTimeout) retransmits_.inc();
  t_ack_.cancel();
  if (row->action) (this->*row->action)();
  if (awaits_ack(state()) && !t_ack_.armed()) arm_t_ack();
  if (from != state() && on_change_) on_change_(from, state());
  // RFC 4666 4.3.4.3: the ASP activates once up, when so configured.
  if (state() == S::kInactive && from == S::kUpSent && cfg_.auto_activate) handle(E::kActivate);
  return true;
}

void AspFsm::arm_t_ack() {
  t_ack_.arm(cfg_.t_ack, [this] { handle(E::kAckTimeout); });
}

void AspFsm::send(Message m) {
  arm_t_ack();
  send_(m);
}

void AspFsm::a_send_aspup() {
  Message m;
  m.type = MessageType::kAspUp;
  m.asp_identifier = cfg_.asp_identifier;
  send(std::move(m));
}

void AspFsm::a_send_aspac() {
  Message m;
  m.type = MessageType::kAspAc;
  if (cfg_.traffic_mode) m.traffic_mode_type = static_cast<std::uint32_t>(*cfg_.traffic_mode);
  if (!cfg_.routing_contexts.empty()) m.routing_context = cfg_.routing_contexts;
  send(std::move(m));
}

void AspFsm::a_send_aspia() {
  Message m;
  m.type = MessageType::kAspIa;
  if (!cfg_.routing_contexts.empty()) m.routing_context = cfg_.routing_contexts;
  send(std::move(m));
}

void AspFsm::a_send_aspdn() {
  Message m;
  m.type = MessageType::kAspDn;
  send(std::move(m));
}

}  // namespace isupgw::sigtran::m3ua
