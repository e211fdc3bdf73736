#include "sigtran/beat_fsm.h"

namespace isupgw::sigtran::m3ua {
namespace {

using S = BeatState;
using E = BeatEvent;
using A = BeatAction;
using Row = FsmRow<S, E, A>;

constexpr std::array kTable = {
    Row{S::kOff, E::kStart, S::kIdle, A::kNone},         Row{S::kIdle, E::kIntervalExpiry, S::kWaiting, A::kSendBeat},
    Row{S::kIdle, E::kPeerAlive, S::kIdle, A::kNone},    Row{S::kIdle, E::kStop, S::kOff, A::kNone},
    Row{S::kWaiting, E::kPeerAlive, S::kIdle, A::kNone}, Row{S::kWaiting, E::kResponseTimeout, S::kOff, A::kPeerLost},
    Row{S::kWaiting, E::kStop, S::kOff, A::kNone},
};

}  // namespace

std::string_view to_string(BeatState s) {
  switch (s) {
    case S::kOff: return "off";
    case S::kIdle: return "idle";
    case S::kWaiting: return "waiting";
  }
  return "?";
}

std::string_view to_string(BeatEvent e) {
  switch (e) {
    case E::kStart: return "start";
    case E::kStop: return "stop";
    case E::kIntervalExpiry: return "t_beat_expiry";
    case E::kPeerAlive: return "peer_alive";
    case E::kResponseTimeout: return "response_timeout";
  }
  return "?";
}

BeatFsm::BeatFsm(std::string name, Clock::duration interval, TimerService& timers, Logger& log, Counters& counters,
                 SendBeat send, PeerLost lost)
    : name_(std::move(name)),
      interval_(interval),
      log_(log),
      sent_(counters.get("m3ua.beat.sent")),
      lost_count_(counters.get("m3ua.beat.peer_lost")),
      send_(std::move(send)),
      lost_(std::move(lost)),
      timer_(timers) {}

bool BeatFsm::handle(BeatEvent e) {
  if (interval_ == Clock::duration::zero()) return false;
  const Row* row = find_row(kTable, state_, e);
  if (!row) return false;  // e.g. peer_alive while off: nothing to do, not worth a log line
  const S from = state_;
  state_ = row->to;
  if (from != state_ || row->action != A::kNone)
    log_.debug(Subsystem::kM3ua, "beat_fsm_transition",
               {{"link", name_}, {"from", to_string(from)}, {"event", to_string(e)}, {"to", to_string(state_)}});
  switch (state_) {
    case S::kOff: timer_.cancel(); break;
    case S::kIdle: timer_.arm(interval_, [this] { handle(E::kIntervalExpiry); }); break;
    case S::kWaiting: timer_.arm(2 * interval_, [this] { handle(E::kResponseTimeout); }); break;
  }
  switch (row->action) {
    case A::kNone: break;
    case A::kSendBeat:
      sent_.inc();
      send_(++sequence_);
      break;
    case A::kPeerLost:
      lost_count_.inc();
      log_.warn(Subsystem::kM3ua, "beat_peer_lost", {{"link", name_}});
      lost_();
      break;
  }
  return true;
}

}  // namespace isupgw::sigtran::m3ua
