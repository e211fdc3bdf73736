// The SIP transaction layer and user agent in process, on one core, virtual
// time, in-memory transports (issue 5 target: >= 50,000 transactions/s):
//   BM_OptionsTransaction  a client transaction (NICT) sends OPTIONS, the
//                          UserAgent's server transaction (NIST) answers 200:
//                          2 transactions, 2 messages parsed, 2 built.
//   BM_Call                INVITE / 100 / 180 / 200 / ACK, BYE / 200 between two
//                          UserAgents: 4 transactions, 7 messages.
// Every message is parsed and serialized for real; timers run (virtual time
// advances 50 ms per iteration so Timers J/K/D/L retire transactions).
// Plus the parse of the 900-byte INVITE, allocations counted (target <= 1 us,
// no allocation).
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "sip/message.h"
#include "sip/user_agent.h"

#include "tests/bench/sip_invite.h"

namespace {

using namespace isupgw;
using namespace isupgw::sip;

class Answering : public SessionUser {
 public:
  UserAgent* ua = nullptr;
  std::uint64_t answered = 0;
  void on_invite(SessionId s, const Message&, const Peer&) override {
    ua->provisional(s, 180);
    ua->answer(s, {}, Body{"application/sdp", "v=0\r\n"});
  }
  void on_cancel(SessionId, const Message&) override {}
  void on_provisional(SessionId, const Message&) override {}
  void on_answered(SessionId s, const Message&) override {
    ++answered;
    ua->bye(s);
  }
  void on_rejected(SessionId, const Message&) override {}
  void on_bye(SessionId, const Message&) override {}
  void on_ended(SessionId, EndReason) override {}
};

struct Side {
  Side(std::string h, ManualTimerService& timers, ManualClock& clock, Logger& log)
      : host(std::move(h)), transport(host, 5060) {
    ua = std::make_unique<UserAgent>(transport, timers, user, clock, log, counters);
    user.ua = ua.get();
  }
  std::string host;
  MemoryTransportLayer transport;
  Counters counters;
  Answering user;
  std::unique_ptr<UserAgent> ua;
};

// Moves queued messages between the two sides until both are quiet.
void pump(Side& a, Side& b, std::size_t& messages) {
  for (;;) {
    bool moved = false;
    for (Side* from : {&a, &b}) {
      Side* to = from == &a ? &b : &a;
      auto sent = std::move(from->transport.sent);
      from->transport.sent.clear();
      for (auto& s : sent) {
        moved = true;
        ++messages;
        to->ua->receive(Peer{Transport::kUdp, from->host, 5060}, s.bytes);
      }
    }
    if (!moved) return;
  }
}

void BM_Call(benchmark::State& state) {
  ManualClock clock;
  ManualTimerService timers(clock);
  Logger log([](std::string_view) {});
  log.set_all_levels(LogLevel::kWarn);
  Side a("192.0.2.1", timers, clock, log), b("192.0.2.2", timers, clock, log);
  OutgoingInvite inv;
  inv.peer = Peer{Transport::kUdp, "192.0.2.2", 5060};
  inv.request_uri = "sip:+4930123456@192.0.2.2;user=phone";
  inv.from = "<sip:+4930999@192.0.2.1;user=phone>";
  inv.to = "<sip:+4930123456@192.0.2.2;user=phone>";
  inv.body = Body{"application/sdp",
                  "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
                  "m=audio 4000 RTP/AVP 8\r\n"};
  std::size_t messages = 0;
  for (auto _ : state) {
    a.ua->invite(inv);
    pump(a, b, messages);
    timers.advance(std::chrono::milliseconds(50));
  }
  if (a.user.answered != static_cast<std::uint64_t>(state.iterations())) state.SkipWithError("a call did not complete");
  state.counters["calls/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["transactions/s"] =
      benchmark::Counter(4.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["msgs/call"] = benchmark::Counter(static_cast<double>(messages), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_Call);

class NullTu : public TransactionUser {
 public:
  std::uint64_t finals = 0;
  void on_request(TransactionId, const Message&, const Peer&) override {}
  void on_ack(const Message&, const Peer&) override {}
  void on_response(TransactionId, const Message& r) override { finals += r.status >= 200; }
  void on_stray_response(const Message&, const Peer&) override {}
  void on_transaction_failed(TransactionId, EndReason) override {}
};

void BM_OptionsTransaction(benchmark::State& state) {
  ManualClock clock;
  ManualTimerService timers(clock);
  Logger log([](std::string_view) {});
  log.set_all_levels(LogLevel::kWarn);
  Counters counters;
  MemoryTransportLayer client_wire("192.0.2.1", 5060);
  TransactionContext ctx{timers, client_wire, log, TimerValues{}};
  NullTu tu;
  TransactionLayer client(ctx, tu, counters);
  Side server("192.0.2.2", timers, clock, log);
  const Peer to{Transport::kUdp, "192.0.2.2", 5060};
  const Peer from{Transport::kUdp, "192.0.2.1", 5060};
  std::uint64_t n = 0;
  std::string branch, request;
  for (auto _ : state) {
    ++n;
    branch = "z9hG4bKbench" + std::to_string(n);
    request = "OPTIONS sip:192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=" + branch +
              "\r\nMax-Forwards: 70\r\nFrom: <sip:ping@192.0.2.1>;tag=b" + std::to_string(n) +
              "\r\nTo: <sip:192.0.2.2>\r\nCall-ID: c" + std::to_string(n) +
              "@192.0.2.1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    client.send_request(Method::kOptions, branch, to, request);
    for (auto& s : client_wire.sent) server.ua->receive(from, s.bytes);
    client_wire.sent.clear();
    for (auto& s : server.transport.sent) {
      Message m;
      if (parse_message(s.bytes, m)) client.receive(m, to);
    }
    server.transport.sent.clear();
    timers.advance(std::chrono::milliseconds(50));
  }
  if (tu.finals != static_cast<std::uint64_t>(state.iterations()))
    state.SkipWithError("a transaction did not complete");
  state.counters["transactions/s"] =
      benchmark::Counter(2.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_OptionsTransaction);

// The same measurement as bench_sip's BM_ParseInvite, inside this executable.
void BM_ParseInvite900(benchmark::State& state) { isupgw::bench::run_parse_invite(state); }
BENCHMARK(BM_ParseInvite900);

}  // namespace
