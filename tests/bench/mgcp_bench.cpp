// MGCP codec cost per message: a CRCX with SDP (the per-call hot path toward
// the media gateway) parsed and serialized, plus the MG's answer parsed.
#include <benchmark/benchmark.h>

#include <span>
#include <string>

#include "media-gw/mgcp_codec.h"
#include "media-gw/mgcp_connection.h"

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

// One call's codec work on the call agent's side, as bench_h248 BM_CallCycle* counts H.248's: CRCX
// (with the SIP side's SDP), MDCX (with SDP), DLCX built as mgcp_connection builds them and
// serialized, and their three responses (200 with the MG's SDP, 200, 250 with statistics) parsed.
const std::string kRemoteSdp =
    "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
const std::string kMdcxResponse = "200 1205 OK\r\n";
const std::string kDlcxResponse = "250 1206 OK\r\nP: PS=1245, OS=62345, PR=780, OR=45123, PL=10, JI=27, LA=48\r\n";

void BM_CallCycle(benchmark::State& state) {
  using isupgw::mediagw::CrcxRequest;
  for (const auto* r : {&kResponse, &kMdcxResponse, &kDlcxResponse}) {
    auto m = parse_datagram(bytes(*r));
    if (!m || m->size() != 1 || !std::holds_alternative<Response>((*m)[0])) {
      state.SkipWithError("a sample response does not parse");
      return;
    }
  }
  std::size_t out = 0;
  for (auto _ : state) {
    CrcxRequest r;
    r.endpoint = "ds/e1-0/1@mgA";
    r.call_id = "A3C47F21456789F0";
    r.mode = ConnectionMode::kSendOnly;
    r.local_options = "p:20, a:PCMA";
    r.remote_sdp = kRemoteSdp;
    for (const auto& c : {isupgw::mediagw::make_crcx(r),
                          isupgw::mediagw::make_mdcx("ds/e1-0/1@mgA", "A3C47F21456789F0", "FDE234C8",
                                                     ConnectionMode::kSendRecv, kRemoteSdp, {}),
                          isupgw::mediagw::make_dlcx("ds/e1-0/1@mgA", "A3C47F21456789F0", "FDE234C8")}) {
      auto s = serialize(c);
      out += s.size();
      benchmark::DoNotOptimize(s);
    }
    for (const auto* r2 : {&kResponse, &kMdcxResponse, &kDlcxResponse}) {
      auto m = parse_datagram(bytes(*r2));
      benchmark::DoNotOptimize(m);
    }
  }
  state.counters["bytes_out"] = static_cast<double>(out) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_CallCycle);

}  // namespace
