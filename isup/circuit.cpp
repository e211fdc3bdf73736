#include "isup/circuit.h"

#include "isup/trunk_group.h"

namespace isupgw::isup {

CircuitMeters::CircuitMeters(Logger& log, Counters& counters)
    : call(CallFsm::make_meter(log, counters)),
      blocking(BlockingFsm::make_meter(log, counters)),
      reset(CircuitResetFsm::make_meter(log, counters)),
      group(CircuitGroupFsm::make_meter(log, counters)),
      t3_expired(counters.get("isup.call.t3_expired")),
      overload_received(counters.get("isup.call.overload_received")),
      overload_sent(counters.get("isup.call.overload_sent")),
      t7_expired(counters.get("isup.call.t7_expired")),
      t8_expired(counters.get("isup.call.t8_expired")),
      t9_expired(counters.get("isup.call.t9_expired")),
      t35_expired(counters.get("isup.call.t35_expired")),
      suspend_timeout(counters.get("isup.call.suspend_timeout")),
      dual_seizure(counters.get("isup.call.dual_seizure")),
      continuity_failed(counters.get("isup.call.continuity_failed")),
      stored_iam_invalid(counters.get("isup.call.stored_iam_invalid")),
      release_collision(counters.get("isup.call.release_collision")),
      unexpected_bla(counters.get("isup.blocking.unexpected_bla")),
      unexpected_uba(counters.get("isup.blocking.unexpected_uba")) {}

Circuit::Circuit(TrunkGroup& group, std::uint16_t cic, CircuitEnv& env)
    : group_(group), cic_(cic), env_(env), call_(*this), blocking_(*this), reset_(*this) {}

std::string_view Circuit::group_name() const { return group_.config().name; }
Variant Circuit::variant() const { return group_.config().variant; }
const IsupTimerConfig& Circuit::timer_config() const { return group_.config().timers; }
bool Circuit::controlled_here() const { return group_.controls(cic_); }
void Circuit::touched() { group_.touched(cic_); }

bool Circuit::available_for_outgoing() const {
  return !withdrawn && call_.idle() && !reset_.resetting() && !group_reset_pending && !unequipped &&
         !remote_maint_blocked && !remote_hw_blocked && !local_hw_blocked &&
         blocking_.state() == BlockingState::kUnblocked;
}

std::uint8_t Circuit::state_indicator() const {
  // Q.763 3.14: BA maintenance blocking, DC call processing, FE hardware blocking.
  if (reset_.resetting() || group_reset_pending) return 0x00;  // transient
  std::uint8_t dc = 3;                                         // idle
  switch (call_.state()) {
    case CallState::kIdle: dc = 3; break;
    case CallState::kOutSetup:
    case CallState::kOutAlerting:
    case CallState::kOutCotRetest:
    case CallState::kOutOverload: dc = 2; break;
    case CallState::kAnswered:
    case CallState::kSuspended:
    case CallState::kReleasing: dc = call_.outgoing() ? 2 : 1; break;
    default: dc = 1; break;
  }
  const std::uint8_t ba = (blocking_.locally_blocked() ? 1 : 0) | (remote_maint_blocked ? 2 : 0);
  const std::uint8_t fe = (local_hw_blocked ? 1 : 0) | (remote_hw_blocked ? 2 : 0);
  return static_cast<std::uint8_t>(ba | (dc << 2) | (fe << 4));
}

}  // namespace isupgw::isup
