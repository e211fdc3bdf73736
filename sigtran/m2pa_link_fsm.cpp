#include "sigtran/m2pa_link_fsm.h"

#include <array>

namespace isupgw::sigtran::m2pa {

using S = LinkFsmState;
using E = LinkFsmEvent;
using F = LinkFsm;
using fsm::in;

// RFC 4165 4.1 (alignment), 4.2 (in service), 4.3 (link status handling); Q.703 7 and 12.
const auto& LinkFsm::table() {
  static constexpr auto kTable = fsm::make_table<kLinkFsmStates, kLinkFsmEvents, Row>({
      {S::kOutOfService, E::kStart, S::kNotAligned, &F::a_send_alignment},
      // 4.1.2: Alignment sent (and repeated), T2 "not aligned" runs until the peer's Alignment or Proving.
      {S::kNotAligned, E::kRxAlignment, S::kAligned, &F::a_send_proving},
      {in(S::kNotAligned, S::kAligned), E::kRxProving, S::kProving, &F::a_start_proving},
      {S::kNotAligned, E::kT2, S::kOutOfService, &F::a_fail},
      {in(S::kNotAligned, S::kAligned, S::kProving), E::kRepeat, fsm::stay, &F::a_repeat_status},
      // 4.1.3: Proving sent, T3 "aligned" runs until the peer proves too.
      {S::kAligned, E::kRxAlignment, fsm::stay},
      {S::kAligned, E::kT3, S::kOutOfService, &F::a_fail},
      // Proving period T4 (normal or emergency); the peer may end its own first.
      {S::kProving, E::kT4, S::kAlignedReady, &F::a_send_ready},
      {S::kProving, E::kRxProving, fsm::stay},
      {S::kProving, E::kRxReady, fsm::stay, &F::a_note_ready},
      // Q.703 7.2: the peer restarted its alignment.
      {in(S::kProving, S::kAlignedReady, S::kInService), E::kRxAlignment, S::kOutOfService, &F::a_fail},
      // 4.1.4: Ready sent, T1 until the peer's Ready or first User Data.
      {S::kAlignedReady, E::kRxReady, S::kInService, &F::a_in_service},
      {S::kAlignedReady, E::kRxUserData, S::kInService, &F::a_in_service},
      {S::kAlignedReady, E::kRxProving, fsm::stay},
      {S::kAlignedReady, E::kT1, S::kOutOfService, &F::a_fail},
      // 4.2 / 4.3: in service.
      {S::kInService, E::kRxReady, fsm::stay},
      {S::kInService, E::kRxUserData, fsm::stay},
      {S::kInService, E::kRxProcessorOutage, fsm::stay, &F::a_remote_outage},
      {S::kInService, E::kRxProcessorRecovered, fsm::stay, &F::a_remote_recovered},
      {S::kInService, E::kRxBusy, fsm::stay, &F::a_remote_busy},
      {S::kInService, E::kRxBusyEnded, fsm::stay, &F::a_remote_busy_ended},
      {S::kInService, E::kT6, S::kOutOfService, &F::a_fail},
      {S::kInService, E::kT7, S::kOutOfService, &F::a_fail},
      // Out of Service from the peer once aligning or in service: failure (4.1.1).
      {in(S::kAligned, S::kProving, S::kAlignedReady, S::kInService), E::kRxOutOfService, S::kOutOfService, &F::a_fail},
      // Stop and transport loss from every active state.
      {in(S::kNotAligned, S::kAligned, S::kProving, S::kAlignedReady, S::kInService), E::kStop, S::kOutOfService,
       &F::a_stop_link},
      {in(S::kNotAligned, S::kAligned, S::kProving, S::kAlignedReady, S::kInService), E::kCommDown, S::kOutOfService,
       &F::a_fail},
  });
  return kTable;
}

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

LinkFsm::Meter LinkFsm::make_meter(Logger& log, Counters& counters) {
  return Meter(table(), log, counters,
               {.name = {},
                .counters = "m2pa.link_fsm",
                .subsystem = Subsystem::kM3ua,
                .transition_level = LogLevel::kDebug,
                .refused_level = LogLevel::kDebug,
                .transition_log = "m2pa_fsm_transition",
                .refused_log = "m2pa_fsm_ignored",
                .refused_counter = "m2pa.link_fsm.ignored_events",
                .label_key = "link",
                .id_key = {}});
}

LinkFsm::LinkFsm(std::string name, LinkTimers timers, const Meter& meter, TimerService& timer_service, Logger& log,
                 Counters& counters, SendStatus send, OnReport report)
    : name_(std::move(name)),
      t_(timers),
      m_(meter, S::kOutOfService, fsm::Label{name_}),
      log_(log),
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
  return m_.fire(e, [this, e](auto action) {
    cause_ = e;
    if (action) (this->*action)();
  });
}

