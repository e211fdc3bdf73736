#include "isup/blocking_fsm.h"

#include "isup/circuit.h"
#include "isup/codes.h"

namespace isupgw::isup {

using S = BlockingState;
using E = BlockingEvent;
using F = BlockingFsm;

std::string_view to_string(BlockingState s) {
  switch (s) {
    case S::kUnblocked: return "unblocked";
    case S::kBlocking: return "blocking";
    case S::kBlocked: return "blocked";
    case S::kUnblocking: return "unblocking";
    case S::kStay: return "stay";
    case S::kByAction: return "by_action";
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
const BlockingFsm::Row BlockingFsm::kTable[] = {
    {in(S::kUnblocked, S::kBlocked), E::kBlockReq, S::kBlocking, &F::a_send_blo},
    {in(S::kUnblocking), E::kBlockReq, S::kBlocking, &F::a_send_blo},
    {in(S::kBlocking), E::kBlaRx, S::kBlocked, &F::a_stop},
    {in(S::kBlocking), E::kT12, S::kStay, &F::a_t12},
    {in(S::kBlocking), E::kT13, S::kStay, &F::a_t13},
    {in(S::kBlocking, S::kBlocked), E::kUnblockReq, S::kUnblocking, &F::a_send_ubl},
    {in(S::kUnblocking), E::kUbaRx, S::kUnblocked, &F::a_stop},
    {in(S::kUnblocking), E::kT14, S::kStay, &F::a_t14},
    {in(S::kUnblocking), E::kT15, S::kStay, &F::a_t15},
    // A BLA with no BLO outstanding while not locally blocked: tell the peer we are not blocked.
    {in(S::kUnblocked), E::kBlaRx, S::kStay, &F::a_unexpected_bla},
    // A UBA with no UBL outstanding while locally blocked: re-assert the blocking.
    {in(S::kBlocked), E::kUbaRx, S::kStay, &F::a_unexpected_uba},
    {in(S::kBlocked), E::kBlaRx, S::kStay, nullptr},
    {in(S::kUnblocked), E::kUbaRx, S::kStay, nullptr},
    {in(S::kUnblocked, S::kBlocking, S::kBlocked, S::kUnblocking), E::kGroupBlocked, S::kBlocked, &F::a_stop},
    {in(S::kUnblocked, S::kBlocking, S::kBlocked, S::kUnblocking), E::kGroupUnblocked, S::kUnblocked, &F::a_stop},
    // Q.764 2.8.2.3: an IAM on a locally blocked circuit is discarded and BLO repeated.
    {in(S::kBlocked), E::kIamRx, S::kStay, &F::a_resend_blo},
    {in(S::kBlocking), E::kIamRx, S::kStay, nullptr},
    // Q.764 2.10.3.1: reset clears the peer's view of our blocking; send BLO again.
    {in(S::kBlocked), E::kResetRx, S::kStay, &F::a_resend_blo},
    {in(S::kBlocking), E::kResetRx, S::kStay, nullptr},
};
const std::size_t BlockingFsm::kTableSize = std::size(BlockingFsm::kTable);

BlockingFsm::BlockingFsm(Circuit& c) : c_(c), t_short_(c.env().timers()), t_long_(c.env().timers()) {}

bool BlockingFsm::handle(BlockingEvent e) {
  auto& log = c_.env().logger();
  const Row* r = find_row(std::span<const Row>(kTable, kTableSize), state_, e);
  if (r == nullptr) {
    log_unexpected(log, "blocking", c_.group_name(), c_.cic(), to_string(state_), to_string(e));
    c_.env().counters().get("isup.blocking.unexpected").inc();
    return false;
  }
  const S from = state_;
  if (r->to != S::kStay && r->to != S::kByAction) state_ = r->to;
  if (r->action != nullptr) (this->*(r->action))();
  log_transition(log, "blocking", c_.group_name(), c_.cic(), to_string(from), to_string(e), to_string(state_));
  return true;
}

void BlockingFsm::send(std::uint8_t type) {
  MessageBuilder b(type, c_.cic());
  c_.env().send(c_, b);
}

void BlockingFsm::a_send_blo() {
  t_short_.stop();
  t_long_.stop();
  send(msg::kBlo);
  const auto& t = c_.timer_config();
  t_short_.start(t.t12, [this] { handle(E::kT12); });
  t_long_.start(t.t13, [this] { handle(E::kT13); });
}

void BlockingFsm::a_send_ubl() {
  t_short_.stop();
  t_long_.stop();
  send(msg::kUbl);
  const auto& t = c_.timer_config();
  t_short_.start(t.t14, [this] { handle(E::kT14); });
  t_long_.start(t.t15, [this] { handle(E::kT15); });
}

void BlockingFsm::a_stop() {
  t_short_.stop();
  t_long_.stop();
}

// T12: repeat BLO and restart T12 (Q.764 2.8.2.1, Table A.1).
void BlockingFsm::a_t12() {
  send(msg::kBlo);
  t_short_.start(c_.timer_config().t12, [this] { handle(E::kT12); });
}

// T13: repeat BLO, alert maintenance, restart T13; T12 is no longer used.
void BlockingFsm::a_t13() {
  t_short_.stop();
  c_.env().alarm(c_, "blo_unacknowledged");
  send(msg::kBlo);
  t_long_.start(c_.timer_config().t13, [this] { handle(E::kT13); });
}

void BlockingFsm::a_t14() {
  send(msg::kUbl);
  t_short_.start(c_.timer_config().t14, [this] { handle(E::kT14); });
}

void BlockingFsm::a_t15() {
  t_short_.stop();
  c_.env().alarm(c_, "ubl_unacknowledged");
  send(msg::kUbl);
  t_long_.start(c_.timer_config().t15, [this] { handle(E::kT15); });
}

void BlockingFsm::a_unexpected_bla() {
  c_.env().counters().get("isup.blocking.unexpected_bla").inc();
  send(msg::kUbl);
}

void BlockingFsm::a_unexpected_uba() {
  c_.env().counters().get("isup.blocking.unexpected_uba").inc();
  send(msg::kBlo);
}

void BlockingFsm::a_resend_blo() { send(msg::kBlo); }

}  // namespace isupgw::isup
