// The call engine in virtual time: a fake SIP stack (sip::SessionApi) on one
// side; on the other our real IsupCallControl over an in-process loopback MTP
// to a second IsupCallControl acting as the far exchange. Each test reads as
// the call flow of Q.1912.5 / RFC 3398 and ends with every circuit idle.
#include "engine/call_engine.h"

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <string>

#include "base/clock.h"
#include "base/timer_service.h"
#include "isup/codes.h"
#include "isup/isup_cc.h"
#include "mapping/interworking.h"
#include "sip/message.h"

namespace isupgw::engine {
namespace {

using isup::CallId;

// Records every SessionApi request.
struct FakeSip final : sip::SessionApi {
  struct Op {
    std::string what;
    sip::SessionId s = 0;
    int status = 0;
    sip::HeaderList headers;
    sip::Body body;
    sip::OutgoingInvite invite;
    std::string header(std::string_view name) const {
      for (const auto& [n, v] : headers)
        if (n == name) return v;
      return {};
    }
  };
  sip::SessionId invite(sip::OutgoingInvite req) override {
    Op op{"invite", next, 0, req.headers, req.body, req};
    ops.push_back(std::move(op));
    return next++;
  }
  void cancel(sip::SessionId s, sip::HeaderList h) override { ops.push_back(Op{"cancel", s, 0, std::move(h), {}, {}}); }
  void provisional(sip::SessionId s, int status, sip::HeaderList h, sip::Body b, bool) override {
    ops.push_back(Op{"provisional", s, status, std::move(h), std::move(b), {}});
  }
  void answer(sip::SessionId s, sip::HeaderList h, sip::Body b) override {
    ops.push_back(Op{"answer", s, 200, std::move(h), std::move(b), {}});
  }
  void reject(sip::SessionId s, int status, sip::HeaderList h, sip::Body b) override {
    ops.push_back(Op{"reject", s, status, std::move(h), std::move(b), {}});
  }
  void bye(sip::SessionId s, sip::HeaderList h, sip::Body b) override {
    ops.push_back(Op{"bye", s, 0, std::move(h), std::move(b), {}});
  }
  void info(sip::SessionId s, sip::HeaderList h, sip::Body b) override {
    ops.push_back(Op{"info", s, 0, std::move(h), std::move(b), {}});
  }
  bool reinvite(sip::SessionId s, sip::Body b) override {
    ops.push_back(Op{"reinvite", s, 0, {}, std::move(b), {}});
    return true;
  }
  // RFC 3515 NOTIFY (issue 20): "notify" with the sipfrag status, "final" in the headers when it ends.
  void refer_progress(sip::SessionId s, int status, std::string_view reason, bool final) override {
    ops.push_back(Op{"notify", s, status, {{"final", final ? "1" : "0"}, {"reason", std::string(reason)}}, {}, {}});
  }
  void answer_reoffer(sip::SessionId s, int status, sip::Body b, sip::HeaderList h) override {
    ops.push_back(Op{"answer_reoffer", s, status, std::move(h), std::move(b), {}});
  }
  // The stack makes the Call-ID of our INVITEs and our tag of every session (RFC 3261 8.1.1.3, 19.3).
  DialogIds dialog_ids(sip::SessionId s) const override {
    return DialogIds{"gw-" + std::to_string(s) + "@127.0.0.1", "gwtag" + std::to_string(s), {}};
  }
  Op pop() {
    if (ops.empty()) return Op{"<none>", 0, 0, {}, {}, {}};
    Op op = std::move(ops.front());
    ops.pop_front();
    return op;
  }
  std::deque<Op> ops;
  sip::SessionId next = 1000;
};

// The far exchange's user: records, and lets the test act.
struct FarUser final : isup::CallControlUser {
  void on_setup(CallId call, const isup::IncomingSetup& s) override {
    last = call;
    called = std::string(s.called.digits.view());
    calling = s.calling ? std::string(s.calling->digits.view()) : "";
    nai = s.called.nai;
    events.push_back("setup");
    if (on_setup_hook) on_setup_hook(call);
  }
  void on_progress(CallId, const isup::BackwardIndication& ind) override {
    std::string e = ind.alerting ? "alerting" : "progress";
    if (const isup::Param* p = ind.msg ? ind.msg->find(isup::par::kGenericNotificationIndicator) : nullptr)
      e += p->value.size() == 1 && p->value[0] == (0x80 | isup::kNotificationRemoteHold)        ? ":remote-hold"
           : p->value.size() == 1 && p->value[0] == (0x80 | isup::kNotificationRemoteRetrieval) ? ":remote-retrieval"
                                                                                                : ":notification?";
    events.push_back(e);
  }
  void on_answer(CallId, const isup::Message&) override { events.push_back("answer"); }
  void on_release(CallId, const isup::ReleaseIndication& r) override {
    events.push_back("release:" + std::to_string(r.cause));
  }
  std::string pop() {
    if (events.empty()) return "<none>";
    auto e = events.front();
    events.pop_front();
    return e;
  }
  std::deque<std::string> events;
  CallId last = 0;
  std::string called, calling;
  int nai = 0;
  std::function<void(CallId)> on_setup_hook;
};

// The MG side: records every mode change; connections become ready when told.
struct FakeMedia final : CallMedia {
  std::optional<Id> open(isup::GroupId, std::uint16_t cic, const std::string&, MediaMode mode, Ready ready) override {
    cics.push_back(cic);
    modes.push_back(mode);
    pending.push_back(std::move(ready));
    return next++;
  }
  void update(Id, const std::string& remote_sdp, MediaMode mode) override {
    modes.push_back(mode);
    remotes.push_back(remote_sdp);
  }
  void close(Id id) override {
    ++closed;
    closed_ids.push_back(id);
  }
  void set_lost_handler(Lost) override {}
  bool play_digit(Id, char digit) override {
    digits += digit;
    return true;
  }
  bool start_t38(Id, const std::string& sdp, FaxDone done) override {
    if (!t38_possible) return false;
    t38_offers.push_back(sdp);
    fax_done = std::move(done);
    return true;
  }
  bool t38_possible = true;
  std::vector<std::string> t38_offers;
  FaxDone fax_done;
  void ready() {
    auto run = std::move(pending);
    pending.clear();
    for (auto& r : run) r(mg_sdp);
  }
  std::string mg_sdp =
      "v=0\r\no=- 1A2B 23 IN IP4 127.0.0.9\r\ns=-\r\nc=IN IP4 127.0.0.9\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8\r\n";
  std::string digits;
  MediaMode last() const { return modes.empty() ? MediaMode::kSendRecv : modes.back(); }
  std::vector<MediaMode> modes;
  std::vector<std::string> remotes;
  std::vector<Ready> pending;
  std::vector<std::uint16_t> cics;  // the circuit of each open()
  std::vector<Id> closed_ids;
  Id next = 1;
  int closed = 0;
};

struct Pending {
  isup::MtpUser* to;
  MtpLabel label;
  std::vector<std::uint8_t> bytes;
};
struct Loop final : isup::MtpPort {
  Loop(std::deque<Pending>& q) : q(q) {}
  void transfer(const MtpLabel& l, std::span<const std::uint8_t> d) override {
    q.push_back(Pending{to, l, {d.begin(), d.end()}});
  }
  std::deque<Pending>& q;
  isup::MtpUser* to = nullptr;
};

constexpr isup::PointCode kGw = 1, kFar = 2, kFar2 = 3;

std::string invite_text(const std::string& ruri_user, const std::string& extra = "",
                        const std::string& sdp =
                            "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 "
                            "127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 8 0\r\n") {
  std::string m = "INVITE sip:" + ruri_user +
                  "@127.0.0.1;user=phone SIP/2.0\r\n"
                  "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK1\r\n"
                  "From: <sip:+4930999@127.0.0.1;user=phone>;tag=a1\r\n"
                  "To: <sip:" +
                  ruri_user +
                  "@127.0.0.1;user=phone>\r\n"
                  "Call-ID: c1@test\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
                  "Contact: <sip:caller@127.0.0.1:5061>\r\n" +
                  extra;
  if (!sdp.empty()) m += "Content-Type: application/sdp\r\n";
  m += "Content-Length: " + std::to_string(sdp.size()) + "\r\n\r\n" + sdp;
  return m;
}

std::string response_text(int status, const std::string& reason, const std::string& extra = "") {
  return "SIP/2.0 " + std::to_string(status) + " " + reason +
         "\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx\r\n"
         "From: <sip:a@127.0.0.1>;tag=f\r\nTo: <sip:b@127.0.0.1>;tag=t\r\n"
         "Call-ID: x@gw\r\nCSeq: 1 INVITE\r\n" +
         extra + "Content-Length: 0\r\n\r\n";
}

// A re-INVITE in the dialog with a new offer.
std::string reoffer_text(const std::string& direction, const std::string& address = "127.0.0.1") {
  const std::string sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 " + address +
                          "\r\nt=0 0\r\nm=audio 6000 RTP/AVP 8\r\n" +
                          (direction.empty() ? "" : "a=" + direction + "\r\n");
  return "INVITE sip:gw@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK3\r\n"
         "From: <sip:a@127.0.0.1>;tag=a1\r\nTo: <sip:b@127.0.0.1>;tag=b1\r\n"
         "Call-ID: c1@test\r\nCSeq: 3 INVITE\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\n"
         "Content-Length: " +
         std::to_string(sdp.size()) + "\r\n\r\n" + sdp;
}

std::string request_text(const std::string& method, const std::string& extra = "") {
  return method +
         " sip:gw@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK2\r\n"
         "From: <sip:a@127.0.0.1>;tag=a1\r\nTo: <sip:b@127.0.0.1>;tag=b1\r\n"
         "Call-ID: c1@test\r\nCSeq: 2 " +
         method + "\r\nMax-Forwards: 70\r\n" + extra + "Content-Length: 0\r\n\r\n";
}

class CallEngineTest : public ::testing::Test {
 protected:
  CallEngineTest() : log_([this](std::string_view l) { lines.emplace_back(l); }) {
    log_.set_all_levels(LogLevel::kInfo);
  }

  // Builds the gateway (trunk group tg1 to kFar, tg2 to kFar2, SIP trunk
  // "peer" at 127.0.0.1:5080) with the given routes.
  void make(std::vector<RouteEntry> routes, mapping::SipProfile::Kind kind = mapping::SipProfile::kSip) {
    gw_port.to = nullptr;
    isup::IsupRecoveryConfig rec;
    rec.reset_on_start = false;
    EngineConfig ec;
    SipTrunkInfo t;
    t.name = "peer";
    t.peer.host = "127.0.0.1";
    t.peer.port = 5080;
    t.acl.add("127.0.0.1");
    t.profile.kind = kind;
    t.profile.host = "127.0.0.1";
    t.monitored = monitor_peer;  // trunk health (issue 18): down after 1 failure, up after 2 answers
    t.redirect = peer_redirect;    // issue 20
    t.max_redirects = peer_max_redirects;
    t.transfer = peer_transfer;
    ec.trunks.push_back(std::move(t));
    for (auto& r : routes) ec.router.add(std::move(r));
    ec.sip_admission = sip_admission;
    ec.group_admission = group_admission;
    engine = std::make_unique<CallEngine>(std::move(ec), log_, counters);
    gw = std::make_unique<isup::IsupCallControl>(gw_port, *engine, timers, log_, counters, rec);
    far = std::make_unique<isup::IsupCallControl>(far_port, far_user, timers, log_, counters, rec);
    far2 = std::make_unique<isup::IsupCallControl>(far2_port, far2_user, timers, log_, counters, rec);
    isup::TrunkGroupConfig g;
    g.name = "tg1";
    g.opc = kGw;
    g.dpc = kFar;
    g.cics.emplace_back(1, 4);
    g.overlap_incoming = overlap;
    g.overload_olm = tg1_olm;
    tg1 = *gw->add_group(g);
    g.overlap_incoming = false;
    g.overload_olm = false;
    g.name = "tg2";
    g.dpc = kFar2;
    tg2 = *gw->add_group(g);
    isup::TrunkGroupConfig f;
    f.name = "far";
    f.opc = kFar;
    f.dpc = kGw;
    f.cics.emplace_back(1, 4);
    far_group = *far->add_group(f);
    f.opc = kFar2;
    far2_group = *far2->add_group(f);
    gw_port.router = this;
    far_port.to = gw.get();
    far2_port.to = gw.get();
    far_user_cc = far.get();
    engine->attach(&sip, gw.get(), &timers);
    engine->set_groups({{"tg1", tg1}, {"tg2", tg2}});
  }

  // The gateway's MTP routes by DPC to the far exchange.
  struct GwPort final : isup::MtpPort {
    void transfer(const MtpLabel& l, std::span<const std::uint8_t> d) override {
      isup::MtpUser* to = l.dpc == kFar ? static_cast<isup::MtpUser*>(router->far.get()) : router->far2.get();
      router->q.push_back(Pending{to, l, {d.begin(), d.end()}});
    }
    CallEngineTest* router = nullptr;
    isup::MtpUser* to = nullptr;
  };

  void pump() {
    while (!q.empty()) {
      auto p = std::move(q.front());
      q.pop_front();
      p.to->on_transfer(p.label, p.bytes);
      wire.push_back(std::move(p.bytes));
    }
  }
  // The cause indicators of the last REL that crossed the loop (location, value).
  std::optional<isup::CauseIndicators> last_rel_cause() const {
    for (auto it = wire.rbegin(); it != wire.rend(); ++it) {
      auto m = isup::decode(*it, isup::Variant::kItu);
      if (!m || m->type != isup::msg::kRel) continue;
      const isup::Param* p = m->find(isup::par::kCauseIndicators);
      if (p == nullptr) return std::nullopt;
      auto ci = isup::CauseIndicators::decode(p->value);
      if (!ci) return std::nullopt;
      return *ci;
    }
    return std::nullopt;
  }
  void advance(Clock::duration d) {
    const auto end = clock.now() + d;
    pump();
    while (true) {
      auto next = timers.next_deadline();
      if (!next || *next > end) break;
      timers.advance(*next - clock.now());  // to the deadline, firing what falls due there
      pump();
    }
    if (end > clock.now()) clock.advance(end - clock.now());
  }

  void invite(sip::SessionId s, const std::string& text, const std::string& from = "127.0.0.1") {
    keep.push_back(text);
    sip::Message m;
    ASSERT_TRUE(sip::parse_message(keep.back(), m).ok());
    sip::Peer p;
    p.host = from;
    p.port = 5061;
    engine->on_invite(s, m, p);
    pump();
  }
  template <class F>
  void with_message(const std::string& text, F f) {
    keep.push_back(text);
    sip::Message m;
    ASSERT_TRUE(sip::parse_message(keep.back(), m).ok()) << text;
    f(m);
    pump();
  }

