#include "isup/blocking_fsm.h"

#include "isup/circuit.h"
#include "isup/codes.h"

namespace isupgw::isup {

using S = BlockingState;
using E = BlockingEvent;
using F = BlockingFsm;
using fsm::in;

std::string_view to_string(BlockingState s) {
  switch (s) {
    case S::kUnblocked: return "unblocked";
    case S::kBlocking: return "blocking";
    case S::kBlocked: return "blocked";
    case S::kUnblocking: return "unblocking";
  }
  return "?";
}

std::string_view to_string(BlockingEvent e) {
  switch (e) {
    case E::kBlockReq: return "block_req";
    case E::kUnblockReq: return "unblock_req";
    case E::kBlaRx: return "BLA";
    case E::kUbaRx: return "UBA";
    case E::kT12: return "T12";
    case E::kT13: return "T13";
    case E::kT14: return "T14";
    case E::kT15: return "T15";
    case E::kGroupBlocked: return "group_blocked";
    case E::kGroupUnblocked: return "group_unblocked";
    case E::kIamRx: return "IAM";
    case E::kResetRx: return "RSC";
  }
  return "?";
}

// Q.764 2.8.2 and 2.10.3.1; unexpected acknowledgements per 2.8.2.3.
const auto& BlockingFsm::table() {
  static constexpr auto kTable = fsm::make_table<kBlockingStates, kBlockingEvents, Row>({
      {in(S::kUnblocked, S::kBlocked), E::kBlockReq, S::kBlocking, &F::a_send_blo},
      {S::kUnblocking, E::kBlockReq, S::kBlocking, &F::a_send_blo},
      {S::kBlocking, E::kBlaRx, S::kBlocked, &F::a_stop},
      {S::kBlocking, E::kT12, fsm::stay, &F::a_t12},
      {S::kBlocking, E::kT13, fsm::stay, &F::a_t13},
      {in(S::kBlocking, S::kBlocked), E::kUnblockReq, S::kUnblocking, &F::a_send_ubl},
      {S::kUnblocking, E::kUbaRx, S::kUnblocked, &F::a_stop},
      {S::kUnblocking, E::kT14, fsm::stay, &F::a_t14},
      {S::kUnblocking, E::kT15, fsm::stay, &F::a_t15},
      // A BLA with no BLO outstanding while not locally blocked: tell the peer we are not blocked.
      {S::kUnblocked, E::kBlaRx, fsm::stay, &F::a_unexpected_bla},
      // A UBA with no UBL outstanding while locally blocked: re-assert the blocking.
      {S::kBlocked, E::kUbaRx, fsm::stay, &F::a_unexpected_uba},
      {S::kBlocked, E::kBlaRx, fsm::stay},
      {S::kUnblocked, E::kUbaRx, fsm::stay},
      {in(S::kUnblocked, S::kBlocking, S::kBlocked, S::kUnblocking), E::kGroupBlocked, S::kBlocked, &F::a_stop},
      {in(S::kUnblocked, S::kBlocking, S::kBlocked, S::kUnblocking), E::kGroupUnblocked, S::kUnblocked, &F::a_stop},
      // Q.764 2.8.2.3: an IAM on a locally blocked circuit is discarded and BLO repeated.
      {S::kBlocked, E::kIamRx, fsm::stay, &F::a_resend_blo},
      {S::kBlocking, E::kIamRx, fsm::stay},
      // Q.764 2.10.3.1: reset clears the peer's view of our blocking; send BLO again.
      {S::kBlocked, E::kResetRx, fsm::stay, &F::a_resend_blo},
      {S::kBlocking, E::kResetRx, fsm::stay},
  });
  return kTable;
}

BlockingFsm::Meter BlockingFsm::make_meter(Logger& log, Counters& counters) {
  return Meter(table(), log, counters,
               {.name = "blocking",
                .counters = "isup.blocking",
                .subsystem = Subsystem::kIsup,
                .refused_log = "fsm.unexpected",
                .refused_counter = "isup.blocking.unexpected",
                .label_key = "group",
                .id_key = "cic"});
}

BlockingFsm::BlockingFsm(Circuit& c)
    : c_(c),
      m_(c.env().meters().blocking, S::kUnblocked, fsm::Label{c.group_name(), c.cic()}),
      t_short_(c.env().timers()),
      t_long_(c.env().timers()) {}

bool BlockingFsm::handle(BlockingEvent e) {
  const bool accepted = m_.fire(e, [this](auto action) {
    if (action != nullptr) (this->*action)();
  });
  if (accepted) c_.touched();
  return accepted;
}

void BlockingFsm::send(std::uint8_t type) {
  MessageBuilder b(type, c_.cic());
  c_.env().send(c_, b);
}

void BlockingFsm::a_send_blo() {
  t_short_.cancel();
  t_long_.cancel();
  send(msg::kBlo);
  const auto& t = c_.timer_config();
  t_short_.arm(t.t12, [this] { handle(E::kT12); });
  t_long_.arm(t.t13, [this] { handle(E::kT13); });
}

void BlockingFsm::a_send_ubl() {
  t_short_.cancel();
  t_long_.cancel();
  send(msg::kUbl);
  const auto& t = c_.timer_config();
  t_short_.arm(t.t14, [this] { handle(E::kT14); });
  t_long_.arm(t.t15, [this] { handle(E::kT15); });
}

void BlockingFsm::a_stop() {
  t_short_.cancel();
  t_long_.cancel();
}

// T12: repeat BLO and restart T12 (Q.764 2.8.2.1, Table A.1).
void BlockingFsm::a_t12() {
  send(msg::kBlo);
  t_short_.arm(c_.timer_config().t12, [this] { handle(E::kT12); });
}

// T13: repeat BLO, alert maintenance, restart T13; T12 is no longer used.
void BlockingFsm::a_t13() {
  t_short_.cancel();
  c_.env().alarm(c_, "blo_unacknowledged");
  send(msg::kBlo);
  t_long_.arm(c_.timer_config().t13, [this] { handle(E::kT13); });
}

void BlockingFsm::a_t14() {
  send(msg::kUbl);
  t_short_.arm(c_.timer_config().t14, [this] { handle(E::kT14); });
}

void BlockingFsm::a_t15() {
  t_short_.cancel();
  c_.env().alarm(c_, "ubl_unacknowledged");
  send(msg::kUbl);
  t_long_.arm(c_.timer_config().t15, [this] { handle(E::kT15); });
}

void BlockingFsm::a_unexpected_bla() {
  c_.env().meters().unexpected_bla.inc();
  send(msg::kUbl);
}

void BlockingFsm::a_unexpected_uba() {
  c_.env().meters().unexpected_uba.inc();
  send(msg::kBlo);
}

void BlockingFsm::a_resend_blo() { send(msg::kBlo); }

}  // namespace isupgw::isup
