// Continuity check of TDM circuits through an H.248 media gateway (Q.764
// 2.1.8; H.248.1 Annex E.10, the Continuity package "ct"): the same service as
// ContinuityChecker gives over MGCP, on the same states and events.
//  - incoming exchange: connect_loop() adds the circuit's termination to a new
//    context with the respond signal, Signals { ct/rsp } (E.10: the MG loops
//    the circuit back, or on a 2-wire circuit answers the test tone); the
//    signal is made On/Off (SY=OO, 7.1.11) so the loop holds until
//    disconnect_loop() subtracts the termination, whatever T8 the far
//    exchange runs. The package's own procedure is preferred over Mode =
//    LoopBack: it also covers 2-wire circuits.
//  - outgoing exchange: start_test() adds it with Signals { ct/ct } (send the
//    check tone) and Events = R { ct/cmp } (E.10: completion, ObservedEvents
//    parameter res = success / failure). The MG's Notify ct/cmp decides; none
//    within T24 (< 2 s, Q.764 annex A) is a failure. The result is reported
//    once, then the termination is subtracted.
// One machine per termination on the FSM kit (base/fsm.h): transitions counted
// (h248.cot.*) and logged (cot.transition), refused events counted and logged
// (cot.ignored). No sockets: commands go through H248Client; Notify comes back
// through on_notify() (wire H248Client::on_notify to it).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/counters.h"
#include "base/fsm.h"
#include "base/log.h"
#include "base/timer_service.h"
#include "media-gw/continuity_check.h"  // CotState, CotEvent, ContinuityConfig
#include "media-gw/h248_client.h"

namespace isupgw::mediagw {

class H248Continuity {
 public:
  using Done = std::function<void(bool passed)>;
  enum class Action : std::uint8_t {
    kAddLoop,      // Add tdm { Signals { ct/rsp } } in a new context
    kAddTest,      // Add tdm { Events = R { ct/cmp }, Signals { ct/ct } } in a new context
    kLoopReady,    // honour a disconnect requested while the Add was in flight
    kMarkDisconnect,
    kSubtract,
    kStartT24,     // the test runs: T24 supervises the MG's Notify (and a Notify that overtook the reply)
    kReportPassSubtract,
    kReportFailSubtract,
    kReportFailForget,
    kForget,
  };
  using Row = fsm::Row<CotState, CotEvent, Action>;

  H248Continuity(H248Client& client, TimerService& timers, Logger& log, Counters& counters,
                 ContinuityConfig cfg = {});
  ~H248Continuity();
  H248Continuity(const H248Continuity&) = delete;
  H248Continuity& operator=(const H248Continuity&) = delete;

  void connect_loop(const std::string& termination);
  void disconnect_loop(const std::string& termination);
  // `done` is called exactly once (not from inside this call).
  void start_test(const std::string& termination, Done done);
  // A Notify from the MG; true if it reported a test of ours (ct/cmp).
  bool on_notify(const h248::Command& notify, const h248::ContextId& context);

  // Called when a termination's check is over and its context gone (a call may now add it: a termination is in
  // one context at a time, H.248.1 6.1).
  void on_idle(std::function<void(const std::string& termination)> f) { on_idle_ = std::move(f); }

  CotState state(std::string_view termination) const;
  std::size_t active() const { return circuits_.size(); }

 private:
  struct Circuit {
    explicit Circuit(const fsm::Meter<Row>& meter) : m(meter, CotState::kIdle) {}
    fsm::Machine<Row> m;
    std::optional<std::uint32_t> context;
    std::uint32_t request_id = 0;
    bool disconnect_pending = false;
    std::optional<bool> early_outcome;  // a Notify that arrived before the Add's reply
    TimerService::Id t24 = 0;
    Done done;
    std::uint64_t generation = 0;
  };

  void fire(const std::string& termination, CotEvent ev);
  Circuit& add(const std::string& termination);
  void send_add(const std::string& termination, Circuit& c, bool test);
  void send_subtract(const std::string& termination, Circuit& c);
  void report(Circuit& c, bool passed);
  Circuit* find(const std::string& termination, std::uint64_t generation);

  H248Client& client_;
  TimerService& timers_;
  Logger& log_;
  ContinuityConfig cfg_;
  fsm::Meter<Row> meter_;
  Counter& loops_;
  Counter& passed_;
  Counter& failed_;
  Counter& busy_;
  std::map<std::string, Circuit, std::less<>> circuits_;
  std::uint64_t next_generation_ = 1;
  std::uint32_t next_request_ = 1;
  std::function<void(const std::string&)> on_idle_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace isupgw::mediagw