  void expect_all_idle() {
    pump();
    for (auto* cc : {gw.get()})
      for (auto g : {tg1, tg2})
        for (std::uint16_t cic = 1; cic <= 4; ++cic)
          EXPECT_TRUE(cc->circuit(g, cic)->call().idle()) << "gw group " << g << " cic " << cic;
    for (auto* cc : {far.get(), far2.get()})
      for (std::uint16_t cic = 1; cic <= 4; ++cic)
        EXPECT_TRUE(cc->circuit(far_group, cic)->call().idle()) << "far cic " << cic;
    EXPECT_EQ(engine->active_calls(), 0u);
  }

  static RouteEntry route(std::string prefix, std::vector<std::string> groups, std::string from = "") {
    RouteEntry r;
    r.prefix = std::move(prefix);
    r.from = std::move(from);
    for (auto& g : groups)
      r.targets.push_back(RouteTarget{g == "peer" ? RouteTarget::Kind::kSipTrunk : RouteTarget::Kind::kTrunkGroup, g, 0,
                                      "", std::nullopt});
    return r;
  }

  bool overlap = false;
  bool tg1_olm = false;  // tg1's overload_response: olm
  AdmissionConfig sip_admission, group_admission;  // issue 18: limits make() gives the engine
  bool monitor_peer = false;                       // issue 18: trunk health of "peer"
  SipTrunkInfo::Redirect peer_redirect = SipTrunkInfo::Redirect::kRefuse;  // issue 20: 3xx, REFER
  unsigned peer_max_redirects = 3;
  bool peer_transfer = false;
  std::vector<std::string> lines;
  Logger log_;
  Counters counters;
  ManualClock clock;
  ManualTimerService timers{clock};
  std::deque<Pending> q;
  std::vector<std::vector<std::uint8_t>> wire;  // every ISUP message delivered, in order
  std::deque<std::string> keep;
  FakeSip sip;
  FarUser far_user, far2_user;
  isup::IsupCallControl* far_user_cc = nullptr;
  GwPort gw_port;
  Loop far_port{q}, far2_port{q};
  std::unique_ptr<CallEngine> engine;
  std::unique_ptr<isup::IsupCallControl> gw, far, far2;
  isup::GroupId tg1 = 0, tg2 = 0, far_group = 0, far2_group = 0;
};

// --- SIP -> ISUP ---

TEST_F(CallEngineTest, SipToIsupBasicCallCallerHangsUp) {
  make({route("30", {"tg1"})});
  invite(1, invite_text("+4930123456"));
  EXPECT_EQ(far_user.pop(), "setup");
  EXPECT_EQ(far_user.called, "30123456F");  // +49 own country -> national (RFC 3398 7.2.1), en bloc
  EXPECT_EQ(far_user.nai, 3);
  ASSERT_TRUE(far->alert(far_user.last));
  pump();
  auto op = sip.pop();
  EXPECT_EQ(op.what, "provisional");
  EXPECT_EQ(op.status, 180);
  ASSERT_TRUE(far->answer(far_user.last));
  pump();
  op = sip.pop();
  EXPECT_EQ(op.what, "answer");
  EXPECT_EQ(op.body.content_type, "application/sdp");  // our answer to the caller's offer
  EXPECT_NE(op.body.content.find("m=audio"), std::string::npos);
  with_message(request_text("BYE"), [&](const sip::Message& m) { engine->on_bye(1, m); });
  EXPECT_EQ(far_user.pop(), "release:16");
  expect_all_idle();
  EXPECT_EQ(counters.value("call.answered"), 1u);
  EXPECT_EQ(counters.value("call.completed"), 1u);
  // One log line per state change.
  int states = 0;
  for (const auto& l : lines) states += l.find("call state ") != std::string::npos;
  EXPECT_EQ(states, 4);  // setup, progress, answer, a_released
}

TEST_F(CallEngineTest, SipToIsupCalleeHangsUpWithReason) {
  make({route("30", {"tg1"})});
  invite(1, invite_text("+4930123456"));
  ASSERT_TRUE(far->alert(far_user.last));
  ASSERT_TRUE(far->answer(far_user.last));
  pump();
  sip.ops.clear();
  ASSERT_TRUE(far->release(far_user.last, 16));
  pump();
  auto op = sip.pop();
  EXPECT_EQ(op.what, "bye");
  EXPECT_NE(op.header("Reason").find("cause=16"), std::string::npos);
  expect_all_idle();
}

TEST_F(CallEngineTest, SipToIsupBusyAfterAcmIs486WithCause17) {
  make({route("30", {"tg1"})});
  invite(1, invite_text("+4930123456"));
  ASSERT_TRUE(far->alert(far_user.last));
  ASSERT_TRUE(far->release(far_user.last, 17));
  pump();
  EXPECT_EQ(sip.pop().status, 180);
  auto op = sip.pop();
  EXPECT_EQ(op.what, "reject");
  EXPECT_EQ(op.status, 486);
  EXPECT_NE(op.header("Reason").find("Q.850;cause=17"), std::string::npos);
  expect_all_idle();
  EXPECT_EQ(counters.value("call.failed.cause_17"), 1u);
}

TEST_F(CallEngineTest, SipToIsupUnallocatedIs404) {
  make({route("30", {"tg1"})});
  far_user.on_setup_hook = [&](CallId c) { (void)far->release(c, 1); };
  invite(1, invite_text("+4930123456"));
  auto op = sip.pop();
  EXPECT_EQ(op.what, "reject");
  EXPECT_EQ(op.status, 404);
  expect_all_idle();
}

TEST_F(CallEngineTest, CancelBeforeAnswerReleasesTheCircuit) {
  make({route("30", {"tg1"})});
  invite(1, invite_text("+4930123456"));
  ASSERT_TRUE(far->alert(far_user.last));
  pump();
  with_message(request_text("CANCEL"), [&](const sip::Message& m) { engine->on_cancel(1, m); });
  EXPECT_EQ(far_user.pop(), "setup");
  EXPECT_EQ(far_user.pop(), "release:31");
  expect_all_idle();
}

TEST_F(CallEngineTest, NoAnswerT9ReleasesBothSides) {
  make({route("30", {"tg1"})});
  invite(1, invite_text("+4930123456"));
  ASSERT_TRUE(far->alert(far_user.last));
  pump();
  sip.ops.clear();
  advance(std::chrono::seconds(100));  // T9 (90 s) in our call control: no answer
  auto op = sip.pop();
  EXPECT_EQ(op.what, "reject");
  EXPECT_GE(op.status, 400);
  expect_all_idle();
}

TEST_F(CallEngineTest, AlternateRouteOnCongestion) {
  make({route("30", {"tg1", "tg2"})});
  far_user.on_setup_hook = [&](CallId c) { (void)far->release(c, 34); };  // no circuit at the first exchange
  invite(1, invite_text("+4930123456"));
  EXPECT_EQ(far2_user.pop(), "setup");
  ASSERT_TRUE(far2->alert(far2_user.last));
  ASSERT_TRUE(far2->answer(far2_user.last));
  pump();
  EXPECT_EQ(sip.pop().status, 180);
  EXPECT_EQ(sip.pop().what, "answer");
  ASSERT_TRUE(far2->release(far2_user.last, 16));
  pump();
  EXPECT_EQ(sip.pop().what, "bye");
  expect_all_idle();
}

TEST_F(CallEngineTest, NoRouteIs404AndUnknownSourceIs403) {
  make({route("30", {"tg1"})});
  invite(1, invite_text("+4940123456"));
  auto op = sip.pop();
  EXPECT_EQ(op.status, 404);
  invite(2, invite_text("+4930123456"), "192.0.2.99");
  op = sip.pop();
  EXPECT_EQ(op.status, 403);
  EXPECT_EQ(counters.value("call.refused_acl"), 1u);
  EXPECT_EQ(counters.value("call.no_route"), 1u);
  expect_all_idle();
}

TEST_F(CallEngineTest, ReleaseCollisionLeavesEverythingIdle) {
  make({route("30", {"tg1"})});
  invite(1, invite_text("+4930123456"));
  ASSERT_TRUE(far->alert(far_user.last));
  ASSERT_TRUE(far->answer(far_user.last));
  pump();
  // Both ends clear at once: the far REL and the caller's BYE cross.
  ASSERT_TRUE(far->release(far_user.last, 16));
  with_message(request_text("BYE"), [&](const sip::Message& m) { engine->on_bye(1, m); });
  pump();
  expect_all_idle();
}

TEST_F(CallEngineTest, NumberManipulationStripPrefixNoa) {
  RouteEntry r = route("30", {"tg1"});
  r.targets[0].strip = 2;
  r.targets[0].prefix = "0049";
  r.targets[0].nai = 2;  // unknown
  make({r});
  invite(1, invite_text("+4930123456"));
  EXPECT_EQ(far_user.called, "0049123456F");
  EXPECT_EQ(far_user.nai, 2);
  ASSERT_TRUE(far->release(far_user.last, 16));
  pump();
  expect_all_idle();
}

// --- ISUP -> SIP ---

isup::SetupRequest iam(const std::string& called) {
  isup::SetupRequest req;
  req.called.kind = isup::NumberKind::kCalled;
  req.called.nai = 3;
  req.called.npi = 1;
  req.called.digits.assign(called + "F");
  isup::Number calling;
  calling.kind = isup::NumberKind::kCalling;
  calling.nai = 3;
  calling.npi = 1;
  calling.screening = 3;
  calling.digits.assign("30999");
  req.calling = calling;
  return req;
}

TEST_F(CallEngineTest, IsupToSipBasicCall) {
  make({route("", {"peer"}, "tg1")});
  auto call = far->setup(far_group, iam("5551234"));
  ASSERT_TRUE(call);
  pump();
  auto op = sip.pop();
  ASSERT_EQ(op.what, "invite");
  EXPECT_EQ(op.invite.peer.port, 5080);
  EXPECT_NE(op.invite.request_uri.find("5551234"), std::string::npos) << op.invite.request_uri;
  EXPECT_NE(op.invite.body.content.find("m=audio"), std::string::npos);
  with_message(response_text(180, "Ringing"), [&](const sip::Message& m) { engine->on_provisional(op.s, m); });
  EXPECT_EQ(far_user.pop(), "alerting");
  with_message(response_text(200, "OK"), [&](const sip::Message& m) { engine->on_answered(op.s, m); });
  EXPECT_EQ(far_user.pop(), "answer");
  with_message(request_text("BYE"), [&](const sip::Message& m) { engine->on_bye(op.s, m); });
  EXPECT_EQ(far_user.pop(), "release:16");
  expect_all_idle();
}

TEST_F(CallEngineTest, IsupToSip486IsCause17) {
  make({route("", {"peer"}, "tg1")});
  ASSERT_TRUE(far->setup(far_group, iam("5551234")));
  pump();
  auto op = sip.pop();
  with_message(response_text(486, "Busy Here"), [&](const sip::Message& m) { engine->on_rejected(op.s, m); });
  EXPECT_EQ(far_user.pop(), "release:17");
  expect_all_idle();
}

TEST_F(CallEngineTest, IsupToSipReasonHeaderWins) {
  make({route("", {"peer"}, "tg1")});
  ASSERT_TRUE(far->setup(far_group, iam("5551234")));
  pump();
  auto op = sip.pop();
  with_message(response_text(480, "Unavailable", "Reason: Q.850;cause=19\r\n"),
               [&](const sip::Message& m) { engine->on_rejected(op.s, m); });
  EXPECT_EQ(far_user.pop(), "release:19");
  expect_all_idle();
}

TEST_F(CallEngineTest, IsupReleaseBeforeAnswerCancelsTheInvite) {
  make({route("", {"peer"}, "tg1")});
  auto call = far->setup(far_group, iam("5551234"));
  pump();
  auto op = sip.pop();
  with_message(response_text(183, "Session Progress"), [&](const sip::Message& m) { engine->on_provisional(op.s, m); });
  ASSERT_TRUE(far->release(*call, 16));
  pump();
  auto c = sip.pop();
  EXPECT_EQ(c.what, "cancel");
  EXPECT_EQ(c.s, op.s);
  EXPECT_NE(c.header("Reason").find("cause=16"), std::string::npos);
  // The 487 that follows, and a 2xx that raced the CANCEL, find no call: the 2xx gets a BYE.
  with_message(response_text(487, "Request Terminated"), [&](const sip::Message& m) { engine->on_rejected(op.s, m); });
  with_message(response_text(200, "OK"), [&](const sip::Message& m) { engine->on_answered(op.s, m); });
  EXPECT_EQ(sip.pop().what, "bye");
  expect_all_idle();
}

TEST_F(CallEngineTest, IsupSideClearsAnsweredCallWithBye) {
  make({route("", {"peer"}, "tg1")});
  auto call = far->setup(far_group, iam("5551234"));
  pump();
  auto op = sip.pop();
  with_message(response_text(200, "OK"), [&](const sip::Message& m) { engine->on_answered(op.s, m); });
  ASSERT_TRUE(far->release(*call, 16));
  pump();
  EXPECT_EQ(sip.pop().what, "bye");
  expect_all_idle();
}

TEST_F(CallEngineTest, IsupToSipNoRouteIsCause3) {
  make({route("7", {"peer"}, "tg1")});
  ASSERT_TRUE(far->setup(far_group, iam("5551234")));
  pump();
  EXPECT_EQ(far_user.pop(), "release:3");
  expect_all_idle();
}

TEST_F(CallEngineTest, SipTimeoutOnOutgoingInviteIsCause102) {
  make({route("", {"peer"}, "tg1")});
  ASSERT_TRUE(far->setup(far_group, iam("5551234")));
  pump();
  auto op = sip.pop();
  engine->on_ended(op.s, sip::EndReason::kTimeout);
  pump();
  EXPECT_EQ(far_user.pop(), "release:102");
  expect_all_idle();
}

TEST_F(CallEngineTest, IsupOverlapDigitsCollectedThenOneInviteEnBloc) {
  overlap = true;
  make({route("", {"peer"}, "tg1")});
  auto call = far->setup(far_group, [] {
    isup::SetupRequest r = iam("555");
    r.called.digits.assign("555");  // no ST: more digits follow in SAMs (Q.764 2.1.2)
    return r;
  }());
  ASSERT_TRUE(call);
  pump();
  EXPECT_TRUE(sip.ops.empty());  // still collecting
  isup::Number more;
  more.kind = isup::NumberKind::kSubsequent;
  more.digits.assign("12");
  ASSERT_TRUE(far->send_digits(*call, more));
  pump();
  EXPECT_TRUE(sip.ops.empty());
  more.digits.assign("34F");  // ST: complete
  ASSERT_TRUE(far->send_digits(*call, more));
  pump();
  auto op = sip.pop();
  ASSERT_EQ(op.what, "invite");
  EXPECT_NE(op.invite.request_uri.find("5551234"), std::string::npos) << op.invite.request_uri;
  with_message(response_text(200, "OK"), [&](const sip::Message& m) { engine->on_answered(op.s, m); });
  ASSERT_TRUE(far->release(*call, 16));
  pump();
  EXPECT_EQ(sip.pop().what, "bye");
  expect_all_idle();
}

TEST_F(CallEngineTest, IsupOverlapWithoutStRoutesAfterTheDigitTimeout) {
  overlap = true;
  make({route("", {"peer"}, "tg1")});
  auto r = iam("555");
  r.called.digits.assign("5551234");
  auto call = far->setup(far_group, r);
  pump();
  EXPECT_TRUE(sip.ops.empty());
  advance(std::chrono::seconds(5));  // the engine's inter-digit timeout (4 s) < T35
  auto op = sip.pop();
  ASSERT_EQ(op.what, "invite");
  EXPECT_NE(op.invite.request_uri.find("5551234"), std::string::npos);
  ASSERT_TRUE(far->release(*call, 16));
  pump();
  EXPECT_EQ(sip.pop().what, "cancel");
  expect_all_idle();
}

TEST_F(CallEngineTest, IsupOverlapCallerGivesUpWhileCollecting) {
  overlap = true;
  make({route("", {"peer"}, "tg1")});
  auto r = iam("555");
  r.called.digits.assign("555");
  auto call = far->setup(far_group, r);
  pump();
  ASSERT_TRUE(far->release(*call, 16));
  advance(std::chrono::seconds(10));
  EXPECT_TRUE(sip.ops.empty());
  expect_all_idle();
}

// --- SIP-I / SIP-T: REL <-> BYE (Q.1912.5, RFC 3372) ---

// The cause indicators of the REL a body carries (nullopt: no application/ISUP REL).
std::optional<isup::CauseIndicators> rel_of(const sip::Body& b) {
  if (b.content_type.find("application/ISUP") == std::string::npos) return std::nullopt;
  isup::DecodeOptions opt;
  opt.form = isup::Form::kBody;
  const auto* octets = reinterpret_cast<const std::uint8_t*>(b.content.data());
  auto m = isup::decode({octets, b.content.size()}, isup::Variant::kItu, opt);
  if (!m || m->type != isup::msg::kRel) return std::nullopt;
  const isup::Param* p = m->find(isup::par::kCauseIndicators);
  if (p == nullptr) return std::nullopt;
  auto ci = isup::CauseIndicators::decode(p->value);
  if (!ci) return std::nullopt;
  return *ci;
}

// The cause of the REL a BYE carries (nullopt: no application/ISUP REL).
std::optional<std::uint8_t> rel_cause(const sip::Body& b) {
  if (b.content_type.find("application/ISUP") == std::string::npos) return std::nullopt;
  const auto* octets = reinterpret_cast<const std::uint8_t*>(b.content.data());
  return mapping::cause_of_isup_body({octets, b.content.size()}, isup::Variant::kItu);
}

// A BYE from the SIP-I peer with an encapsulated REL and a Reason that disagrees.
std::string sipi_bye_text(std::uint8_t rel_cause, int reason_cause,
                          std::uint8_t location = mapping::kLocationBeyondInterworking) {
  mapping::SipProfile p;
  p.kind = mapping::SipProfile::kSipI;
  sip::Body b = mapping::make_body(std::nullopt, mapping::isup_rel_octets(rel_cause, isup::Variant::kItu, location), p);
  return "BYE sip:gw@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK2\r\n"
         "From: <sip:a@127.0.0.1>;tag=a1\r\nTo: <sip:b@127.0.0.1>;tag=b1\r\n"
         "Call-ID: c1@test\r\nCSeq: 2 BYE\r\nMax-Forwards: 70\r\n"
         "Reason: Q.850;cause=" +
         std::to_string(reason_cause) + "\r\nContent-Type: " + b.content_type +
         "\r\nContent-Disposition: signal;handling=required\r\nContent-Length: " + std::to_string(b.content.size()) +
         "\r\n\r\n" + b.content;
}

TEST_F(CallEngineTest, SipIByeTowardsTheCallerCarriesTheRel) {
  make({route("30", {"tg1"})}, mapping::SipProfile::kSipI);
  invite(1, invite_text("+4930123456"));
  ASSERT_TRUE(far->answer(far_user.last));
  pump();
  sip.ops.clear();
  ASSERT_TRUE(far->release(far_user.last, 17, mapping::kLocationUser));
  pump();
  auto op = sip.pop();
  ASSERT_EQ(op.what, "bye");
  EXPECT_NE(op.header("Reason").find("cause=17"), std::string::npos);
  EXPECT_EQ(op.header("Content-Disposition"), "signal;handling=required");
  EXPECT_EQ(rel_cause(op.body), 17);
  // The ISUP REL's location (user) is the encapsulated REL's (Q.850 2.2.3).
  auto ci = rel_of(op.body);
  ASSERT_TRUE(ci);
  EXPECT_EQ(ci->location, mapping::kLocationUser);
  expect_all_idle();
}

// Before answer: a REL cause 21 from the called user (location U) is 603, not
// 403 (RFC 3398 8.2.6.1); the SIP-I final response's REL keeps location U.
TEST_F(CallEngineTest, SipIRejectionTowardsTheCallerCarriesTheRelLocation) {
  make({route("30", {"tg1"})}, mapping::SipProfile::kSipI);
  invite(1, invite_text("+4930123456"));
  EXPECT_EQ(far_user.pop(), "setup");
  sip.ops.clear();
  ASSERT_TRUE(far->release(far_user.last, 21, mapping::kLocationUser));
  pump();
  auto op = sip.pop();
  ASSERT_EQ(op.what, "reject");
  EXPECT_EQ(op.status, 603);
  auto ci = rel_of(op.body);
  ASSERT_TRUE(ci);
  EXPECT_EQ(ci->value, 21);
  EXPECT_EQ(ci->location, mapping::kLocationUser);
  expect_all_idle();
}

TEST_F(CallEngineTest, SipIByeTowardsTheCalleeCarriesTheRel) {
  make({route("", {"peer"}, "tg1")}, mapping::SipProfile::kSipI);
  auto call = far->setup(far_group, iam("5551234"));
  pump();
  auto op = sip.pop();
  with_message(response_text(200, "OK"), [&](const sip::Message& m) { engine->on_answered(op.s, m); });
  ASSERT_TRUE(far->release(*call, 31));
  pump();
  auto bye = sip.pop();
  ASSERT_EQ(bye.what, "bye");
  EXPECT_EQ(bye.s, op.s);
  EXPECT_NE(bye.header("Reason").find("cause=31"), std::string::npos);
  EXPECT_EQ(rel_cause(bye.body), 31);
  expect_all_idle();
}

TEST_F(CallEngineTest, SipICancelCarriesNoIsupBody) {
  make({route("", {"peer"}, "tg1")}, mapping::SipProfile::kSipI);
  auto call = far->setup(far_group, iam("5551234"));
  pump();
  auto op = sip.pop();
  ASSERT_TRUE(far->release(*call, 16));
  pump();
  auto c = sip.pop();
  EXPECT_EQ(c.what, "cancel");
  EXPECT_TRUE(c.body.empty());
  EXPECT_EQ(c.header("Content-Disposition"), "");
  with_message(response_text(487, "Request Terminated"), [&](const sip::Message& m) { engine->on_rejected(op.s, m); });
  expect_all_idle();
}

TEST_F(CallEngineTest, PlainSipByeCarriesReasonOnly) {
  make({route("", {"peer"}, "tg1")});
  auto call = far->setup(far_group, iam("5551234"));
  pump();
  auto op = sip.pop();
  with_message(response_text(200, "OK"), [&](const sip::Message& m) { engine->on_answered(op.s, m); });
  ASSERT_TRUE(far->release(*call, 16));
  pump();
  auto bye = sip.pop();
  ASSERT_EQ(bye.what, "bye");
  EXPECT_TRUE(bye.body.empty());
  EXPECT_EQ(bye.headers.size(), 1u);  // Reason
  expect_all_idle();
}

TEST_F(CallEngineTest, SipIByeFromTheCalleeReleasesWithTheRelCause) {
  make({route("", {"peer"}, "tg1")}, mapping::SipProfile::kSipI);
  ASSERT_TRUE(far->setup(far_group, iam("5551234")));
  pump();
  auto op = sip.pop();
  with_message(response_text(200, "OK"), [&](const sip::Message& m) { engine->on_answered(op.s, m); });
  EXPECT_EQ(far_user.pop(), "answer");
  // The encapsulated REL (cause 31) is authoritative over Reason (16); its
  // location (user) is passed on in our REL (Q.850 2.2.3).
  with_message(sipi_bye_text(31, 16, mapping::kLocationUser), [&](const sip::Message& m) { engine->on_bye(op.s, m); });
  EXPECT_EQ(far_user.pop(), "release:31");
  auto ci = last_rel_cause();
  ASSERT_TRUE(ci);
  EXPECT_EQ(ci->value, 31);
  EXPECT_EQ(ci->location, mapping::kLocationUser);
  expect_all_idle();
}

TEST_F(CallEngineTest, SipIByeFromTheCallerReleasesWithTheRelCause) {
  make({route("30", {"tg1"})}, mapping::SipProfile::kSipI);
  invite(1, invite_text("+4930123456"));
  EXPECT_EQ(far_user.pop(), "setup");
  ASSERT_TRUE(far->answer(far_user.last));
  pump();
  with_message(sipi_bye_text(127, 16), [&](const sip::Message& m) { engine->on_bye(1, m); });
  EXPECT_EQ(far_user.pop(), "release:127");
  auto ci = last_rel_cause();
  ASSERT_TRUE(ci);
  EXPECT_EQ(ci->location, mapping::kLocationBeyondInterworking);  // the peer's BI, passed on
  expect_all_idle();
}

TEST_F(CallEngineTest, PlainSipTrunkTakesReasonNotAnIsupBody) {
  make({route("30", {"tg1"})});
  invite(1, invite_text("+4930123456"));
  EXPECT_EQ(far_user.pop(), "setup");
  ASSERT_TRUE(far->answer(far_user.last));
  pump();
  with_message(sipi_bye_text(127, 41, mapping::kLocationUser), [&](const sip::Message& m) { engine->on_bye(1, m); });
  EXPECT_EQ(far_user.pop(), "release:41");
  auto ci = last_rel_cause();
  ASSERT_TRUE(ci);
  EXPECT_EQ(ci->location, isup::kLocationPublicLocal);  // ours: a plain SIP trunk carries no ISUP
  expect_all_idle();
}

// A SIP-I callee's 486 with an encapsulated REL (cause 17, location user): the
// REL towards the ISUP caller keeps both (a transit passes the location on).
TEST_F(CallEngineTest, SipIRejectionPassesTheRelLocationOn) {
  make({route("", {"peer"}, "tg1")}, mapping::SipProfile::kSipI);
  ASSERT_TRUE(far->setup(far_group, iam("5551234")));
  pump();
  auto op = sip.pop();
  mapping::SipProfile p;
  p.kind = mapping::SipProfile::kSipI;
  sip::Body b =
      mapping::make_body(std::nullopt, mapping::isup_rel_octets(17, isup::Variant::kItu, mapping::kLocationUser), p);
  std::string busy = response_text(
      486, "Busy Here", "Content-Type: " + b.content_type + "\r\nContent-Disposition: signal;handling=required\r\n");
  busy.resize(busy.size() - std::string_view("Content-Length: 0\r\n\r\n").size());
  busy += "Content-Length: " + std::to_string(b.content.size()) + "\r\n\r\n" + b.content;
  with_message(busy, [&](const sip::Message& m) { engine->on_rejected(op.s, m); });
  EXPECT_EQ(far_user.pop(), "release:17");
  auto ci = last_rel_cause();
  ASSERT_TRUE(ci);
  EXPECT_EQ(ci->value, 17);
  EXPECT_EQ(ci->location, mapping::kLocationUser);
  expect_all_idle();
}

}  // namespace
}  // namespace isupgw::engine

