// The call engine in process (no sockets): one complete call per iteration,
// through the engine, our IsupCallControl, a loopback MTP and a second
// IsupCallControl acting as the far exchange; SIP is a fake SessionApi fed
// pre-parsed messages (parsing belongs to the SIP stack's own benchmark).
//   SipToIsup: INVITE -> IAM, ACM -> 180, ANM -> 200, BYE -> REL/RLC.
//   IsupToSip: IAM -> INVITE, 180 -> ACM, 200 -> ANM, REL -> BYE.
// Target (issue 7): <= 10 us CPU per complete call. Logging is off for call
// and isup (a production gateway at 1,000 calls/s logs per call at info).
#include <benchmark/benchmark.h>
#include <cstdlib>

#include <deque>
#include <string>

#include "base/clock.h"
#include "base/timer_service.h"
#include "engine/call_engine.h"
#include "isup/isup_cc.h"
#include "sip/message.h"

namespace gw = isupgw::engine;
namespace isup = isupgw::isup;
namespace sip = isupgw::sip;

namespace {

struct NullSip final : sip::SessionApi {
  sip::SessionId invite(sip::OutgoingInvite) override { return ++last_invite; }
  void cancel(sip::SessionId, sip::HeaderList) override {}
  void provisional(sip::SessionId, int, sip::HeaderList, sip::Body, bool) override { ++provisionals; }
  void answer(sip::SessionId, sip::HeaderList, sip::Body) override { ++answers; }
  void reject(sip::SessionId, int, sip::HeaderList, sip::Body) override {}
  void bye(sip::SessionId, sip::HeaderList, sip::Body) override { ++byes; }
  void info(sip::SessionId, sip::HeaderList, sip::Body) override {}
  sip::SessionId last_invite = 1u << 30;
  std::uint64_t provisionals = 0, answers = 0, byes = 0;
};

struct Far final : isup::CallControlUser {
  void on_setup(isup::CallId c, const isup::IncomingSetup&) override { last = c; }
  void on_progress(isup::CallId, const isup::BackwardIndication&) override { ++progress; }
  void on_answer(isup::CallId, const isup::Message&) override { ++answered; }
  void on_release(isup::CallId, const isup::ReleaseIndication&) override { ++released; }
  isup::CallId last = 0;
  std::uint64_t progress = 0, answered = 0, released = 0;
};

struct Pending {
  isup::MtpUser* to;
  isupgw::MtpLabel label;
  std::vector<std::uint8_t> bytes;
};
struct Port final : isup::MtpPort {
  void transfer(const isupgw::MtpLabel& l, std::span<const std::uint8_t> d) override {
    q->push_back(Pending{*to, l, {d.begin(), d.end()}});
  }
  std::deque<Pending>* q = nullptr;
  isup::MtpUser** to = nullptr;
};

const char kInvite[] =
    "INVITE sip:+4930123456@127.0.0.1;user=phone SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK1\r\n"
    "From: <sip:+4930999@127.0.0.1;user=phone>;tag=a1\r\n"
    "To: <sip:+4930123456@127.0.0.1;user=phone>\r\n"
    "Call-ID: c1@test\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
    "Contact: <sip:caller@127.0.0.1:5061>\r\nContent-Type: application/sdp\r\nContent-Length: 89\r\n\r\n"
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 8 0\r\n";
const char kBye[] =
    "BYE sip:gw@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK2\r\n"
    "From: <sip:a@127.0.0.1>;tag=a1\r\nTo: <sip:b@127.0.0.1>;tag=b1\r\n"
    "Call-ID: c1@test\r\nCSeq: 2 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
const char k180[] =
    "SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx\r\n"
    "From: <sip:a@127.0.0.1>;tag=f\r\nTo: <sip:b@127.0.0.1>;tag=t\r\nCall-ID: x@gw\r\nCSeq: 1 INVITE\r\n"
    "Content-Length: 0\r\n\r\n";
const char k200[] =
    "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx\r\n"
    "From: <sip:a@127.0.0.1>;tag=f\r\nTo: <sip:b@127.0.0.1>;tag=t\r\nCall-ID: x@gw\r\nCSeq: 1 INVITE\r\n"
    "Content-Length: 0\r\n\r\n";

struct Bed {
  Bed() : log([](std::string_view) {}) {
    log.set_all_levels(isupgw::LogLevel::kWarn);
    isup::IsupRecoveryConfig rec;
    rec.reset_on_start = false;
    gw::EngineConfig ec;
    gw::SipTrunkInfo t;
    t.name = "peer";
    t.peer.host = "127.0.0.1";
    t.peer.port = 5080;
    t.acl.add("127.0.0.1");
    t.profile.host = "127.0.0.1";
    ec.trunks.push_back(std::move(t));
    gw::RouteEntry out{"30", "", {gw::RouteTarget{gw::RouteTarget::Kind::kTrunkGroup, "tg", 0, "", std::nullopt}}, ""};
    gw::RouteEntry in{"", "tg", {gw::RouteTarget{gw::RouteTarget::Kind::kSipTrunk, "peer", 0, "", std::nullopt}}, ""};
    ec.router.add(out);
    ec.router.add(in);
    engine = std::make_unique<gw::CallEngine>(std::move(ec), log, counters);
    gw_port.q = far_port.q = &q;
    gw_port.to = &to_far;
    far_port.to = &to_gw;
    gw_cc = std::make_unique<isup::IsupCallControl>(gw_port, *engine, timers, log, counters, rec);
    far_cc = std::make_unique<isup::IsupCallControl>(far_port, far, timers, log, counters, rec);
    to_far = far_cc.get();
    to_gw = gw_cc.get();
    isup::TrunkGroupConfig g;
    g.name = "tg";
    g.opc = 1;
    g.dpc = 2;
    g.cics.emplace_back(1, 31);
    group = *gw_cc->add_group(g);
    g.opc = 2;
    g.dpc = 1;
    far_group = *far_cc->add_group(g);
    engine->set_groups({{"tg", group}});
    engine->attach(&sip_api, gw_cc.get());
    // The fixed messages above must parse, or no call can run.
    if (!sip::parse_message(kInvite, invite) || !sip::parse_message(kBye, bye) || !sip::parse_message(k180, ringing) ||
        !sip::parse_message(k200, ok))
      std::abort();
    from.host = "127.0.0.1";
    req.called.kind = isup::NumberKind::kCalled;
    req.called.nai = 3;
    req.called.npi = 1;
    req.called.digits.assign("5551234F");
  }
  void pump() {
    while (!q.empty()) {
      auto p = std::move(q.front());
      q.pop_front();
      p.to->on_transfer(p.label, p.bytes);
    }
  }

