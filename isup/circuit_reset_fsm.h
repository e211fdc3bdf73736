// Reset of one circuit with RSC (Q.764 2.10.3.1, timers T16/T17). T5 expiry
// starts it without T16 (Q.764 2.3.1 e, Table A.1).
#pragma once

#include <cstdint>
#include <string_view>

#include "isup/isup_cc_fsm.h"
#include "isup/timers.h"

namespace isupgw::isup {

class Circuit;

enum class ResetState : std::uint8_t {
  kIdle,
  kResetting,  // RSC sent, awaiting RLC
  kStay,
  kByAction,
};
std::string_view to_string(ResetState s);

enum class ResetEvent : std::uint8_t { kResetReq, kResetAfterT5, kRlcRx, kT16, kT17, kGroupReset };
std::string_view to_string(ResetEvent e);

class CircuitResetFsm {
 public:
  explicit CircuitResetFsm(Circuit& c);
  ResetState state() const { return state_; }
  bool resetting() const { return state_ == ResetState::kResetting; }
  bool handle(ResetEvent e);

 private:
  using Row = FsmRow<CircuitResetFsm, ResetState, ResetEvent>;
  static const Row kTable[];
  static const std::size_t kTableSize;
  void send_rsc();
  void a_rsc_t16_t17();
  void a_rsc_t17();
  void a_stop();
  void a_t16();
  void a_t17();
  void a_ignore();

  Circuit& c_;
  ResetState state_ = ResetState::kIdle;
  Timer t16_, t17_;
};

}  // namespace isupgw::isup