namespace isupgw::engine {
namespace {

// --- Hold (Q.733.2 via Q.1912.5, RFC 3264 8.4): the MG mode follows, the other side is told ---

TEST_F(CallEngineTest, SipHoldAndRetrievalMoveTheMgModeAndSendCpgNotifications) {
  make({route("30", {"tg1"})});
  FakeMedia media;
  engine->attach_media(&media);
  invite(1, invite_text("+4930123456"));
  media.ready();
  pump();
  EXPECT_EQ(far_user.pop(), "setup");
  ASSERT_TRUE(far->answer(far_user.last));
  pump();
  EXPECT_EQ(sip.pop().what, "answer");
  EXPECT_EQ(media.last(), MediaMode::kSendRecv);
  // a=sendonly from the caller: the MG only receives from SIP (recvonly); CPG remote hold.
  with_message(reoffer_text("sendonly"), [&](const sip::Message& m) { engine->on_reoffer(1, m); });
  EXPECT_EQ(media.last(), MediaMode::kRecvOnly);
  EXPECT_NE(media.remotes.back().find("a=sendonly"), std::string::npos);
  EXPECT_EQ(far_user.pop(), "progress:remote-hold");
  // Retrieval: sendrecv again, CPG remote retrieval.
  with_message(reoffer_text("sendrecv"), [&](const sip::Message& m) { engine->on_reoffer(1, m); });
  EXPECT_EQ(media.last(), MediaMode::kSendRecv);
  EXPECT_EQ(far_user.pop(), "progress:remote-retrieval");
  // RFC 2543 hold (c=0.0.0.0): inactive, the remote address is left alone.
  with_message(reoffer_text("", "0.0.0.0"), [&](const sip::Message& m) { engine->on_reoffer(1, m); });
  EXPECT_EQ(media.last(), MediaMode::kInactive);
  EXPECT_EQ(media.remotes.back(), "");
  EXPECT_EQ(far_user.pop(), "progress:remote-hold");
  // a=inactive while already held: the mode follows, no second notification.
  with_message(reoffer_text("inactive"), [&](const sip::Message& m) { engine->on_reoffer(1, m); });
  EXPECT_EQ(media.last(), MediaMode::kInactive);
  EXPECT_EQ(far_user.pop(), "<none>");
  with_message(reoffer_text(""), [&](const sip::Message& m) { engine->on_reoffer(1, m); });
  EXPECT_EQ(media.last(), MediaMode::kSendRecv);
  EXPECT_EQ(far_user.pop(), "progress:remote-retrieval");
  // A new offer without a hold change (codec change): MDCX only, nothing to ISUP.
  with_message(reoffer_text("sendrecv"), [&](const sip::Message& m) { engine->on_reoffer(1, m); });
  EXPECT_EQ(far_user.pop(), "<none>");
  EXPECT_EQ(counters.value("call.hold"), 2u);
  EXPECT_EQ(counters.value("call.retrieve"), 2u);
  with_message(request_text("BYE"), [&](const sip::Message& m) { engine->on_bye(1, m); });
  EXPECT_EQ(far_user.pop(), "release:16");
  EXPECT_EQ(media.closed, 1);
  expect_all_idle();
}

TEST_F(CallEngineTest, IsupHoldReInvitesTheSipSideSendonly) {
  make({route("", {"peer"}, "tg1")});
  FakeMedia media;
  engine->attach_media(&media);
  auto call = far->setup(far_group, iam("5551234"));
  ASSERT_TRUE(call);
  pump();
  media.ready();
  auto op = sip.pop();
  ASSERT_EQ(op.what, "invite");
  with_message(response_text(200, "OK"), [&](const sip::Message& m) { engine->on_answered(op.s, m); });
  EXPECT_EQ(far_user.pop(), "answer");
  EXPECT_EQ(media.last(), MediaMode::kSendRecv);
  // The far exchange holds: CPG remote hold -> MG sendonly, re-INVITE offering sendonly.
  ASSERT_TRUE(far->notify(*call, isup::kNotificationRemoteHold));
  pump();
  EXPECT_EQ(media.last(), MediaMode::kSendOnly);
  auto re = sip.pop();
  EXPECT_EQ(re.what, "reinvite");
  EXPECT_EQ(re.s, op.s);
  EXPECT_EQ(re.body.content_type, "application/sdp");
  EXPECT_NE(re.body.content.find("a=sendonly"), std::string::npos) << re.body.content;
  EXPECT_NE(re.body.content.find("127.0.0.9"), std::string::npos);  // still the MG's address
  // A repeated notification changes nothing.
  ASSERT_TRUE(far->notify(*call, isup::kNotificationRemoteHold));
  pump();
  EXPECT_EQ(sip.pop().what, "<none>");
  ASSERT_TRUE(far->notify(*call, isup::kNotificationRemoteRetrieval));
  pump();
  EXPECT_EQ(media.last(), MediaMode::kSendRecv);
  re = sip.pop();
  EXPECT_EQ(re.what, "reinvite");
  EXPECT_NE(re.body.content.find("a=sendrecv"), std::string::npos) << re.body.content;
  ASSERT_TRUE(far->release(*call, 16));
  pump();
  EXPECT_EQ(sip.pop().what, "bye");
  expect_all_idle();
}

// The result of our hold re-INVITE (SessionUser::on_refresh_result): a
// failure leaves the session as it was (RFC 3261 14.1): counted, the MG keeps
// following the ISUP hold, and the retrieval needs no re-INVITE; a 2xx answer's
// direction is what the SIP side does now (a=inactive: held both ways).
TEST_F(CallEngineTest, HoldReInviteResultsMoveTheMgAndFailuresAreCounted) {
  make({route("", {"peer"}, "tg1")});
  FakeMedia media;
  engine->attach_media(&media);
  auto call = far->setup(far_group, iam("5551234"));
  ASSERT_TRUE(call);
  pump();
  media.ready();
  auto op = sip.pop();
  ASSERT_EQ(op.what, "invite");
  with_message(response_text(200, "OK"), [&](const sip::Message& m) { engine->on_answered(op.s, m); });
  EXPECT_EQ(far_user.pop(), "answer");
  ASSERT_TRUE(far->notify(*call, isup::kNotificationRemoteHold));
  pump();
  EXPECT_EQ(sip.pop().what, "reinvite");
  with_message(response_text(488, "Not Acceptable Here"),
               [&](const sip::Message& m) { engine->on_refresh_result(op.s, m); });
  EXPECT_EQ(counters.value("call.reinvite_failed"), 1u);
  EXPECT_EQ(media.last(), MediaMode::kSendOnly);  // still held by ISUP
  ASSERT_TRUE(far->notify(*call, isup::kNotificationRemoteRetrieval));
  pump();
  EXPECT_EQ(media.last(), MediaMode::kSendRecv);
  EXPECT_EQ(sip.pop().what, "<none>");  // the SIP side never took the hold
  ASSERT_TRUE(far->notify(*call, isup::kNotificationRemoteHold));
  pump();
  auto re = sip.pop();
  EXPECT_EQ(re.what, "reinvite");
  EXPECT_NE(re.body.content.find("a=sendonly"), std::string::npos);
  const std::string inactive =
      "v=0\r\no=- 1 3 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP "
      "8\r\na=inactive\r\n";
  with_message(
      "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKy\r\nFrom: <sip:a@127.0.0.1>;tag=f\r\n"
      "To: <sip:b@127.0.0.1>;tag=t\r\nCall-ID: x@gw\r\nCSeq: 3 INVITE\r\nContent-Type: application/sdp\r\n"
      "Content-Length: " +
          std::to_string(inactive.size()) + "\r\n\r\n" + inactive,
      [&](const sip::Message& m) { engine->on_refresh_result(op.s, m); });
  EXPECT_EQ(counters.value("call.reinvite_ok"), 1u);
  EXPECT_EQ(media.last(), MediaMode::kInactive);
  EXPECT_EQ(far_user.pop(), "<none>");  // nothing new for ISUP: the hold was its own
  ASSERT_TRUE(far->release(*call, 16));
  pump();
  EXPECT_EQ(sip.pop().what, "bye");
  expect_all_idle();
}

TEST_F(CallEngineTest, NotifyIsRefusedBeforeAnswer) {
  make({route("30", {"tg1"})});
  invite(1, invite_text("+4930123456"));
  EXPECT_EQ(far_user.pop(), "setup");
  EXPECT_FALSE(far->notify(far_user.last, isup::kNotificationRemoteHold));
  ASSERT_TRUE(far->release(far_user.last, 16));
  pump();
  expect_all_idle();
}

// --- Management (issue 16): drain, operator release, summaries, timings ---

TEST_F(CallEngineTest, SipTrunkOutOfServiceAnswers503RetryAfterAndKeepsItsCalls) {
  make({route("30", {"tg1"})});
  engine->set_clock(clock);
  invite(1, invite_text("+4930123456"));
  ASSERT_TRUE(far->alert(far_user.last));
  ASSERT_TRUE(far->answer(far_user.last));
  pump();
  sip.ops.clear();
  ASSERT_TRUE(engine->set_sip_trunk_service("peer", false, std::chrono::seconds(120)));
  EXPECT_FALSE(engine->set_sip_trunk_service("nope", false, std::chrono::seconds(1)));
  EXPECT_FALSE(engine->sip_trunk_in_service("peer"));
  invite(2, invite_text("+4930123457"));
  auto op = sip.pop();
  EXPECT_EQ(op.what, "reject");
  EXPECT_EQ(op.s, 2u);
  EXPECT_EQ(op.status, 503);
  EXPECT_EQ(op.header("Retry-After"), "120");  // RFC 3261 21.5.4
  EXPECT_NE(op.header("Reason").find("cause=41"), std::string::npos);
  EXPECT_EQ(far_user.pop(), "setup");  // the first call's only
  EXPECT_EQ(far_user.pop(), "<none>");
  // The established call runs to its end.
  EXPECT_EQ(engine->active_calls(), 1u);
  with_message(request_text("BYE"), [&](const sip::Message& m) { engine->on_bye(1, m); });
  EXPECT_EQ(far_user.pop(), "release:16");
  expect_all_idle();
  EXPECT_EQ(counters.value("call.refused_out_of_service"), 1u);
  // Back in service: calls again.
  ASSERT_TRUE(engine->set_sip_trunk_service("peer", true, std::chrono::seconds(0)));
  invite(3, invite_text("+4930123458"));
  EXPECT_EQ(far_user.pop(), "setup");
  ASSERT_TRUE(far->release(far_user.last, 16));
  pump();
  expect_all_idle();
}

TEST_F(CallEngineTest, TrunkGroupOutOfServiceIsHuntedToTheNextTarget) {
  make({route("30", {"tg1", "tg2"})});
  ASSERT_TRUE(engine->set_group_service("tg1", false));
  EXPECT_FALSE(engine->set_group_service("nope", false));
  invite(1, invite_text("+4930123456"));
  EXPECT_EQ(far_user.pop(), "<none>");
  EXPECT_EQ(far2_user.pop(), "setup");
  ASSERT_TRUE(far2->release(far2_user.last, 16));
  pump();
  sip.ops.clear();
  // Both out of service: no circuit (34) -> 503.
  ASSERT_TRUE(engine->set_group_service("tg2", false));
  invite(2, invite_text("+4930123456"));
  auto op = sip.pop();
  EXPECT_EQ(op.what, "reject");
  EXPECT_EQ(op.status, 503);
  EXPECT_EQ(counters.value("call.target_out_of_service"), 3u);
  expect_all_idle();
}

TEST_F(CallEngineTest, IamOnAGroupOutOfServiceIsReleasedWithCause41) {
  make({route("", {"peer"}, "tg1")});
  ASSERT_TRUE(engine->set_group_service("tg1", false));
  ASSERT_TRUE(far->setup(far_group, iam("5551234")));
  pump();
  EXPECT_EQ(far_user.pop(), "release:41");
  EXPECT_EQ(sip.pop().what, "<none>");
  expect_all_idle();
}

TEST_F(CallEngineTest, OperatorReleaseClearsBothLegsWithTheCause) {
  make({route("30", {"tg1"})});
  invite(1, invite_text("+4930123456"));
  ASSERT_TRUE(far->alert(far_user.last));
  ASSERT_TRUE(far->answer(far_user.last));
  pump();
  sip.ops.clear();
  EXPECT_EQ(far_user.pop(), "setup");
  auto calls = engine->call_summaries();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].state, CallState::kActive);
  EXPECT_TRUE(calls[0].a.sip);
  EXPECT_EQ(calls[0].a.sid, 1u);
  EXPECT_EQ(calls[0].a.trunk, "peer");
  EXPECT_FALSE(calls[0].b.sip);
  EXPECT_EQ(calls[0].b.trunk, "tg1");
  EXPECT_EQ(calls[0].called, "30123456");  // the called number as mapped (RFC 3398 7.2.1)
  EXPECT_EQ(engine->call_of_isup(calls[0].b.cid), calls[0].id);
  EXPECT_FALSE(engine->release_call(calls[0].id + 1, 31));
  ASSERT_TRUE(engine->release_call(calls[0].id, 31));
  pump();
  EXPECT_EQ(far_user.pop(), "release:31");
  auto op = sip.pop();
  EXPECT_EQ(op.what, "bye");
  EXPECT_NE(op.header("Reason").find("cause=31"), std::string::npos);
  expect_all_idle();
}

