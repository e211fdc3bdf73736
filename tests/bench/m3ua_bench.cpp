// M3UA DATA hot path (RFC 4666 3.3.1): encode into a caller buffer and decode as
// views, no allocation. Target: <= 60 ns each. Also the general (owning) codec
// for comparison.
#include <benchmark/benchmark.h>

#include <array>
#include <vector>

#include "sigtran/m3ua_codec.h"

namespace m3ua = isupgw::sigtran::m3ua;

namespace {

// ISUP IAM-sized user data (CIC + 20 octets), RC present as on a multi-AS association.
const std::vector<std::uint8_t>& user_data() {
  static const std::vector<std::uint8_t> d = {0x01, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0a, 0x00, 0x02, 0x00, 0x06,
                                              0x03, 0x90, 0x21, 0x43, 0x65, 0x87, 0x00, 0x00, 0x00, 0x00, 0x00};
  return d;
}

m3ua::DataView sample() {
  m3ua::DataView d;
  d.routing_context = 100;
  d.opc = 0x0101;
  d.dpc = 0x0202;
  d.si = 5;
  d.ni = 2;
  d.sls = 7;
  d.user_data = user_data();
  return d;
}

}  // namespace

static void BM_DataEncode(benchmark::State& state) {
  auto d = sample();
  std::array<std::uint8_t, 256> out{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(d);
    auto n = m3ua::encode_data(d, out);
    benchmark::DoNotOptimize(n);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_DataEncode);

static void BM_DataDecode(benchmark::State& state) {
  std::array<std::uint8_t, 256> buf{};
  auto n = *m3ua::encode_data(sample(), buf);
  std::span<const std::uint8_t> in(buf.data(), n);
  for (auto _ : state) {
    benchmark::DoNotOptimize(in);
    auto d = m3ua::decode_data(in);
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_DataDecode);

static void BM_GenericDecodeAspAc(benchmark::State& state) {
  m3ua::Message m;
  m.type = m3ua::MessageType::kAspAc;
  m.traffic_mode_type = 2;
  m.routing_context = std::vector<std::uint32_t>{1, 2};
  auto bytes = *m3ua::encode(m);
  for (auto _ : state) {
    auto r = m3ua::decode(bytes);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_GenericDecodeAspAc);
