// ISUP codec hot path: decode (views, no heap) and encode (into a caller buffer)
// of an IAM with 5 optional parameters. Target (issue 3): <= 150 ns each, and
// zero heap allocations on decode, counted by replacing the global operator new;
// a non-zero count aborts the benchmark.
#include <benchmark/benchmark.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <vector>

#include "isup/message.h"
#include "isup/number.h"

#include "tests/bench/alloc_counter.h"

namespace isup = isupgw::isup;

namespace {

// IAM CIC 291: NCI, FCI, CPC, TMR, called 4930123456 + ST; optional part: calling party
// number, hop counter, optional forward call indicators, redirection information,
// generic number.
const std::vector<std::uint8_t>& iam() {
  static const std::vector<std::uint8_t> m = {
      0x23, 0x01, 0x01, 0x00, 0x20, 0x01, 0x0a, 0x00, 0x02, 0x0a,
      0x08, 0x83, 0x90, 0x94, 0x03, 0x21, 0x43, 0x65, 0x0f,  // called party number
      0x0a, 0x06, 0x83, 0x13, 0x55, 0x15, 0x32, 0x04,        // calling party number
      0x3d, 0x01, 0x1f,                                      // hop counter
      0x08, 0x01, 0x00,                                      // optional forward call indicators
      0x13, 0x02, 0x34, 0x12,                                // redirection information
      0xc0, 0x06, 0x06, 0x03, 0x13, 0x21, 0x43, 0x65,        // generic number
      0x00};
  return m;
}

}  // namespace

static void BM_IamDecode(benchmark::State& state) {
  const auto& in = iam();
  {
    auto check = isup::decode(in, isup::Variant::kItu);
    if (!check || check->optional.size() != 5) {
      state.SkipWithError("sample IAM does not decode to 5 optional parameters");
      return;
    }
  }
  const std::size_t before = isupgw::bench::allocations();
  for (auto _ : state) {
    auto m = isup::decode(in, isup::Variant::kItu);
    benchmark::DoNotOptimize(m);
  }
  const std::size_t allocs = isupgw::bench::allocations() - before;
  state.counters["heap_allocs"] = static_cast<double>(allocs);
  if (allocs != 0) {
    std::fprintf(stderr, "BM_IamDecode: %zu heap allocations during decode (must be 0)\n", allocs);
    std::abort();
  }
}
BENCHMARK(BM_IamDecode);

static void BM_IamEncode(benchmark::State& state) {
  const auto& in = iam();
  auto m = *isup::decode(in, isup::Variant::kItu);
  std::array<std::uint8_t, 272> out{};
  const std::size_t before = isupgw::bench::allocations();
  for (auto _ : state) {
    benchmark::DoNotOptimize(m);
    auto n = isup::encode(m, isup::Variant::kItu, out);
    benchmark::DoNotOptimize(n);
    benchmark::ClobberMemory();
  }
  state.counters["heap_allocs"] = static_cast<double>(isupgw::bench::allocations() - before);
}
BENCHMARK(BM_IamEncode);

// Decode plus typed access to the called party number (digits into a fixed buffer).
static void BM_IamDecodeCalledNumber(benchmark::State& state) {
  const auto& in = iam();
  const std::size_t before = isupgw::bench::allocations();
  for (auto _ : state) {
    auto m = isup::decode(in, isup::Variant::kItu);
    auto n = isup::Number::decode(isup::NumberKind::kCalled, m->variable[0].value);
    benchmark::DoNotOptimize(n);
  }
  const std::size_t allocs = isupgw::bench::allocations() - before;
  state.counters["heap_allocs"] = static_cast<double>(allocs);
  if (allocs != 0) std::abort();
}
BENCHMARK(BM_IamDecodeCalledNumber);
