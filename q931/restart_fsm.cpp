// Q.931 5.5 restart procedures as an FSM-kit table.
#include "q931/restart_fsm.h"

namespace isupgw::q931 {

using S = RestartState;
using E = RestartEvent;
using R = RestartFsm;

const auto& RestartFsm::table() {
  static constexpr auto kTable = fsm::make_table<kRestartStates, kRestartEvents, Row>({
      {S::kNull, E::kRestartReq, S::kRestartRequest, &R::a_send_restart},    // 5.5.1: T316
      {S::kRestartRequest, E::kRestartAck, S::kNull, &R::a_acknowledged},    // 5.5.1
      {S::kRestartRequest, E::kT316First, fsm::stay, &R::a_resend_restart},  // 5.5.1: RESTART again
      {S::kRestartRequest, E::kT316Second, S::kNull, &R::a_failed},          // maintenance
      {S::kNull, E::kRestart, S::kRestart, &R::a_restart_rx},                // 5.5.2: clear, T317
      {S::kRestart, E::kChannelsIdle, S::kNull, &R::a_send_ack},             // 5.5.2: RESTART ACK
      {S::kRestart, E::kT317, S::kNull, &R::a_t317},                         // 5.5.2: maintenance
      {S::kRestartRequest, E::kRestart, fsm::stay, &R::a_restart_rx},        // both sides restart
      {S::kRestartRequest, E::kChannelsIdle, fsm::stay, &R::a_send_ack},
  });
  return kTable;
}

std::string_view to_string(RestartState s) {
  switch (s) {
    case S::kNull: return "rest0_null";
    case S::kRestartRequest: return "rest1_restart_request";
    case S::kRestart: return "rest2_restart";
  }
  return "?";
}

std::string_view to_string(RestartEvent e) {
  switch (e) {
    case E::kRestartReq: return "restart_req";
    case E::kRestart: return "RESTART";
    case E::kRestartAck: return "RESTART_ACK";
    case E::kChannelsIdle: return "channels_idle";
    case E::kT316First: return "T316_first";
    case E::kT316Second: return "T316_second";
    case E::kT317: return "T317";
  }
  return "?";
}

RestartFsm::Meter RestartFsm::make_meter(Logger& log, Counters& counters) {
  fsm::Options o;
  o.name = "q931_restart";
  o.counters = "q931.restart";
  o.subsystem = Subsystem::kCall;
  o.transition_log = "q931_restart_transition";
  o.refused_log = "q931_restart_refused";
  o.refused_level = LogLevel::kNotice;
  o.label_key = "side";
  return Meter(table(), log, counters, o);
}

RestartFsm::RestartFsm(Side side, const Meter& meter, TimerService& timers, Timeouts t, Hooks hooks)
    : side_(side),
      m_(meter, S::kNull, fsm::Label{side == Side::kNetwork ? "network" : "user"}),
      t_(t),
      hooks_(std::move(hooks)),
      timer_(timers) {}

bool RestartFsm::fire(RestartEvent e) {
  const S before = state();
  const Row* row = m_.step(e);
  if (!row) return false;
  if (state() != before) {
    timer_.cancel();
    retried_ = false;
    if (state() == S::kRestartRequest) timer_.arm(t_.t316, [this] { fire(retried_ ? E::kT316Second : E::kT316First); });
    if (state() == S::kRestart) timer_.arm(t_.t317, [this] { fire(E::kT317); });
  }
  if (row->action) (this->*row->action)();
  return true;
}

bool RestartFsm::restart(RestartScope scope) {
  if (state() != S::kNull) return false;
  ours_ = std::move(scope);
  return fire(E::kRestartReq);
}

bool RestartFsm::receive(const Message& m) {
  if (m.type == msg::kRestart) {
    theirs_ = scope_of(m);
    return fire(E::kRestart);
  }
  if (m.type == msg::kRestartAck) return fire(E::kRestartAck);
  return false;
}

Message RestartFsm::message(std::uint8_t type, const RestartScope& scope, bool flag) {
  Message m;
  m.type = type;
  m.call_ref = CallReference{2, flag, 0};  // the global call reference (4.3)
  if (scope.restart_class == restart_class::kIndicatedChannels) {
    m.channel_id = ChannelId{};
    m.channel_id->channels = scope.channels;
  }
  m.restart_class = scope.restart_class;
  return m;
}

RestartScope RestartFsm::scope_of(const Message& m) {
  RestartScope s;
  s.restart_class = m.restart_class.value_or(restart_class::kAllInterfaces);
  if (s.restart_class == restart_class::kIndicatedChannels && m.channel_id) s.channels = m.channel_id->channels;
  return s;
}

void RestartFsm::a_send_restart() {
  if (hooks_.send) hooks_.send(message(msg::kRestart, ours_, false));
}
void RestartFsm::a_resend_restart() {
  retried_ = true;
  a_send_restart();
  timer_.arm(t_.t316, [this] { fire(E::kT316Second); });
}
void RestartFsm::a_acknowledged() {
  // 5.5.1: on RESTART ACKNOWLEDGE the channels are idle; the sender clears its own calls on them.
  if (hooks_.clear) (void)hooks_.clear(ours_);
  if (hooks_.done) hooks_.done(ours_, true);
}
void RestartFsm::a_failed() {  // T316 expired twice: our RESTART was never acknowledged
  if (hooks_.done) hooks_.done(ours_, false);
}
void RestartFsm::a_t317() {  // the peer's restart could not be completed in time: no RESTART ACKNOWLEDGE
  if (hooks_.done) hooks_.done(theirs_, false);
}
void RestartFsm::a_restart_rx() {
  if (!hooks_.clear || hooks_.clear(theirs_)) fire(E::kChannelsIdle);
}
void RestartFsm::a_send_ack() {
  // 5.5.2: RESTART ACKNOWLEDGE names what was restarted; the flag is set (we did not allocate the reference).
  if (hooks_.send) hooks_.send(message(msg::kRestartAck, theirs_, true));
}

}  // namespace isupgw::q931
