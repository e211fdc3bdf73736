// BEAT supervision (RFC 4666 3.5.5 / 4.3.4.6): when the transport has no
// heartbeat of its own (TCP), send BEAT every T(beat); anything received from
// the peer proves it alive; nothing within 2 x T(beat) after a BEAT -> peer lost.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/one_shot_timer.h"
#include "sigtran/fsm_table.h"

namespace isupgw::sigtran::m3ua {

enum class BeatState : std::uint8_t { kOff, kIdle, kWaiting };
enum class BeatEvent : std::uint8_t { kStart, kStop, kIntervalExpiry, kPeerAlive, kResponseTimeout };
enum class BeatAction : std::uint8_t { kNone, kSendBeat, kPeerLost };

std::string_view to_string(BeatState s);
std::string_view to_string(BeatEvent e);

class BeatFsm {
 public:
  using SendBeat = std::function<void(std::uint32_t sequence)>;
  using PeerLost = std::function<void()>;

  // interval 0 = supervision off.
  BeatFsm(std::string name, Clock::duration interval, TimerService& timers, Logger& log, Counters& counters,
          SendBeat send, PeerLost lost);

  BeatState state() const { return state_; }
  bool handle(BeatEvent e);
  bool timer_running() const { return timer_.armed(); }

 private:
  std::string name_;
  Clock::duration interval_;
  Logger& log_;
  Counter& sent_;
  Counter& lost_count_;
  SendBeat send_;
  PeerLost lost_;
  BeatState state_ = BeatState::kOff;
  OneShotTimer timer_;  // T(beat) while idle, 2 x T(beat) while a BEAT awaits its answer
  std::uint32_t sequence_ = 0;
};

}  // namespace isupgw::sigtran::m3ua
