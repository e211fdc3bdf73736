// The SIP benchmarks' shared workload: a typical ~900-octet INVITE with SDP
// (921 bytes) and its parse timed with heap allocations counted (issue 5
// budget: parse <= 1 us with no allocation). Used by bench_sip and
// bench_sip_transaction; like alloc_counter.h, include it from the one
// translation unit of a benchmark executable.
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <string>

#include "sip/message.h"
#include "tests/bench/alloc_counter.h"

namespace isupgw::bench {

inline std::string make_sip_invite() {
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

// Reports `allocs` heap allocations over the run as the "allocs/iter" counter.
inline void report_allocs_per_iter(benchmark::State& state, std::size_t allocs) {
  state.counters["allocs/iter"] = benchmark::Counter(static_cast<double>(allocs), benchmark::Counter::kAvgIterations);
}

// The benchmark loop: parse_message() of make_sip_invite() into a reused
// Message, with the "bytes" and "allocs/iter" counters. Returns the INVITE's size.
inline std::size_t run_parse_invite(benchmark::State& state) {
  const std::string invite = make_sip_invite();
  sip::Message m;
  std::size_t allocs = 0;
  for (auto _ : state) {
    const std::size_t before = allocations();
    auto r = sip::parse_message(invite, m);
    allocs += allocations() - before;
    if (!r.ok()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(m.call_id.data());
  }
  state.counters["bytes"] = static_cast<double>(invite.size());
  report_allocs_per_iter(state, allocs);
  return invite.size();
}

}  // namespace isupgw::bench
