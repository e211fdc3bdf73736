// Node-wide overload control (issue 19): the daemon's own load, sampled every
// `sample` (the SIP UDP receive backlog, the kernel's drops on those sockets,
// the event loop's lag), decides a fraction of *new* calls to refuse early --
// a SIP INVITE with a stateless 503 + Retry-After before any transaction or
// call exists (RFC 3261 8.2.7, 21.5.4), an ISUP IAM with REL cause 42 and the
// automatic congestion level parameter (Q.764 2.11, Q.763 3.4) -- so that the
// calls admitted keep being served instead of every call degrading together.
//
// Why the receive backlog and not the loop's lag alone: UDP datagrams are read
// one per handler, and asio runs a ready socket's handler once per pass over its
// queue; the loop's lag stays a few milliseconds while the socket's kernel queue
// (SO_MEMINFO's receive memory) fills and then overflows, and it is the overflow
// -- BYEs, ACKs and 200s dropped with the INVITEs, their retransmissions piling
// more work on -- that collapses the throughput. The lag is kept as a second
// signal (a slow handler, a long reload). Drops in the last sample mean overload
// at once.
//
// The refusal fraction moves as RFC 7339's loss algorithm asks of a throttle:
// up by `increase` each sample the load is at or above the threshold, down by
// `decrease` each sample it is under `leave` times the threshold (hysteresis:
// the fraction holds in between); the state is left only when the fraction is
// back at 0 and the load stayed under `leave` for `hold`. Refusals are spread
// evenly (a deterministic accumulator, not a random draw), so tests are exact.
// Pure: no sockets, no timers; the daemon feeds sample(), the engine asks refuse().
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "config/config_fwd.h"

namespace isupgw::engine {

struct OverloadConfig {
  bool enabled = true;
  Clock::duration sample = std::chrono::milliseconds(100);
  // The load is 1.0 when the SIP receive queue holds this fraction of its socket buffer ...
  double backlog_threshold = 0.25;
  // ... or when the event loop runs this late.
  Clock::duration lag_threshold = std::chrono::milliseconds(200);
  double increase = 0.1;   // refusal fraction added per sample at or above the threshold
  double decrease = 0.02;  // taken off per sample under leave x threshold
  double leave = 0.5;      // hysteresis
  double max_refusal = 0.99;
  // The fraction from which the congestion is level 2 (Q.764 2.11: the more severe threshold).
  double level2 = 0.5;
  Clock::duration hold = std::chrono::seconds(2);
  unsigned retry_after_s = 2;
  static OverloadConfig from(const config::Overload& o);
};

// One sample of the daemon's load.
struct LoadSample {
  double rx_backlog = 0;            // the fullest SIP UDP socket's receive queue / its buffer, 0..1
  std::uint64_t rx_drops = 0;       // datagrams the kernel dropped on those sockets since the last sample
  Clock::duration loop_lag{};       // how late the sampling timer ran
};

enum class OverloadState : std::uint8_t { kNormal = 0, kLevel1 = 1, kLevel2 = 2 };
std::string_view to_string(OverloadState s);

class OverloadControl {
 public:
  OverloadControl(OverloadConfig cfg, Logger& log, Counters& counters);
  void configure(const OverloadConfig& cfg) { cfg_ = cfg; }
  const OverloadConfig& config() const { return cfg_; }

  // Returns true when the state changed (the caller passes the level on, e.g. to ISUP's REL).
  bool sample(Clock::time_point now, const LoadSample& s);
  // Whether the next new call is refused (counted by the caller's kind: refused_sip, refused_isup).
  bool refuse();
  void count_refused_sip() { refused_sip_.inc(); }
  void count_refused_isup() { refused_isup_.inc(); }

  OverloadState state() const { return state_; }
  // Q.763 3.4's automatic congestion level: 0 none, 1 or 2.
  unsigned level() const { return static_cast<unsigned>(state_); }
  double refusal() const { return refusal_; }
  double load() const { return load_; }
  const LoadSample& last() const { return last_; }

 private:
  void enter_state(OverloadState s, Clock::time_point now);
  OverloadConfig cfg_;
  Logger& log_;
  OverloadState state_ = OverloadState::kNormal;
  double refusal_ = 0;
  double acc_ = 0.5;  // refusal accumulator: refuse when it reaches 1
  double load_ = 0;  // the last sample's, 1.0 = at the threshold
  LoadSample last_;
  Clock::time_point calm_since_{};
  bool calm_ = false;
  Counter& state_changes_;
  Counter& samples_over_;
  Counter& refused_sip_;
  Counter& refused_isup_;
  Counter& rx_drops_;
};

}  // namespace isupgw::engine
