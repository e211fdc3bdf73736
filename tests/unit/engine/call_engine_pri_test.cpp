// The call engine's PRI leg (issue 21, engine/call_engine_pri.cpp) in virtual time: a fake SIP stack on one
// side; on the other our q931::Span (network side) back to back with a second Span (user side) acting as the
// PBX, both real Q.931 call control (q931/pri_span.h). Each test reads as the call flow (Q.931 5.1-5.3, Q.699
// via mapping/dss1_map.h) and ends with every B channel idle in both spans and no call left in the engine.
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/timer_service.h"
#include "engine/call_engine.h"
#include "isup/codes.h"
#include "isup/isup_cc.h"
#include "q931/call_fsm.h"
#include "q931/codec.h"
#include "q931/pri_span.h"
#include "sip/message.h"

namespace isupgw::engine {
namespace {

struct FakeSip final : sip::SessionApi {
  struct Op {
    std::string what;
    sip::SessionId s = 0;
    int status = 0;
    sip::OutgoingInvite invite;
    sip::HeaderList headers;
    std::string body;
  };
  sip::SessionId invite(sip::OutgoingInvite req) override {
    ops.push_back(Op{"invite", next, 0, std::move(req), {}, {}});
    return next++;
  }
  void cancel(sip::SessionId s, sip::HeaderList h) override { ops.push_back(Op{"cancel", s, 0, {}, std::move(h), {}}); }
  void provisional(sip::SessionId s, int status, sip::HeaderList, sip::Body b, bool) override {
    ops.push_back(Op{"provisional", s, status, {}, {}, std::move(b.content)});
  }
  void answer(sip::SessionId s, sip::HeaderList, sip::Body b) override {
    ops.push_back(Op{"answer", s, 200, {}, {}, std::move(b.content)});
  }
  void reject(sip::SessionId s, int status, sip::HeaderList h, sip::Body) override {
    ops.push_back(Op{"reject", s, status, {}, std::move(h), {}});
  }
  void bye(sip::SessionId s, sip::HeaderList h, sip::Body) override { ops.push_back(Op{"bye", s, 0, {}, std::move(h), {}}); }
  void info(sip::SessionId s, sip::HeaderList, sip::Body) override { ops.push_back(Op{"info", s, 0, {}, {}, {}}); }
  Op pop() {
    if (ops.empty()) return Op{"<none>", 0, 0, {}, {}, {}};
    Op op = std::move(ops.front());
    ops.pop_front();
    return op;
  }
  std::deque<Op> ops;
  sip::SessionId next = 1000;
};

// The MG side (issue 21): each B channel connection asked for, its mode changes and deletion; a connection
// becomes ready (the MG's SDP, or a CRCX failure) when the test says.
struct FakeMedia final : CallMedia {
  struct Conn {
    std::string span;
    int channel = 0;
    std::string remote;
    std::vector<MediaMode> modes;
    Ready ready;
    bool closed = false;
  };
  std::optional<Id> open(isup::GroupId, std::uint16_t cic, const std::string& remote, MediaMode mode,
                         Ready ready) override {
    conns[next] = Conn{"isup", cic, remote, {mode}, std::move(ready), false};  // a circuit (PRI -> ISUP)
    return next++;
  }
  std::optional<Id> open_channel(std::string_view span, std::uint8_t channel, const std::string& remote,
                                 MediaMode mode, Ready ready) override {
    conns[next] = Conn{std::string(span), channel, remote, {mode}, std::move(ready), false};
    return next++;
  }
  void update(Id id, const std::string& remote, MediaMode mode) override {
    conns[id].modes.push_back(mode);
    if (!remote.empty()) conns[id].remote = remote;
  }
  void close(Id id) override { conns[id].closed = true; }
  void set_lost_handler(Lost l) override { lost = std::move(l); }
  // The MG answers the CRCX of `id` (nullopt: it refused).
  void ready(Id id, bool ok = true) {
    auto r = std::move(conns[id].ready);
    if (r) r(ok ? std::optional<std::string>(mg_sdp) : std::nullopt);
  }
  std::size_t open_count() const {
    std::size_t n = 0;
    for (const auto& [id, c] : conns) n += c.closed ? 0 : 1;
    return n;
  }
  std::string mg_sdp =
      "v=0\r\no=- 1A2B 23 IN IP4 127.0.0.9\r\ns=-\r\nc=IN IP4 127.0.0.9\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8\r\n";
  std::map<Id, Conn> conns;
  Id next = 1;
  Lost lost;
};

// The far exchange of a PRI -> ISUP call: records its events; the test answers and releases.
struct FarExchange final : isup::CallControlUser {
  void on_setup(isup::CallId call, const isup::IncomingSetup&) override {
    last = call;
    events.push_back("setup");
  }
  void on_progress(isup::CallId, const isup::BackwardIndication& ind) override {
    // ACM or CPG (Q.763 2.1 / 2.3): which one came, its CPG event (Q.763 3.21), in-band (OBCI bit A).
    events.push_back(std::string("progress") + (ind.msg != nullptr && ind.msg->type == isup::msg::kCpg ? ":cpg" : ":acm") +
                     (ind.alerting ? ":alerting" : "") + (ind.event != 0 ? ":" + std::to_string(ind.event) : "") +
                     (ind.inband ? ":inband" : ""));
  }
  void on_answer(isup::CallId, const isup::Message&) override { events.push_back("answer"); }
  void on_release(isup::CallId, const isup::ReleaseIndication& r) override {
    events.push_back("release:" + std::to_string(r.cause));
    location = r.location;
  }
  std::string pop() {
    if (events.empty()) return "<none>";
    auto e = events.front();
    events.pop_front();
    return e;
  }
  std::deque<std::string> events;
  isup::CallId last = 0;
  int location = -1;  // of the last REL received
};

struct IsupLoop final : isup::MtpPort {
  explicit IsupLoop(std::deque<std::pair<isup::MtpUser*, std::pair<MtpLabel, std::vector<std::uint8_t>>>>& q)
      : q(q) {}
  void transfer(const MtpLabel& l, std::span<const std::uint8_t> d) override {
    q.push_back({to, {l, {d.begin(), d.end()}}});
  }
  std::deque<std::pair<isup::MtpUser*, std::pair<MtpLabel, std::vector<std::uint8_t>>>>& q;
  isup::MtpUser* to = nullptr;
};

std::string invite_text(const std::string& ruri_user,
                        const std::string& sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
                                                 "t=0 0\r\nm=audio 6000 RTP/AVP 8 0\r\n") {
  return "INVITE sip:" + ruri_user +
         "@127.0.0.1;user=phone SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK1\r\n"
         "From: <sip:+4930999@127.0.0.1;user=phone>;tag=a1\r\nTo: <sip:" +
         ruri_user +
         "@127.0.0.1;user=phone>\r\nCall-ID: c1@test\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
         "Contact: <sip:caller@127.0.0.1:5061>\r\nContent-Type: application/sdp\r\nContent-Length: " +
         std::to_string(sdp.size()) + "\r\n\r\n" + sdp;
}

std::string response_text(int status, const std::string& reason, const std::string& sdp = {}) {
  return "SIP/2.0 " + std::to_string(status) + " " + reason +
         "\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx\r\nFrom: <sip:a@127.0.0.1>;tag=f\r\n"
         "To: <sip:b@127.0.0.1>;tag=t\r\nCall-ID: x@gw\r\nCSeq: 1 INVITE\r\n" +
         (sdp.empty() ? std::string() : "Content-Type: application/sdp\r\n") +
         "Content-Length: " + std::to_string(sdp.size()) + "\r\n\r\n" + sdp;
}

const std::string kCalleeSdp =
    "v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 7000 RTP/AVP 8\r\n";

std::string request_text(const std::string& method) {
  return method +
         " sip:gw@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK2\r\n"
         "From: <sip:a@127.0.0.1>;tag=a1\r\nTo: <sip:b@127.0.0.1>;tag=b1\r\nCall-ID: c1@test\r\nCSeq: 2 " +
         method + "\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
}

q931::Message with_cause(std::uint8_t type, std::uint8_t cause) {
  q931::Message m;
  m.type = type;
  q931::Cause c;
  c.location = 0;  // user
  c.value = cause;
  m.causes.push_back(c);
  return m;
}

class CallEnginePriTest : public ::testing::Test {
 protected:
  CallEnginePriTest() : log_([](std::string_view) {}) {
    EngineConfig ec;
    SipTrunkInfo t;
    t.name = "peer";
    t.peer.host = "127.0.0.1";
    t.peer.port = 5080;
    t.acl.add("127.0.0.1");
    t.profile.host = "127.0.0.1";
    ec.trunks.push_back(std::move(t));
    SipTrunkInfo o;  // RFC 3578 overlap INVITEs (config `overlap: true`): the number may grow
    o.name = "overlap";
    o.peer.host = "127.0.0.2";
    o.peer.port = 5080;
    o.acl.add("127.0.0.2");
    o.profile.host = "127.0.0.2";
    o.profile.append_st = false;
    ec.trunks.push_back(std::move(o));
    RouteEntry overlap_to_pri;
    overlap_to_pri.from = "overlap";
    overlap_to_pri.targets.push_back(RouteTarget{RouteTarget::Kind::kPriSpan, "pbx", 0, "", std::nullopt});
    ec.router.add(std::move(overlap_to_pri));
    RouteEntry to_pri;
    to_pri.from = "peer";
    to_pri.targets.push_back(RouteTarget{RouteTarget::Kind::kPriSpan, "pbx", 0, "", std::nullopt});
    ec.router.add(std::move(to_pri));
    RouteEntry to_isup;  // PRI -> ISUP: the PBX's calls to 777...
    to_isup.from = "pbx";
    to_isup.prefix = "777";
    to_isup.targets.push_back(RouteTarget{RouteTarget::Kind::kTrunkGroup, "tg", 0, "", std::nullopt});
    ec.router.add(std::move(to_isup));
    RouteEntry isup_to_pri;  // ISUP -> PRI: the exchange's calls on trunk group "tg"
    isup_to_pri.from = "tg";
    isup_to_pri.targets.push_back(RouteTarget{RouteTarget::Kind::kPriSpan, "pbx", 0, "", std::nullopt});
    ec.router.add(std::move(isup_to_pri));
    RouteEntry to_sip;
    to_sip.from = "pbx";
    to_sip.targets.push_back(RouteTarget{RouteTarget::Kind::kSipTrunk, "peer", 0, "", std::nullopt});
    ec.router.add(std::move(to_sip));
    engine = std::make_unique<CallEngine>(std::move(ec), log_, counters);

    q931::SpanConfig ours;
    ours.name = "pbx";
    ours.channels = {1, 2, 3};
    ours.restart_on_link_up = false;
    q931::Span::Hooks h;
    h.send = [this](std::vector<std::uint8_t> b) { q.push_back({pbx.get(), std::move(b)}); };
    h.incoming = [this](q931::Span::CallId id, const q931::Message& setup, std::uint8_t ch) {
      return engine->on_pri_setup(*gw, id, setup, ch);
    };
    h.indication = [this](q931::Span::CallId id, const q931::Message& m) { engine->on_pri_message(*gw, id, m); };
    h.released = [this](q931::Span::CallId id, std::uint8_t cause) { engine->on_pri_released(*gw, id, cause); };
    gw = std::make_unique<q931::Span>(ours, timers, log_, counters, std::move(h));

    q931::SpanConfig theirs = ours;
    theirs.name = "far";
    theirs.side = q931::Side::kUser;
    theirs.timers = q931::Timers::user();
    q931::Span::Hooks p;
    p.send = [this](std::vector<std::uint8_t> b) { q.push_back({gw.get(), std::move(b)}); };
    p.incoming = [this](q931::Span::CallId id, const q931::Message& setup, std::uint8_t) {
      pbx_call = id;
      pbx_called = setup.called ? setup.called->digits : "";
      pbx_complete = setup.sending_complete;
      pbx_bearer = setup.bearer_capability ? setup.bearer_capability->transfer_capability : -1;
      pbx_events.push_back("setup");
      return std::optional<std::uint8_t>();
    };
    p.indication = [this](q931::Span::CallId id, const q931::Message& m) {
      std::string e(q931::message_name(m.type));
      if (m.type == q931::msg::kInformation && m.called) {
        pbx_called += m.called->digits;  // overlap receiving (5.2.4): the digits appended
        pbx_complete = pbx_complete || m.sending_complete;
      }
      if (!m.causes.empty()) e += ":" + std::to_string(m.causes.front().value);
      pbx_events.push_back(e);
      // The user side answers a DISCONNECT with RELEASE (Q.931 5.3.4).
      if (m.type == q931::msg::kDisconnect) pbx->request(id, q931::CcEvent::kReleaseReq);
    };
    p.released = [this](q931::Span::CallId, std::uint8_t cause) {
      pbx_events.push_back("released");
      pbx_release_cause = cause;
    };
    pbx = std::make_unique<q931::Span>(theirs, timers, log_, counters, std::move(p));

    engine->attach(&sip, nullptr, &timers);
    engine->add_pri_span(gw.get());
    gw->link_up();
    pbx->link_up();
  }