TEST_F(CallEngineTest, OperatorReleaseBeforeAnswerRefusesTheCaller) {
  make({route("30", {"tg1"})});
  invite(1, invite_text("+4930123456"));
  ASSERT_TRUE(far->alert(far_user.last));
  pump();
  sip.ops.clear();
  EXPECT_EQ(far_user.pop(), "setup");
  ASSERT_TRUE(engine->release_call(engine->call_summaries().at(0).id, 17));
  pump();
  EXPECT_EQ(far_user.pop(), "release:17");
  auto op = sip.pop();
  EXPECT_EQ(op.what, "reject");
  EXPECT_EQ(op.status, 486);  // cause 17 user busy (RFC 3398 8.2.6.1)
  expect_all_idle();
}

TEST_F(CallEngineTest, TimingsObservePostDialDelayAndTheGatewaysOwnSetupTime) {
  make({route("30", {"tg1"})});
  engine->set_clock(clock);
  invite(1, invite_text("+4930123456"));
  clock.advance(std::chrono::milliseconds(700));
  ASSERT_TRUE(far->alert(far_user.last));
  pump();
  const auto pdd = engine->timings().post_dial_delay.snapshot();
  EXPECT_EQ(pdd.count, 1u);
  EXPECT_DOUBLE_EQ(pdd.sum, 0.7);
  EXPECT_EQ(pdd.cumulative[3], 0u);  // <= 0.5 s
  EXPECT_EQ(pdd.cumulative[4], 1u);  // <= 1 s
  const auto setup = engine->timings().setup_sip_to_isup.snapshot();
  EXPECT_EQ(setup.count, 1u);
  EXPECT_EQ(setup.cumulative[0], 1u);  // virtual time: no time passed between INVITE and IAM
  EXPECT_EQ(engine->timings().setup_isup_to_sip.snapshot().count, 0u);
  ASSERT_TRUE(far->answer(far_user.last));
  pump();
  EXPECT_EQ(engine->timings().post_dial_delay.snapshot().count, 1u);  // once per call
  ASSERT_TRUE(far->release(far_user.last, 16));
  pump();
  expect_all_idle();
}

}  // namespace
}  // namespace isupgw::engine

