// Local maintenance blocking of one circuit with BLO/UBL (Q.764 2.8.2,
// timers T12-T15). Group blocking results (CGBA/CGUA) feed in as events.
// The peer's blocking of us is a plain flag on the Circuit.
#pragma once

#include <cstdint>
#include <string_view>

#include "isup/isup_cc_fsm.h"
#include "isup/timers.h"

namespace isupgw::isup {

class Circuit;

enum class BlockingState : std::uint8_t {
  kUnblocked,
  kBlocking,    // BLO sent, awaiting BLA (T12, T13)
  kBlocked,     // locally maintenance blocked
  kUnblocking,  // UBL sent, awaiting UBA (T14, T15)
  kStay,
  kByAction,
};
std::string_view to_string(BlockingState s);

enum class BlockingEvent : std::uint8_t {
  kBlockReq,
  kUnblockReq,
  kBlaRx,
  kUbaRx,
  kT12,
  kT13,
  kT14,
  kT15,
  kGroupBlocked,    // CGBA (maintenance) received for a CGB we sent
  kGroupUnblocked,  // CGUA (maintenance) received for a CGU we sent
  kIamRx,           // IAM received while locally blocked
  kResetRx,         // RSC received (Q.764 2.10.3.1: a locally blocked circuit re-sends BLO)
};
std::string_view to_string(BlockingEvent e);

class BlockingFsm {
 public:
  explicit BlockingFsm(Circuit& c);
  BlockingState state() const { return state_; }
  // Blocked or being blocked: no calls from the peer are accepted.
  bool locally_blocked() const { return state_ == BlockingState::kBlocking || state_ == BlockingState::kBlocked; }
  bool handle(BlockingEvent e);

 private:
  using Row = FsmRow<BlockingFsm, BlockingState, BlockingEvent>;
  static const Row kTable[];
  static const std::size_t kTableSize;
  void send(std::uint8_t type);
  void a_send_blo();
  void a_send_ubl();
  void a_bla();
  void a_uba();
  void a_t12();
  void a_t13();
  void a_t14();
  void a_t15();
  void a_stop();
  void a_unexpected_bla();
  void a_unexpected_uba();
  void a_resend_blo();

  Circuit& c_;
  BlockingState state_ = BlockingState::kUnblocked;
  Timer t_short_, t_long_;  // T12/T14 and T13/T15
};

}  // namespace isupgw::isup