void LinkFsm::a_send_alignment() {
  peer_ready_ = false;
  alignment_attempts_.inc();
  log_.notice(Subsystem::kM3ua, "m2pa_alignment_attempt", {{"link", name_}, {"attempt", alignment_attempts_.value()}});
  send(LinkState::kAlignment);
  align_timer_.arm(t_.t2, [this] { handle(E::kT2); });
  arm_repeat();
}

void LinkFsm::a_send_proving() {
  send(emergency_ ? LinkState::kProvingEmergency : LinkState::kProvingNormal);
  align_timer_.arm(t_.t3, [this] { handle(E::kT3); });
  arm_repeat();
}

void LinkFsm::a_start_proving() {
  const auto period = emergency_ ? t_.t4e : t_.t4n;
  proving_periods_.inc();
  log_.info(Subsystem::kM3ua, "m2pa_proving_started",
            {{"link", name_},
             {"emergency", emergency_},
             {"period_ms", std::chrono::duration_cast<std::chrono::milliseconds>(period).count()}});
  send(emergency_ ? LinkState::kProvingEmergency : LinkState::kProvingNormal);
  align_timer_.arm(period, [this] { handle(E::kT4); });
  arm_repeat();
}

void LinkFsm::a_repeat_status() {
  send(state() == S::kNotAligned ? LinkState::kAlignment
                                 : (emergency_ ? LinkState::kProvingEmergency : LinkState::kProvingNormal));
  arm_repeat();
}

void LinkFsm::a_note_ready() { peer_ready_ = true; }

void LinkFsm::a_send_ready() {
  repeat_.cancel();
  send(LinkState::kReady);
  align_timer_.arm(t_.t1, [this] { handle(E::kT1); });
  // RFC 4165 4.1.4: the peer's Ready may have arrived during our proving period.
  if (peer_ready_) handle(E::kRxReady);
}

void LinkFsm::a_in_service() {
  align_timer_.cancel();
  report_(Report::kInService, to_string(cause_));
}

void LinkFsm::a_fail() { down(true); }
void LinkFsm::a_stop_link() { down(false); }

void LinkFsm::down(bool failure) {
  const E cause = cause_;
  align_timer_.cancel();
  repeat_.cancel();
  t6_.cancel();
  t7_.cancel();
  peer_ready_ = false;
  if (failure) failures_.inc();
  if (cause != E::kCommDown) send(LinkState::kOutOfService);
  report_(failure && (cause == E::kT1 || cause == E::kT2 || cause == E::kT3) ? Report::kAlignmentFailed
                                                                             : Report::kOutOfService,
          to_string(cause));
}

void LinkFsm::a_remote_outage() { report_(Report::kRemoteOutage, to_string(cause_)); }
void LinkFsm::a_remote_recovered() { report_(Report::kRemoteRecovered, to_string(cause_)); }

// Q.703 9.3: T6 supervises the peer's congestion; our T7 pauses meanwhile.
void LinkFsm::a_remote_busy() {
  if (!t6_.armed()) t6_.arm(t_.t6, [this] { handle(E::kT6); });
  t7_.cancel();
}

void LinkFsm::a_remote_busy_ended() { t6_.cancel(); }

void LinkFsm::send(LinkState s) {
  if (s == LinkState::kAlignment) tx_alignment_.inc();
  if (s == LinkState::kProvingNormal || s == LinkState::kProvingEmergency) tx_proving_.inc();
  send_(s);
}

void LinkFsm::arm_repeat() {
  if (t_.status_repeat > Clock::duration::zero()) repeat_.arm(t_.status_repeat, [this] { handle(E::kRepeat); });
}

void LinkFsm::set_ack_timer(bool running) {
  if (!running || state() != S::kInService || t6_.armed()) {
    t7_.cancel();
    return;
  }
  if (!t7_.armed()) t7_.arm(t_.t7, [this] { handle(E::kT7); });
}

}  // namespace isupgw::sigtran::m2pa
