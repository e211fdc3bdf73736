// The FSM kit's dispatch cost (base/fsm.h) on a table the size of the ISUP
// call machine (12 states, 50 events): one call cycle (setup, ACM, ANM,
// release, RLC) is five events through step() plus the action, with counters
// and the transition log at its default level (off for debug lines). Heap
// allocations during dispatch are counted by replacing operator new; any makes
// the benchmark fail.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

#include "base/fsm.h"

#include "tests/bench/alloc_counter.h"

namespace {

using namespace isupgw;

enum class S : std::uint8_t { kIdle, kOutSetup, kOutAlerting, kAnswered, kReleasing, k5, k6, k7, k8, k9, k10, k11 };
constexpr std::size_t kStates = 12, kEvents = 50;
// Events 0..49; the call cycle uses the first five, the rest pad the table like the ISUP one.
enum class E : std::uint8_t { kSetupReq, kAcm, kAnm, kReleaseReq, kRlc, kPad };

std::string_view to_string(S s) {
  static constexpr std::string_view kNames[] = {"idle", "out_setup", "out_alerting", "answered", "releasing", "s5",
                                                "s6",   "s7",        "s8",           "s9",       "s10",       "s11"};
  return kNames[static_cast<std::size_t>(s)];
}
std::string_view to_string(E e) {
  static constexpr std::string_view kNames[] = {"setup_req", "ACM", "ANM", "release_req", "RLC"};
  const auto i = static_cast<std::size_t>(e);
  return i < 5 ? kNames[i] : "pad";
}

struct Call {
  using R = fsm::Row<S, E, void (Call::*)()>;
  fsm::Machine<R> m;
  unsigned sent = 0;
  explicit Call(const fsm::Meter<R>& meter) : m(meter, S::kIdle, fsm::Label{"pstn", 1}) {}
  void send() { ++sent; }
  void fire(E e) {
    m.fire(e, [this](auto a) {
      if (a) (this->*a)();
    });
  }
};

constexpr auto E_(int i) { return static_cast<E>(i); }
constexpr auto kCallUp = fsm::in(S::kOutSetup, S::kOutAlerting, S::kAnswered);

constexpr auto kTable = fsm::make_table<kStates, kEvents, Call::R>({
    {S::kIdle, E::kSetupReq, S::kOutSetup, &Call::send},
    {S::kOutSetup, E::kAcm, S::kOutAlerting, &Call::send},
    {fsm::in(S::kOutSetup, S::kOutAlerting), E::kAnm, S::kAnswered, &Call::send},
    {kCallUp, E::kReleaseReq, S::kReleasing, &Call::send},
    {S::kReleasing, E::kRlc, S::kIdle, &Call::send},
    // Padding rows: the table is as wide as the ISUP call machine's.
    {kCallUp, E_(10), fsm::stay, &Call::send},
    {kCallUp, E_(11), fsm::stay, &Call::send},
    {kCallUp, E_(12), fsm::stay, &Call::send},
    {kCallUp, E_(13), fsm::stay, &Call::send},
    {S::kIdle, E_(20), fsm::stay},
    {S::kIdle, E_(21), fsm::stay},
    {S::kReleasing, E_(30), S::kIdle},
    {S::kReleasing, E_(31), fsm::stay},
    {S::k5, E_(40), S::k6},
    {S::k6, E_(41), S::k7},
    {S::k7, E_(42), S::k8},
    {S::k8, E_(43), S::k9},
    {S::k9, E_(44), S::k10},
    {S::k10, E_(45), S::k11},
    {S::k11, E_(49), S::kIdle},
});

void BM_FsmCallCycle(benchmark::State& state) {
  Logger log([](std::string_view) {});
  Counters counters;
  fsm::Options o;
  o.name = "call";
  o.counters = "isup.call";
  o.subsystem = Subsystem::kIsup;
  o.label_key = "group";
  o.id_key = "cic";
  fsm::Meter<Call::R> meter(kTable, log, counters, o);
  Call call(meter);
  const std::size_t before = bench::allocations();
  for (auto _ : state) {
    call.fire(E::kSetupReq);
    call.fire(E::kAcm);
    call.fire(E::kAnm);
    call.fire(E::kReleaseReq);
    call.fire(E::kRlc);
    benchmark::DoNotOptimize(call.sent);
  }
  const std::size_t allocs = bench::allocations() - before;
  if (call.m.state() != S::kIdle || call.sent != 5 * state.iterations() || counters.value("isup.call.refused") != 0) {
    state.SkipWithError("the call cycle did not run through the table");
    return;
  }
  state.counters["events"] = benchmark::Counter(5.0 * static_cast<double>(state.iterations()),
                                                benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["heap_allocs"] = static_cast<double>(allocs);
  if (allocs != 0) {
    std::fprintf(stderr, "BM_FsmCallCycle: %zu heap allocations during dispatch (must be 0)\n", allocs);
    std::abort();
  }
}
BENCHMARK(BM_FsmCallCycle);

// A refused event: counted (two atomics) and its info line skipped when info is off.
void BM_FsmRefused(benchmark::State& state) {
  Logger log([](std::string_view) {});
  log.set_all_levels(LogLevel::kWarn);
  Counters counters;
  fsm::Options o;
  o.counters = "isup.call";
  fsm::Meter<Call::R> meter(kTable, log, counters, o);
  Call call(meter);
  const std::size_t before = bench::allocations();
  for (auto _ : state) call.fire(E::kRlc);
  const std::size_t allocs = bench::allocations() - before;
  if (counters.value("isup.call.refused") != static_cast<std::uint64_t>(state.iterations())) {
    state.SkipWithError("the refusals were not counted");
    return;
  }
  state.counters["heap_allocs"] = static_cast<double>(allocs);
  if (allocs != 0) std::abort();
}
BENCHMARK(BM_FsmRefused);

}  // namespace
