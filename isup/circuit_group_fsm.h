// Circuit group procedures this exchange starts (Q.764 2.8.2 and 2.10.3.2):
// CGB/CGU with maintenance or hardware-failure type (T18-T21) and GRS (T22,
// T23). One instance per outstanding request, keyed by its first CIC.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "base/fsm.h"

#include "base/one_shot_timer.h"
#include "isup/isup_cc_config.h"
#include "isup/message.h"

namespace isupgw::isup {

class Circuit;

enum class GroupState : std::uint8_t {
  kIdle,
  kAwaitCgba,  // CGB sent (T18, T19)
  kAwaitCgua,  // CGU sent (T20, T21)
  kAwaitGra,   // GRS sent (T22, T23)
  kDone,       // acknowledged; the owner drops the instance
};
inline constexpr std::size_t kGroupStates = static_cast<std::size_t>(GroupState::kDone) + 1;
std::string_view to_string(GroupState s);

enum class GroupEvent : std::uint8_t {
  kCgbReq,
  kCguReq,
  kGrsReq,
  kCgbaRx,
  kCguaRx,
  kGraRx,
  kT18,
  kT19,
  kT20,
  kT21,
  kT22,
  kT23
};
inline constexpr std::size_t kGroupEvents = static_cast<std::size_t>(GroupEvent::kT23) + 1;
std::string_view to_string(GroupEvent e);

class CircuitGroupFsm {
 public:
  using Row = fsm::Row<GroupState, GroupEvent, void (CircuitGroupFsm::*)()>;
  using Meter = fsm::Meter<Row>;
  // isup.group.* counters, fsm=circuit_group log lines; built once at wiring time.
  static Meter make_meter(Logger& log, Counters& counters);

  // `done` runs when the acknowledgement arrived (state kDone) with it.
  using Done = std::function<void(CircuitGroupFsm&, const Message& ack)>;
  CircuitGroupFsm(Circuit& first, Done done);
  CircuitGroupFsm(const CircuitGroupFsm&) = delete;
  CircuitGroupFsm& operator=(const CircuitGroupFsm&) = delete;

  GroupState state() const { return m_.state(); }
  Circuit& first() { return first_; }
  std::uint16_t cic() const;
  std::uint8_t range() const { return range_; }
  bool hardware() const { return hardware_; }
  // Status bits of the request (CGB/CGU): bit i = CIC + i.
  const std::vector<std::uint8_t>& status() const { return status_; }
  bool status_bit(unsigned i) const { return i / 8 < status_.size() && ((status_[i / 8] >> (i % 8)) & 1); }

  bool block(bool hardware, std::uint8_t range, std::vector<std::uint8_t> status);
  bool unblock(bool hardware, std::uint8_t range, std::vector<std::uint8_t> status);
  bool reset(std::uint8_t range);
  // CGBA, CGUA or GRA for this request; false if unexpected here.
  bool on_ack(const Message& m);

 private:
  static const auto& table();
  bool dispatch(GroupEvent e);
  void send_request();
  void start_timers(milliseconds s, milliseconds l, GroupEvent es, GroupEvent el);
  void a_send_cgb();
  void a_send_cgu();
  void a_send_grs();
  void a_ack();
  void a_resend_short();
  void a_resend_long();

  Circuit& first_;
  Done done_;
  fsm::Machine<Row> m_;
  std::uint8_t type_ = 0;  // CGB, CGU or GRS
  std::uint8_t range_ = 0;
  bool hardware_ = false;
  std::vector<std::uint8_t> status_;
  const Message* rx_ = nullptr;
  GroupEvent short_event_ = GroupEvent::kT18, long_event_ = GroupEvent::kT19;
  milliseconds short_ = {}, long_ = {};
  OneShotTimer t_short_, t_long_;
};

}  // namespace isupgw::isup
