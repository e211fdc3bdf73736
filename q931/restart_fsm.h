// Q.931 restart procedures (Q.931 5.5, EN 300 403-1 5.5) on the global call
// reference (value 0): RESTART / RESTART ACKNOWLEDGE for the indicated B
// channels (class 0 with a channel identification) or for the whole interface
// (class 6 single interface, class 7 all interfaces). States Rest 0 (null),
// Rest 1 (restart request: ours sent, T316), Rest 2 (restart: the peer's
// received, its calls being cleared, T317).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/counters.h"
#include "base/fsm.h"
#include "base/log.h"
#include "base/one_shot_timer.h"
#include "q931/call_fsm.h"
#include "q931/message.h"

namespace isupgw::q931 {

enum class RestartState : std::uint8_t { kNull, kRestartRequest, kRestart };
inline constexpr std::size_t kRestartStates = 3;
enum class RestartEvent : std::uint8_t {
  kRestartReq,    // local: restart these channels / the interface
  kRestart,       // RESTART received
  kRestartAck,    // RESTART ACKNOWLEDGE received
  kChannelsIdle,  // the owner has cleared every call on the channels
  kT316First,
  kT316Second,
  kT317,
};
inline constexpr std::size_t kRestartEvents = 7;
std::string_view to_string(RestartState s);
std::string_view to_string(RestartEvent e);

// What a restart covers: the class and, for class 0, the channel numbers.
struct RestartScope {
  std::uint8_t restart_class = restart_class::kAllInterfaces;
  std::vector<std::uint8_t> channels;  // class 0 only
  friend bool operator==(const RestartScope&, const RestartScope&) = default;
};

class RestartFsm {
 public:
  struct Hooks {
    std::function<void(Message)> send;
    // Release every call on the scope's channels (no signalling, 5.5.2) and
    // return them to idle; true when they are idle now, false if the owner will
    // call channels_idle() later.
    std::function<bool(const RestartScope&)> clear;
    // Our RESTART was acknowledged (ok): the scope's channels are idle in both
    // views; or T316 expired twice / T317 expired (not ok): maintenance must act.
    std::function<void(const RestartScope&, bool ok)> done;
  };
  struct Timeouts {
    Clock::duration t316 = std::chrono::minutes(2);   // EN 300 403-1 Table 9-1
    Clock::duration t317 = std::chrono::seconds(90);  // implementation dependent, below T316
  };

  using Row = fsm::Row<RestartState, RestartEvent, void (RestartFsm::*)()>;
  using Meter = fsm::Meter<Row>;
  static Meter make_meter(Logger& log, Counters& counters);

  RestartFsm(Side side, const Meter& meter, TimerService& timers, Timeouts t, Hooks hooks);

  RestartState state() const { return m_.state(); }
  // Sends RESTART for the scope. False while a restart is in progress.
  bool restart(RestartScope scope);
  // RESTART / RESTART ACKNOWLEDGE on the global call reference. False if not
  // accepted in this state (or not a restart message).
  bool receive(const Message& m);
  // The owner finished clearing after clear() returned false.
  bool channels_idle() { return fire(RestartEvent::kChannelsIdle); }

  // A RESTART / RESTART ACKNOWLEDGE message for the scope (4.5.13, 4.5.25).
  static Message message(std::uint8_t type, const RestartScope& scope, bool flag);
  // The scope a received RESTART names.
  static RestartScope scope_of(const Message& m);

 private:
  static const auto& table();
  bool fire(RestartEvent e);
  void a_send_restart();
  void a_resend_restart();
  void a_acknowledged();
  void a_failed();
  void a_t317();
  void a_restart_rx();
  void a_send_ack();

  Side side_;
  fsm::Machine<Row> m_;
  Timeouts t_;
  Hooks hooks_;
  OneShotTimer timer_;
  RestartScope ours_;    // what we asked to restart
  RestartScope theirs_;  // what the peer asked to restart
  bool retried_ = false;
};

}  // namespace isupgw::q931
