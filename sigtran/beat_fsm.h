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
#include "base/fsm.h"
#include "base/log.h"
#include "base/one_shot_timer.h"
#include "sigtran/ua_asp_fsm.h"

namespace isupgw::sigtran {

enum class BeatState : std::uint8_t { kOff, kIdle, kWaiting };
inline constexpr std::size_t kBeatStates = static_cast<std::size_t>(BeatState::kWaiting) + 1;
enum class BeatEvent : std::uint8_t { kStart, kStop, kIntervalExpiry, kPeerAlive, kResponseTimeout };
inline constexpr std::size_t kBeatEvents = static_cast<std::size_t>(BeatEvent::kResponseTimeout) + 1;

std::string_view to_string(BeatState s);
std::string_view to_string(BeatEvent e);

class BeatFsm {
 public:
  using SendBeat = std::function<void(std::uint32_t sequence)>;
  using PeerLost = std::function<void()>;

  using Row = fsm::Row<BeatState, BeatEvent, void (BeatFsm::*)()>;
  using Meter = fsm::Meter<Row>;
  // beat_fsm_transition link=<name> log lines (debug), <ua>.beat.* counters; built once at wiring time.
  static Meter make_meter(Logger& log, Counters& counters, Ua ua = Ua::kM3ua);

  // interval 0 = supervision off.
  BeatFsm(std::string name, Clock::duration interval, const Meter& meter, TimerService& timers, Logger& log,
          Counters& counters, SendBeat send, PeerLost lost, Ua ua = Ua::kM3ua);

  BeatState state() const { return m_.state(); }
  bool handle(BeatEvent e);
  bool timer_running() const { return timer_.armed(); }

 private:
  static const auto& table();
  void a_send_beat();
  void a_peer_lost();

  std::string name_;
  Clock::duration interval_;
  fsm::Machine<Row> m_;
  Logger& log_;
  Counter& sent_;
  Counter& lost_count_;
  SendBeat send_;
  PeerLost lost_;
  OneShotTimer timer_;  // T(beat) while idle, 2 x T(beat) while a BEAT awaits its answer
  std::uint32_t sequence_ = 0;
};

}  // namespace isupgw::sigtran

namespace isupgw::sigtran::m3ua {
using sigtran::BeatEvent;
using sigtran::BeatFsm;
using sigtran::BeatState;
using sigtran::kBeatEvents;
using sigtran::kBeatStates;
using sigtran::to_string;
}  // namespace isupgw::sigtran::m3ua
