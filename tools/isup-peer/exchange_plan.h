// isup-peer --exchange: what the exchange does with each incoming call, chosen
// by the longest prefix of the called number (--call PREFIX:SPEC, --calls FILE),
// and the per-call log (--call-log FILE) an oracle reads back: the ISUP side of
// a call as the far exchange saw it, one JSON line per call at its end (RLC).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "isup/isup_cc.h"
#include "isup/mtp_port.h"
#include "tools/isup-peer/scenario_runner.h"

namespace isupgw::isup::peer {

// One behaviour: SPEC is comma-separated key=value (Q.764 2.1 message order):
//   acm=0        no ACM (the REL, if any, is the first backward message)
//   cpg=MS       CPG, event ALERTING (Q.763 3.21), MS after the ACM
//   answer=MS    ANM MS after the ACM (absent: never answered)
//   release=MS   REL MS after the ANM (after the ACM when not answered;
//                absent: wait for the far end's REL)
//   cause=C      the REL's Q.850 cause (default 16)
//   connected=D  the ANM carries connected number D (Q.763 3.16: national, E.164, presentation allowed,
//                network provided) when the IAM asked for it (Q.763 3.38 bit H; Q.731.5: not asked, not sent)
struct Behaviour {
  std::string prefix;
  bool acm = true;
  std::optional<std::chrono::milliseconds> cpg, answer, release;
  int cause = 16;
  std::string connected;
};
// "PREFIX:SPEC" (PREFIX digits, may be empty). Error: a reason.
Result<Behaviour, std::string> parse_behaviour(std::string_view text);
// A file of such lines (# comments, blank lines); errors as "FILE:LINE: reason".
Result<std::vector<Behaviour>, std::string> parse_behaviours(std::string_view text, const std::string& file);
// The longest prefix of `called` ('F' = ST ignored); nullptr when none matches.
const Behaviour* match(const std::vector<Behaviour>& plan, std::string_view called);

// The per-call log, fed every ISUP message sent and received (the octets after
// the routing label: CIC, type, parameters). Times are CLOCK_REALTIME ms like
// the CDRs'. A call starts at an IAM received and ends at the RLC (either way).
class CallLog {
 public:
  // `ansi`: 14-bit CICs (ANSI T1.113), else 12 (Q.763 1.2: the upper 4 bits of the second octet are spare).
  explicit CallLog(std::FILE* out, bool ansi = false) : out_(out), cic_mask_(ansi ? 0x3fff : 0x0fff) {}
  ~CallLog();  // writes the calls still open (no "rlc")
  CallLog(const CallLog&) = delete;
  CallLog& operator=(const CallLog&) = delete;
  void on_message(bool sent, std::span<const std::uint8_t> data, std::int64_t now_ms);
  void set_numbers(std::uint16_t cic, std::string_view called, std::string_view calling);
  std::size_t written() const { return written_; }

  struct Call {
    std::string called, calling;
    std::int64_t iam = 0, acm = 0, cpg = 0, anm = 0, rel = 0, rlc = 0;
    int cause = 0;
    const char* released_by = "";  // "peer" (isup-peer sent the REL) or "far"
  };
  static std::string to_json(std::uint16_t cic, const Call& c);

 private:
  void write(std::uint16_t cic, const Call& c);
  std::FILE* out_;
  std::uint16_t cic_mask_;
  std::unordered_map<std::uint16_t, Call> open_;
  std::size_t written_ = 0;
};

// The exchange's call-control user: calls whose number matches the plan get
// its behaviour, the others the AutoAnswerUser's (answer, 99CCC, --no-answer).
class PlanUser final : public CallControlUser {
 public:
  PlanUser(std::vector<Behaviour> plan, AutoAnswerUser& fallback, TimerService& timers, CallLog* log)
      : plan_(std::move(plan)), fallback_(fallback), timers_(timers), log_(log) {}
  ~PlanUser() override;
  void set_call_control(IsupCallControl* cc) { cc_ = cc; }
  void on_setup(CallId call, const IncomingSetup& setup) override;
  void on_progress(CallId, const BackwardIndication&) override {}
  void on_answer(CallId, const Message&) override {}
  void on_release(CallId call, const ReleaseIndication& rel) override;
  std::size_t setups() const { return setups_; }

 private:
  // The behaviour's CPG, ANM and REL as one chain of timers, ordered by their time after the ACM.
  enum class Act { kCpg, kAnm, kRel };
  struct Step {
    std::chrono::milliseconds at;
    Act act;
  };
  void after(CallId call, std::chrono::milliseconds ms, std::function<void()> f);
  void next(CallId call, std::shared_ptr<const std::vector<Step>> steps, std::size_t i, std::chrono::milliseconds now,
            int cause);
  std::vector<Behaviour> plan_;
  AutoAnswerUser& fallback_;
  TimerService& timers_;
  CallLog* log_;
  IsupCallControl* cc_ = nullptr;
  std::size_t setups_ = 0;
  std::unordered_map<CallId, TimerService::Id> pending_;
  std::unordered_map<CallId, std::string> connected_;  // the ANM's connected number, when the IAM asked for it
};

// MTP taps feeding the call log with what is sent and received.
class TapPort final : public MtpPort {
 public:
  TapPort(MtpPort& to, CallLog* log) : to_(to), log_(log) {}
  void transfer(const MtpLabel& l, std::span<const std::uint8_t> data) override;

 private:
  MtpPort& to_;
  CallLog* log_;
};
class TapUser final : public MtpUser {
 public:
  TapUser(MtpUser& to, CallLog* log) : to_(to), log_(log) {}
  void on_transfer(const MtpLabel& l, std::span<const std::uint8_t> data) override;
  void on_pause(PointCode dpc) override { to_.on_pause(dpc); }
  void on_resume(PointCode dpc) override { to_.on_resume(dpc); }
  void on_status(PointCode dpc, const MtpStatus& s) override { to_.on_status(dpc, s); }

 private:
  MtpUser& to_;
  CallLog* log_;
};

std::int64_t realtime_ms();

}  // namespace isupgw::isup::peer