  void pump() {
    while (!q.empty() || !isup_q.empty()) {
      while (!q.empty()) {
        auto [to, bytes] = std::move(q.front());
        q.pop_front();
        to->receive(bytes);
      }
      while (!isup_q.empty()) {
        auto [to, msg] = std::move(isup_q.front());
        isup_q.pop_front();
        to->on_transfer(msg.first, msg.second);
      }
    }
  }
  // An ISUP trunk group "tg" (CICs 1-4) to a far exchange, for PRI -> ISUP.
  void add_isup() {
    isup::IsupRecoveryConfig rec;
    rec.reset_on_start = false;
    isup_gw = std::make_unique<isup::IsupCallControl>(gw_port, *engine, timers, log_, counters, rec);
    isup_far = std::make_unique<isup::IsupCallControl>(far_port, far, timers, log_, counters, rec);
    isup::TrunkGroupConfig g;
    g.name = "tg";
    g.opc = 1;
    g.dpc = 2;
    g.cics.emplace_back(1, 4);
    const auto tg = *isup_gw->add_group(g);
    g.name = "far";
    g.opc = 2;
    g.dpc = 1;
    far_group = *isup_far->add_group(g);
    gw_port.to = isup_far.get();
    far_port.to = isup_gw.get();
    engine->attach(&sip, isup_gw.get(), &timers);
    engine->set_groups({{"tg", tg}});
  }
  void advance(Clock::duration d) {
    const auto end = clock.now() + d;
    pump();
    while (true) {
      auto next = timers.next_deadline();
      if (!next || *next > end) break;
      timers.advance(*next - clock.now());
      pump();
    }
    if (end > clock.now()) clock.advance(end - clock.now());
  }
  template <class F>
  void with_message(const std::string& text, F f) {
    keep.push_back(text);
    sip::Message m;
    ASSERT_TRUE(sip::parse_message(keep.back(), m).ok()) << text;
    f(m);
    advance(std::chrono::milliseconds(1));
  }
  static sip::Peer caller() {
    sip::Peer p;
    p.host = "127.0.0.1";
    p.port = 5061;
    return p;
  }
  std::string pbx_pop() {
    if (pbx_events.empty()) return "<none>";
    auto e = pbx_events.front();
    pbx_events.pop_front();
    return e;
  }
  // The PBX calls `digits` (Sending complete unless overlap).
  q931::Span::CallId pbx_calls(const std::string& digits, bool complete = true) {
    q931::Message setup;
    setup.type = q931::msg::kSetup;
    setup.bearer_capability = q931::BearerCapability{};
    setup.bearer_capability->layer1 = 3;  // G.711 A-law
    q931::PartyNumber called;
    called.type = 2;  // national
    called.digits = digits;
    setup.called = called;
    setup.sending_complete = complete;
    auto id = pbx->setup(std::move(setup));
    EXPECT_TRUE(id.ok());
    advance(std::chrono::milliseconds(1));
    return id.ok() ? *id : 0;
  }
  void expect_all_idle() {
    advance(std::chrono::seconds(1));
    EXPECT_TRUE(gw->busy_channels().empty());
    EXPECT_TRUE(pbx->busy_channels().empty());
    EXPECT_EQ(gw->calls(), 0u);
    EXPECT_EQ(pbx->calls(), 0u);
    EXPECT_EQ(engine->active_calls(), 0u);
  }

