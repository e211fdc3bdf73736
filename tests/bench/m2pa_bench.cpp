// M2PA User Data hot path (RFC 4165 2.3.1) with the MTP3 label under it
// (Q.704 2.2): encode into a caller buffer and decode as views, no allocation.
// Also the general (owning) codecs and an SNM message for comparison.
#include <benchmark/benchmark.h>

#include <array>
#include <vector>

#include "sigtran/m2pa_codec.h"
#include "sigtran/mtp3_codec.h"
#include "tests/bench/alloc_counter.h"

namespace m2pa = isupgw::sigtran::m2pa;
namespace mtp3 = isupgw::sigtran::mtp3;

namespace {

// ISUP IAM-sized user data (CIC + 20 octets).
const std::vector<std::uint8_t>& isup() {
  static const std::vector<std::uint8_t> d = {0x01, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0a, 0x00, 0x02, 0x00, 0x06,
                                              0x03, 0x90, 0x21, 0x43, 0x65, 0x87, 0x00, 0x00, 0x00, 0x00, 0x00};
  return d;
}

mtp3::Label label() {
  mtp3::Label l;
  l.opc = 0x0101;
  l.dpc = 0x0202;
  l.sls = 7;
  return l;
}

std::vector<std::uint8_t> wire() {
  std::array<std::uint8_t, 64> msu{};
  auto n = mtp3::encode_user(label(), isup(), mtp3::Variant::kItu, msu);
  m2pa::UserDataView u;
  u.fsn = 41;
  u.bsn = 17;
  u.data = std::span<const std::uint8_t>(msu.data(), *n);
  std::vector<std::uint8_t> out(m2pa::encoded_size(u));
  (void)m2pa::encode_user_data(u, out);
  return out;
}

void report_allocations(benchmark::State& state, std::size_t before) {
  state.counters["allocs_per_op"] = benchmark::Counter(static_cast<double>(isupgw::bench::allocations() - before) /
                                                       static_cast<double>(state.iterations()));
}

}  // namespace

static void BM_UserDataEncode(benchmark::State& state) {
  std::array<std::uint8_t, 128> out{};
  auto before = isupgw::bench::allocations();
  for (auto _ : state) {
    auto l = label();
    benchmark::DoNotOptimize(l);
    std::array<std::uint8_t, 64> msu;
    auto n = mtp3::encode_user(l, isup(), mtp3::Variant::kItu, msu);
    m2pa::UserDataView u;
    u.fsn = 41;
    u.bsn = 17;
    u.data = std::span<const std::uint8_t>(msu.data(), *n);
    auto r = m2pa::encode_user_data(u, out);
    benchmark::DoNotOptimize(r);
    benchmark::ClobberMemory();
  }
  report_allocations(state, before);
}
BENCHMARK(BM_UserDataEncode);

static void BM_UserDataDecode(benchmark::State& state) {
  auto bytes = wire();
  auto before = isupgw::bench::allocations();
  for (auto _ : state) {
    benchmark::DoNotOptimize(bytes.data());
    auto u = m2pa::decode_user_data(bytes);
    auto m = mtp3::decode_user(u->data, mtp3::Variant::kItu);
    benchmark::DoNotOptimize(m);
  }
  report_allocations(state, before);
}
BENCHMARK(BM_UserDataDecode);

static void BM_GeneralDecode(benchmark::State& state) {
  auto bytes = wire();
  for (auto _ : state) {
    auto m = m2pa::decode(bytes);
    auto msu = mtp3::decode(m->data, mtp3::Variant::kItu);
    benchmark::DoNotOptimize(msu);
  }
}
BENCHMARK(BM_GeneralDecode);

static void BM_LinkStatusEncode(benchmark::State& state) {
  m2pa::Message m;
  m.state = m2pa::LinkState::kReady;
  std::vector<std::uint8_t> out;
  out.reserve(64);
  for (auto _ : state) {
    out.clear();
    m2pa::encode(m, out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_LinkStatusEncode);
