#include "isup/circuit_group_fsm.h"

#include "isup/circuit.h"
#include "isup/codes.h"
#include "isup/params.h"

namespace isupgw::isup {

using S = GroupState;
using E = GroupEvent;
using F = CircuitGroupFsm;

std::string_view to_string(GroupState s) {
  switch (s) {
    case S::kIdle: return "idle";
    case S::kAwaitCgba: return "await_cgba";
    case S::kAwaitCgua: return "await_cgua";
    case S::kAwaitGra: return "await_gra";
    case S::kDone: return "done";
    case S::kStay: return "stay";
    case S::kByAction: return "by_action";
  }
  return "?";
}

std::string_view to_string(GroupEvent e) {
  switch (e) {
    case E::kCgbReq: return "cgb_req";
    case E::kCguReq: return "cgu_req";
    case E::kGrsReq: return "grs_req";
    case E::kCgbaRx: return "CGBA";
    case E::kCguaRx: return "CGUA";
    case E::kGraRx: return "GRA";
    case E::kT18: return "T18";
    case E::kT19: return "T19";
    case E::kT20: return "T20";
    case E::kT21: return "T21";
    case E::kT22: return "T22";
    case E::kT23: return "T23";
  }
  return "?";
}

// Q.764 2.8.2.2 (CGB/CGU, T18-T21) and 2.10.3.2 (GRS, T22/T23): the short
// timer repeats the request; the long one also alerts maintenance and from
// then on alone paces the repetitions.
const CircuitGroupFsm::Row CircuitGroupFsm::kTable[] = {
    {in(S::kIdle), E::kCgbReq, S::kAwaitCgba, &F::a_send_cgb},
    {in(S::kIdle), E::kCguReq, S::kAwaitCgua, &F::a_send_cgu},
    {in(S::kIdle), E::kGrsReq, S::kAwaitGra, &F::a_send_grs},
    {in(S::kAwaitCgba), E::kCgbaRx, S::kDone, &F::a_ack},
    {in(S::kAwaitCgua), E::kCguaRx, S::kDone, &F::a_ack},
    {in(S::kAwaitGra), E::kGraRx, S::kDone, &F::a_ack},
    {in(S::kAwaitCgba), E::kT18, S::kStay, &F::a_resend_short},
    {in(S::kAwaitCgba), E::kT19, S::kStay, &F::a_resend_long},
    {in(S::kAwaitCgua), E::kT20, S::kStay, &F::a_resend_short},
    {in(S::kAwaitCgua), E::kT21, S::kStay, &F::a_resend_long},
    {in(S::kAwaitGra), E::kT22, S::kStay, &F::a_resend_short},
    {in(S::kAwaitGra), E::kT23, S::kStay, &F::a_resend_long},
};
const std::size_t CircuitGroupFsm::kTableSize = std::size(CircuitGroupFsm::kTable);

CircuitGroupFsm::CircuitGroupFsm(Circuit& first, Done done)
    : first_(first), done_(std::move(done)), t_short_(first.env().timers()), t_long_(first.env().timers()) {}

std::uint16_t CircuitGroupFsm::cic() const { return first_.cic(); }

bool CircuitGroupFsm::dispatch(GroupEvent e) {
  auto& log = first_.env().logger();
  const Row* r = find_row(std::span<const Row>(kTable, kTableSize), state_, e);
  if (r == nullptr) {
    log_unexpected(log, "circuit_group", first_.group_name(), first_.cic(), to_string(state_), to_string(e));
    first_.env().counters().get("isup.group.unexpected").inc();
    return false;
  }
  const S from = state_;
  if (r->to != S::kStay && r->to != S::kByAction) state_ = r->to;
  log_transition(log, "circuit_group", first_.group_name(), first_.cic(), to_string(from), to_string(e),
                 to_string(state_));
  if (r->action != nullptr) (this->*(r->action))();  // last: a_ack hands the instance back to its owner
  return true;
}

bool CircuitGroupFsm::block(bool hardware, std::uint8_t range, std::vector<std::uint8_t> status) {
  hardware_ = hardware;
  range_ = range;
  status_ = std::move(status);
  return dispatch(E::kCgbReq);
}

bool CircuitGroupFsm::unblock(bool hardware, std::uint8_t range, std::vector<std::uint8_t> status) {
  hardware_ = hardware;
  range_ = range;
  status_ = std::move(status);
  return dispatch(E::kCguReq);
}

bool CircuitGroupFsm::reset(std::uint8_t range) {
  range_ = range;
  status_.clear();
  return dispatch(E::kGrsReq);
}

bool CircuitGroupFsm::on_ack(const Message& m) {
  rx_ = &m;
  bool ok = false;
  if (m.type == msg::kCgba) ok = dispatch(E::kCgbaRx);
  if (m.type == msg::kCgua) ok = dispatch(E::kCguaRx);
  if (m.type == msg::kGra) ok = dispatch(E::kGraRx);
  rx_ = nullptr;
  return ok;
}

void CircuitGroupFsm::send_request() {
  MessageBuilder b(type_, first_.cic());
  if (type_ != msg::kGrs)
    b.fixed(par::kCircuitGroupSupervisionMessageType,
            CircuitGroupSupervisionMessageType{hardware_ ? std::uint8_t{1} : std::uint8_t{0}, 0});
  RangeAndStatus rs;
  rs.range = range_;
  rs.status = status_;
  b.variable(par::kRangeAndStatus, rs);
  first_.env().send(first_, b);
}

void CircuitGroupFsm::start_timers(milliseconds s, milliseconds l, GroupEvent es, GroupEvent el) {
  short_ = s;
  long_ = l;
  short_event_ = es;
  long_event_ = el;
  t_short_.start(s, [this] { dispatch(short_event_); });
  t_long_.start(l, [this] { dispatch(long_event_); });
}

void CircuitGroupFsm::a_send_cgb() {
  type_ = msg::kCgb;
  send_request();
  const auto& t = first_.timer_config();
  start_timers(t.t18, t.t19, E::kT18, E::kT19);
}

void CircuitGroupFsm::a_send_cgu() {
  type_ = msg::kCgu;
  send_request();
  const auto& t = first_.timer_config();
  start_timers(t.t20, t.t21, E::kT20, E::kT21);
}

void CircuitGroupFsm::a_send_grs() {
  type_ = msg::kGrs;
  send_request();
  const auto& t = first_.timer_config();
  start_timers(t.t22, t.t23, E::kT22, E::kT23);
}

void CircuitGroupFsm::a_resend_short() {
  send_request();
  t_short_.start(short_, [this] { dispatch(short_event_); });
}

void CircuitGroupFsm::a_resend_long() {
  t_short_.stop();
  first_.env().alarm(first_, type_ == msg::kCgb   ? "cgb_unacknowledged"
                             : type_ == msg::kCgu ? "cgu_unacknowledged"
                                                  : "grs_unacknowledged");
  send_request();
  t_long_.start(long_, [this] { dispatch(long_event_); });
}

void CircuitGroupFsm::a_ack() {
  t_short_.stop();
  t_long_.stop();
  if (done_) done_(*this, *rx_);
}

}  // namespace isupgw::isup
