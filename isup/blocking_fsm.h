// Local maintenance blocking of one circuit with BLO/UBL (Q.764 2.8.2,
// timers T12-T15). Group blocking results (CGBA/CGUA) feed in as events.
// The peer's blocking of us is a plain flag on the Circuit.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/fsm.h"
#include "base/one_shot_timer.h"

namespace isupgw::isup {

class Circuit;

enum class BlockingState : std::uint8_t {
  kUnblocked,
  kBlocking,    // BLO sent, awaiting BLA (T12, T13)
  kBlocked,     // locally maintenance blocked
  kUnblocking,  // UBL sent, awaiting UBA (T14, T15)
};
inline constexpr std::size_t kBlockingStates = static_cast<std::size_t>(BlockingState::kUnblocking) + 1;
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
inline constexpr std::size_t kBlockingEvents = static_cast<std::size_t>(BlockingEvent::kResetRx) + 1;
std::string_view to_string(BlockingEvent e);

class BlockingFsm {
 public:
  using Row = fsm::Row<BlockingState, BlockingEvent, void (BlockingFsm::*)()>;
  using Meter = fsm::Meter<Row>;
  // isup.blocking.* counters, fsm=blocking log lines; built once at wiring time.
  static Meter make_meter(Logger& log, Counters& counters);

  explicit BlockingFsm(Circuit& c);
  BlockingState state() const { return m_.state(); }
  // Blocked or being blocked: no calls from the peer are accepted.
  bool locally_blocked() const { return m_.in(fsm::in(BlockingState::kBlocking, BlockingState::kBlocked)); }
  // False when the event is refused in this state (counted and logged).
  bool handle(BlockingEvent e);

 private:
  static const auto& table();
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
  fsm::Machine<Row> m_;
  OneShotTimer t_short_, t_long_;  // T12/T14 and T13/T15
};

}  // namespace isupgw::isup