  Logger log_;
  Counters counters;
  ManualClock clock;
  ManualTimerService timers{clock};
  FakeSip sip;
  FakeMedia media;
  std::unique_ptr<CallEngine> engine;
  std::unique_ptr<q931::Span> gw, pbx;
  std::deque<std::pair<q931::Span*, std::vector<std::uint8_t>>> q;
  std::deque<std::string> keep;
  std::deque<std::pair<isup::MtpUser*, std::pair<MtpLabel, std::vector<std::uint8_t>>>> isup_q;
  IsupLoop gw_port{isup_q}, far_port{isup_q};
  FarExchange far;
  std::unique_ptr<isup::IsupCallControl> isup_gw, isup_far;
  isup::GroupId far_group = 0;
  std::deque<std::string> pbx_events;
  q931::Span::CallId pbx_call = 0;
  std::string pbx_called;
  int pbx_release_cause = 0;
  bool pbx_complete = false;
  int pbx_bearer = -1;
};

// --- SIP -> PRI ---

TEST_F(CallEnginePriTest, SipToPriAnsweredCallerHangsUp) {
  with_message(invite_text("+4930123456"), [&](const sip::Message& m) { engine->on_invite(1, m, caller()); });
  EXPECT_EQ(pbx_pop(), "setup");
  EXPECT_EQ(pbx_called, "30123456");  // national (RFC 3398 7.2.1 via Q.699 type of number), en bloc
  ASSERT_TRUE(pbx->request(pbx_call, q931::CcEvent::kAlertingReq));
  advance(std::chrono::milliseconds(1));
  auto op = sip.pop();
  EXPECT_EQ(op.what, "provisional");
  EXPECT_EQ(op.status, 180);
  ASSERT_TRUE(pbx->request(pbx_call, q931::CcEvent::kConnectReq));
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(sip.pop().what, "answer");
  EXPECT_EQ(pbx->call_state(pbx_call), q931::CcState::k10Active);  // our CONNECT ACKNOWLEDGE came (5.2.8)
  with_message(request_text("BYE"), [&](const sip::Message& m) { engine->on_bye(1, m); });
  EXPECT_EQ(pbx_pop(), "DISCONNECT:16");
  EXPECT_EQ(pbx_pop(), "released");
  expect_all_idle();
  EXPECT_EQ(counters.get("call.completed").value(), 1u);
}

TEST_F(CallEnginePriTest, SipToPriBusyIs486) {
  with_message(invite_text("+4930123456"), [&](const sip::Message& m) { engine->on_invite(1, m, caller()); });
  ASSERT_EQ(pbx_pop(), "setup");
  // The PBX refuses the SETUP at once: RELEASE COMPLETE with cause 17 (Q.931 5.2.5.1).
  ASSERT_TRUE(pbx->request(pbx_call, q931::CcEvent::kRejectReq, with_cause(q931::msg::kReleaseComplete, 17)));
  advance(std::chrono::milliseconds(1));
  auto op = sip.pop();
  EXPECT_EQ(op.what, "reject");
  EXPECT_EQ(op.status, 486);  // Q.850 17 user busy -> 486 (Q.1912.5 Table 7 / RFC 3398 8.2.6.1)
  expect_all_idle();
}

TEST_F(CallEnginePriTest, SipToPriCancelledWhileAlerting) {
  with_message(invite_text("+4930123456"), [&](const sip::Message& m) { engine->on_invite(1, m, caller()); });
  ASSERT_EQ(pbx_pop(), "setup");
  ASSERT_TRUE(pbx->request(pbx_call, q931::CcEvent::kAlertingReq));
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(sip.pop().status, 180);
  with_message(request_text("CANCEL"), [&](const sip::Message& m) { engine->on_cancel(1, m); });
  EXPECT_EQ(pbx_pop(), "DISCONNECT:31");  // a CANCEL without Reason: 31, the rule towards ISUP (mapping::cause_from_request)
  expect_all_idle();
}

TEST_F(CallEnginePriTest, SipToPriNoChannelIs503WithCause34) {
  std::vector<q931::Span::CallId> held;
  for (int i = 0; i < 3; ++i) {  // the PBX seizes every channel
    held.push_back(pbx_calls("1234"));
    EXPECT_EQ(sip.pop().what, "invite");
  }
  with_message(invite_text("+4930123456"), [&](const sip::Message& m) { engine->on_invite(1, m, caller()); });
  auto op = sip.pop();
  EXPECT_EQ(op.what, "reject");
  EXPECT_EQ(op.status, 503);  // 34 no circuit/channel available (RFC 3398 8.2.6.1)
  for (auto id : held) pbx->request(id, q931::CcEvent::kDisconnectReq, with_cause(q931::msg::kDisconnect, 16));
  expect_all_idle();
}

// --- PRI -> SIP ---

TEST_F(CallEnginePriTest, PriToSipAnsweredPbxHangsUp) {
  const auto call = pbx_calls("5552000");
  EXPECT_EQ(pbx_pop(), "CALL PROCEEDING");  // 5.2.5.2: en bloc, the number is complete
  auto op = sip.pop();
  ASSERT_EQ(op.what, "invite");
  EXPECT_NE(op.invite.request_uri.find("5552000"), std::string::npos) << op.invite.request_uri;
  with_message(response_text(180, "Ringing"), [&](const sip::Message& m) { engine->on_provisional(op.s, m); });
  EXPECT_EQ(pbx_pop(), "ALERTING");
  with_message(response_text(200, "OK"), [&](const sip::Message& m) { engine->on_answered(op.s, m); });
  EXPECT_EQ(pbx_pop(), "CONNECT");
  ASSERT_TRUE(pbx->request(call, q931::CcEvent::kDisconnectReq, with_cause(q931::msg::kDisconnect, 16)));
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(sip.pop().what, "bye");
  expect_all_idle();
}

TEST_F(CallEnginePriTest, PriToSipBusyAndUnallocated) {
  for (auto [status, cause] : {std::pair{486, 17}, std::pair{404, 1}}) {
    pbx_calls("5552000");
    EXPECT_EQ(pbx_pop(), "CALL PROCEEDING");
    auto op = sip.pop();
    ASSERT_EQ(op.what, "invite");
    with_message(response_text(status, "No"), [&](const sip::Message& m) { engine->on_rejected(op.s, m); });
    EXPECT_EQ(pbx_pop(), "DISCONNECT:" + std::to_string(cause));  // RFC 3398 8.2.6.1 / Q.1912.5 Table 8
    EXPECT_EQ(pbx_pop(), "released");
    expect_all_idle();
  }
}

TEST_F(CallEnginePriTest, PriToSipOverlapReceiving) {
  const auto call = pbx_calls("555", false);
  EXPECT_EQ(pbx_pop(), "SETUP ACKNOWLEDGE");  // 5.2.4: no Sending complete
  EXPECT_EQ(sip.pop().what, "<none>");
  for (char d : std::string("2000")) {
    q931::Message info;
    info.type = q931::msg::kInformation;
    q931::PartyNumber n;
    n.type = 2;
    n.digits = std::string(1, d);
    info.called = n;
    ASSERT_TRUE(pbx->request(call, q931::CcEvent::kInfoReq, info));
    advance(std::chrono::seconds(1));
  }
  EXPECT_EQ(sip.pop().what, "<none>");  // still collecting: the digit timeout runs from the last digit
  advance(std::chrono::seconds(4));
  EXPECT_EQ(pbx_pop(), "CALL PROCEEDING");
  auto op = sip.pop();
  ASSERT_EQ(op.what, "invite");
  EXPECT_NE(op.invite.request_uri.find("5552000"), std::string::npos) << op.invite.request_uri;
  with_message(request_text("BYE"), [&](const sip::Message&) {});  // nothing: the callee has not answered
  ASSERT_TRUE(pbx->request(call, q931::CcEvent::kDisconnectReq, with_cause(q931::msg::kDisconnect, 16)));
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(sip.pop().what, "cancel");
  expect_all_idle();
}

TEST_F(CallEnginePriTest, RestartByThePbxClearsTheCall) {
  pbx_calls("5552000");
  auto op = sip.pop();
  ASSERT_EQ(op.what, "invite");
  with_message(response_text(200, "OK"), [&](const sip::Message& m) { engine->on_answered(op.s, m); });
  ASSERT_TRUE(pbx->restart(q931::RestartScope{q931::restart_class::kAllInterfaces, {}}));
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(sip.pop().what, "bye");  // 5.5.2: the restarted call is cleared, its SIP side too
  expect_all_idle();
}

// --- B-channel media (issue 21): the B channel's MG connection, made as an ISUP circuit's ---

std::string reason_of(const sip::HeaderList& h) {
  for (const auto& [name, value] : h)
    if (name == "Reason") return value;
  return {};
}

TEST_F(CallEnginePriTest, SipToPriConnectionOnTheBChannelEndpoint) {
  engine->attach_media(&media);
  with_message(invite_text("+4930123456"), [&](const sip::Message& m) { engine->on_invite(1, m, caller()); });
  ASSERT_EQ(pbx_pop(), "setup");
  ASSERT_EQ(media.conns.size(), 1u);
  const FakeMedia::Conn& conn = media.conns.at(1);
  EXPECT_EQ(conn.span, "pbx");
  ASSERT_EQ(gw->busy_channels().size(), 1u);
  EXPECT_EQ(conn.channel, static_cast<int>(gw->busy_channels().front()));  // the channel the SETUP took
  EXPECT_NE(conn.remote.find("m=audio 6000"), std::string::npos) << conn.remote;  // A's offer
  EXPECT_EQ(conn.modes.back(), MediaMode::kSendOnly);  // the PBX's side heard before the answer (RFC 3398 5)
  ASSERT_TRUE(pbx->request(pbx_call, q931::CcEvent::kAlertingReq));
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(sip.pop().what, "<none>");  // our SDP is the MG's: the 180 waits for its CRCX
  media.ready(1);
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(sip.pop().status, 180);
  ASSERT_TRUE(pbx->request(pbx_call, q931::CcEvent::kConnectReq));
  advance(std::chrono::milliseconds(1));
  auto op = sip.pop();
  ASSERT_EQ(op.what, "answer");
  EXPECT_NE(op.body.find("c=IN IP4 127.0.0.9"), std::string::npos) << op.body;  // the MG's address and port
  EXPECT_NE(op.body.find("m=audio 4000"), std::string::npos) << op.body;
  EXPECT_EQ(media.conns.at(1).modes.back(), MediaMode::kSendRecv);
  with_message(request_text("BYE"), [&](const sip::Message& m) { engine->on_bye(1, m); });
  EXPECT_EQ(pbx_pop(), "DISCONNECT:16");
  EXPECT_TRUE(media.conns.at(1).closed);
  EXPECT_EQ(media.open_count(), 0u);
  expect_all_idle();
}

TEST_F(CallEnginePriTest, PriToSipInviteOffersTheMgSdp) {
  engine->attach_media(&media);
  const auto call = pbx_calls("5552000");
  EXPECT_EQ(pbx_pop(), "CALL PROCEEDING");
  EXPECT_EQ(sip.pop().what, "<none>");  // the INVITE's offer is the MG's SDP: it waits for the CRCX
  ASSERT_EQ(media.conns.size(), 1u);
  EXPECT_EQ(media.conns.at(1).span, "pbx");
  EXPECT_EQ(media.conns.at(1).channel, static_cast<int>(gw->busy_channels().front()));
  EXPECT_TRUE(media.conns.at(1).remote.empty());
  EXPECT_EQ(media.conns.at(1).modes.back(), MediaMode::kRecvOnly);
  media.ready(1);
  advance(std::chrono::milliseconds(1));
  auto op = sip.pop();
  ASSERT_EQ(op.what, "invite");
  EXPECT_NE(op.invite.body.content.find("c=IN IP4 127.0.0.9"), std::string::npos) << op.invite.body.content;
  EXPECT_NE(op.invite.body.content.find("m=audio 4000"), std::string::npos) << op.invite.body.content;
  with_message(response_text(200, "OK", kCalleeSdp), [&](const sip::Message& m) { engine->on_answered(op.s, m); });
  EXPECT_EQ(pbx_pop(), "CONNECT");
  EXPECT_NE(media.conns.at(1).remote.find("m=audio 7000"), std::string::npos);  // the callee's answer
  EXPECT_EQ(media.conns.at(1).modes.back(), MediaMode::kSendRecv);
  ASSERT_TRUE(pbx->request(call, q931::CcEvent::kDisconnectReq, with_cause(q931::msg::kDisconnect, 16)));
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(sip.pop().what, "bye");
  EXPECT_EQ(media.open_count(), 0u);
  expect_all_idle();
}

// CRCX refused: the call fails with 47 (resource unavailable), as an ISUP circuit's (media_ready).
TEST_F(CallEnginePriTest, CrcxRefusedFailsTheCallWith47) {
  engine->attach_media(&media);
  with_message(invite_text("+4930123456"), [&](const sip::Message& m) { engine->on_invite(1, m, caller()); });
  ASSERT_EQ(pbx_pop(), "setup");
  media.ready(1, false);
  advance(std::chrono::milliseconds(1));
  // Our SETUP not answered yet (N6): abandoned with RELEASE COMPLETE (Q.931 5.3.2), the cause 47.
  EXPECT_EQ(pbx_pop(), "released");
  EXPECT_EQ(pbx_release_cause, 47);
  auto op = sip.pop();
  EXPECT_EQ(op.what, "reject");
  EXPECT_EQ(op.status, 503);  // 47 -> 503 (RFC 3398 8.2.6.1)
  expect_all_idle();

  pbx_calls("5552000");
  EXPECT_EQ(pbx_pop(), "CALL PROCEEDING");
  media.ready(2, false);
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(pbx_pop(), "DISCONNECT:47");
  EXPECT_EQ(sip.pop().what, "<none>");  // no INVITE went
  expect_all_idle();
}

// The MG lost (unreachable, 38; RFC 3435 restart, 41): both sides cleared with its cause.
TEST_F(CallEnginePriTest, LostMgClearsAnAnsweredCall) {
  engine->attach_media(&media);
  pbx_calls("5552000");
  EXPECT_EQ(pbx_pop(), "CALL PROCEEDING");
  media.ready(1);
  advance(std::chrono::milliseconds(1));
  auto op = sip.pop();
  ASSERT_EQ(op.what, "invite");
  with_message(response_text(200, "OK", kCalleeSdp), [&](const sip::Message& m) { engine->on_answered(op.s, m); });
  EXPECT_EQ(pbx_pop(), "CONNECT");
  media.lost(1, 38);
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(pbx_pop(), "DISCONNECT:38");
  auto bye = sip.pop();
  EXPECT_EQ(bye.what, "bye");
  EXPECT_NE(reason_of(bye.headers).find("cause=38"), std::string::npos) << reason_of(bye.headers);
  EXPECT_FALSE(media.conns.at(1).closed);  // gone on the MG: not deleted again
  expect_all_idle();
}

// --- Overlap sending towards the PBX (issue 21; Q.931 5.2.4 from the network, RFC 3578 on the SIP side) ---

TEST_F(CallEnginePriTest, SipOverlapInvitesBecomeSetupAndInformation) {
  sip::Peer from = caller();
  from.host = "127.0.0.2";  // the trunk with `overlap: true`
  with_message(invite_text("+4930123"), [&](const sip::Message& m) { engine->on_invite(1, m, from); });
  ASSERT_EQ(pbx_pop(), "setup");
  EXPECT_EQ(pbx_called, "30123");
  EXPECT_FALSE(pbx_complete);  // no Sending complete: the number may grow
  // A second INVITE of the same call (same Call-ID and From tag) before the PBX acknowledged the SETUP: the
  // earlier INVITE gets 484 (RFC 3578 2), the digits wait for SETUP ACKNOWLEDGE (the network is in N6).
  with_message(invite_text("+4930123456"), [&](const sip::Message& m) { engine->on_invite(2, m, from); });
  auto op = sip.pop();
  EXPECT_EQ(op.what, "reject");
  EXPECT_EQ(op.s, 1u);
  EXPECT_EQ(op.status, 484);
  EXPECT_EQ(pbx_pop(), "<none>");
  ASSERT_TRUE(pbx->request(pbx_call, q931::CcEvent::kSetupAckReq));
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(pbx_pop(), "INFORMATION");
  EXPECT_EQ(pbx_called, "30123456");
  // In overlap receiving (N25) the next digits go at once.
  with_message(invite_text("+49301234567"), [&](const sip::Message& m) { engine->on_invite(3, m, from); });
  EXPECT_EQ(sip.pop().status, 484);
  EXPECT_EQ(pbx_pop(), "INFORMATION");
  EXPECT_EQ(pbx_called, "301234567");
  EXPECT_EQ(counters.get("call.pri_overlap_digits").value(), 2u);
  // The PBX has the number: the call goes on with the last INVITE.
  ASSERT_TRUE(pbx->request(pbx_call, q931::CcEvent::kConnectReq));
  advance(std::chrono::milliseconds(1));
  op = sip.pop();
  EXPECT_EQ(op.what, "answer");
  EXPECT_EQ(op.s, 3u);
  with_message(request_text("BYE"), [&](const sip::Message& m) { engine->on_bye(3, m); });
  EXPECT_EQ(pbx_pop(), "DISCONNECT:16");
  expect_all_idle();
}

TEST_F(CallEnginePriTest, EnBlocTrunkSendsSendingComplete) {
  with_message(invite_text("+4930123456"), [&](const sip::Message& m) { engine->on_invite(1, m, caller()); });
  ASSERT_EQ(pbx_pop(), "setup");
  EXPECT_TRUE(pbx_complete);  // 5.2.1: the whole number, Sending complete
  with_message(request_text("CANCEL"), [&](const sip::Message& m) { engine->on_cancel(1, m); });
  expect_all_idle();
}

// The bearer capability (Q.931 4.5.5 octet 3, information transfer capability) decides the codecs offered
// with the MG's address (Q.1912.5 / mapping.md 4): speech and 3.1 kHz audio -> PCMA/PCMU, unrestricted
// digital information -> CLEARMODE (RFC 4040) alone.
TEST_F(CallEnginePriTest, BearerCapabilityChoosesTheCodecsOfTheMgOffer) {
  engine->attach_media(&media);
  struct Row {
    std::uint8_t capability;
    std::optional<std::uint8_t> layer1;
    const char* has;
    const char* lacks;
  };
  const Row rows[] = {{0x00, 3, "PCMA/8000", "CLEARMODE"},   // speech, G.711 A-law
                      {0x10, 3, "PCMA/8000", "CLEARMODE"},   // 3.1 kHz audio
                      {0x08, std::nullopt, "CLEARMODE/8000", "PCMA"}};  // unrestricted digital information
  CallMedia::Id id = 0;
  for (const Row& r : rows) {
    q931::Message setup;
    setup.type = q931::msg::kSetup;
    setup.bearer_capability = q931::BearerCapability{};
    setup.bearer_capability->transfer_capability = r.capability;
    setup.bearer_capability->layer1 = r.layer1;
    q931::PartyNumber called;
    called.type = 2;
    called.digits = "5552000";
    setup.called = called;
    setup.sending_complete = true;
    ASSERT_TRUE(pbx->setup(std::move(setup)).ok());
    advance(std::chrono::milliseconds(1));
    EXPECT_EQ(pbx_pop(), "CALL PROCEEDING");
    media.ready(++id);
    advance(std::chrono::milliseconds(1));
    auto op = sip.pop();
    ASSERT_EQ(op.what, "invite");
    const std::string& sdp = op.invite.body.content;
    EXPECT_NE(sdp.find("c=IN IP4 127.0.0.9"), std::string::npos) << sdp;  // the MG's address
    EXPECT_NE(sdp.find(r.has), std::string::npos) << int(r.capability) << "\n" << sdp;
    EXPECT_EQ(sdp.find(r.lacks), std::string::npos) << int(r.capability) << "\n" << sdp;
    with_message(response_text(486, "Busy"), [&](const sip::Message& m) { engine->on_rejected(op.s, m); });
    EXPECT_EQ(pbx_pop(), "DISCONNECT:17");
    EXPECT_EQ(pbx_pop(), "released");
    expect_all_idle();
  }
  EXPECT_EQ(media.open_count(), 0u);
}

// PRI -> ISUP (issue 21): both legs' connections on the MG, joined. The B channel's first (recvonly, no remote);
// the IAM goes once it is made, and the circuit's connection is made with its SDP (sendonly until the answer);
// the B channel's then gets the circuit's SDP; both sendrecv at the ANM; both deleted at the release.
TEST_F(CallEnginePriTest, PriToIsupJoinsTheBChannelAndTheCircuitOnTheMg) {
  add_isup();
  engine->attach_media(&media);
  const auto call = pbx_calls("7771234");
  EXPECT_EQ(pbx_pop(), "CALL PROCEEDING");
  ASSERT_EQ(media.conns.size(), 1u);
  EXPECT_EQ(media.conns.at(1).span, "pbx");
  EXPECT_TRUE(media.conns.at(1).remote.empty());
  EXPECT_EQ(media.conns.at(1).modes.back(), MediaMode::kRecvOnly);
  EXPECT_EQ(far.pop(), "<none>");  // the IAM waits for the B channel's connection
  media.ready(1);
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(far.pop(), "setup");
  ASSERT_EQ(media.conns.size(), 2u);
  const FakeMedia::Conn& circuit = media.conns.at(2);
  EXPECT_EQ(circuit.span, "isup");
  EXPECT_NE(circuit.remote.find("c=IN IP4 127.0.0.9"), std::string::npos) << circuit.remote;  // the B channel's
  EXPECT_NE(circuit.remote.find("m=audio 4000"), std::string::npos) << circuit.remote;
  EXPECT_EQ(circuit.modes.back(), MediaMode::kSendOnly);
  media.mg_sdp =
      "v=0\r\no=- 1A2C 23 IN IP4 127.0.0.9\r\ns=-\r\nc=IN IP4 127.0.0.9\r\nt=0 0\r\nm=audio 4002 RTP/AVP 8\r\n";
  media.ready(2);
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(media.conns.at(1).remote, media.mg_sdp);  // the B channel's connection sends to the circuit's
  EXPECT_EQ(media.conns.at(1).modes.back(), MediaMode::kRecvOnly);
  ASSERT_TRUE(isup_far->answer(far.last));
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(pbx_pop(), "CONNECT");
  EXPECT_EQ(media.conns.at(1).modes.back(), MediaMode::kSendRecv);
  EXPECT_EQ(media.conns.at(2).modes.back(), MediaMode::kSendRecv);
  ASSERT_TRUE(pbx->request(call, q931::CcEvent::kDisconnectReq, with_cause(q931::msg::kDisconnect, 16)));
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(far.pop(), "release:16");
  EXPECT_EQ(media.open_count(), 0u);
  expect_all_idle();
}

// The circuit's CRCX refused: the call fails with 47 (as on ISUP); the B channel's connection is deleted too.
TEST_F(CallEnginePriTest, PriToIsupCircuitCrcxRefusedFailsWith47) {
  add_isup();
  engine->attach_media(&media);
  pbx_calls("7771234");
  EXPECT_EQ(pbx_pop(), "CALL PROCEEDING");
  media.ready(1);
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(far.pop(), "setup");
  media.ready(2, false);
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(pbx_pop(), "DISCONNECT:47");
  EXPECT_EQ(far.pop(), "release:47");
  EXPECT_TRUE(media.conns.at(1).closed);
  expect_all_idle();
}

// SIP -> PRI: the offer decides the SETUP's bearer capability (Q.1912.5: a G.711 offer without ISUP -> TMR
// 3.1 kHz audio; Q.931 4.5.5 information transfer capability 0x10). An offer of CLEARMODE alone (RFC 4040, 64
// kbit/s unrestricted) is refused 488 before any SETUP: our answer is built from the G.711 codecs only (a limit,
// README "PRI spans").
TEST_F(CallEnginePriTest, OfferChoosesTheSetupBearerCapability) {
  const std::string g711 =
      "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 8\r\n"
      "a=rtpmap:8 PCMA/8000\r\n";
  with_message(invite_text("+4930123456", g711), [&](const sip::Message& m) { engine->on_invite(1, m, caller()); });
  ASSERT_EQ(pbx_pop(), "setup");
  EXPECT_EQ(pbx_bearer, 0x10);  // 3.1 kHz audio
  with_message(request_text("CANCEL"), [&](const sip::Message& m) { engine->on_cancel(1, m); });
  pbx_events.clear();
  expect_all_idle();
  const std::string clearmode =
      "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 97\r\n"
      "a=rtpmap:97 CLEARMODE/8000\r\n";
  sip.ops.clear();
  with_message(invite_text("+4930123456", clearmode), [&](const sip::Message& m) { engine->on_invite(2, m, caller()); });
  auto op = sip.pop();
  EXPECT_EQ(op.what, "reject");
  EXPECT_EQ(op.status, 488);
  EXPECT_EQ(pbx_pop(), "<none>");
  expect_all_idle();
}

// --- ISUP -> PRI (issue 21) ---

isup::SetupRequest iam(const std::string& called) {
  isup::SetupRequest req;
  req.called.kind = isup::NumberKind::kCalled;
  req.called.nai = 3;  // national (Q.763 3.9)
  req.called.npi = 1;
  req.called.digits.assign(called + "F");  // ST: en bloc
  isup::Number calling;
  calling.kind = isup::NumberKind::kCalling;
  calling.nai = 3;
  calling.npi = 1;
  calling.screening = 3;
  calling.digits.assign("30999");
  req.calling = calling;
  return req;
}

// The exchange's IAM -> SETUP on a hunted channel (Q.699 via mapping/dss1_map.h); ALERTING -> ACM subscriber
// free, CONNECT -> ANM, the PBX's DISCONNECT -> REL with its cause and location (Q.850 2.2.3: user, 0). Media as
// PRI -> ISUP in the other direction: the circuit's connection first, the B channel's joined to it, both sendrecv
// at the answer, both deleted at the end. CDR direction isup-to-pri.
TEST_F(CallEnginePriTest, IsupToPriAnsweredPbxHangsUp) {
  add_isup();
  engine->attach_media(&media);
  std::vector<cdr::CdrRecord> cdrs;
  engine->set_cdr_sink([&](cdr::CdrRecord&& r) { cdrs.push_back(std::move(r)); });
  ASSERT_TRUE(isup_far->setup(far_group, iam("30123456")));
  advance(std::chrono::milliseconds(1));
  ASSERT_EQ(media.conns.size(), 1u);
  EXPECT_EQ(media.conns.at(1).span, "isup");  // the circuit's, recvonly, before the SETUP
  EXPECT_EQ(media.conns.at(1).modes.back(), MediaMode::kRecvOnly);
  EXPECT_EQ(pbx_pop(), "<none>");
  media.ready(1);
  advance(std::chrono::milliseconds(1));
  ASSERT_EQ(pbx_pop(), "setup");
  EXPECT_EQ(pbx_called, "30123456");  // national stays national (Q.699 type of number)
  EXPECT_TRUE(pbx_complete);          // ST -> Sending complete
  ASSERT_EQ(media.conns.size(), 2u);
  EXPECT_EQ(media.conns.at(2).span, "pbx");
  const FakeMedia::Conn& channel = media.conns.at(2);  // sends to the circuit's connection (the MG's address)
  EXPECT_NE(channel.remote.find("c=IN IP4 127.0.0.9"), std::string::npos) << channel.remote;
  EXPECT_NE(channel.remote.find("m=audio 4000"), std::string::npos) << channel.remote;
  EXPECT_EQ(channel.modes.back(), MediaMode::kSendOnly);
  ASSERT_TRUE(pbx->request(pbx_call, q931::CcEvent::kAlertingReq));
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(far.pop(), "progress:acm:alerting");
  ASSERT_TRUE(pbx->request(pbx_call, q931::CcEvent::kConnectReq));
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(far.pop(), "answer");
  EXPECT_EQ(pbx->call_state(pbx_call), q931::CcState::k10Active);
  EXPECT_EQ(media.conns.at(1).modes.back(), MediaMode::kSendRecv);
  EXPECT_EQ(media.conns.at(2).modes.back(), MediaMode::kSendRecv);
  ASSERT_TRUE(pbx->request(pbx_call, q931::CcEvent::kDisconnectReq, with_cause(q931::msg::kDisconnect, 16)));
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(far.pop(), "release:16");
  EXPECT_EQ(far.location, 0);  // the PBX's location (user), not ours
  EXPECT_EQ(media.open_count(), 0u);
  expect_all_idle();
  engine->flush_cdrs();  // the record waits for the RLC of our REL (the daemon's hook, not wired here)
  ASSERT_EQ(cdrs.size(), 1u);
  EXPECT_EQ(cdrs[0].direction, "isup-to-pri");
  EXPECT_EQ(counters.get("call.completed").value(), 1u);
}

// The exchange releases an answered call: REL -> DISCONNECT with its cause; PROGRESS with in-band information
// before the answer -> ACM with in-band (OBCI bit A), then ALERTING -> CPG alerting (Q.763 3.21 event 1).
TEST_F(CallEnginePriTest, IsupToPriExchangeReleases) {
  add_isup();
  auto call = isup_far->setup(far_group, iam("30123456"));
  ASSERT_TRUE(call);
  advance(std::chrono::milliseconds(1));
  ASSERT_EQ(pbx_pop(), "setup");
  ASSERT_TRUE(pbx->request(pbx_call, q931::CcEvent::kProceedingReq));  // CALL PROCEEDING: nothing towards ISUP
  q931::Message progress;
  progress.type = q931::msg::kProgress;
  progress.progress.push_back(q931::ProgressIndicator{});
  progress.progress.back().description = 8;  // in-band information now available (Q.931 4.5.23)
  ASSERT_TRUE(pbx->request(pbx_call, q931::CcEvent::kProgressReq, progress));
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(far.pop(), "progress:acm:inband");
  ASSERT_TRUE(pbx->request(pbx_call, q931::CcEvent::kAlertingReq));
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(far.pop(), "progress:cpg:alerting:1");
  ASSERT_TRUE(pbx->request(pbx_call, q931::CcEvent::kConnectReq));
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(far.pop(), "answer");
  ASSERT_TRUE(isup_far->release(*call, 31));
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(pbx_pop(), "DISCONNECT:31");
  EXPECT_EQ(pbx_pop(), "released");
  expect_all_idle();
  EXPECT_EQ(counters.get("call.completed").value(), 1u);
}

// Busy: the PBX refuses the SETUP (RELEASE COMPLETE 17, Q.931 5.2.5.1) -> REL 17; or alerts and then
// disconnects with 17 -> REL 17 after the ACM.
TEST_F(CallEnginePriTest, IsupToPriBusyIsRel17) {
  add_isup();
  ASSERT_TRUE(isup_far->setup(far_group, iam("30123456")));
  advance(std::chrono::milliseconds(1));
  ASSERT_EQ(pbx_pop(), "setup");
  ASSERT_TRUE(pbx->request(pbx_call, q931::CcEvent::kRejectReq, with_cause(q931::msg::kReleaseComplete, 17)));
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(far.pop(), "release:17");
  expect_all_idle();
  pbx_events.clear();
  ASSERT_TRUE(isup_far->setup(far_group, iam("30123456")));
  advance(std::chrono::milliseconds(1));
  ASSERT_EQ(pbx_pop(), "setup");
  ASSERT_TRUE(pbx->request(pbx_call, q931::CcEvent::kAlertingReq));
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(far.pop(), "progress:acm:alerting");
  ASSERT_TRUE(pbx->request(pbx_call, q931::CcEvent::kDisconnectReq, with_cause(q931::msg::kDisconnect, 17)));
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(far.pop(), "release:17");
  EXPECT_EQ(far.location, 0);
  expect_all_idle();
}

// No B channel idle (the PBX holds all three): REL 34 no circuit/channel available, no SETUP.
TEST_F(CallEnginePriTest, IsupToPriNoChannelIsRel34) {
  add_isup();
  std::vector<q931::Span::CallId> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(pbx_calls("1234"));
    EXPECT_EQ(sip.pop().what, "invite");
  }
  pbx_events.clear();
  ASSERT_TRUE(isup_far->setup(far_group, iam("30123456")));
  advance(std::chrono::milliseconds(1));
  EXPECT_EQ(far.pop(), "release:34");
  EXPECT_EQ(pbx_pop(), "<none>");
  for (auto id : held) pbx->request(id, q931::CcEvent::kDisconnectReq, with_cause(q931::msg::kDisconnect, 16));
  expect_all_idle();
}

}  // namespace
}  // namespace isupgw::engine