namespace isupgw::engine {
namespace {

// Mid-call ISUP through SIP-I/SIP-T (RFC 3372, Q.1912.5 profile C): INFO into
// ISUP and ISUP into INFO; an INFO body that is no usable ISUP is refused.
std::string info_text(const std::string& content_type, const std::string& body) {
  return "INFO sip:gw@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK9\r\n"
         "From: <sip:a@127.0.0.1>;tag=a1\r\nTo: <sip:b@127.0.0.1>;tag=b1\r\n"
         "Call-ID: c1@test\r\nCSeq: 3 INFO\r\nMax-Forwards: 70\r\nContent-Type: " +
         content_type +
         "\r\nContent-Disposition: signal;handling=required\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

std::string header_of(const sip::InfoAnswer& a, std::string_view name) {
  for (const auto& [n, v] : a.headers)
    if (n == name) return v;
  return {};
}

TEST_F(CallEngineTest, InfoWithIsupGoesIntoIsupAndUnusableBodiesAreRefused) {
  make({route("30", {"tg1"})}, mapping::SipProfile::kSipI);
  invite(1, invite_text("+4930123456"));
  EXPECT_EQ(far_user.pop(), "setup");
  ASSERT_TRUE(far->answer(far_user.last));
  pump();
  sip::InfoAnswer a;
  // CPG PROGRESS (2c 02 00): the far exchange gets a CPG.
  with_message(info_text("application/ISUP;version=itu-t92+", std::string("\x2c\x02\x00", 3)),
               [&](const sip::Message& m) { a = engine->on_info(1, m); });
  pump();
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(far_user.pop(), "progress");
  // A version the trunk cannot read: 415 with Accept (RFC 3261 8.2.3, RFC 3204 3.1).
  with_message(info_text("application/ISUP;version=ansi00", std::string("\x2c\x02\x00", 3)),
               [&](const sip::Message& m) { a = engine->on_info(1, m); });
  EXPECT_EQ(a.status, 415);
  EXPECT_EQ(header_of(a, "Accept"), "application/ISUP;version=itu-t92+, application/dtmf-relay, application/dtmf");
  // Undecodable, or a message INFO does not carry: 400.
  with_message(info_text("application/ISUP;version=itu-t92+", std::string("\x2c", 1)),
               [&](const sip::Message& m) { a = engine->on_info(1, m); });
  EXPECT_EQ(a.status, 400);
  with_message(info_text("application/ISUP;version=itu-t92+", std::string("\x09\x00", 2)),
               [&](const sip::Message& m) { a = engine->on_info(1, m); });
  EXPECT_EQ(a.status, 400);
  pump();
  EXPECT_TRUE(far_user.events.empty());  // nothing of the refused ones reached ISUP
}

// Issue 20, DTMF. RFC 4733 telephone-event is answered (with the offer's payload type, RFC 4733
// 7.1.1 / RFC 3264 6.1) only when the MG's SDP lists it; an INFO dtmf-relay / dtmf is played
// on the MG (200), a malformed one is refused 400, other bodies on a plain SIP trunk 415 with
// Accept naming the DTMF types.
const std::string kTeOffer =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 8 96\r\n"
    "a=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-15\r\n";

TEST_F(CallEngineTest, TelephoneEventAnsweredWhenTheMgHasItAndDtmfInfoIsPlayedOnTheMg) {
  make({route("30", {"tg1"})});
  FakeMedia media;
  media.mg_sdp =
      "v=0\r\no=- 1A2B 23 IN IP4 127.0.0.9\r\ns=-\r\nc=IN IP4 127.0.0.9\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8 101\r\n"
      "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n";
  engine->attach_media(&media);
  invite(1, invite_text("+4930123456", "", kTeOffer));
  media.ready();
  pump();
  EXPECT_EQ(far_user.pop(), "setup");
  ASSERT_TRUE(far->answer(far_user.last));
  pump();
  auto op = sip.pop();
  ASSERT_EQ(op.what, "answer");
  const std::string& sdp = op.body.content;
  EXPECT_NE(sdp.find("m=audio 4000 RTP/AVP 8 96\r\n"), std::string::npos) << sdp;
  EXPECT_NE(sdp.find("a=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-15\r\n"), std::string::npos) << sdp;
  sip::InfoAnswer a;
  with_message(info_text("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n"),
               [&](const sip::Message& m) { a = engine->on_info(1, m); });
  EXPECT_EQ(a.status, 200);
  with_message(info_text("Application/DTMF", "#\r\n"), [&](const sip::Message& m) { a = engine->on_info(1, m); });
  EXPECT_EQ(a.status, 200);
  with_message(info_text("application/dtmf-relay", " signal = a \r\n"),
               [&](const sip::Message& m) { a = engine->on_info(1, m); });
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(media.digits, "5#a");
  with_message(info_text("application/dtmf-relay", "Signal=12\r\nDuration=160\r\n"),
               [&](const sip::Message& m) { a = engine->on_info(1, m); });
  EXPECT_EQ(a.status, 400);
  with_message(info_text("text/plain", "hello"), [&](const sip::Message& m) { a = engine->on_info(1, m); });
  EXPECT_EQ(a.status, 415);
  EXPECT_EQ(header_of(a, "Accept"), "application/dtmf-relay, application/dtmf");
  EXPECT_EQ(media.digits, "5#a");
  EXPECT_EQ(counters.value("call.dtmf_info"), 3u);
  EXPECT_EQ(counters.value("call.dtmf_refused"), 1u);
  with_message(request_text("BYE"), [&](const sip::Message& m) { engine->on_bye(1, m); });
  EXPECT_EQ(far_user.pop(), "release:16");
  expect_all_idle();
}

TEST_F(CallEngineTest, TelephoneEventNotAnsweredWhenTheMgLacksIt) {
  make({route("30", {"tg1"})});
  FakeMedia media;  // m=audio 4000 RTP/AVP 8 only
  engine->attach_media(&media);
  invite(1, invite_text("+4930123456", "", kTeOffer));
  media.ready();
  pump();
  EXPECT_EQ(far_user.pop(), "setup");
  ASSERT_TRUE(far->answer(far_user.last));
  pump();
  auto op = sip.pop();
  ASSERT_EQ(op.what, "answer");
  EXPECT_NE(op.body.content.find("m=audio 4000 RTP/AVP 8\r\n"), std::string::npos) << op.body.content;
  EXPECT_EQ(op.body.content.find("telephone-event"), std::string::npos) << op.body.content;
  with_message(request_text("BYE"), [&](const sip::Message& m) { engine->on_bye(1, m); });
  EXPECT_EQ(far_user.pop(), "release:16");
  expect_all_idle();
}

std::string t38_reinvite_text(int version) {
  const std::string sdp = "v=0\r\no=- 1 " + std::to_string(version) +
                          " IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=image 6002 udptl t38\r\n"
                          "a=T38FaxVersion:0\r\na=T38FaxRateManagement:transferredTCF\r\n";
  return "INVITE sip:gw@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK7\r\n"
         "From: <sip:a@127.0.0.1>;tag=a1\r\nTo: <sip:b@127.0.0.1>;tag=b1\r\n"
         "Call-ID: c1@test\r\nCSeq: 5 INVITE\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\n"
         "Content-Length: " +
         std::to_string(sdp.size()) + "\r\n\r\n" + sdp;
}

// Issue 20, fax: a T.38 re-INVITE waits for the MG (RFC 5347 fxr/fx:t38): 200 with the MG's
// m=image when it switched, 488 when it refused (it then runs G.711 pass-through); refused at
// once when no MG connection can switch; audio re-offers stay the stack's.
TEST_F(CallEngineTest, T38ReInviteFollowsTheMg) {
  make({route("30", {"tg1"})});
  FakeMedia media;
  engine->attach_media(&media);
  invite(1, invite_text("+4930123456"));
  media.ready();
  pump();
  EXPECT_EQ(far_user.pop(), "setup");
  ASSERT_TRUE(far->answer(far_user.last));
  pump();
  ASSERT_EQ(sip.pop().what, "answer");
  sip::ReofferDecision d;
  with_message(reoffer_text("sendonly"), [&](const sip::Message& m) { d = engine->screen_reoffer(1, m); });
  EXPECT_EQ(d.kind, sip::ReofferDecision::kAnswer);
  with_message(t38_reinvite_text(3), [&](const sip::Message& m) { d = engine->screen_reoffer(1, m); });
  EXPECT_EQ(d.kind, sip::ReofferDecision::kDefer);
  ASSERT_EQ(media.t38_offers.size(), 1u);
  EXPECT_NE(media.t38_offers[0].find("m=image 6002 udptl t38"), std::string::npos);
  EXPECT_EQ(sip.pop().what, "<none>");  // nothing until the MG answered
  media.fax_done(
      std::string("v=0\r\no=- 1A2B 24 IN IP4 127.0.0.9\r\ns=-\r\nc=IN IP4 127.0.0.9\r\nt=0 0\r\n"
                  "m=image 4002 udptl t38\r\na=T38FaxVersion:0\r\n"));
  auto op = sip.pop();
  ASSERT_EQ(op.what, "answer_reoffer");
  EXPECT_EQ(op.s, 1u);
  EXPECT_EQ(op.status, 200);
  EXPECT_NE(op.body.content.find("c=IN IP4 127.0.0.9\r\n"), std::string::npos) << op.body.content;
  EXPECT_NE(op.body.content.find("m=image 4002 udptl t38\r\na=T38FaxVersion:0\r\n"), std::string::npos)
      << op.body.content;
  EXPECT_EQ(op.body.content.find("m=audio"), std::string::npos) << op.body.content;
  // The MG refuses the next one: 488 with a Warning.
  with_message(t38_reinvite_text(4), [&](const sip::Message& m) { d = engine->screen_reoffer(1, m); });
  EXPECT_EQ(d.kind, sip::ReofferDecision::kDefer);
  media.fax_done(std::nullopt);
  op = sip.pop();
  ASSERT_EQ(op.what, "answer_reoffer");
  EXPECT_EQ(op.status, 488);
  EXPECT_NE(op.header("Warning").find("T.38"), std::string::npos);
  // No connection that can switch: refused at once.
  media.t38_possible = false;
  with_message(t38_reinvite_text(5), [&](const sip::Message& m) { d = engine->screen_reoffer(1, m); });
  EXPECT_EQ(d.kind, sip::ReofferDecision::kRefuse);
  EXPECT_EQ(d.status, 488);
  EXPECT_EQ(counters.value("call.t38_offered"), 3u);
  EXPECT_EQ(counters.value("call.t38_switched"), 1u);
  EXPECT_EQ(counters.value("call.t38_refused"), 2u);
  with_message(request_text("BYE"), [&](const sip::Message& m) { engine->on_bye(1, m); });
  EXPECT_EQ(far_user.pop(), "release:16");
  expect_all_idle();
}

// Issue 20, TMR -> SDP through the MG (mapping.md 4, Q.1912.5): the INVITE offers the MG's
// address with the IAM bearer's codecs -- TMR 3 (3.1 kHz audio): PCMA, PCMU and telephone-event
// (the MG lists it); TMR 2 (64 kbit/s unrestricted): CLEARMODE alone (RFC 4040), no
// telephone-event.
TEST_F(CallEngineTest, IamTmrDecidesTheCodecsOfferedWithTheMgsSdp) {
  struct Row {
    std::uint8_t tmr;
    std::vector<std::string> present, absent;
  };
  const Row rows[] = {
      {3, {"m=audio 4000 RTP/AVP 8 0 101\r\n", "a=rtpmap:101 telephone-event/8000\r\n"}, {"CLEARMODE"}},
      {2, {"CLEARMODE/8000"}, {"PCMA", "PCMU", "telephone-event"}},
  };
  make({route("", {"peer"}, "tg1")});
  FakeMedia media;
  media.mg_sdp =
      "v=0\r\no=- 1A2B 23 IN IP4 127.0.0.9\r\ns=-\r\nc=IN IP4 127.0.0.9\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8 101\r\n"
      "a=rtpmap:101 telephone-event/8000\r\n";
  engine->attach_media(&media);
  for (const Row& r : rows) {
    SCOPED_TRACE(int{r.tmr});
    auto req = iam("5551234");
    req.transmission_medium = r.tmr;
    auto call = far->setup(far_group, req);
    ASSERT_TRUE(call);
    pump();
    media.ready();
    auto op = sip.pop();
    ASSERT_EQ(op.what, "invite");
    for (const auto& p : r.present) EXPECT_NE(op.body.content.find(p), std::string::npos) << op.body.content;
    for (const auto& a : r.absent) EXPECT_EQ(op.body.content.find(a), std::string::npos) << op.body.content;
    EXPECT_NE(op.body.content.find("c=IN IP4 127.0.0.9"), std::string::npos) << op.body.content;
    ASSERT_TRUE(far->release(*call, 16));
    pump();
    sip.ops.clear();
  }
  expect_all_idle();
}

TEST_F(CallEngineTest, IsupUsrAfterAnswerBecomesInfo) {
  make({route("30", {"tg1"})}, mapping::SipProfile::kSipT);
  invite(1, invite_text("+4930123456"));
  EXPECT_EQ(far_user.pop(), "setup");
  ASSERT_TRUE(far->answer(far_user.last));
  pump();
  sip.ops.clear();
  ASSERT_TRUE(far->user_to_user(far_user.last, {0xaa, 0xbb}));
  pump();
  auto op = sip.pop();
  ASSERT_EQ(op.what, "info");
  EXPECT_EQ(op.s, 1u);
  EXPECT_TRUE(op.body.content_type.starts_with("application/ISUP"));
  EXPECT_EQ(op.body.content, std::string("\x2d\x02\x00\x02\xaa\xbb", 6));  // USR as received, no CIC
}

TEST_F(CallEngineTest, InfoOnAPlainSipTrunkIsRefused) {
  make({route("30", {"tg1"})});
  invite(1, invite_text("+4930123456"));
  EXPECT_EQ(far_user.pop(), "setup");
  sip::InfoAnswer a;
  with_message(info_text("application/ISUP;version=itu-t92+", std::string("\x2c\x02\x00", 3)),
               [&](const sip::Message& m) { a = engine->on_info(1, m); });
  EXPECT_EQ(a.status, 415);
}

// --- Reload (issue 16): calls keep the routes and trunks they were set up with ---

EngineConfig reloaded_config(std::vector<RouteEntry> routes, bool with_trunk = true) {
  EngineConfig ec;
  if (with_trunk) {
    SipTrunkInfo t;
    t.name = "peer";
    t.peer.host = "127.0.0.1";
    t.peer.port = 5080;
    t.acl.add("127.0.0.1");
    t.profile.host = "127.0.0.1";
    ec.trunks.push_back(std::move(t));
  }
  for (auto& r : routes) ec.router.add(std::move(r));
  return ec;
}

TEST_F(CallEngineTest, ReloadedRoutesTakeTheNextCallAndTheCallInProgressRunsToItsEnd) {
  make({route("30", {"tg1"})});
  invite(1, invite_text("+4930123456"));
  EXPECT_EQ(far_user.pop(), "setup");
  ASSERT_TRUE(far->alert(far_user.last));
  pump();
  EXPECT_EQ(sip.pop().status, 180);
  // The route now leads to tg2; the trunk the caller came in on is gone.
  engine->reload(reloaded_config({route("30", {"tg2"})}, false));
  EXPECT_EQ(engine->calls_on_old_routing(), 1u);
  ASSERT_EQ(engine->call_summaries().size(), 1u);
  EXPECT_EQ(engine->call_summaries()[0].a.trunk, "peer");  // the call's own trunk, still valid
  ASSERT_TRUE(far->answer(far_user.last));
  pump();
  EXPECT_EQ(sip.pop().what, "answer");
  with_message(request_text("BYE"), [&](const sip::Message& m) { engine->on_bye(1, m); });
  EXPECT_EQ(far_user.pop(), "release:16");
  expect_all_idle();
  EXPECT_EQ(engine->calls_on_old_routing(), 0u);
  // Without the trunk the next INVITE from the same source is refused (403).
  invite(2, invite_text("+4930123456"));
  EXPECT_EQ(sip.pop().status, 403);
  // With it back, the next call takes the new route: tg2.
  engine->reload(reloaded_config({route("30", {"tg2"})}));
  invite(3, invite_text("+4930123456"));
  EXPECT_EQ(far2_user.pop(), "setup");
  EXPECT_TRUE(far_user.events.empty());
  ASSERT_TRUE(far2->release(far2_user.last, 16));
  pump();
  expect_all_idle();
}

TEST_F(CallEngineTest, ACallInProgressTakesItsOwnRoutesAlternateAfterAReload) {
  make({route("30", {"tg1", "tg2"})});
  invite(1, invite_text("+4930123456"));
  EXPECT_EQ(far_user.pop(), "setup");
  engine->reload(reloaded_config({route("30", {"tg1"})}));  // the old route object is gone from the engine
  ASSERT_TRUE(far->release(far_user.last, 34));             // congestion: the call's route has tg2 next
  pump();
  EXPECT_EQ(far2_user.pop(), "setup");
  ASSERT_TRUE(far2->answer(far2_user.last));
  pump();
  EXPECT_EQ(sip.pop().what, "answer");
  ASSERT_TRUE(far2->release(far2_user.last, 16));
  pump();
  EXPECT_EQ(sip.pop().what, "bye");
  expect_all_idle();
}

TEST_F(CallEngineTest, ReloadForgetsTheDrainOfATrunkNoLongerConfigured) {
  make({route("30", {"tg1"})});
  ASSERT_TRUE(engine->set_sip_trunk_service("peer", false, std::chrono::seconds(30)));
  engine->reload(reloaded_config({route("30", {"tg1"})}, false));
  EXPECT_TRUE(engine->sip_trunk_in_service("peer"));
  EXPECT_FALSE(engine->set_sip_trunk_service("peer", false, std::chrono::seconds(30)));
}

// --- Admission control (issue 18) ---

TEST_F(CallEngineTest, SipTrunkOverItsCallsPerSecondGets503WithRetryAfterAndCause34) {
  sip_admission["peer"] = AdmissionLimits{0, 2, 2, 1};  // 2 calls/s, 2 saved up
  make({route("30", {"tg1"})});
  engine->set_clock(clock);
  for (sip::SessionId s = 1; s <= 3; ++s) invite(s, invite_text("+4930123456"));
  EXPECT_EQ(far_user.pop(), "setup");
  EXPECT_EQ(far_user.pop(), "setup");
  EXPECT_EQ(far_user.pop(), "<none>");
  auto op = sip.pop();
  EXPECT_EQ(op.what, "reject");
  EXPECT_EQ(op.s, 3u);
  EXPECT_EQ(op.status, 503);                 // RFC 3261 21.5.4
  EXPECT_EQ(op.header("Retry-After"), "1");  // the next token is 0.5 s away: at least 1 s (20.33 counts seconds)
  EXPECT_NE(op.header("Reason").find("cause=34"), std::string::npos);  // RFC 3398 7.2.4.1: 34 <-> 503
  advance(std::chrono::milliseconds(500));                             // one token more
  invite(4, invite_text("+4930123456"));
  EXPECT_EQ(far_user.pop(), "setup");
  invite(5, invite_text("+4930123456"));
  EXPECT_EQ(far_user.pop(), "<none>");
  EXPECT_EQ(counters.value("admission.sip_trunk.peer.admitted"), 3u);
  EXPECT_EQ(counters.value("admission.sip_trunk.peer.refused_cps"), 2u);
  EXPECT_EQ(counters.value("admission.sip_trunk.peer.refused_calls"), 0u);
  engine->release_all();
  expect_all_idle();
  EXPECT_EQ(engine->admission_sip_trunk("peer")->active(), 0u);
}

TEST_F(CallEngineTest, ScreenInviteRefusesOverTheLimitBeforeAnyCallExists) {
  sip_admission["peer"] = AdmissionLimits{1, 2, 2, 7};  // 1 call at a time, 2 calls/s, 2 saved up
  make({route("30", {"tg1"})});
  engine->set_clock(clock);
  const auto screen = [&] {
    keep.push_back(invite_text("+4930123456"));
    sip::Message m;
    EXPECT_TRUE(sip::parse_message(keep.back(), m).ok());
    return engine->screen_invite(m, sip::Peer{sip::Transport::kUdp, "127.0.0.1", 5061});
  };
  EXPECT_FALSE(screen().has_value());  // admitted: nothing spent, on_invite admits it
  EXPECT_FALSE(screen().has_value());
  EXPECT_EQ(counters.value("admission.sip_trunk.peer.admitted"), 0u);
  invite(1, invite_text("+4930123456"));
  EXPECT_EQ(far_user.pop(), "setup");
  auto r = screen();  // max_calls reached
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 503);
  const auto header = [&](std::string_view name) {
    for (const auto& [n, v] : r->headers)
      if (n == name) return v;
    return std::string();
  };
  EXPECT_EQ(header("Retry-After"), "7");
  EXPECT_NE(header("Reason").find("cause=34"), std::string::npos);
  EXPECT_EQ(counters.value("admission.sip_trunk.peer.refused_calls"), 1u);
  EXPECT_EQ(engine->active_calls(), 1u);  // the refused INVITE never became a call
  engine->release_all();
  pump();
  far_user.events.clear();
  invite(2, invite_text("+4930123456"));  // the bucket's second token
  EXPECT_EQ(far_user.pop(), "setup");
  engine->release_all();
  pump();
  r = screen();  // no token left (2 spent at one instant)
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(counters.value("admission.sip_trunk.peer.refused_cps"), 1u);
  EXPECT_NE(std::find(r->headers.begin(), r->headers.end(), std::pair<std::string, std::string>{"Retry-After", "1"}),
            r->headers.end());  // the next token 0.5 s away: at least 1 s
  // Another source, no trunk: left to on_invite (403).
  keep.push_back(invite_text("+4930123456"));
  sip::Message m;
  ASSERT_TRUE(sip::parse_message(keep.back(), m).ok());
  EXPECT_FALSE(engine->screen_invite(m, sip::Peer{sip::Transport::kUdp, "198.51.100.7", 5060}).has_value());
  expect_all_idle();
}

// Node-wide overload (issue 19, engine/overload.h): once the load samples set a refusal fraction, new INVITEs
// are refused before any call exists (503, Retry-After, Reason cause 42) and new IAMs get REL cause 42 with
// the automatic congestion level (Q.764 2.11, Q.763 3.4) -- which the far exchange's call control reads
// (isup.acl.received) and answers by reducing its traffic towards us (Q.764 2.11.2).
TEST_F(CallEngineTest, NodeOverloadRefusesNewInvitesAndIamsEarlyWithAcl) {
  make({route("30", {"tg1"}), route("", {"peer"}, "tg1")});
  engine->set_clock(clock);
  for (int i = 0; i < 10; ++i) {  // ten samples at twice the backlog threshold: 99 % refused, level 2
    advance(std::chrono::milliseconds(100));
    engine->overload_sample(LoadSample{0.5, 0, {}});
  }
  EXPECT_EQ(engine->overload().state(), OverloadState::kLevel2);
  keep.push_back(invite_text("+4930123456"));
  sip::Message m;
  ASSERT_TRUE(sip::parse_message(keep.back(), m).ok());
  auto r = engine->screen_invite(m, sip::Peer{sip::Transport::kUdp, "127.0.0.1", 5061});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 503);
  const auto header = [&](std::string_view name) {
    for (const auto& [n, v] : r->headers)
      if (n == name) return v;
    return std::string();
  };
  EXPECT_EQ(header("Retry-After"), "2");
  EXPECT_NE(header("Reason").find("cause=42"), std::string::npos);  // RFC 3398 7.2.4.1: 42 -> 503
  EXPECT_EQ(engine->active_calls(), 0u);
  EXPECT_EQ(counters.value("overload.refused_sip"), 1u);
  ASSERT_TRUE(far->setup(far_group, iam("5551234")));
  pump();
  EXPECT_EQ(far_user.pop(), "release:42");  // switching equipment congestion
  EXPECT_EQ(sip.pop().what, "<none>");
  EXPECT_EQ(counters.value("overload.refused_isup"), 1u);
  EXPECT_EQ(counters.value("isup.acl.received"), 1u);  // the far exchange's view of our REL
  EXPECT_EQ(far->congestion_level(kGw), 2u);  // and its traffic towards us reduced
  // Calm again: the fraction decays, the state returns to normal after the hold, nothing is refused.
  for (int i = 0; i < 80; ++i) {
    advance(std::chrono::milliseconds(100));
    engine->overload_sample(LoadSample{});
  }
  EXPECT_EQ(engine->overload().state(), OverloadState::kNormal);
  EXPECT_FALSE(engine->screen_invite(m, sip::Peer{sip::Transport::kUdp, "127.0.0.1", 5061}).has_value());
  expect_all_idle();
}

// The same refusal on a group configured for OLM (overload_response: olm; national option, Q.763 Table 39,
// Q.764 Annex A T3): the far exchange's call control gets OLM, not REL -- it ends the call with cause 42 and
// holds the circuit for its T3 (2 min), our circuit seized meanwhile (incoming busy), then its REL gets our
// RLC and both ends are idle. Nothing reaches SIP.
TEST_F(CallEngineTest, NodeOverloadOnAnOlmGroupAnswersTheIamWithOlm) {
  tg1_olm = true;
  make({route("30", {"tg1"}), route("", {"peer"}, "tg1")});
  engine->set_clock(clock);
  for (int i = 0; i < 10; ++i) {
    advance(std::chrono::milliseconds(100));
    engine->overload_sample(LoadSample{0.5, 0, {}});
  }
  ASSERT_EQ(engine->overload().state(), OverloadState::kLevel2);
  ASSERT_TRUE(far->setup(far_group, iam("5551234")));
  pump();
  EXPECT_EQ(far_user.pop(), "release:42");  // the far exchange's reading of the OLM (isup/call_setup.cpp)
  EXPECT_EQ(sip.pop().what, "<none>");
  EXPECT_EQ(counters.value("overload.refused_isup"), 1u);
  EXPECT_EQ(counters.value("isup.call.overload_sent"), 1u);
  EXPECT_EQ(counters.value("isup.call.overload_received"), 1u);
  EXPECT_EQ(counters.value("isup.acl.received"), 0u);  // no REL went out
  EXPECT_EQ(engine->active_calls(), 0u);
  // Which CIC the far exchange picked: the one its call control holds.
  std::uint16_t cic = 0;
  for (std::uint16_t k = 1; k <= 4; ++k)
    if (!far->circuit(far_group, k)->call().idle()) cic = k;
  ASSERT_NE(cic, 0);
  EXPECT_EQ(gw->circuit(tg1, cic)->call().state(), isup::CallState::kInOverload);
  EXPECT_EQ((gw->circuit(tg1, cic)->state_indicator() >> 2) & 3, 1);  // Q.763 3.14 DC: incoming busy
  advance(std::chrono::seconds(119));
  EXPECT_EQ(gw->circuit(tg1, cic)->call().state(), isup::CallState::kInOverload);
  advance(std::chrono::seconds(2));  // the far exchange's T3 (2 min): its REL, our RLC
  EXPECT_EQ(counters.value("isup.call.t3_expired"), 1u);
  EXPECT_TRUE(gw->circuit(tg1, cic)->call().idle());
  EXPECT_EQ((gw->circuit(tg1, cic)->state_indicator() >> 2) & 3, 3);  // idle
  expect_all_idle();
}

TEST_F(CallEngineTest, SipTrunkMaxCallsCountsACallUntilItEnds) {
  sip_admission["peer"] = AdmissionLimits{1, 0, 0, 7};
  make({route("30", {"tg1"})});
  invite(1, invite_text("+4930123456"));
  EXPECT_EQ(far_user.pop(), "setup");
  const auto first = far_user.last;
  invite(2, invite_text("+4930123456"));
  auto op = sip.pop();
  EXPECT_EQ(op.status, 503);
  EXPECT_EQ(op.header("Retry-After"), "7");  // max_calls: the configured retry_after_s
  EXPECT_EQ(engine->admission_sip_trunk("peer")->active(), 1u);
  ASSERT_TRUE(far->release(first, 16));
  pump();
  EXPECT_EQ(engine->admission_sip_trunk("peer")->active(), 0u);
  invite(3, invite_text("+4930123456"));
  EXPECT_EQ(far_user.pop(), "setup");
  EXPECT_EQ(counters.value("admission.sip_trunk.peer.admitted"), 2u);
  EXPECT_EQ(counters.value("admission.sip_trunk.peer.refused_calls"), 1u);
  ASSERT_TRUE(far->release(far_user.last, 16));
  pump();
  expect_all_idle();
}

TEST_F(CallEngineTest, IamOverItsGroupsLimitIsReleasedWithCause34) {
  group_admission["tg1"] = AdmissionLimits{1, 0, 0, 1};
  make({route("", {"peer"}, "tg1")});
  ASSERT_TRUE(far->setup(far_group, iam("5551234")));
  pump();
  auto op = sip.pop();
  ASSERT_EQ(op.what, "invite");
  ASSERT_TRUE(far->setup(far_group, iam("5551235")));
  pump();
  EXPECT_EQ(far_user.pop(), "release:34");  // Q.850 34 no circuit/channel available
  EXPECT_EQ(sip.pop().what, "<none>");
  EXPECT_EQ(counters.value("admission.trunk_group.tg1.refused_calls"), 1u);
  with_message(response_text(486, "Busy Here"), [&](const sip::Message& m) { engine->on_rejected(op.s, m); });
  EXPECT_EQ(far_user.pop(), "release:17");
  expect_all_idle();
  EXPECT_EQ(engine->admission_group("tg1")->active(), 0u);
}

TEST_F(CallEngineTest, RouteTargetOverItsLimitIsHuntedToTheNextAndCountsOnlyWhereTheCallIs) {
  group_admission["tg1"] = AdmissionLimits{1, 0, 0, 1};
  make({route("30", {"tg1", "tg2"})});
  invite(1, invite_text("+4930123456"));
  EXPECT_EQ(far_user.pop(), "setup");
  invite(2, invite_text("+4930123456"));  // tg1 is full: tg2
  EXPECT_EQ(far2_user.pop(), "setup");
  EXPECT_EQ(counters.value("call.target_refused_admission"), 1u);
  EXPECT_EQ(engine->admission_group("tg1")->active(), 1u);
  // Call 1 hunts on from tg1 (congestion): tg1's count drops, tg2 has no gate.
  ASSERT_TRUE(far->release(far_user.last, 34));
  pump();
  EXPECT_EQ(far2_user.pop(), "setup");
  EXPECT_EQ(engine->admission_group("tg1")->active(), 0u);
  engine->release_all();
  expect_all_idle();
}

TEST_F(CallEngineTest, ReloadChangesTheLimitsAndKeepsTheCountOfCallsInProgress) {
  sip_admission["peer"] = AdmissionLimits{1, 0, 0, 1};
  make({route("30", {"tg1"})});
  invite(1, invite_text("+4930123456"));
  EXPECT_EQ(far_user.pop(), "setup");
  auto ec = reloaded_config({route("30", {"tg1"})});
  ec.sip_admission["peer"] = AdmissionLimits{2, 0, 0, 1};
  engine->reload(std::move(ec));
  EXPECT_EQ(engine->admission_sip_trunk("peer")->active(), 1u);
  invite(2, invite_text("+4930123456"));
  EXPECT_EQ(far_user.pop(), "setup");
  invite(3, invite_text("+4930123456"));
  EXPECT_EQ(sip.pop().status, 503);
  engine->reload(reloaded_config({route("30", {"tg1"})}));  // no limits: no gate, nothing refused
  EXPECT_EQ(engine->admission_sip_trunk("peer"), nullptr);
  invite(4, invite_text("+4930123456"));
  EXPECT_EQ(far_user.pop(), "setup");
  engine->release_all();
  expect_all_idle();
}

TEST_F(CallEngineTest, LimitsAddedByReloadCountTheCallsInProgress) {
  make({route("30", {"tg1"})});
  invite(1, invite_text("+4930123456"));
  EXPECT_EQ(far_user.pop(), "setup");
  auto ec = reloaded_config({route("30", {"tg1"})});
  ec.sip_admission["peer"] = AdmissionLimits{1, 0, 0, 1};
  ec.group_admission["tg1"] = AdmissionLimits{5, 0, 0, 1};
  engine->reload(std::move(ec));
  EXPECT_EQ(engine->admission_sip_trunk("peer")->active(), 1u);  // the call set up before the reload
  EXPECT_EQ(engine->admission_group("tg1")->active(), 1u);       // as leg B's target too
  invite(2, invite_text("+4930123456"));
  EXPECT_EQ(sip.pop().status, 503);                                    // max_calls 1 is reached by that call
  EXPECT_EQ(counters.value("admission.sip_trunk.peer.admitted"), 0u);  // adopted, not admitted
  engine->release_all();
  expect_all_idle();
  EXPECT_EQ(engine->admission_sip_trunk("peer")->active(), 0u);
  EXPECT_EQ(engine->admission_group("tg1")->active(), 0u);
}

// --- Trunk health (issue 18) ---

TEST_F(CallEngineTest, ATrunkDownIsSkippedAndComesBackAfterTwoAnsweredPings) {
  monitor_peer = true;
  make({route("", {"peer"}, "tg1")});
  const sip::Peer peer{sip::Transport::kUdp, "127.0.0.1", 5080};
  engine->on_ping_result(peer, true);
  EXPECT_TRUE(engine->sip_trunk_health("peer")->up());
  engine->on_ping_result(peer, false);  // down_after 1
  EXPECT_EQ(engine->sip_trunk_health("peer")->state(), TrunkHealthState::kDown);
  ASSERT_TRUE(far->setup(far_group, iam("5551234")));
  pump();
  EXPECT_EQ(far_user.pop(), "release:34");  // the route's only target is down: no circuit/channel
  EXPECT_EQ(sip.pop().what, "<none>");
  EXPECT_EQ(counters.value("call.target_down"), 1u);
  engine->on_ping_result(peer, true);  // probing: still skipped
  ASSERT_TRUE(far->setup(far_group, iam("5551234")));
  pump();
  EXPECT_EQ(far_user.pop(), "release:34");
  engine->on_ping_result(peer, true);  // up_after 2
  EXPECT_TRUE(engine->sip_trunk_health("peer")->up());
  ASSERT_TRUE(far->setup(far_group, iam("5551234")));
  pump();
  auto op = sip.pop();
  EXPECT_EQ(op.what, "invite");
  engine->on_ping_result(sip::Peer{sip::Transport::kUdp, "127.0.0.1", 5090}, false);  // another peer's
  EXPECT_TRUE(engine->sip_trunk_health("peer")->up());
  engine->on_ended(op.s, sip::EndReason::kTimeout);  // the INVITE timed out (Timer B): a failure
  pump();
  EXPECT_EQ(far_user.pop(), "release:102");
  EXPECT_EQ(engine->sip_trunk_health("peer")->state(), TrunkHealthState::kDown);
  expect_all_idle();
}

// An INVITE that never reached the trunk (a transport error: ICMP unreachable, a refused connection; RFC 3261
// 8.1.3.1) or got no response at all (Timer B) before any provisional: the trunk's health fails and the call
// hunts to the route's next target (issue 18) instead of failing.
TEST_F(CallEngineTest, AnUnreachedTrunkIsDownAndTheCallHuntsToTheNextTarget) {
  monitor_peer = true;
  make({route("", {"peer", "peer"}, "tg1")});  // the alternate: the same trunk again (now down: skipped)
  for (auto why : {sip::EndReason::kTransportError, sip::EndReason::kTimeout}) {
    engine->on_ping_result(sip::Peer{sip::Transport::kUdp, "127.0.0.1", 5080}, true);
    engine->on_ping_result(sip::Peer{sip::Transport::kUdp, "127.0.0.1", 5080}, true);
    ASSERT_TRUE(engine->sip_trunk_health("peer")->up());
    ASSERT_TRUE(far->setup(far_group, iam("5551234")));
    pump();
    auto op = sip.pop();
    ASSERT_EQ(op.what, "invite");
    engine->on_ended(op.s, why);
    pump();
    // Hunted: the next target is the trunk just marked down, skipped like a congested one -> cause 34 (not
    // 38 network out of order nor 102 recovery on timer expiry: the failure itself ended no call).
    EXPECT_EQ(far_user.pop(), "release:34") << sip::to_string(why);
    EXPECT_EQ(engine->sip_trunk_health("peer")->state(), TrunkHealthState::kDown);
    engine->release_all();
    pump();
    far_user.events.clear();
    far2_user.events.clear();
    sip.ops.clear();
  }
  EXPECT_EQ(counters.value("call.target_unreached"), 2u);
  EXPECT_EQ(counters.value("call.target_down"), 2u);
  expect_all_idle();
}

TEST_F(CallEngineTest, TrunksWithoutKeepalivesHaveNoHealth) {
  make({route("", {"peer"}, "tg1")});
  EXPECT_EQ(engine->sip_trunk_health("peer"), nullptr);
  engine->on_ping_result(sip::Peer{sip::Transport::kUdp, "127.0.0.1", 5080}, false);
  ASSERT_TRUE(far->setup(far_group, iam("5551234")));
  pump();
  auto op = sip.pop();
  EXPECT_EQ(op.what, "invite");
  with_message(response_text(486, "Busy Here"), [&](const sip::Message& m) { engine->on_rejected(op.s, m); });
  EXPECT_EQ(far_user.pop(), "release:17");
  expect_all_idle();
}

// --- Call detail records (issue 17) ---

TEST_F(CallEngineTest, CdrOfAnAnsweredCallHasItsTimesAndCause) {
  make({route("30", {"tg1"})});
  engine->set_clock(clock);
  std::vector<cdr::CdrRecord> cdrs;
  engine->set_cdr_sink([&](cdr::CdrRecord&& r) { cdrs.push_back(std::move(r)); });
  clock.advance(std::chrono::seconds(1));  // the engine's time 0 means "did not happen"
  // The calling number comes from P-Asserted-Identity (RFC 3398 7.2.1.1).
  invite(1, invite_text("+4930123456", "P-Asserted-Identity: <sip:+4930999@127.0.0.1;user=phone>\r\n"));
  advance(std::chrono::milliseconds(300));
  ASSERT_TRUE(far->alert(far_user.last));
  pump();
  advance(std::chrono::milliseconds(700));
  ASSERT_TRUE(far->answer(far_user.last));
  pump();
  advance(std::chrono::milliseconds(5000));
  with_message(request_text("BYE"), [&](const sip::Message& m) { engine->on_bye(1, m); });
  expect_all_idle();
  ASSERT_EQ(cdrs.size(), 1u);
  const auto& r = cdrs[0];
  EXPECT_EQ(r.direction, "sip-to-isup");
  // Numbers as received (Request-URI and From users) and as sent in the IAM: national (RFC 3398 7.2.1).
  EXPECT_EQ(r.called_in, "+4930123456");
  EXPECT_EQ(r.calling_in, "+4930999");
  EXPECT_EQ(r.called_out, "30123456");
  EXPECT_EQ(r.calling_out, "30999");
  EXPECT_EQ(r.presentation, "allowed");
  // The SIP leg's dialog: the caller's Call-ID and From tag, our To tag.
  EXPECT_EQ(r.sip_call_id, "c1@test");
  EXPECT_EQ(r.sip_from_tag, "a1");
  EXPECT_EQ(r.sip_to_tag, "gwtag1");
  // The circuit tg1 seized: OPC/DPC of its routing label (Q.704 2.2), a CIC of 1..4, at the IAM.
  EXPECT_EQ(r.opc, kGw);
  EXPECT_EQ(r.dpc, kFar);
  ASSERT_TRUE(r.cic);
  EXPECT_GE(*r.cic, 1);
  EXPECT_LE(*r.cic, 4);
  EXPECT_EQ(r.seizure, r.setup);
  EXPECT_EQ(r.sip_status, 200);
  EXPECT_EQ(r.codec, "PCMA");  // the first of the offer's "8 0" we answered with
  EXPECT_EQ(r.released_by, "sip");
  EXPECT_EQ(r.cause_location, isup::kLocationPublicLocal);  // the REL we sent: ours (Q.850 2.2.3)
  EXPECT_NE(r.release_complete, 0);
  EXPECT_EQ(r.egress_trunk, "tg1");
  EXPECT_EQ(r.route, "30");
  EXPECT_EQ(r.post_dial_delay_ms(), 300);
  EXPECT_EQ(r.answer - r.setup, 1000);
  EXPECT_EQ(r.duration_ms(), 5000);
  EXPECT_EQ(r.cause, 16);
}

TEST_F(CallEngineTest, CdrOfABusyCallHasCause17AndNoDuration) {
  make({route("30", {"tg1"})});
  // The record's times from the test's clock: on the wall clock the REL and its RLC may fall in two
  // milliseconds (failed once in CI).
  engine->set_clock(clock);
  clock.advance(std::chrono::seconds(1));  // the engine's time 0 means "did not happen"
  std::vector<cdr::CdrRecord> cdrs;
  engine->set_cdr_sink([&](cdr::CdrRecord&& r) { cdrs.push_back(std::move(r)); });
  invite(1, invite_text("+4930123456"));
  ASSERT_TRUE(far->release(far_user.last, 17));
  pump();
  expect_all_idle();
  ASSERT_EQ(cdrs.size(), 1u);
  EXPECT_EQ(cdrs[0].cause, 17);
  EXPECT_EQ(cdrs[0].answer, 0);
  EXPECT_EQ(cdrs[0].duration_ms(), 0);
  EXPECT_FALSE(cdrs[0].post_dial_delay_ms());
  EXPECT_EQ(cdrs[0].sip_status, 486);  // RFC 3398 8.2.6.1: cause 17 -> 486 Busy Here
  EXPECT_EQ(cdrs[0].released_by, "isup");
  // The exchange's REL was answered with RLC at once: release complete with the release.
  EXPECT_NE(cdrs[0].release, 0);
  EXPECT_EQ(cdrs[0].release_complete, cdrs[0].release);
}

TEST_F(CallEngineTest, CdrWaitsForTheRlcOfTheRelWeSent) {
  make({route("30", {"tg1"})});
  engine->set_clock(clock);
  std::vector<cdr::CdrRecord> cdrs;
  engine->set_cdr_sink([&](cdr::CdrRecord&& r) { cdrs.push_back(std::move(r)); });
  clock.advance(std::chrono::seconds(1));
  invite(1, invite_text("+4930123456"));
  ASSERT_TRUE(far->alert(far_user.last));
  pump();
  // CANCEL: our REL goes; the record waits for the exchange's RLC (Q.764 2.3.1 d).
  keep.push_back(request_text("CANCEL"));
  sip::Message cancel;
  ASSERT_TRUE(sip::parse_message(keep.back(), cancel).ok());
  engine->on_cancel(1, cancel);
  EXPECT_TRUE(cdrs.empty());
  EXPECT_EQ(engine->cdrs_awaiting_rlc(), 1u);
  clock.advance(std::chrono::milliseconds(40));
  pump();  // REL to the exchange, its RLC back
  ASSERT_EQ(cdrs.size(), 1u);
  EXPECT_EQ(engine->cdrs_awaiting_rlc(), 0u);
  const auto& r = cdrs[0];
  EXPECT_EQ(r.release_complete - r.release, 40);
  EXPECT_EQ(r.released_by, "sip");
  EXPECT_EQ(r.sip_status, 487);  // the stack's answer to the cancelled INVITE (RFC 3261 9.2)
  EXPECT_NE(r.progress, 0);
  EXPECT_EQ(r.answer, 0);
  expect_all_idle();
}

TEST_F(CallEngineTest, CdrWithoutAnRlcIsHandedOverAfterTheWait) {
  make({route("30", {"tg1"})});
  std::vector<cdr::CdrRecord> cdrs;
  engine->set_cdr_sink([&](cdr::CdrRecord&& r) { cdrs.push_back(std::move(r)); });
  invite(1, invite_text("+4930123456"));
  keep.push_back(request_text("CANCEL"));
  sip::Message cancel;
  ASSERT_TRUE(sip::parse_message(keep.back(), cancel).ok());
  engine->on_cancel(1, cancel);
  q.clear();  // the REL is lost: no RLC comes
  EXPECT_TRUE(cdrs.empty());
  timers.advance(CallEngine::kRlcWait);
  ASSERT_EQ(cdrs.size(), 1u);
  EXPECT_EQ(cdrs[0].release_complete, 0);
  EXPECT_EQ(engine->cdrs_awaiting_rlc(), 0u);
}

TEST_F(CallEngineTest, CdrOfAnIsupToSipCallHasBothLegsIds) {
  make({route("", {"peer"}, "tg1")});
  engine->set_clock(clock);
  std::vector<cdr::CdrRecord> cdrs;
  engine->set_cdr_sink([&](cdr::CdrRecord&& r) { cdrs.push_back(std::move(r)); });
  clock.advance(std::chrono::seconds(1));
  auto call = far->setup(far_group, iam("5551234"));
  ASSERT_TRUE(call);
  pump();
  auto op = sip.pop();
  ASSERT_EQ(op.what, "invite");
  with_message(response_text(180, "Ringing"), [&](const sip::Message& m) { engine->on_provisional(op.s, m); });
  const std::string sdp =
      "v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
      "m=audio 7000 RTP/AVP 0\r\n";
  with_message(response_text(
                   200, "OK",
                   "Content-Type: application/sdp\r\nContent-Length: " + std::to_string(sdp.size()) + "\r\n\r\n" + sdp),
               [&](const sip::Message& m) { engine->on_answered(op.s, m); });
  clock.advance(std::chrono::milliseconds(2500));
  ASSERT_TRUE(far->release(*call, 16));
  pump();
  expect_all_idle();
  ASSERT_EQ(cdrs.size(), 1u);
  const auto& r = cdrs[0];
  EXPECT_EQ(r.direction, "isup-to-sip");
  EXPECT_EQ(r.called_in, "5551234");
  EXPECT_EQ(r.calling_in, "30999");
  EXPECT_NE(op.invite.request_uri.find(r.called_out), std::string::npos) << r.called_out;
  EXPECT_FALSE(r.called_out.empty());
  EXPECT_EQ(r.sip_call_id, "gw-" + std::to_string(op.s) + "@127.0.0.1");
  EXPECT_EQ(r.sip_from_tag, "gwtag" + std::to_string(op.s));
  EXPECT_EQ(r.sip_to_tag, "t");  // the callee's, from its responses
  EXPECT_EQ(r.opc, kGw);
  EXPECT_EQ(r.dpc, kFar);
  EXPECT_EQ(r.sip_status, 200);
  EXPECT_EQ(r.codec, "PCMU");  // the callee's answer: payload type 0 (RFC 3551)
  EXPECT_EQ(r.released_by, "isup");
  EXPECT_EQ(r.duration_ms(), 2500);
  EXPECT_EQ(r.cause, 16);
}

}  // namespace
}  // namespace isupgw::engine

