// One primary rate interface's Q.931 layer (issue 21): the calls on it (one Call per call reference, Q.931
// Annex A tables of the configured side), its B channels (idle / busy, hunted and identified exclusively,
// 5.1.2 / 5.2.3) and the restart procedures on the global call reference (5.5), above a data link that
// carries Q.931 octets (DL-DATA: IUA in the daemon, Q.921 in tests). No I/O; timers on an injectable
// TimerService.
//
// Incoming SETUP: the channel it asks for (exclusive: that one or cause 44; preferred or none: any idle
// one; none idle: cause 34) is reserved and the owner asked (Hooks::incoming); a cause refuses the call
// with RELEASE COMPLETE (5.2.5.1 / 5.3.2). Messages for a call reference we do not know: 5.8.3.2.
// A message a call's state does not accept: STATUS with cause 101 (5.8.4).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/result.h"
#include "q931/call_fsm.h"
#include "q931/message.h"
#include "q931/restart_fsm.h"

namespace isupgw::q931 {

struct SpanConfig {
  std::string name = "pri";
  Side side = Side::kNetwork;
  std::vector<std::uint8_t> channels;  // the B channels in service (E1: timeslots 1..31 but 16)
  Timers timers = Timers::network();
  RestartFsm::Timeouts restart;
  // Q.931 5.5.1: restart the whole interface (class 7) each time the data link comes up, so that both
  // views of every B channel start idle.
  bool restart_on_link_up = true;
};

enum class ChannelState : std::uint8_t { kIdle, kBusy, kRestarting };
std::string_view to_string(ChannelState s);

class Span {
 public:
  // A call on the span: the call reference value, 0x8000 added when the peer allocated it.
  using CallId = std::uint32_t;

  struct Hooks {
    std::function<void(std::vector<std::uint8_t>)> send;  // one Q.931 message for DL-DATA
    // An incoming SETUP on `channel` (reserved for it). nullopt: the owner takes the call and drives it by
    // request(); a cause: the call is refused (RELEASE COMPLETE with it).
    std::function<std::optional<std::uint8_t>(CallId, const Message& setup, std::uint8_t channel)> incoming;
    // What a call's peer sent that the owner must act on (ALERTING, CONNECT, DISCONNECT, ...).
    std::function<void(CallId, const Message&)> indication;
    // The call is gone (Null state or restarted); its channel is idle again.
    std::function<void(CallId, std::uint8_t cause)> released;
    // A restart of ours (ok: acknowledged) or the peer's (ok: we acknowledged) completed.
    std::function<void(const RestartScope&, bool ok, bool ours)> restarted;
  };

  Span(SpanConfig cfg, TimerService& timers, Logger& log, Counters& counters, Hooks hooks);
  ~Span();
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;

  // The data link (Q.921 multiple-frame operation) came up / went down. Down: every call is cleared
  // without signalling (its state is lost with the link, 5.8.9 simplified) and its channel is idle.
  void link_up();
  void link_down();
  bool up() const { return up_; }

  // One Q.931 message from the data link.
  void receive(std::span<const std::uint8_t> octets);

  // An outgoing call: hunts an idle channel (highest first, away from the user side's usual lowest-first
  // hunting: fewer glares) and sends SETUP with it exclusive (5.1.2). Error: a Q.850 cause (34: none idle;
  // 41: link down).
  Result<CallId, std::uint8_t> setup(Message setup);
  // A request of the owner for a call it holds (CcEvent::k*Req with the message's IEs).
  bool request(CallId call, CcEvent e, Message m = {});
  // A restart of ours (5.5.1).
  bool restart(RestartScope scope);

  const SpanConfig& config() const { return cfg_; }
  std::size_t calls() const { return calls_.size(); }
  std::optional<CcState> call_state(CallId call) const;
  std::optional<std::uint8_t> channel_of(CallId call) const;
  ChannelState channel_state(std::uint8_t channel) const;
  std::vector<std::uint8_t> busy_channels() const;  // busy or restarting
  RestartState restart_state() const { return restart_->state(); }

 private:
  struct Entry {
    std::unique_ptr<Call> call;
    std::uint8_t channel = 0;  // 0: none yet
  };
  void send(const Message& m);
  Entry* find(CallId id);
  Entry& create(CallId id, CallReference ref);
  void on_setup(CallId id, const Message& setup);
  void on_unknown_reference(const Message& m);
  std::optional<std::uint8_t> pick_channel(const Message& setup, std::uint8_t& cause) const;
  std::optional<std::uint8_t> hunt() const;
  void release_channel(std::uint8_t ch);
  void call_gone(CallId id, std::uint8_t cause);
  void sweep();
  bool clear(const RestartScope& scope);
  bool in_scope(const RestartScope& scope, std::uint8_t channel) const;
  std::uint32_t next_reference();

  SpanConfig cfg_;
  TimerService& timers_;
  Logger& log_;
  Counters& counters_;
  Hooks hooks_;
  Call::Meter call_meter_;
  RestartFsm::Meter restart_meter_;
  std::unique_ptr<RestartFsm> restart_;
  std::map<CallId, Entry> calls_;
  std::map<std::uint8_t, ChannelState> channels_;
  std::vector<CallId> gone_;  // released inside their own Call: destroyed by sweep()
  TimerService::Id sweep_timer_ = 0;
  std::uint32_t last_ref_ = 0;
  bool up_ = false;
  bool restart_ours_ = false;
};

}  // namespace isupgw::q931
