// One circuit (CIC) of a trunk group: its call state machine, the local
// maintenance blocking procedure, the reset procedure, and the blocking states
// the peer told us about (Q.764 2.8, 2.9.2, 2.10.3).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/counters.h"
#include "base/log.h"
#include "base/one_shot_timer.h"
#include "isup/blocking_fsm.h"
#include "isup/builder.h"
#include "isup/call_fsm.h"
#include "isup/circuit_group_fsm.h"
#include "isup/circuit_reset_fsm.h"
#include "isup/isup_cc_config.h"
#include "isup/isup_cc_user.h"

namespace isupgw::isup {

class TrunkGroup;

// How the circuit state machines count and log: their kinds' FSM meters and
// the counters of their actions, resolved once when IsupCallControl is built
// and shared by every circuit.
struct CircuitMeters {
  CircuitMeters(Logger& log, Counters& counters);
  CallFsm::Meter call;
  BlockingFsm::Meter blocking;
  CircuitResetFsm::Meter reset;
  CircuitGroupFsm::Meter group;
  Counter& t3_expired;
  Counter& overload_received;
  Counter& overload_sent;
  Counter& t7_expired;
  Counter& t8_expired;
  Counter& t9_expired;
  Counter& t35_expired;
  Counter& suspend_timeout;
  Counter& dual_seizure;
  Counter& continuity_failed;
  Counter& stored_iam_invalid;
  Counter& release_collision;
  Counter& unexpected_bla;
  Counter& unexpected_uba;
};

// What the circuit state machines need from the engine (IsupCallControl).
class CircuitEnv {
 public:
  virtual ~CircuitEnv() = default;
  virtual void send(const Circuit& c, const MessageBuilder& m) = 0;
  virtual TimerService& timers() = 0;
  virtual Logger& logger() = 0;
  virtual const CircuitMeters& meters() = 0;
  virtual CallControlUser& user() = 0;
  virtual ContinuityCheck* continuity() = 0;
  // Maintenance alarm: error log line + counter isup.alarm.<what>.
  virtual void alarm(const Circuit& c, std::string_view what) = 0;
  // Registers a new incoming call on the circuit.
  virtual CallId new_call(Circuit& c) = 0;
  // The user no longer knows the call on that circuit (it ended or is releasing).
  virtual void call_detached(Circuit& c, CallId id) = 0;
  // Automatic repeat attempt of an outgoing call on another circuit; false if
  // none is available (the caller then reports the release).
  virtual bool reattempt(CallId id, SetupRequest req, unsigned attempts, const Circuit& failed) = 0;
  // This exchange's automatic congestion level (Q.764 2.11): 0 none, 1 or 2; every REL sent carries it.
  virtual std::uint8_t own_congestion_level() const { return 0; }
};

class Circuit {
 public:
  Circuit(TrunkGroup& group, std::uint16_t cic, CircuitEnv& env);
  Circuit(const Circuit&) = delete;
  Circuit& operator=(const Circuit&) = delete;

  TrunkGroup& group() { return group_; }
  const TrunkGroup& group() const { return group_; }
  std::uint16_t cic() const { return cic_; }
  CircuitEnv& env() const { return env_; }
  std::string_view group_name() const;
  Variant variant() const;
  const IsupTimerConfig& timer_config() const;
  // This exchange controls the circuit for dual seizure (Q.764 2.10.1.4).
  bool controlled_here() const;

  CallFsm& call() { return call_; }
  const CallFsm& call() const { return call_; }
  BlockingFsm& blocking() { return blocking_; }
  const BlockingFsm& blocking() const { return blocking_; }
  CircuitResetFsm& reset() { return reset_; }
  const CircuitResetFsm& reset() const { return reset_; }

  // States reported by the peer / local hardware.
  bool remote_maint_blocked = false;  // BLO or CGB (maintenance) received
  bool remote_hw_blocked = false;     // CGB (hardware failure) received
  bool local_hw_blocked = false;      // CGB (hardware failure) sent and acknowledged
  bool unequipped = false;            // UCIC received: the peer has no such circuit
  bool group_reset_pending = false;   // part of a GRS we sent and GRA not yet received
  // Withdrawn by a reload (issue 16): hunted past; blocked towards the peer
  // (BLO/CGB maintenance) once its call, if any, has ended.
  bool withdrawn = false;

  // Idle and not blocked in either direction: may carry a new outgoing call.
  bool available_for_outgoing() const;
  // Something that can make the circuit available again happened (a state
  // machine moved, a blocking or reset flag was cleared): the trunk group's
  // hunt looks at it again (TrunkGroup::hunt).
  void touched();
  // Q.763 3.14 circuit state indicator octet (CQR).
  std::uint8_t state_indicator() const;

 private:
  TrunkGroup& group_;
  std::uint16_t cic_;
  CircuitEnv& env_;
  CallFsm call_;
  BlockingFsm blocking_;
  CircuitResetFsm reset_;
};

}  // namespace isupgw::isup
