// MGCP codec cost per message: a CRCX with SDP (the per-call hot path toward
// the media gateway) parsed and serialized, plus the MG's answer parsed.
#include <benchmark/benchmark.h>

#include <span>
#include <string>

#include "media-gw/mgcp_codec.h"

namespace {

using namespace isupgw::mediagw::mgcp;

const std::string kCrcx =
    "CRCX 1204 ds/e1-3/12@mg1.example.net MGCP 1.0\r\n"
    "C: A3C47F21456789F0\r\n"
    "N: ca@[192.0.2.1]:2727\r\n"
    "L: p:20, a:PCMA\r\n"
    "M: sendrecv\r\n"
    "\r\n"
    "v=0\r\n"
    "o=- 25678 753849 IN IP4 192.0.2.10\r\n"
    "s=-\r\n"
    "c=IN IP4 192.0.2.10\r\n"
    "t=0 0\r\n"
    "m=audio 16384 RTP/AVP 8 101\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-15\r\n"
    "a=ptime:20\r\n";

const std::string kResponse =
    "200 1204 OK\r\nI: FDE234C8\r\n\r\nv=0\r\no=- FDE234C8 23 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 "
    "192.0.2.20\r\nt=0 0\r\nm=audio 43000 RTP/AVP 8\r\na=ptime:20\r\n";

std::span<const std::uint8_t> bytes(const std::string& s) {
  return std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

void BM_ParseCrcxWithSdp(benchmark::State& state) {
  for (auto _ : state) {
    auto r = parse(bytes(kCrcx));
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kCrcx.size()));
}
BENCHMARK(BM_ParseCrcxWithSdp);

void BM_SerializeCrcxWithSdp(benchmark::State& state) {
  const Command c = std::get<Command>(*parse(kCrcx));
  for (auto _ : state) {
    auto s = serialize(c);
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kCrcx.size()));
}
BENCHMARK(BM_SerializeCrcxWithSdp);

// Into a reused buffer: what a sender with a per-socket scratch string pays.
void BM_SerializeCrcxWithSdpReusedBuffer(benchmark::State& state) {
  const Command c = std::get<Command>(*parse(kCrcx));
  std::string out;
  for (auto _ : state) {
    out.clear();
    serialize_to(out, c);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kCrcx.size()));
}
BENCHMARK(BM_SerializeCrcxWithSdpReusedBuffer);

void BM_ParseCrcxResponseWithSdp(benchmark::State& state) {
  for (auto _ : state) {
    auto r = parse_datagram(bytes(kResponse));
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ParseCrcxResponseWithSdp);

}  // namespace
