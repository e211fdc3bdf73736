// The ISUP send path of call control: IsupCallControl builds, encodes, counts
// and hands to MTP an IAM and a REL, and takes the peer's RLC, for one
// outgoing call on one circuit (Q.764 2.1.1, 2.3.1). MTP is a loopback port
// that only counts what it is given; the log is at its default level (debug
// lines off), as in the daemon. The time per call cycle is reported, and per
// message (3: IAM and REL sent, RLC received), with the heap allocations per
// call cycle.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "isup/builder.h"
#include "isup/codes.h"
#include "isup/isup_cc.h"

#include "tests/bench/alloc_counter.h"

namespace {

using namespace isupgw;
using namespace isupgw::isup;

class LoopbackMtp : public MtpPort {
 public:
  void transfer(const MtpLabel&, std::span<const std::uint8_t> data) override {
    ++messages;
    bytes += data.size();
  }
  std::uint64_t messages = 0, bytes = 0;
};

class NullUser : public CallControlUser {
 public:
  void on_setup(CallId, const IncomingSetup&) override {}
  void on_more_digits(CallId, std::string_view, bool) override {}
  void on_progress(CallId, const BackwardIndication&) override {}
  void on_answer(CallId, const Message&) override {}
  void on_release(CallId, const ReleaseIndication&) override { ++released; }
  void on_suspend(CallId, bool, const Message&) override {}
  void on_resume(CallId, bool, const Message&) override {}
  void on_information_request(CallId, const InformationRequestIndicators&) override {}
  void on_information(CallId, const InformationIndicators&, const Message&) override {}
  void on_user_to_user(CallId, const Message&) override {}
  void on_facility(CallId, const Message&) override {}
  void on_query_response(GroupId, std::uint16_t, std::span<const std::uint8_t>) override {}
  unsigned released = 0;
};

Number number(NumberKind kind, std::string_view digits) {
  Number n;
  n.kind = kind;
  n.nai = 3;
  n.npi = 1;
  n.digits.assign(digits);
  return n;
}

void BM_IsupCallSendPath(benchmark::State& state) {
  ManualClock clock;
  ManualTimerService timers(clock);
  Logger log([](std::string_view) {});
  Counters counters;
  LoopbackMtp mtp;
  NullUser user;
  IsupCallControl cc(mtp, user, timers, log, counters);
  TrunkGroupConfig cfg;
  cfg.name = "pstn-east";
  cfg.opc = 100;
  cfg.dpc = 200;
  cfg.cics.push_back({1, 1});  // one circuit: every call uses CIC 1
  auto group = cc.add_group(std::move(cfg));
  if (!group) {
    state.SkipWithError("add_group failed");
    return;
  }
  // The peer's RLC for CIC 1.
  MtpLabel from_peer;
  from_peer.opc = 200;
  from_peer.dpc = 100;
  MessageBuilder rlc(msg::kRlc, 1);
  const auto rlc_bytes = *encode(rlc.message(), Variant::kItu);

  SetupRequest req;
  req.called = number(NumberKind::kCalled, "4930123456F");
  req.calling = number(NumberKind::kCalling, "4930654321");
  std::uint64_t calls = 0;
  const std::size_t allocs_before = bench::allocations();
  for (auto _ : state) {
    auto id = cc.setup(*group, req);         // IAM
    if (!id || !cc.release(*id, 16)) break;  // REL
    cc.on_transfer(from_peer, rlc_bytes);    // RLC: the circuit is idle again
    ++calls;
  }
  const std::size_t allocs = bench::allocations() - allocs_before;
  if (calls != static_cast<std::uint64_t>(state.iterations()) || mtp.messages != 2 * calls ||
      counters.value("isup.tx.IAM") != calls || counters.value("isup.tx.REL") != calls ||
      cc.circuit(*group, 1)->call().state() != CallState::kIdle) {
    state.SkipWithError("a call cycle did not complete (IAM, REL, RLC)");
    return;
  }
  state.counters["per_msg"] =
      benchmark::Counter(3.0 * static_cast<double>(calls), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["allocs_per_call"] = static_cast<double>(allocs) / static_cast<double>(calls);
}
BENCHMARK(BM_IsupCallSendPath);

}  // namespace
