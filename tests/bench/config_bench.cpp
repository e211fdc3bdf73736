// Configuration load time (YAML parse + proto conversion + validation): SIGHUP
// reloads run this on the event loop, so it must stay cheap.
#include <benchmark/benchmark.h>

#include "config/loader.h"

static void BM_LoadDefaultConfig(benchmark::State& state) {
  for (auto _ : state) {
    auto r = isupgw::config::load_default_config();
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_LoadDefaultConfig);
