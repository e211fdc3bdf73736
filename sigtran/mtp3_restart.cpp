#include "sigtran/mtp3_restart.h"

namespace isupgw::sigtran::mtp3 {

using S = RestartState;
using E = RestartEvent;
using F = MtpRestart;
using fsm::in;

namespace {
std::int64_t ms(Clock::duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }
}  // namespace

// Q.704 9.2.3, 9.2.4 (our restart), 9.3.1, 9.3.2 (the adjacent SP's), 9.5 (TRA and T19).
const auto& MtpRestart::table() {
  static constexpr auto kTable = fsm::make_table<kRestartStates, kRestartEvents, Row>({
      {S::kDown, E::kOwnStart, S::kOwnRestart, &F::a_start_t20},
      {S::kDown, E::kAdjacentStart, S::kAdjacentRestart, &F::a_start_t21},
      // Available without a level 2 report first (the previous restart ended isolated).
      {S::kDown, E::kLinksUp, S::kAdjacentRestart, &F::a_start_t21_send_tra},
      // 9.2.3: T20 stops when links are available and the adjacent SP's TRA (its routing data) is in.
      {S::kOwnRestart, E::kLinksUp, fsm::stay},
      {S::kOwnRestart, E::kLinksUpAfterTra, S::kAvailable, &F::a_end_own_restart},
      {in(S::kOwnRestart, S::kAdjacentRestart), E::kTra, fsm::stay, &F::a_note_tra},
      {S::kOwnRestart, E::kTraCompletes, S::kAvailable, &F::a_end_own_restart},
      {S::kOwnRestart, E::kT20, S::kAvailable, &F::a_end_own_restart},
      {S::kOwnRestart, E::kT20Isolated, S::kDown, &F::a_stop},
      {S::kOwnRestart, E::kLinkSetDown, fsm::stay},  // T20 runs on
      // 9.3.2: TRA as soon as the link set is available; T21 stops on the adjacent SP's TRA.
      {S::kAdjacentRestart, E::kLinksUp, fsm::stay, &F::a_send_tra},
      {S::kAdjacentRestart, E::kLinksUpAfterTra, S::kAvailable, &F::a_end_adjacent_restart},
      {S::kAdjacentRestart, E::kTraCompletes, S::kAvailable, &F::a_end_adjacent_restart},
      {S::kAdjacentRestart, E::kT21, S::kAvailable, &F::a_end_adjacent_restart},
      {S::kAdjacentRestart, E::kT21Isolated, S::kDown, &F::a_stop},
      {in(S::kAdjacentRestart, S::kAvailable), E::kLinkSetDown, S::kDown, &F::a_stop},
      // 9.5: TRA outside a restart.
      {S::kAvailable, E::kTraUnexpected, fsm::stay, &F::a_answer_tra},
      {S::kAvailable, E::kTraDuringT19, fsm::stay, &F::a_discard_tra},
  });
  return kTable;
}

std::string_view to_string(RestartState s) {
  switch (s) {
    case S::kDown: return "DOWN";
    case S::kOwnRestart: return "OWN-RESTART";
    case S::kAdjacentRestart: return "ADJACENT-RESTART";
    case S::kAvailable: return "AVAILABLE";
  }
  return "?";
}

std::string_view to_string(RestartEvent e) {
  switch (e) {
    case E::kOwnStart: return "own_start";
    case E::kAdjacentStart: return "adjacent_start";
    case E::kLinksUp: return "links_up";
    case E::kLinksUpAfterTra: return "links_up_after_tra";
    case E::kTra: return "tra";
    case E::kTraCompletes: return "tra_completes";
    case E::kTraUnexpected: return "tra_unexpected";
    case E::kTraDuringT19: return "tra_during_t19";
    case E::kT20: return "t20_expiry";
    case E::kT20Isolated: return "t20_expiry_isolated";
    case E::kT21: return "t21_expiry";
    case E::kT21Isolated: return "t21_expiry_isolated";
    case E::kLinkSetDown: return "link_set_down";
  }
  return "?";
}

MtpRestart::Meter MtpRestart::make_meter(const std::string& linkset, Logger& log, Counters& counters) {
  return Meter(table(), log, counters,
               {.name = {},
                .counters = "mtp3.linkset." + linkset + ".restart",
                .subsystem = Subsystem::kM3ua,
                .transition_level = LogLevel::kInfo,
                .refused_level = LogLevel::kInfo,
                .transition_log = "mtp3_restart_transition",
                .refused_log = "mtp3_restart_refused",
                .refused_counter = {},
                .label_key = "linkset",
                .id_key = {}});
}

MtpRestart::MtpRestart(std::string linkset, RestartTimers timers, const Meter& meter, TimerService& timer_service,
                       Logger& log, Counters& counters, RestartOwner& owner)
    : linkset_(std::move(linkset)),
      t_(timers),
      m_(meter, S::kDown, fsm::Label{linkset_}),
      log_(log),
      owner_(owner),
      own_restarts_(counters.get("mtp3.linkset." + linkset_ + ".restarts_own")),
      adjacent_restarts_(counters.get("mtp3.linkset." + linkset_ + ".restarts_adjacent")),
      tx_tra_(counters.get("mtp3.linkset." + linkset_ + ".tx_tra")),
      rx_tra_(counters.get("mtp3.linkset." + linkset_ + ".rx_tra")),
      rx_tra_discarded_(counters.get("mtp3.linkset." + linkset_ + ".rx_tra_discarded")),
      t20_expiries_(counters.get("mtp3.linkset." + linkset_ + ".t20_expiries")),
      t21_expiries_(counters.get("mtp3.linkset." + linkset_ + ".t21_expiries")),
      t19_(timer_service),
      t20_(timer_service),
      t21_(timer_service) {}

void MtpRestart::start(bool own) {
  stop();
  own_pending_ = own;
}

void MtpRestart::stop() {
  t19_.cancel();
  t20_.cancel();
  t21_.cancel();
  m_ = fsm::Machine<Row>(m_.meter(), S::kDown, m_.label());  // the link set stops: no transition to report
  own_pending_ = tra_received_ = tra_sent_ = false;
}

void MtpRestart::first_link_in_service() {
  if (state() == S::kDown) fire(own_pending_ ? E::kOwnStart : E::kAdjacentStart);
}

void MtpRestart::links_up() {
  switch (state()) {
    case S::kDown: fire(E::kLinksUp); return;
    case S::kOwnRestart: fire(tra_received_ ? E::kLinksUpAfterTra : E::kLinksUp); return;
    case S::kAdjacentRestart:
      if (!tra_sent_) fire(tra_received_ ? E::kLinksUpAfterTra : E::kLinksUp);
      return;
    case S::kAvailable: return;  // another link of the set: nothing to restart
  }
}

void MtpRestart::tra_received() {
  rx_tra_.inc();
  log_.notice(Subsystem::kM3ua, "mtp3_tra_received", {{"linkset", linkset_}, {"restart", to_string(state())}});
  switch (state()) {
    case S::kOwnRestart: fire(owner_.restart_links_up() ? E::kTraCompletes : E::kTra); return;
    case S::kAdjacentRestart: fire(tra_sent_ ? E::kTraCompletes : E::kTra); return;
    case S::kAvailable: fire(t19_.armed() ? E::kTraDuringT19 : E::kTraUnexpected); return;
    case S::kDown: fire(E::kTra); return;  // refused: no link set to restart
  }
}

void MtpRestart::link_set_down() { fire(E::kLinkSetDown); }

bool MtpRestart::fire(RestartEvent e) {
  return m_.fire(e, [this, e](auto action) {
    cause_ = e;
    if (action) (this->*action)();
  });
}

void MtpRestart::send_tra(bool before_traffic) {
  tra_sent_ = true;
  tx_tra_.inc();
  owner_.restart_send_tra(before_traffic);
}

void MtpRestart::begin(std::string_view role, std::string_view timer, Clock::duration d) {
  own_pending_ = tra_received_ = tra_sent_ = false;
  log_.notice(Subsystem::kM3ua, "mtp3_restart",
              {{"linkset", linkset_}, {"phase", "begin"}, {"role", role}, {"timer", timer}, {"ms", ms(d)}});
}

void MtpRestart::end(std::string_view role) {
  log_.notice(Subsystem::kM3ua, "mtp3_restart",
              {{"linkset", linkset_}, {"phase", "end"}, {"role", role}, {"by", to_string(cause_)}});
  owner_.restart_traffic();
}

void MtpRestart::a_start_t20() {
  own_restarts_.inc();
  begin("restarting", "T20", t_.t20);
  t20_.arm(t_.t20, [this] {
    t20_expiries_.inc();
    fire(owner_.restart_links_up() ? E::kT20 : E::kT20Isolated);
  });
}

void MtpRestart::a_start_t21() {
  adjacent_restarts_.inc();
  begin("adjacent", "T21", t_.t21);
  t21_.arm(t_.t21, [this] {
    t21_expiries_.inc();
    fire(owner_.restart_links_up() ? E::kT21 : E::kT21Isolated);
  });
}

void MtpRestart::a_start_t21_send_tra() {
  a_start_t21();
  send_tra();
}

// 9.2.4: TRA to the adjacent SP, T19 for it, then the users learn that the restart ended.
void MtpRestart::a_end_own_restart() {
  t20_.cancel();
  send_tra();
  t19_.arm(t_.t19, [] {});
  end("restarting");
}

void MtpRestart::a_end_adjacent_restart() {
  t21_.cancel();
  if (!tra_sent_ && owner_.restart_links_up()) send_tra();
  end("adjacent");
}

void MtpRestart::a_answer_tra() {
  send_tra(false);
  t19_.arm(t_.t19, [] {});
}

void MtpRestart::a_discard_tra() {
  rx_tra_discarded_.inc();
  log_.info(Subsystem::kM3ua, "mtp3_tra_discarded", {{"linkset", linkset_}, {"reason", "T19 running (Q.704 9.5.2)"}});
}

void MtpRestart::a_stop() {
  t19_.cancel();
  t20_.cancel();
  t21_.cancel();
  tra_received_ = tra_sent_ = false;
  log_.notice(Subsystem::kM3ua, "mtp3_restart",
              {{"linkset", linkset_}, {"phase", "stopped"}, {"by", to_string(cause_)}});
  owner_.restart_stopped();
}

}  // namespace isupgw::sigtran::mtp3
