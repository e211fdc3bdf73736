// SIP parse/serialize cost on a typical ~900-octet INVITE with SDP.
// Budget (project issue 5): parse <= 1 us with no heap allocation, serialize
// <= 1 us. Allocations are counted by replacing the global operator new in
// this executable and reported as the "allocs/iter" counter.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "sip/message.h"
#include "sip/serializer.h"

#include "tests/bench/alloc_counter.h"

namespace {

using namespace isupgw::sip;

std::string make_invite() {
  const std::string sdp =
      "v=0\r\no=isupgw 1700000001 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
      "m=audio 40000 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n"
      "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n";
  return "INVITE sip:+4930123456@gw.example.net;user=phone SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-524287-1---a1b2c3;rport\r\n"
         "Max-Forwards: 70\r\n"
         "From: \"Alice\" <sip:+4940111222@example.com;user=phone>;tag=4f2a9c81\r\n"
         "To: <sip:+4930123456@gw.example.net;user=phone>\r\n"
         "Call-ID: 8c7b6a5d4e3f2a1b@192.0.2.10\r\n"
         "CSeq: 1 INVITE\r\n"
         "Contact: <sip:+4940111222@192.0.2.10:5060;transport=udp>\r\n"
         "Record-Route: <sip:p1.example.com;lr>\r\n"
         "Allow: INVITE, ACK, CANCEL, BYE, PRACK, UPDATE, OPTIONS, INFO\r\n"
         "Supported: 100rel, timer, histinfo\r\n"
         "Session-Expires: 1800;refresher=uac\r\n"
         "Min-SE: 90\r\n"
         "P-Asserted-Identity: \"Alice\" <sip:+4940111222@example.com;user=phone>\r\n"
         "Content-Type: application/sdp\r\n"
         "Content-Length: " +
         std::to_string(sdp.size()) + "\r\n\r\n" + sdp;
}

void BM_ParseInvite(benchmark::State& state) {
  const std::string invite = make_invite();
  Message m;
  std::size_t allocs = 0;
  for (auto _ : state) {
    std::size_t before = isupgw::bench::allocations();
    auto r = parse_message(invite, m);
    allocs += isupgw::bench::allocations() - before;
    if (!r.ok()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(m.call_id.data());
  }
  state.counters["bytes"] = static_cast<double>(invite.size());
  state.counters["allocs/iter"] = benchmark::Counter(static_cast<double>(allocs), benchmark::Counter::kAvgIterations);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * invite.size()));
}
BENCHMARK(BM_ParseInvite);

// Step 1 alone (start line, header lines, body): the rest of BM_ParseInvite is validate().
void BM_FrameInvite(benchmark::State& state) {
  const std::string invite = make_invite();
  Message m;
  for (auto _ : state) {
    auto r = parse_frame(invite, m);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_FrameInvite);

// Writing a parsed message back out into a reused buffer (proxy-style relay).
void BM_SerializeParsed(benchmark::State& state) {
  const std::string invite = make_invite();
  Message m;
  (void)parse_message(invite, m);
  std::string out;
  out.reserve(2048);
  std::size_t allocs = 0;
  for (auto _ : state) {
    std::size_t before = isupgw::bench::allocations();
    out.clear();
    serialize_into(m, out);
    allocs += isupgw::bench::allocations() - before;
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["allocs/iter"] = benchmark::Counter(static_cast<double>(allocs), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_SerializeParsed);

// Writing a built OutMessage (the gateway's own requests) into a reused buffer.
void BM_SerializeBuilt(benchmark::State& state) {
  const std::string invite = make_invite();
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
    std::size_t before = isupgw::bench::allocations();
    out.clear();
    out_msg.serialize_into(out);
    allocs += isupgw::bench::allocations() - before;
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["allocs/iter"] = benchmark::Counter(static_cast<double>(allocs), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_SerializeBuilt);

}  // namespace