  isupgw::Logger log;
  isupgw::Counters counters;
  isupgw::ManualClock clock;
  isupgw::ManualTimerService timers{clock};
  std::deque<Pending> q;
  isup::MtpUser* to_far = nullptr;
  isup::MtpUser* to_gw = nullptr;
  Port gw_port, far_port;
  NullSip sip_api;
  Far far;
  std::unique_ptr<gw::CallEngine> engine;
  std::unique_ptr<isup::IsupCallControl> gw_cc, far_cc;
  isup::GroupId group = 0, far_group = 0;
  sip::Message invite, bye, ringing, ok;
  sip::Peer from;
  isup::SetupRequest req;
};

void BM_SipToIsupCall(benchmark::State& state) {
  Bed b;
  sip::SessionId sid = 1;
  for (auto _ : state) {
    b.engine->on_invite(sid, b.invite, b.from);
    b.pump();
    (void)b.far_cc->alert(b.far.last);
    b.pump();
    (void)b.far_cc->answer(b.far.last);
    b.pump();
    b.engine->on_bye(sid, b.bye);
    b.pump();
    ++sid;
  }
  const auto n = static_cast<std::uint64_t>(state.iterations());
  if (b.sip_api.answers != n || b.far.released != n || b.engine->active_calls() != 0)
    state.SkipWithError("a call did not complete");
  state.counters["calls"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SipToIsupCall);

void BM_IsupToSipCall(benchmark::State& state) {
  Bed b;
  for (auto _ : state) {
    auto call = b.far_cc->setup(b.far_group, b.req);
    b.pump();
    const sip::SessionId s = b.sip_api.last_invite;
    b.engine->on_provisional(s, b.ringing);
    b.pump();
    b.engine->on_answered(s, b.ok);
    b.pump();
    (void)b.far_cc->release(*call, 16);
    b.pump();
  }
  if (b.far.answered != static_cast<std::uint64_t>(state.iterations()) || b.sip_api.byes != b.far.answered ||
      b.engine->active_calls() != 0)
    state.SkipWithError("a call did not complete");
  state.counters["calls"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_IsupToSipCall);

}  // namespace
