#include "sigtran/m2pa_link_fsm.h"

#include <array>

namespace isupgw::sigtran::m2pa {
namespace {

using S = LinkFsmState;
using E = LinkFsmEvent;
using A = LinkFsmAction;
using Row = FsmRow<S, E, A>;

// RFC 4165 4.1 (alignment), 4.2 (in service), 4.3 (link status handling); Q.703 7 and 12.
constexpr std::array kTable = {
    Row{S::kOutOfService, E::kStart, S::kNotAligned, A::kSendAlignment},
    // 4.1.2: Alignment sent, T2 "not aligned" runs until the peer's Alignment or Proving.
    Row{S::kNotAligned, E::kRxAlignment, S::kAligned, A::kSendProving},
    Row{S::kNotAligned, E::kRxProving, S::kProving, A::kStartProving},
    Row{S::kNotAligned, E::kT2, S::kOutOfService, A::kFail},
    Row{S::kNotAligned, E::kRepeat, S::kNotAligned, A::kRepeatStatus},
    // 4.1.3: Proving sent, T3 "aligned" runs until the peer proves too.
    Row{S::kAligned, E::kRxProving, S::kProving, A::kStartProving},
    Row{S::kAligned, E::kRxAlignment, S::kAligned, A::kNone},
    Row{S::kAligned, E::kT3, S::kOutOfService, A::kFail},
    Row{S::kAligned, E::kRepeat, S::kAligned, A::kRepeatStatus},
    // Proving period T4 (normal or emergency); the peer may end its own first.
    Row{S::kProving, E::kT4, S::kAlignedReady, A::kSendReady},
    Row{S::kProving, E::kRxProving, S::kProving, A::kNone},
    Row{S::kProving, E::kRepeat, S::kProving, A::kRepeatStatus},
    Row{S::kProving, E::kRxReady, S::kProving, A::kNoteReady},
    Row{S::kProving, E::kRxAlignment, S::kOutOfService, A::kFail},  // Q.703 7.2: peer restarted alignment
    // 4.1.4: Ready sent, T1 until the peer's Ready or first User Data.
    Row{S::kAlignedReady, E::kRxReady, S::kInService, A::kInService},
    Row{S::kAlignedReady, E::kRxUserData, S::kInService, A::kInService},
    Row{S::kAlignedReady, E::kRxProving, S::kAlignedReady, A::kNone},
    Row{S::kAlignedReady, E::kT1, S::kOutOfService, A::kFail},
    Row{S::kAlignedReady, E::kRxAlignment, S::kOutOfService, A::kFail},
    // 4.2 / 4.3: in service.
    Row{S::kInService, E::kRxReady, S::kInService, A::kNone},
    Row{S::kInService, E::kRxUserData, S::kInService, A::kNone},
    Row{S::kInService, E::kRxProcessorOutage, S::kInService, A::kRemoteOutage},
    Row{S::kInService, E::kRxProcessorRecovered, S::kInService, A::kRemoteRecovered},
    Row{S::kInService, E::kRxBusy, S::kInService, A::kRemoteBusy},
    Row{S::kInService, E::kRxBusyEnded, S::kInService, A::kRemoteBusyEnded},
    Row{S::kInService, E::kRxAlignment, S::kOutOfService, A::kFail},
    Row{S::kInService, E::kRxOutOfService, S::kOutOfService, A::kFail},
    Row{S::kInService, E::kT6, S::kOutOfService, A::kFail},
    Row{S::kInService, E::kT7, S::kOutOfService, A::kFail},
    // Out of Service from the peer during alignment: alignment fails (4.1.1).
    Row{S::kAligned, E::kRxOutOfService, S::kOutOfService, A::kFail},
    Row{S::kProving, E::kRxOutOfService, S::kOutOfService, A::kFail},
    Row{S::kAlignedReady, E::kRxOutOfService, S::kOutOfService, A::kFail},
    // Stop and transport loss from every active state.
    Row{S::kNotAligned, E::kStop, S::kOutOfService, A::kStopLink},
    Row{S::kAligned, E::kStop, S::kOutOfService, A::kStopLink},
    Row{S::kProving, E::kStop, S::kOutOfService, A::kStopLink},
    Row{S::kAlignedReady, E::kStop, S::kOutOfService, A::kStopLink},
    Row{S::kInService, E::kStop, S::kOutOfService, A::kStopLink},
    Row{S::kNotAligned, E::kCommDown, S::kOutOfService, A::kFail},
    Row{S::kAligned, E::kCommDown, S::kOutOfService, A::kFail},
    Row{S::kProving, E::kCommDown, S::kOutOfService, A::kFail},
    Row{S::kAlignedReady, E::kCommDown, S::kOutOfService, A::kFail},
    Row{S::kInService, E::kCommDown, S::kOutOfService, A::kFail},
};

}  // namespace

std::string_view to_string(LinkFsmState s) {
  switch (s) {
    case S::kOutOfService: return "OUT-OF-SERVICE";
    case S::kNotAligned: return "NOT-ALIGNED";
    case S::kAligned: return "ALIGNED";
    case S::kProving: return "PROVING";
    case S::kAlignedReady: return "ALIGNED-READY";
    case S::kInService: return "IN-SERVICE";
  }
  return "?";
}

std::string_view to_string(LinkFsmEvent e) {
  switch (e) {
    case E::kStart: return "start";
    case E::kStop: return "stop";
    case E::kCommDown: return "comm_down";
    case E::kRxAlignment: return "rx_alignment";
    case E::kRxProving: return "rx_proving";
    case E::kRxReady: return "rx_ready";
    case E::kRxUserData: return "rx_user_data";
    case E::kRxOutOfService: return "rx_out_of_service";
    case E::kRxProcessorOutage: return "rx_processor_outage";
    case E::kRxProcessorRecovered: return "rx_processor_recovered";
    case E::kRxBusy: return "rx_busy";
    case E::kRxBusyEnded: return "rx_busy_ended";
    case E::kT1: return "t1_expiry";
    case E::kT2: return "t2_expiry";
    case E::kT3: return "t3_expiry";
    case E::kT4: return "t4_expiry";
    case E::kT6: return "t6_expiry";
    case E::kT7: return "t7_expiry";
    case E::kRepeat: return "status_repeat";
  }
  return "?";
}

LinkFsm::LinkFsm(std::string name, LinkTimers timers, TimerService& timer_service, Logger& log, Counters& counters,
                 SendStatus send, OnReport report)
    : name_(std::move(name)),
      t_(timers),
      log_(log),
      ignored_(counters.get("m2pa.link_fsm.ignored_events")),
      failures_(counters.get("m2pa.link_fsm.failures")),
      // Per link, named "<linkset>/<slc>" like the link's own counters.
      alignment_attempts_(counters.get("m2pa.link." + name_ + ".alignment_attempts")),
      tx_alignment_(counters.get("m2pa.link." + name_ + ".tx_alignment")),
      tx_proving_(counters.get("m2pa.link." + name_ + ".tx_proving")),
      proving_periods_(counters.get("m2pa.link." + name_ + ".proving_periods")),
      send_(std::move(send)),
      report_(std::move(report)),
      align_timer_(timer_service),
      t6_(timer_service),
      t7_(timer_service),
      repeat_(timer_service) {}

bool LinkFsm::on_link_status(LinkState s) {
  switch (s) {
    case LinkState::kAlignment: return handle(E::kRxAlignment);
    case LinkState::kProvingNormal:
    case LinkState::kProvingEmergency: return handle(E::kRxProving);
    case LinkState::kReady: return handle(E::kRxReady);
    case LinkState::kProcessorOutage: return handle(E::kRxProcessorOutage);
    case LinkState::kProcessorRecovered: return handle(E::kRxProcessorRecovered);
    case LinkState::kBusy: return handle(E::kRxBusy);
    case LinkState::kBusyEnded: return handle(E::kRxBusyEnded);
    case LinkState::kOutOfService: return handle(E::kRxOutOfService);
  }
  return false;
}

bool LinkFsm::handle(LinkFsmEvent e) {
  const Row* row = find_row(kTable, state_, e);
  if (!row) {
    ignored_.inc();
    log_.debug(Subsystem::kM3ua, "m2pa_fsm_ignored",
               {{"link", name_}, {"state", to_string(state_)}, {"event", to_string(e)}});
    return false;
  }
  const S from = state_;
  state_ = row->to;
  if (from != state_ || (row->action != A::kNone && row->action != A::kRepeatStatus))
    log_.info(Subsystem::kM3ua, "m2pa_fsm_transition",
              {{"link", name_}, {"from", to_string(from)}, {"event", to_string(e)}, {"to", to_string(state_)}});
  act(row->action, e);
  return true;
}

void LinkFsm::act(LinkFsmAction a, LinkFsmEvent cause) {
  auto arm = [&](E timer, Clock::duration d) { align_timer_.arm(d, [this, timer] { handle(timer); }); };
  switch (a) {
    case A::kNone: return;
    case A::kSendAlignment:
      peer_ready_ = false;
      alignment_attempts_.inc();
      log_.notice(Subsystem::kM3ua, "m2pa_alignment_attempt",
                  {{"link", name_}, {"attempt", alignment_attempts_.value()}});
      send(LinkState::kAlignment);
      arm(E::kT2, t_.t2);
      arm_repeat();
      return;
    case A::kSendProving:
      send(emergency_ ? LinkState::kProvingEmergency : LinkState::kProvingNormal);
      arm(E::kT3, t_.t3);
      arm_repeat();
      return;
    case A::kStartProving: {
      const auto period = emergency_ ? t_.t4e : t_.t4n;
      proving_periods_.inc();
      log_.info(Subsystem::kM3ua, "m2pa_proving_started",
                {{"link", name_},
                 {"emergency", emergency_},
                 {"period_ms", std::chrono::duration_cast<std::chrono::milliseconds>(period).count()}});
      send(emergency_ ? LinkState::kProvingEmergency : LinkState::kProvingNormal);
      arm(E::kT4, period);
      arm_repeat();
      return;
    }
    case A::kRepeatStatus:
      send(state_ == S::kNotAligned ? LinkState::kAlignment
                                    : (emergency_ ? LinkState::kProvingEmergency : LinkState::kProvingNormal));
      arm_repeat();
      return;
    case A::kNoteReady: peer_ready_ = true; return;
    case A::kSendReady:
      repeat_.cancel();
      send(LinkState::kReady);
      arm(E::kT1, t_.t1);
      // RFC 4165 4.1.4: the peer's Ready may have arrived during our proving period.
      if (peer_ready_) handle(E::kRxReady);
      return;
    case A::kInService:
      align_timer_.cancel();
      report_(Report::kInService, to_string(cause));
      return;
    case A::kFail:
    case A::kStopLink:
      align_timer_.cancel();
      repeat_.cancel();
      t6_.cancel();
      t7_.cancel();
      peer_ready_ = false;
      if (a == A::kFail) failures_.inc();
      if (cause != E::kCommDown) send(LinkState::kOutOfService);
      report_(a == A::kFail && (cause == E::kT1 || cause == E::kT2 || cause == E::kT3) ? Report::kAlignmentFailed
                                                                                       : Report::kOutOfService,
              to_string(cause));
      return;
    case A::kRemoteOutage: report_(Report::kRemoteOutage, to_string(cause)); return;
    case A::kRemoteRecovered: report_(Report::kRemoteRecovered, to_string(cause)); return;
    case A::kRemoteBusy:
      // Q.703 9.3: T6 supervises the peer's congestion; our T7 pauses meanwhile.
      if (!t6_.armed()) t6_.arm(t_.t6, [this] { handle(E::kT6); });
      t7_.cancel();
      return;
    case A::kRemoteBusyEnded: t6_.cancel(); return;
  }
}

void LinkFsm::send(LinkState s) {
  if (s == LinkState::kAlignment) tx_alignment_.inc();
  if (s == LinkState::kProvingNormal || s == LinkState::kProvingEmergency) tx_proving_.inc();
  send_(s);
}

void LinkFsm::arm_repeat() {
  if (t_.status_repeat > Clock::duration::zero()) repeat_.arm(t_.status_repeat, [this] { handle(E::kRepeat); });
}

void LinkFsm::set_ack_timer(bool running) {
  if (!running || state_ != S::kInService || t6_.armed()) {
    t7_.cancel();
    return;
  }
  if (!t7_.armed()) t7_.arm(t_.t7, [this] { handle(E::kT7); });
}

}  // namespace isupgw::sigtran::m2pa
