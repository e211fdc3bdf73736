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
const auto& CircuitGroupFsm::table() {
  static constexpr auto kTable = fsm::make_table<kGroupStates, kGroupEvents, Row>({
      {S::kIdle, E::kCgbReq, S::kAwaitCgba, &F::a_send_cgb},
      {S::kIdle, E::kCguReq, S::kAwaitCgua, &F::a_send_cgu},
      {S::kIdle, E::kGrsReq, S::kAwaitGra, &F::a_send_grs},
      {S::kAwaitCgba, E::kCgbaRx, S::kDone, &F::a_ack},
      {S::kAwaitCgua, E::kCguaRx, S::kDone, &F::a_ack},
      {S::kAwaitGra, E::kGraRx, S::kDone, &F::a_ack},
      {S::kAwaitCgba, E::kT18, fsm::stay, &F::a_resend_short},
      {S::kAwaitCgba, E::kT19, fsm::stay, &F::a_resend_long},
      {S::kAwaitCgua, E::kT20, fsm::stay, &F::a_resend_short},
      {S::kAwaitCgua, E::kT21, fsm::stay, &F::a_resend_long},
      {S::kAwaitGra, E::kT22, fsm::stay, &F::a_resend_short},
      {S::kAwaitGra, E::kT23, fsm::stay, &F::a_resend_long},
  });
  return kTable;
}

CircuitGroupFsm::Meter CircuitGroupFsm::make_meter(Logger& log, Counters& counters) {
  return Meter(table(), log, counters,
               {.name = "circuit_group",
                .counters = "isup.group",
                .subsystem = Subsystem::kIsup,
                .refused_log = "fsm.unexpected",
                .refused_counter = "isup.group.unexpected",
                .label_key = "group",
                .id_key = "cic"});
}

CircuitGroupFsm::CircuitGroupFsm(Circuit& first, Done done)
    : first_(first),
      done_(std::move(done)),
      m_(first.env().meters().group, S::kIdle, fsm::Label{first.group_name(), first.cic()}),
      t_short_(first.env().timers()),
      t_long_(first.env().timers()) {}

std::uint16_t CircuitGroupFsm::cic() const { return first_.cic(); }

// The transition is committed before the action: a_ack hands the instance back to its owner.
bool CircuitGroupFsm::dispatch(GroupEvent e) {
  return m_.fire(e, [this](auto action) { (this->*action)(); });
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
  t_short_.arm(s, [this] { dispatch(short_event_); });
  t_long_.arm(l, [this] { dispatch(long_event_); });
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
  t_short_.arm(short_, [this] { dispatch(short_event_); });
}

void CircuitGroupFsm::a_resend_long() {
  t_short_.cancel();
  first_.env().alarm(first_, type_ == msg::kCgb   ? "cgb_unacknowledged"
                             : type_ == msg::kCgu ? "cgu_unacknowledged"
                                                  : "grs_unacknowledged");
  send_request();
  t_long_.arm(long_, [this] { dispatch(long_event_); });
}

void CircuitGroupFsm::a_ack() {
  t_short_.cancel();
  t_long_.cancel();
  if (done_) done_(*this, *rx_);
}

}  // namespace isupgw::isup