namespace isupgw::engine {
namespace {

// Q.764 2.8.2.1: the far exchange blocks the circuit before any backward message: ISUP releases it and repeats the
// call on another circuit (the same CallId). The call's media moves with it: the connection of the first circuit
// is closed and one opened on the new circuit's endpoint (it used to stay on the first circuit's).
TEST_F(CallEngineTest, ARepeatAttemptMovesTheMediaToTheNewCircuit) {
  make({route("30", {"tg1"})});
  FakeMedia media;
  engine->attach_media(&media);
  invite(1, invite_text("+4930123456"));
  EXPECT_EQ(far_user.pop(), "setup");
  ASSERT_EQ(media.cics.size(), 1u);
  const std::uint16_t cic1 = media.cics[0];
  ASSERT_TRUE(far->block(far_group, cic1));
  pump();
  EXPECT_EQ(far_user.pop(), "release:41");  // the gateway's REL for the blocked circuit
  EXPECT_EQ(far_user.pop(), "setup");       // the repeat attempt
  ASSERT_EQ(media.cics.size(), 2u);
  EXPECT_NE(media.cics[1], cic1);
  EXPECT_EQ(media.closed_ids, std::vector<CallMedia::Id>{1});
  EXPECT_EQ(counters.value("call.media_moved_on_repeat"), 1u);
  media.ready();
  ASSERT_TRUE(far->answer(far_user.last));
  pump();
  auto op = sip.pop();
  while (op.what == "provisional") op = sip.pop();
  EXPECT_EQ(op.what, "answer");
  with_message(request_text("BYE"), [&](const sip::Message& m) { engine->on_bye(1, m); });
  EXPECT_EQ(far_user.pop(), "release:16");
  ASSERT_TRUE(far->unblock(far_group, cic1));
  pump();
  expect_all_idle();
  EXPECT_EQ(media.closed_ids.size(), 2u);
}

// --- Issue 20: 3xx from the SIP trunk (RFC 3261 8.1.3.4, Q.1912.5) and REFER (RFC 3515) ---
std::string contact(const std::string& uri) { return "Contact: <" + uri + ">\r\n"; }

TEST_F(CallEngineTest, Redirect302FollowedToTheContactIsupSeesOnlyTheAnswer) {
  peer_redirect = SipTrunkInfo::Redirect::kFollow;
  make({route("", {"peer"}, "tg1")});
  ASSERT_TRUE(far->setup(far_group, iam("5551234")));
  pump();
  auto first = sip.pop();
  ASSERT_EQ(first.what, "invite");
  with_message(response_text(302, "Moved", contact("sip:+4930222@127.0.0.9:5090;user=phone")),
               [&](const sip::Message& m) { engine->on_rejected(first.s, m); });
  auto second = sip.pop();
  ASSERT_EQ(second.what, "invite");
  EXPECT_EQ(second.invite.request_uri, "sip:+4930222@127.0.0.9:5090;user=phone");
  EXPECT_EQ(second.invite.peer.port, 5080);  // no trunk at the Contact: the redirecting trunk is the next hop
  EXPECT_EQ(second.invite.to, first.invite.to);
  std::vector<std::string> hi;
  for (const auto& [n, v] : second.invite.headers)
    if (n == "History-Info") hi.push_back(v);
  ASSERT_EQ(hi.size(), 2u);
  EXPECT_EQ(hi[0], "<" + first.invite.request_uri + ">;index=1");
  EXPECT_EQ(hi[1], "<sip:+4930222@127.0.0.9:5090;user=phone;cause=302>;index=1.1");
  EXPECT_EQ(far_user.pop(), "<none>");  // no REL, no ACM for the 302
  with_message(response_text(200, "OK"), [&](const sip::Message& m) { engine->on_answered(second.s, m); });
  EXPECT_EQ(far_user.pop(), "answer");
  with_message(request_text("BYE"), [&](const sip::Message& m) { engine->on_bye(second.s, m); });
  EXPECT_EQ(far_user.pop(), "release:16");
  EXPECT_EQ(counters.get("call.redirect.followed").value(), 1u);
  expect_all_idle();
}

TEST_F(CallEngineTest, RedirectOverTheLimitIsReleasedWithTheTableCause) {
  peer_redirect = SipTrunkInfo::Redirect::kFollow;
  peer_max_redirects = 1;
  make({route("", {"peer"}, "tg1")});
  ASSERT_TRUE(far->setup(far_group, iam("5551234")));
  pump();
  auto first = sip.pop();
  with_message(response_text(302, "Moved", contact("sip:a@127.0.0.9:5090")),
               [&](const sip::Message& m) { engine->on_rejected(first.s, m); });
  auto second = sip.pop();
  ASSERT_EQ(second.what, "invite");
  with_message(response_text(302, "Moved", contact("sip:b@127.0.0.9:5091")),
               [&](const sip::Message& m) { engine->on_rejected(second.s, m); });
  EXPECT_EQ(sip.pop().what, "<none>");
  EXPECT_EQ(far_user.pop(), "release:127");  // Q.1912.5 table: a 3xx is interworking, unspecified
  EXPECT_EQ(counters.get("call.redirect.over_limit").value(), 1u);
  expect_all_idle();
}

TEST_F(CallEngineTest, RedirectBackToATriedTargetIsALoop) {
  peer_redirect = SipTrunkInfo::Redirect::kFollow;
  make({route("", {"peer"}, "tg1")});
  ASSERT_TRUE(far->setup(far_group, iam("5551234")));
  pump();
  auto first = sip.pop();
  with_message(response_text(302, "Moved", contact("sip:a@127.0.0.9:5090")),
               [&](const sip::Message& m) { engine->on_rejected(first.s, m); });
  auto second = sip.pop();
  // Back to the first target (q order: the better one first) and to the second itself: both tried.
  with_message(response_text(302, "Moved",
                             "Contact: <sip:a@127.0.0.9:5090>;q=0.5, <" + first.invite.request_uri + ">;q=0.9\r\n"),
               [&](const sip::Message& m) { engine->on_rejected(second.s, m); });
  EXPECT_EQ(sip.pop().what, "<none>");
  EXPECT_EQ(far_user.pop(), "release:127");
  EXPECT_EQ(counters.get("call.redirect.unusable").value(), 1u);
  expect_all_idle();
}

TEST_F(CallEngineTest, RedirectReturnedToIsupIsRelCause23WithTheRedirectionNumber) {
  peer_redirect = SipTrunkInfo::Redirect::kIsup;
  make({route("", {"peer"}, "tg1")});
  ASSERT_TRUE(far->setup(far_group, iam("5551234")));
  pump();
  auto first = sip.pop();
  with_message(response_text(302, "Moved", contact("tel:+4930999")),
               [&](const sip::Message& m) { engine->on_rejected(first.s, m); });
  EXPECT_EQ(sip.pop().what, "<none>");
  EXPECT_EQ(far_user.pop(), "release:23");
  bool seen = false;
  for (const auto& w : wire) {
    auto m = isup::decode(w, isup::Variant::kItu);
    if (!m || m->type != isup::msg::kRel) continue;
    const isup::Param* rn = m->find(isup::par::kRedirectionNumber);
    const isup::Param* ri = m->find(isup::par::kRedirectionInformation);
    ASSERT_TRUE(rn && ri);
    auto n = isup::Number::decode(isup::NumberKind::kCalled, rn->value);
    ASSERT_TRUE(n);
    EXPECT_EQ(n->digits.view(), "30999");
    auto info = isup::RedirectionInformation::decode(ri->value);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->redirection_reason, 3);  // 302 <-> unconditional (RFC 4458 row)
    EXPECT_EQ(info->redirection_counter, 1);
    seen = true;
  }
  EXPECT_TRUE(seen);
  EXPECT_EQ(counters.get("call.redirect.returned").value(), 1u);
  expect_all_idle();
}

TEST_F(CallEngineTest, RedirectRefusedByDefault) {
  make({route("", {"peer"}, "tg1")});
  ASSERT_TRUE(far->setup(far_group, iam("5551234")));
  pump();
  auto first = sip.pop();
  with_message(response_text(302, "Moved", contact("sip:a@127.0.0.9:5090")),
               [&](const sip::Message& m) { engine->on_rejected(first.s, m); });
  EXPECT_EQ(sip.pop().what, "<none>");
  EXPECT_EQ(far_user.pop(), "release:127");
  EXPECT_EQ(counters.get("call.redirect.refused").value(), 1u);
  expect_all_idle();
}

std::string refer_text(const std::string& extra) {
  return "REFER sip:gw@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK7\r\n"
         "From: <sip:b@127.0.0.1>;tag=t\r\nTo: <sip:a@127.0.0.1>;tag=f\r\n"
         "Call-ID: x@gw\r\nCSeq: 2 REFER\r\nMax-Forwards: 70\r\n" +
         extra + "Content-Length: 0\r\n\r\n";
}

TEST_F(CallEngineTest, ReferPerformedJoinsTheCircuitToTheNewLegWithoutRelease) {
  peer_transfer = true;
  make({route("", {"peer"}, "tg1")});
  ASSERT_TRUE(far->setup(far_group, iam("5551234")));
  pump();
  auto a = sip.pop();
  with_message(response_text(200, "OK"), [&](const sip::Message& m) { engine->on_answered(a.s, m); });
  EXPECT_EQ(far_user.pop(), "answer");
  sip::ReferAnswer ans;
  with_message(refer_text("Refer-To: <sip:carol@127.0.0.9:5090>\r\nReferred-By: <sip:b@127.0.0.1>\r\n"),
               [&](const sip::Message& m) { ans = engine->on_refer(a.s, m); });
  EXPECT_EQ(ans.status, 202);
  auto b = sip.pop();
  ASSERT_EQ(b.what, "invite");
  EXPECT_EQ(b.invite.request_uri, "sip:carol@127.0.0.9:5090");
  EXPECT_EQ(b.header("Referred-By"), "<sip:b@127.0.0.1>");
  with_message(response_text(180, "Ringing"), [&](const sip::Message& m) { engine->on_provisional(b.s, m); });
  auto n1 = sip.pop();
  EXPECT_EQ(n1.what, "notify");
  EXPECT_EQ(n1.s, a.s);
  EXPECT_EQ(n1.status, 180);
  EXPECT_EQ(n1.header("final"), "0");
  with_message(response_text(200, "OK"), [&](const sip::Message& m) { engine->on_answered(b.s, m); });
  auto n2 = sip.pop();
  EXPECT_EQ(n2.what, "notify");
  EXPECT_EQ(n2.status, 200);
  EXPECT_EQ(n2.header("final"), "1");
  auto bye = sip.pop();
  EXPECT_EQ(bye.what, "bye");
  EXPECT_EQ(bye.s, a.s);
  EXPECT_EQ(far_user.pop(), "<none>");  // the ISUP side sees no release
  // The BYE's 200 and anything else on the old leg belong to no call any more.
  with_message(request_text("BYE"), [&](const sip::Message& m) { engine->on_bye(b.s, m); });
  EXPECT_EQ(far_user.pop(), "release:16");
  EXPECT_EQ(counters.get("call.transfer.completed").value(), 1u);
  expect_all_idle();
}

TEST_F(CallEngineTest, ReferRefusedByDefaultWith603) {
  make({route("", {"peer"}, "tg1")});
  ASSERT_TRUE(far->setup(far_group, iam("5551234")));
  pump();
  auto a = sip.pop();
  with_message(response_text(200, "OK"), [&](const sip::Message& m) { engine->on_answered(a.s, m); });
  sip::ReferAnswer ans;
  with_message(refer_text("Refer-To: <sip:carol@127.0.0.9:5090>\r\n"),
               [&](const sip::Message& m) { ans = engine->on_refer(a.s, m); });
  EXPECT_EQ(ans.status, 603);
  EXPECT_EQ(sip.pop().what, "<none>");
  with_message(request_text("BYE"), [&](const sip::Message& m) { engine->on_bye(a.s, m); });
  expect_all_idle();
}

TEST_F(CallEngineTest, ReferTargetBusyLeavesTheCallWithTheReferrer) {
  peer_transfer = true;
  make({route("", {"peer"}, "tg1")});
  ASSERT_TRUE(far->setup(far_group, iam("5551234")));
  pump();
  auto a = sip.pop();
  with_message(response_text(200, "OK"), [&](const sip::Message& m) { engine->on_answered(a.s, m); });
  EXPECT_EQ(far_user.pop(), "answer");
  with_message(refer_text("Refer-To: <sip:carol@127.0.0.9:5090>\r\n"),
               [&](const sip::Message& m) { EXPECT_EQ(engine->on_refer(a.s, m).status, 202); });
  auto b = sip.pop();
  with_message(response_text(486, "Busy Here"), [&](const sip::Message& m) { engine->on_rejected(b.s, m); });
  auto n = sip.pop();
  EXPECT_EQ(n.what, "notify");
  EXPECT_EQ(n.status, 486);
  EXPECT_EQ(n.header("final"), "1");
  EXPECT_EQ(far_user.pop(), "<none>");
  with_message(request_text("BYE"), [&](const sip::Message& m) { engine->on_bye(a.s, m); });
  EXPECT_EQ(far_user.pop(), "release:16");
  expect_all_idle();
}

}  // namespace
}  // namespace isupgw::engine
