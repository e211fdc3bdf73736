// SIP parse/serialize cost on a typical ~900-octet INVITE with SDP.
// Budget (project issue 5): parse <= 1 us with no heap allocation, serialize
// <= 1 us. Allocations are counted by replacing the global operator new in
// this executable and reported as the "allocs/iter" counter.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "sip/message.h"
#include "sip/serializer.h"
#include "tests/bench/sip_invite.h"

namespace {

using namespace isupgw::sip;
using isupgw::bench::allocations;
using isupgw::bench::make_sip_invite;
using isupgw::bench::report_allocs_per_iter;
using isupgw::bench::run_parse_invite;

void BM_ParseInvite(benchmark::State& state) {
  const std::size_t size = run_parse_invite(state);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}
BENCHMARK(BM_ParseInvite);

// Step 1 alone (start line, header lines, body): the rest of BM_ParseInvite is validate().
void BM_FrameInvite(benchmark::State& state) {
  const std::string invite = make_sip_invite();
  Message m;
  for (auto _ : state) {
    auto r = parse_frame(invite, m);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_FrameInvite);

// Writing a parsed message back out into a reused buffer (proxy-style relay).
void BM_SerializeParsed(benchmark::State& state) {
  const std::string invite = make_sip_invite();
  Message m;
  (void)parse_message(invite, m);
  std::string out;
  out.reserve(2048);
  std::size_t allocs = 0;
  for (auto _ : state) {
    std::size_t before = allocations();
    out.clear();
    serialize_into(m, out);
    allocs += allocations() - before;
    benchmark::DoNotOptimize(out.data());
  }
  report_allocs_per_iter(state, allocs);
}
BENCHMARK(BM_SerializeParsed);

// Writing a built OutMessage (the gateway's own requests) into a reused buffer.
void BM_SerializeBuilt(benchmark::State& state) {
  const std::string invite = make_sip_invite();
  Message m;
  (void)parse_message(invite, m);
  auto out_msg = OutMessage::request(std::string(m.method_text), std::string(m.request_uri_text));
  for (const Header& h : m.headers())
    if (h.id != HeaderId::kContentLength && h.id != HeaderId::kContentType)
      out_msg.add(std::string(h.name), std::string(h.value));
  out_msg.set_body("application/sdp", std::string(m.body));
  std::string out;
  out.reserve(2048);
  std::size_t allocs = 0;
  for (auto _ : state) {
    std::size_t before = allocations();
    out.clear();
    out_msg.serialize_into(out);
    allocs += allocations() - before;
    benchmark::DoNotOptimize(out.data());
  }
  report_allocs_per_iter(state, allocs);
}
BENCHMARK(BM_SerializeBuilt);

}  // namespace
