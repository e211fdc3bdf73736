#include "sigtran/beat_fsm.h"

namespace isupgw::sigtran {

using S = BeatState;
using E = BeatEvent;
using F = BeatFsm;
using fsm::in;

// RFC 4666 4.3.4.6: BEAT every T(beat) of silence; no answer (or anything else) within 2 x T(beat): peer lost.
const auto& BeatFsm::table() {
  static constexpr auto kTable = fsm::make_table<kBeatStates, kBeatEvents, Row>({
      {S::kOff, E::kStart, S::kIdle},
      {S::kIdle, E::kIntervalExpiry, S::kWaiting, &F::a_send_beat},
      {in(S::kIdle, S::kWaiting), E::kPeerAlive, S::kIdle},
      {in(S::kIdle, S::kWaiting), E::kStop, S::kOff},
      {S::kWaiting, E::kResponseTimeout, S::kOff, &F::a_peer_lost},
  });
  return kTable;
}

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

BeatFsm::Meter BeatFsm::make_meter(Logger& log, Counters& counters, Ua ua) {
  // Every message received is peer_alive: transitions at debug, refusals (peer_alive while off) at trace.
  return Meter(table(), log, counters,
               {.name = {},
                .counters = ua == Ua::kIua ? "iua.beat" : "m3ua.beat",
                .subsystem = Subsystem::kM3ua,
                .transition_level = LogLevel::kDebug,
                .refused_level = LogLevel::kTrace,
                .transition_log = "beat_fsm_transition",
                .refused_log = "beat_fsm_refused",
                .refused_counter = {},
                .label_key = "link",
                .id_key = {}});
}

BeatFsm::BeatFsm(std::string name, Clock::duration interval, const Meter& meter, TimerService& timers, Logger& log,
                 Counters& counters, SendBeat send, PeerLost lost, Ua ua)
    : name_(std::move(name)),
      interval_(interval),
      m_(meter, S::kOff, fsm::Label{name_}),
      log_(log),
      sent_(counters.get(ua == Ua::kIua ? "iua.beat.sent" : "m3ua.beat.sent")),
      lost_count_(counters.get(ua == Ua::kIua ? "iua.beat.peer_lost" : "m3ua.beat.peer_lost")),
      send_(std::move(send)),
      lost_(std::move(lost)),
      timer_(timers) {}

bool BeatFsm::handle(BeatEvent e) {
  if (interval_ == Clock::duration::zero()) return false;  // supervision off: no machine at all
  const Row* row = m_.step(e);
  if (!row) return false;
  switch (state()) {
    case S::kOff: timer_.cancel(); break;
    case S::kIdle: timer_.arm(interval_, [this] { handle(E::kIntervalExpiry); }); break;
    case S::kWaiting: timer_.arm(2 * interval_, [this] { handle(E::kResponseTimeout); }); break;
  }
  if (row->action) (this->*row->action)();
  return true;
}

void BeatFsm::a_send_beat() {
  sent_.inc();
  send_(++sequence_);
}

void BeatFsm::a_peer_lost() {
  lost_count_.inc();
  log_.warn(Subsystem::kM3ua, "beat_peer_lost", {{"link", name_}});
  lost_();
}

}  // namespace isupgw::sigtran
