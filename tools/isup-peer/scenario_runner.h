// Runs an isup-peer scenario over any MtpPort: the peer side of an ISUP
// exchange under test. Event driven (TimerService), so it runs in real time
// over M3UA or in virtual time over the in-process loopback.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/log.h"
#include "base/one_shot_timer.h"
#include "isup/builder.h"
#include "isup/isup_cc.h"
#include "isup/mtp_port.h"
#include "tools/isup-peer/scenario.h"

namespace isupgw::isup::peer {

// Builds a message from a send step (defaults for every mandatory parameter).
Result<std::vector<std::uint8_t>, std::string> build_message(const Step& step, Variant v);
// Checks a received message against an expect step; empty = match.
std::string check_message(const Step& step, std::span<const std::uint8_t> data, Variant v);

class ScenarioRunner final : public MtpUser {
 public:
  // `label` is what we send with: opc = the peer (us), dpc = the exchange under test.
  ScenarioRunner(Scenario sc, MtpPort& port, TimerService& timers, Logger& log, MtpLabel label, Variant v);

  void start();
  bool done() const { return done_; }
  bool passed() const { return done_ && failures_.empty(); }
  const std::vector<std::string>& failures() const { return failures_; }
  std::size_t sent() const { return sent_; }
  std::size_t received() const { return received_; }

  void on_transfer(const MtpLabel& label, std::span<const std::uint8_t> data) override;
  void on_pause(PointCode) override {}
  void on_resume(PointCode) override {}
  void on_status(PointCode, const MtpStatus&) override {}

 private:
  void run();
  void fail(const Step& st, std::string what);
  void finish();

  Scenario sc_;
  MtpPort& port_;
  TimerService& timers_;
  Logger& log_;
  MtpLabel label_;
  Variant variant_;
  std::size_t pc_ = 0;
  struct Frame {
    std::size_t start;
    unsigned left;
  };
  std::vector<Frame> loops_;
  std::deque<std::vector<std::uint8_t>> inbox_;
  bool waiting_ = false;  // a wait or expect is pending
  bool running_ = false;
  bool done_ = false;
  std::vector<std::string> failures_;
  std::size_t sent_ = 0, received_ = 0;
  OneShotTimer timer_;
};

// The exchange side of isup-peer (and of the loopback, and of isupgw's
// simulated exchange): a call-control user that alerts and answers every
// incoming call, at once or `ring` after the ACM when a timer service is given.
// A called number 99CCC (CCC = a three-digit Q.850 cause) is released with
// cause CCC right after the ACM instead (busy 99017, unallocated 99001 ...).
class AutoAnswerUser final : public CallControlUser {
 public:
  explicit AutoAnswerUser(bool answer, TimerService* timers = nullptr,
                          std::chrono::milliseconds ring = std::chrono::milliseconds(0))
      : answer_(answer), timers_(timers), ring_(ring) {}
  ~AutoAnswerUser() override;
  void set_call_control(IsupCallControl* cc) { cc_ = cc; }
  void on_setup(CallId call, const IncomingSetup&) override;
  void on_progress(CallId, const BackwardIndication&) override {}
  void on_answer(CallId, const Message&) override {}
  void on_release(CallId call, const ReleaseIndication&) override;
  std::size_t setups() const { return setups_; }
  std::size_t answered() const { return answered_; }
  std::size_t active() const { return pending_.size(); }

  // 99CCC -> CCC (1..127); nullopt for any other number (digits without ST).
  static std::optional<int> release_cause_for(std::string_view called);

 private:
  void later(CallId call, std::chrono::milliseconds after, std::function<void()> f);

  bool answer_;
  TimerService* timers_;
  std::chrono::milliseconds ring_;
  IsupCallControl* cc_ = nullptr;
  std::size_t setups_ = 0, answered_ = 0;
  std::unordered_map<CallId, TimerService::Id> pending_;  // calls with a timer running
};

// In-process loopback: the scenario runner against an IsupCallControl with
// an auto-answering user, both on one virtual clock. Returns the runner's
// failures (empty = passed).
struct LoopbackOptions {
  TrunkGroupConfig exchange;  // the exchange under test (opc = its point code)
  bool answer = true;         // the exchange's user alerts and answers incoming calls
  bool start_reset = false;   // the exchange resets its circuits on start (GRS)
  std::chrono::milliseconds max_time{3'600'000};
};
std::vector<std::string> run_loopback(const Scenario& sc, const LoopbackOptions& opt, Logger& log, Counters& counters);

}  // namespace isupgw::isup::peer
