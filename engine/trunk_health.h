// Trunk health in routing (issue 18): a SIP trunk whose OPTIONS keepalives fail
// (no final response by the next ping, or a transaction failure) or whose INVITEs
// time out `down_after` times in a row is DOWN: routes skip it for their next
// target (cause 34 when none is left). While down its pings go on; the first
// answer makes it PROBING, `up_after` answers in a row make it UP again, a
// failure while probing makes it DOWN again. The states and moves are the table
// in trunk_health.cpp (the FSM kit, base/fsm.h): a log line `trunk_health_transition`
// and a counter sip.trunk_health.<trunk>.went_down|went_probing|went_up per transition.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/counters.h"
#include "base/fsm.h"
#include "base/log.h"

namespace isupgw::engine {

enum class TrunkHealthState : std::uint8_t { kUp, kDown, kProbing };
inline constexpr std::size_t kTrunkHealthStates = 3;
enum class TrunkHealthEvent : std::uint8_t {
  kFailure,          // one failure, fewer than down_after in a row
  kFailuresReached,  // the down_after-th failure in a row
  kSuccess,          // one answer, fewer than up_after in a row
  kSuccessesReached  // the up_after-th answer in a row
};
inline constexpr std::size_t kTrunkHealthEvents = 4;
std::string_view to_string(TrunkHealthState s);
std::string_view to_string(TrunkHealthEvent e);

class TrunkHealth {
 public:
  using Row = fsm::Row<TrunkHealthState, TrunkHealthEvent, fsm::NoAction>;
  using Meter = fsm::Meter<Row>;
  static Meter make_meter(const std::string& trunk, Logger& log, Counters& counters);

  TrunkHealth(std::string trunk, unsigned down_after, unsigned up_after, Logger& log, Counters& counters);
  void success();
  void failure();
  void set_thresholds(unsigned down_after, unsigned up_after) {
    down_after_ = down_after ? down_after : 1;
    up_after_ = up_after ? up_after : 1;
  }
  TrunkHealthState state() const { return m_.state(); }
  bool up() const { return state() == TrunkHealthState::kUp; }

 private:
  static const auto& table();
  void entered(TrunkHealthState before);  // a transition: its log line and counter
  std::string trunk_;
  Meter meter_;
  fsm::Machine<Row> m_;
  unsigned down_after_ = 1, up_after_ = 1;
  unsigned failures_ = 0, successes_ = 0;
  Counter& went_down_;     // sip.trunk_health.<trunk>.went_down
  Counter& went_probing_;  // .went_probing
  Counter& went_up_;       // .went_up
};

}  // namespace isupgw::engine
