#include "sigtran/mtp3_restart.h"

#include <array>

#include "sigtran/fsm_table.h"

namespace isupgw::sigtran::mtp3 {
namespace {

using S = RestartState;
using E = RestartEvent;
using A = RestartAction;
using Row = FsmRow<S, E, A>;

// Q.704 9.2.3, 9.2.4 (our restart), 9.3.1, 9.3.2 (the adjacent SP's), 9.5 (TRA and T19).
constexpr std::array kTable = {
    Row{S::kDown, E::kOwnStart, S::kOwnRestart, A::kStartT20},
    Row{S::kDown, E::kAdjacentStart, S::kAdjacentRestart, A::kStartT21},
    // Available without a level 2 report first (the previous restart ended isolated).
    Row{S::kDown, E::kLinksUp, S::kAdjacentRestart, A::kStartT21SendTra},
    // 9.2.3: T20 stops when links are available and the adjacent SP's TRA (its routing data) is in.
    Row{S::kOwnRestart, E::kLinksUp, S::kOwnRestart, A::kNone},
    Row{S::kOwnRestart, E::kLinksUpAfterTra, S::kAvailable, A::kEndOwnRestart},
    Row{S::kOwnRestart, E::kTra, S::kOwnRestart, A::kNoteTra},
    Row{S::kOwnRestart, E::kTraCompletes, S::kAvailable, A::kEndOwnRestart},
    Row{S::kOwnRestart, E::kT20, S::kAvailable, A::kEndOwnRestart},
    Row{S::kOwnRestart, E::kT20Isolated, S::kDown, A::kStop},
    Row{S::kOwnRestart, E::kLinkSetDown, S::kOwnRestart, A::kNone},  // T20 runs on
    // 9.3.2: TRA as soon as the link set is available; T21 stops on the adjacent SP's TRA.
    Row{S::kAdjacentRestart, E::kLinksUp, S::kAdjacentRestart, A::kSendTra},
    Row{S::kAdjacentRestart, E::kLinksUpAfterTra, S::kAvailable, A::kEndAdjacentRestart},
    Row{S::kAdjacentRestart, E::kTra, S::kAdjacentRestart, A::kNoteTra},
    Row{S::kAdjacentRestart, E::kTraCompletes, S::kAvailable, A::kEndAdjacentRestart},
    Row{S::kAdjacentRestart, E::kT21, S::kAvailable, A::kEndAdjacentRestart},
    Row{S::kAdjacentRestart, E::kT21Isolated, S::kDown, A::kStop},
    Row{S::kAdjacentRestart, E::kLinkSetDown, S::kDown, A::kStop},
    // 9.5: TRA outside a restart.
    Row{S::kAvailable, E::kTraUnexpected, S::kAvailable, A::kAnswerTra},
    Row{S::kAvailable, E::kTraDuringT19, S::kAvailable, A::kDiscardTra},
    Row{S::kAvailable, E::kLinkSetDown, S::kDown, A::kStop},
};

std::int64_t ms(Clock::duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

}  // namespace

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

MtpRestart::MtpRestart(std::string linkset, RestartTimers timers, TimerService& timer_service, Logger& log,
                       Counters& counters, RestartOwner& owner)
    : linkset_(std::move(linkset)),
      t_(timers),
      log_(log),
      owner_(owner),
      refused_(counters.get("mtp3.linkset." + linkset_ + ".restart_refused_events")),
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
  state_ = S::kDown;
  own_pending_ = tra_received_ = tra_sent_ = false;
}

void MtpRestart::first_link_in_service() {
  if (state_ == S::kDown) fire(own_pending_ ? E::kOwnStart : E::kAdjacentStart);
}

void MtpRestart::links_up() {
  switch (state_) {
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
  log_.notice(Subsystem::kM3ua, "mtp3_tra_received", {{"linkset", linkset_}, {"restart", to_string(state_)}});
  switch (state_) {
    case S::kOwnRestart: fire(owner_.restart_links_up() ? E::kTraCompletes : E::kTra); return;
    case S::kAdjacentRestart: fire(tra_sent_ ? E::kTraCompletes : E::kTra); return;
    case S::kAvailable: fire(t19_.armed() ? E::kTraDuringT19 : E::kTraUnexpected); return;
    case S::kDown: fire(E::kTra); return;  // refused: no link set to restart
  }
}

void MtpRestart::link_set_down() { fire(E::kLinkSetDown); }

bool MtpRestart::fire(RestartEvent e) {
  const Row* row = find_row(kTable, state_, e);
  if (!row) {
    refused_.inc();
    log_.info(Subsystem::kM3ua, "mtp3_restart_refused",
              {{"linkset", linkset_}, {"state", to_string(state_)}, {"event", to_string(e)}});
    return false;
  }
  const S from = state_;
  state_ = row->to;
  cause_ = e;
  if (from != state_)
    log_.info(Subsystem::kM3ua, "mtp3_restart_transition",
              {{"linkset", linkset_}, {"from", to_string(from)}, {"event", to_string(e)}, {"to", to_string(state_)}});
  act(row->action);
  return true;
}

void MtpRestart::send_tra(bool before_traffic) {
  tra_sent_ = true;
  tx_tra_.inc();
  owner_.restart_send_tra(before_traffic);
}

void MtpRestart::act(RestartAction a) {
  auto begin = [&](std::string_view role, std::string_view timer, Clock::duration d) {
    tra_received_ = tra_sent_ = false;
    log_.notice(Subsystem::kM3ua, "mtp3_restart",
                {{"linkset", linkset_}, {"phase", "begin"}, {"role", role}, {"timer", timer}, {"ms", ms(d)}});
  };
  auto end = [&](std::string_view role) {
    log_.notice(Subsystem::kM3ua, "mtp3_restart",
                {{"linkset", linkset_}, {"phase", "end"}, {"role", role}, {"by", to_string(cause_)}});
    owner_.restart_traffic();
  };
  switch (a) {
    case A::kNone: return;
    case A::kStartT20:
      own_pending_ = false;
      own_restarts_.inc();
      begin("restarting", "T20", t_.t20);
      t20_.arm(t_.t20, [this] {
        t20_expiries_.inc();
        fire(owner_.restart_links_up() ? E::kT20 : E::kT20Isolated);
      });
      return;
    case A::kStartT21:
    case A::kStartT21SendTra:
      own_pending_ = false;
      adjacent_restarts_.inc();
      begin("adjacent", "T21", t_.t21);
      t21_.arm(t_.t21, [this] {
        t21_expiries_.inc();
        fire(owner_.restart_links_up() ? E::kT21 : E::kT21Isolated);
      });
      if (a == A::kStartT21SendTra) send_tra();
      return;
    case A::kSendTra: send_tra(); return;
    case A::kNoteTra: tra_received_ = true; return;
    case A::kEndOwnRestart:
      t20_.cancel();
      // 9.2.4: TRA to the adjacent SP, T19 for it, then the users learn that the restart ended.
      send_tra();
      t19_.arm(t_.t19, [] {});
      end("restarting");
      return;
    case A::kEndAdjacentRestart:
      t21_.cancel();
      if (!tra_sent_ && owner_.restart_links_up()) send_tra();
      end("adjacent");
      return;
    case A::kAnswerTra:
      send_tra(false);
      t19_.arm(t_.t19, [] {});
      return;
    case A::kDiscardTra:
      rx_tra_discarded_.inc();
      log_.info(Subsystem::kM3ua, "mtp3_tra_discarded",
                {{"linkset", linkset_}, {"reason", "T19 running (Q.704 9.5.2)"}});
      return;
    case A::kStop:
      t19_.cancel();
      t20_.cancel();
      t21_.cancel();
      tra_received_ = tra_sent_ = false;
      log_.notice(Subsystem::kM3ua, "mtp3_restart",
                  {{"linkset", linkset_}, {"phase", "stopped"}, {"by", to_string(cause_)}});
      owner_.restart_stopped();
      return;
  }
}

}  // namespace isupgw::sigtran::mtp3
