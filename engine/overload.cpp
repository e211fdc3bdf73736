#include "engine/overload.h"

#include <algorithm>

#include "config/config.pb.h"

namespace isupgw::engine {

std::string_view to_string(OverloadState s) {
  switch (s) {
    case OverloadState::kNormal: return "normal";
    case OverloadState::kLevel1: return "level1";
    case OverloadState::kLevel2: return "level2";
  }
  return "?";
}

OverloadConfig OverloadConfig::from(const config::Overload& o) {
  OverloadConfig c;
  c.enabled = !o.disabled();
  if (o.sample_ms() != 0) c.sample = std::chrono::milliseconds(o.sample_ms());
  if (o.backlog_percent() != 0) c.backlog_threshold = o.backlog_percent() / 100.0;
  if (o.lag_ms() != 0) c.lag_threshold = std::chrono::milliseconds(o.lag_ms());
  if (o.hold_ms() != 0) c.hold = std::chrono::milliseconds(o.hold_ms());
  if (o.retry_after_s() != 0) c.retry_after_s = o.retry_after_s();
  return c;
}

OverloadControl::OverloadControl(OverloadConfig cfg, Logger& log, Counters& counters)
    : cfg_(cfg),
      log_(log),
      state_changes_(counters.get("overload.state_changes")),
      samples_over_(counters.get("overload.samples_over")),
      refused_sip_(counters.get("overload.refused_sip")),
      refused_isup_(counters.get("overload.refused_isup")),
      rx_drops_(counters.get("overload.rx_drops")) {}

bool OverloadControl::sample(Clock::time_point now, const LoadSample& s) {
  last_ = s;
  rx_drops_.inc(s.rx_drops);
  if (!cfg_.enabled) {
    load_ = 0;
    const bool changed = state_ != OverloadState::kNormal;
    refusal_ = 0;
    if (changed) enter_state(OverloadState::kNormal, now);
    return changed;
  }
  const double lag = cfg_.lag_threshold.count() > 0
                         ? std::chrono::duration<double>(s.loop_lag) / std::chrono::duration<double>(cfg_.lag_threshold)
                         : 0.0;
  load_ = std::max(cfg_.backlog_threshold > 0 ? s.rx_backlog / cfg_.backlog_threshold : 0.0, lag);
  // The kernel dropped datagrams: the queue overflowed since the last look, whatever it holds now.
  if (s.rx_drops > 0) load_ = std::max(load_, 2.0);
  if (load_ >= 1.0) {
    samples_over_.inc();
    refusal_ = std::min(cfg_.max_refusal, refusal_ + cfg_.increase);
    calm_ = false;
  } else if (load_ < cfg_.leave) {
    refusal_ = refusal_ - cfg_.decrease;
    if (refusal_ < 1e-9) refusal_ = 0;  // no floating-point residue keeps the state on
    if (!calm_) {
      calm_ = true;
      calm_since_ = now;
    }
  } else {
    calm_ = false;  // between leave and the threshold: the fraction holds
  }
  OverloadState next = state_;
  if (refusal_ > 0)
    next = refusal_ >= cfg_.level2 ? OverloadState::kLevel2 : OverloadState::kLevel1;
  else if (state_ != OverloadState::kNormal && calm_ && now - calm_since_ >= cfg_.hold)
    next = OverloadState::kNormal;
  else if (state_ == OverloadState::kLevel2)
    next = OverloadState::kLevel1;
  if (next == state_) return false;
  enter_state(next, now);
  return true;
}

void OverloadControl::enter_state(OverloadState s, Clock::time_point) {
  const OverloadState was = state_;
  state_ = s;
  if (s == OverloadState::kNormal) acc_ = 0.5;  // mid-phase: at 99 % the first new call is refused, at 10 % the 5th
  state_changes_.inc();
  log_.notice(Subsystem::kCore, "overload_state",
              {{"from", to_string(was)},
               {"to", to_string(s)},
               {"refusal_percent", static_cast<unsigned>(refusal_ * 100 + 0.5)},
               {"rx_backlog_percent", static_cast<unsigned>(last_.rx_backlog * 100 + 0.5)},
               {"rx_drops", last_.rx_drops},
               {"loop_lag_ms", static_cast<std::uint64_t>(
                                   std::chrono::duration_cast<std::chrono::milliseconds>(last_.loop_lag).count())}});
}

bool OverloadControl::refuse() {
  if (refusal_ <= 0) return false;
  // Evenly spread: of every 1/refusal calls, one is refused (RFC 7339 leaves the choice of which to the
  // implementation; an even spread keeps the admitted rate steady).
  acc_ += refusal_;
  if (acc_ < 1.0 - 1e-9) return false;  // 10 x 0.1 is 0.999...: no floating-point loss of a refusal
  acc_ -= 1.0;
  return true;
}

}  // namespace isupgw::engine
