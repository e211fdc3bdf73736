// The MTP restart procedure (Q.704 clause 9) of one link set, for a signalling
// point without the transfer function (isupgw is an end point), as a state
// table. Both roles:
//
//  - Our MTP restarts (9.2.3, 9.2.4): when the first link of the set is in
//    service at level 2, T20 starts. It stops when the link set is available
//    and the adjacent SP's TRA has arrived (there is no routing data to wait
//    for beyond it), or expires; then we send TRA, start T19 and restart
//    traffic. T18 belongs to signalling transfer points (9.2.2) and is not used.
//  - The adjacent SP's MTP restarts (9.3.1, 9.3.2): the link set comes up after
//    the adjacent SP was inaccessible. T21 starts at level 2; TRA goes as soon as
//    the link set is available; T21 stops when the adjacent SP's TRA has arrived
//    too (or expires), and traffic to it restarts.
//  - TRA outside a restart (9.5): answered with TRA once per T19; a TRA while T19
//    runs is discarded.
//
//   DOWN --first link in service, own restart--> OWN-RESTART (T20)
//   DOWN --first link in service--> ADJACENT-RESTART (T21)
//   OWN-RESTART --TRA and link set available, T20--> AVAILABLE (TRA sent, T19)
//   ADJACENT-RESTART --link set available--> (TRA sent); --TRA after ours, T21--> AVAILABLE
//   any --link set unavailable--> DOWN
//
// The link set owns the rest: "available" means a link tested at both ends,
// and traffic restarts only once the adjacent SP's M2PA has acknowledged our
// TRA, so no user message overtakes it (mtp3_linkset.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/counters.h"
#include "base/fsm.h"
#include "base/log.h"
#include "base/one_shot_timer.h"

namespace isupgw::sigtran::mtp3 {

enum class RestartState : std::uint8_t { kDown, kOwnRestart, kAdjacentRestart, kAvailable };
inline constexpr std::size_t kRestartStates = static_cast<std::size_t>(RestartState::kAvailable) + 1;
// Events as the link set classifies its inputs (the next state is a function of state and event).
enum class RestartEvent : std::uint8_t {
  kOwnStart,         // first link in service at level 2, our MTP restarts
  kAdjacentStart,    // first link in service at level 2 after the adjacent SP was inaccessible
  kLinksUp,          // the link set became available, the adjacent SP's TRA not yet received
  kLinksUpAfterTra,  // the link set became available, the adjacent SP's TRA already received
  kTra,              // TRA that does not complete the restart yet
  kTraCompletes,     // TRA that completes it (link set available / our TRA sent)
  kTraUnexpected,    // TRA outside a restart, T19 not running (9.5.1)
  kTraDuringT19,     // TRA outside a restart while T19 runs (9.5.2)
  kT20,              // T20 expiry, the link set available
  kT20Isolated,      // T20 expiry, no link available
  kT21,              // T21 expiry, the link set available
  kT21Isolated,      // T21 expiry, no link available
  kLinkSetDown,      // no link of the set available any more
};
inline constexpr std::size_t kRestartEvents = static_cast<std::size_t>(RestartEvent::kLinkSetDown) + 1;

std::string_view to_string(RestartState s);
std::string_view to_string(RestartEvent e);

struct RestartTimers {
  // Q.704 16.8 (ITU): T19 67-69 s, T20 59-61 s, T21 63-65 s.
  Clock::duration t19 = std::chrono::seconds(68);  // guards against TRA ping-pong (9.5)
  Clock::duration t20 = std::chrono::seconds(60);  // overall restart timer at the restarting SP
  Clock::duration t21 = std::chrono::seconds(64);  // overall restart timer at the adjacent SP
};

// What the procedure needs from its link set.
class RestartOwner {
 public:
  virtual ~RestartOwner() = default;
  virtual bool restart_links_up() const = 0;  // a link of the set is available (tested at both ends)
  // TRA to the adjacent SP on such a link; `before_traffic`: sent by the restart, user traffic follows it.
  virtual void restart_send_tra(bool before_traffic) = 0;
  virtual void restart_traffic() = 0;  // the procedure has ended: traffic may restart
  virtual void restart_stopped() = 0;  // back to DOWN: the adjacent SP is inaccessible
};

class MtpRestart {
 public:
  using Row = fsm::Row<RestartState, RestartEvent, void (MtpRestart::*)()>;
  using Meter = fsm::Meter<Row>;
  // mtp3_restart_transition linkset=<name> log lines, mtp3.linkset.<name>.restart.* counters.
  static Meter make_meter(const std::string& linkset, Logger& log, Counters& counters);

  MtpRestart(std::string linkset, RestartTimers timers, const Meter& meter, TimerService& timer_service, Logger& log,
             Counters& counters, RestartOwner& owner);

  // The link set starts. `own`: our MTP restarts (isupgw starts); otherwise the link set
  // comes up as after the adjacent SP's restart.
  void start(bool own);
  void stop();

  // Inputs, classified here into the table's events.
  void first_link_in_service();
  void links_up();
  void tra_received();
  void link_set_down();

  RestartState state() const { return m_.state(); }
  bool ended() const { return state() == RestartState::kAvailable; }
  bool t19_running() const { return t19_.armed(); }
  const RestartTimers& timers() const { return t_; }

 private:
  static const auto& table();
  bool fire(RestartEvent e);
  void a_start_t20();
  void a_start_t21();
  void a_start_t21_send_tra();
  void a_send_tra() { send_tra(); }
  void a_note_tra() { tra_received_ = true; }
  void a_end_own_restart();       // stop T20, send TRA, start T19, restart traffic (9.2.4)
  void a_end_adjacent_restart();  // stop T21, TRA if not sent yet, restart traffic (9.3.2)
  void a_answer_tra();            // send TRA, start T19 (9.5.1)
  void a_discard_tra();           // (9.5.2)
  void a_stop();                  // stop the timers, forget the restart
  void begin(std::string_view role, std::string_view timer, Clock::duration d);
  void end(std::string_view role);
  void send_tra(bool before_traffic = true);

  std::string linkset_;
  RestartTimers t_;
  fsm::Machine<Row> m_;
  Logger& log_;
  RestartOwner& owner_;
  Counter& own_restarts_;
  Counter& adjacent_restarts_;
  Counter& tx_tra_;
  Counter& rx_tra_;
  Counter& rx_tra_discarded_;
  Counter& t20_expiries_;
  Counter& t21_expiries_;
  bool own_pending_ = false;   // start(own) seen, the restart has not begun
  bool tra_received_ = false;  // from the adjacent SP, in this restart
  bool tra_sent_ = false;      // by us, in this restart
  RestartEvent cause_ = RestartEvent::kLinkSetDown;
  OneShotTimer t19_;
  OneShotTimer t20_;
  OneShotTimer t21_;
};

}  // namespace isupgw::sigtran::mtp3
