// Hold across the gateway when both sides move at once (issue 14): the far
// exchange holds (CPG "remote hold", Q.733.2 / Q.1912.5) while the SIP peer
// holds by re-INVITE. The two re-INVITEs cross, both are answered 491 (RFC 3261
// 14.1); the peer, which did not send the INVITE, retries after 0-2 s and the
// gateway answers it; the gateway's user agent, owner of the Call-ID, retries
// after 2.1-4 s. The engine acts on each result: the MG ends inactive (held
// both ways), the ISUP side hears "remote hold" once. The engine runs on the
// real SIP stack (sip::UserAgent over a memory transport), ISUP call control
// over a loopback to a far exchange, and a recording CallMedia, in virtual time.
#include <gtest/gtest.h>

#include <deque>
#include <string>

#include "base/clock.h"
#include "base/timer_service.h"
#include "engine/call_engine.h"
#include "isup/codes.h"
#include "isup/isup_cc.h"
#include "sip/transport_layer.h"
#include "sip/user_agent.h"
#include "tests/unit/sip/ua_harness.h"

namespace isupgw::engine {
namespace {

using std::chrono::milliseconds;

struct Far final : isup::CallControlUser {
  void on_setup(isup::CallId c, const isup::IncomingSetup&) override {
    last = c;
    events.push_back("setup");
  }
  void on_progress(isup::CallId, const isup::BackwardIndication& i) override {
    std::string e = i.alerting ? "alerting" : "progress";
    if (const isup::Param* p = i.msg ? i.msg->find(isup::par::kGenericNotificationIndicator) : nullptr)
      e += p->value.size() == 1 && p->value[0] == (0x80 | isup::kNotificationRemoteHold)        ? ":remote-hold"
           : p->value.size() == 1 && p->value[0] == (0x80 | isup::kNotificationRemoteRetrieval) ? ":remote-retrieval"
                                                                                                : ":notification?";
    events.push_back(e);
  }
  void on_answer(isup::CallId, const isup::Message&) override { events.push_back("answer"); }
  void on_release(isup::CallId, const isup::ReleaseIndication& r) override {
    events.push_back("release:" + std::to_string(r.cause));
  }
  isup::CallId last = 0;
  std::vector<std::string> events;
};

// The MG: records every mode; a new connection is ready at the next pump, with the MG's SDP.
struct RecordingMedia final : CallMedia {
  std::optional<Id> open(isup::GroupId, std::uint16_t, const std::string&, MediaMode mode, Ready ready) override {
    modes.push_back(mode);
    pending.push_back(std::move(ready));
    return next++;
  }
  void update(Id, const std::string&, MediaMode mode) override { modes.push_back(mode); }
  void close(Id) override { ++closed; }
  void set_lost_handler(Lost) override {}
  bool ready() {
    auto run = std::move(pending);
    pending.clear();
    for (auto& r : run)
      r("v=0\r\no=mgw 7 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8\r\n");
    return !run.empty();
  }
  MediaMode last() const { return modes.empty() ? MediaMode::kSendRecv : modes.back(); }
  std::vector<MediaMode> modes;
  std::vector<Ready> pending;
  Id next = 1;
  int closed = 0;
};

struct Pending {
  isup::MtpUser* to;
  MtpLabel label;
  std::vector<std::uint8_t> bytes;
};
struct Port final : isup::MtpPort {
  void transfer(const MtpLabel& l, std::span<const std::uint8_t> d) override {
    q->push_back(Pending{*to, l, {d.begin(), d.end()}});
  }
  std::deque<Pending>* q = nullptr;
  isup::MtpUser** to = nullptr;
};

class HoldGlare : public ::testing::Test {
 protected:
  HoldGlare() : log([](std::string_view) {}) {
    EngineConfig ec;
    SipTrunkInfo t;
    t.name = "peer";
    t.peer.host = "192.0.2.2";
    t.acl.add("192.0.2.2");
    t.profile.host = "192.0.2.2";
    ec.trunks.push_back(std::move(t));
    RouteEntry r;
    r.from = "tg";
    r.targets.push_back(RouteTarget{RouteTarget::Kind::kSipTrunk, "peer", 0, "", std::nullopt});
    ec.router.add(r);
    engine = std::make_unique<CallEngine>(std::move(ec), log, counters);
    isup::IsupRecoveryConfig rec;
    rec.reset_on_start = false;
    gw_port.q = far_port.q = &q;
    gw_port.to = &to_far;
    far_port.to = &to_gw;
    gw = std::make_unique<isup::IsupCallControl>(gw_port, *engine, timers, log, counters, rec);
    far_cc = std::make_unique<isup::IsupCallControl>(far_port, far, timers, log, counters, rec);
    to_far = far_cc.get();
    to_gw = gw.get();
    isup::TrunkGroupConfig g;
    g.name = "tg";
    g.opc = 1;
    g.dpc = 2;
    g.cics.emplace_back(1, 8);
    engine->set_groups({{"tg", *gw->add_group(g)}});
    g.opc = 2;
    g.dpc = 1;
    far_group = *far_cc->add_group(g);
    // Both user agents draw 50 for the 14.1 delay: 2.6 s for the Call-ID's
    // owner (the gateway: it sent the INVITE), 0.5 s for the peer.
    sip::UserAgentOptions o;
    o.glare_random = [] { return std::uint64_t{50}; };
    gw_ua = std::make_unique<sip::UserAgent>(gw_sip, stimers, *engine, clock, log, gw_counters, o);
    peer_ua = std::make_unique<sip::UserAgent>(peer_sip, stimers, peer, clock, log, peer_counters, o);
    engine->attach(gw_ua.get(), gw.get(), &timers);
    engine->attach_media(&media);
  }

  // Moves ISUP and SIP messages until nothing is left.
  void pump() {
    for (int round = 0; round < 100; ++round) {
      bool moved = media.ready();
      while (!q.empty()) {
        auto p = std::move(q.front());
        q.pop_front();
        p.to->on_transfer(p.label, p.bytes);
        moved = true;
      }
      for (auto [from, to] : {std::pair{&gw_sip, peer_ua.get()}, std::pair{&peer_sip, gw_ua.get()}}) {
        auto sent = std::move(from->sent);
        from->sent.clear();
        for (auto& s : sent) {
          wire.push_back(s.bytes);
          to->receive(sip::Peer{sip::Transport::kUdp, from == &gw_sip ? "192.0.2.1" : "192.0.2.2", 5060}, s.bytes);
          moved = true;
        }
      }
      stimers.advance(Clock::duration::zero());
      timers.advance(Clock::duration::zero());
      if (!moved && q.empty() && gw_sip.sent.empty() && peer_sip.sent.empty()) break;
    }
  }
  // Virtual time in 10 ms steps until `done`; how long it took.
  Clock::duration until(const std::function<bool()>& done, Clock::duration limit = std::chrono::seconds(10)) {
    const auto start = clock.now();
    while (!done() && clock.now() - start < limit) {
      stimers.advance(milliseconds(10));
      timers.advance(Clock::duration::zero());
      pump();
    }
    return clock.now() - start;
  }
  // SIP requests/responses of a kind a side sent ("INVITE", "491").
  std::size_t count(const std::string& from_host, std::string_view kind) const {
    std::size_t n = 0;
    for (const auto& w : wire) {
      sip::Message m;
      if (!sip::parse_message(w, m)) continue;
      const std::string_view via = m.first(sip::HeaderId::kVia).value_or("");
      const bool ours = via.find(from_host) != std::string_view::npos;
      const bool request = m.is_request();
      if (request && ours && sip::test::method_or_status(w) == kind) ++n;
      if (!request && !ours && sip::test::method_or_status(w) == kind) ++n;  // responses carry the requester's Via
    }
    return n;
  }
  static std::string sdp(int version, std::string_view dir) {
    return "v=0\r\no=peer 5 " + std::to_string(version) +
           " IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\nm=audio 6000 RTP/AVP 8\r\na=" +
           std::string(dir) + "\r\n";
  }

  Logger log;
  Counters counters, gw_counters, peer_counters;
  ManualClock clock;
  ManualTimerService timers{clock};
  ManualTimerService stimers{clock};
  std::deque<Pending> q;
  std::vector<std::string> wire;
  std::unique_ptr<CallEngine> engine;
  Port gw_port, far_port;
  isup::MtpUser* to_far = nullptr;
  isup::MtpUser* to_gw = nullptr;
  std::unique_ptr<isup::IsupCallControl> gw, far_cc;
  Far far;
  isup::GroupId far_group = 0;
  RecordingMedia media;
  sip::MemoryTransportLayer gw_sip{"192.0.2.1", 5060}, peer_sip{"192.0.2.2", 5060};
  sip::test::RecordingUser peer;
  std::unique_ptr<sip::UserAgent> gw_ua, peer_ua;
  sip::SessionId peer_sid = 0;
};

isup::SetupRequest iam() {
  isup::SetupRequest req;
  req.called.kind = isup::NumberKind::kCalled;
  req.called.nai = 3;
  req.called.npi = 1;
  req.called.digits.assign("301234567F");
  return req;
}

TEST_F(HoldGlare, BothSidesHoldAtOnceBothGet491AndTheCallEndsHeldBothWays) {
  peer.invite_hook = [&](sip::SessionId s, const sip::Message&) {
    peer_sid = s;
    peer_ua->answer(s, {}, sip::Body{"application/sdp", sdp(1, "sendrecv")});
  };
  auto call = far_cc->setup(far_group, iam());
  ASSERT_TRUE(call);
  pump();
  ASSERT_NE(peer_sid, 0u);
  ASSERT_EQ(far.events, (std::vector<std::string>{"answer"}));
  ASSERT_EQ(media.last(), MediaMode::kSendRecv);
  far.events.clear();

  // At once: the far exchange holds (CPG), the SIP peer holds (re-INVITE a=sendonly).
  ASSERT_TRUE(far_cc->notify(*call, isup::kNotificationRemoteHold));
  ASSERT_TRUE(peer_ua->reinvite(peer_sid, sip::Body{"application/sdp", sdp(2, "sendonly")}));
  while (!q.empty()) {  // only the CPG: the gateway's re-INVITE goes out, the peer's is on its way
    auto p = std::move(q.front());
    q.pop_front();
    p.to->on_transfer(p.label, p.bytes);
  }
  EXPECT_EQ(media.last(), MediaMode::kSendOnly);  // held by ISUP: nothing from SIP into the circuit
  pump();
  // The two re-INVITEs crossed: each side answered the other's 491 (14.1).
  EXPECT_EQ(count("192.0.2.1", "491"), 1u);
  EXPECT_EQ(count("192.0.2.2", "491"), 1u);
  EXPECT_EQ(gw_counters.value("sip.glare"), 1u);
  EXPECT_EQ(peer_counters.value("sip.glare"), 1u);
  EXPECT_EQ(count("192.0.2.1", "INVITE"), 2u);
  EXPECT_EQ(count("192.0.2.2", "INVITE"), 1u);

  // The peer (not the Call-ID's owner) retries after 0.5 s; the gateway
  // answers, the engine follows the peer's hold: MG inactive, CPG remote hold.
  const auto peer_retry = until([&] { return count("192.0.2.2", "INVITE") == 2; });
  EXPECT_EQ(peer_retry, milliseconds(500));
  EXPECT_EQ(media.last(), MediaMode::kInactive);
  EXPECT_EQ(far.events, (std::vector<std::string>{"progress:remote-hold"}));
  EXPECT_TRUE(peer.saw("refresh 200"));

  // The gateway's user agent, owner of the Call-ID, retries 2.6 s after its 491.
  const auto gw_retry = until([&] { return count("192.0.2.1", "INVITE") == 3; });
  EXPECT_EQ(peer_retry + gw_retry, milliseconds(2600));
  pump();
  EXPECT_TRUE(peer.saw("reoffer"));
  EXPECT_EQ(counters.value("call.reinvite_ok"), 1u);
  EXPECT_EQ(counters.value("call.reinvite_failed"), 0u);
  // Held both ways: the peer answered our a=sendonly with a=inactive; the MG
  // stays inactive, the ISUP side heard "remote hold" once.
  EXPECT_EQ(media.last(), MediaMode::kInactive);
  EXPECT_EQ(far.events, (std::vector<std::string>{"progress:remote-hold"}));

  // Both retrieve, one after the other: sendrecv again, CPG remote retrieval.
  ASSERT_TRUE(far_cc->notify(*call, isup::kNotificationRemoteRetrieval));
  pump();
  EXPECT_EQ(media.last(), MediaMode::kRecvOnly);  // the peer still holds
  ASSERT_TRUE(peer_ua->reinvite(peer_sid, sip::Body{"application/sdp", sdp(3, "sendrecv")}));
  pump();
  EXPECT_EQ(media.last(), MediaMode::kSendRecv);
  EXPECT_EQ(far.events, (std::vector<std::string>{"progress:remote-hold", "progress:remote-retrieval"}));
  EXPECT_EQ(counters.value("call.reinvite_ok"), 2u);

  ASSERT_TRUE(far_cc->release(*call, 16));
  pump();
  EXPECT_TRUE(peer.saw("bye"));
  EXPECT_EQ(engine->active_calls(), 0u);
  EXPECT_EQ(gw_ua->sessions(), 0u);
}

// The hold bug of issue 14: the far exchange holds and retrieves while the
// hold re-INVITE is still out. The stack refuses a second re-INVITE (14.1);
// the engine sends the retrieval once the hold's result is in, so the SIP
// side ends where ISUP is (sendrecv), not held.
TEST_F(HoldGlare, RetrievalWhileTheHoldReinviteIsOutGoesAfterIt) {
  peer.invite_hook = [&](sip::SessionId s, const sip::Message&) {
    peer_sid = s;
    peer_ua->answer(s, {}, sip::Body{"application/sdp", sdp(1, "sendrecv")});
  };
  auto call = far_cc->setup(far_group, iam());
  ASSERT_TRUE(call);
  pump();
  ASSERT_NE(peer_sid, 0u);
  std::vector<std::string> offers;  // what the peer was offered, in order
  auto isup_only = [&] {
    while (!q.empty()) {
      auto p = std::move(q.front());
      q.pop_front();
      p.to->on_transfer(p.label, p.bytes);
    }
  };
  ASSERT_TRUE(far_cc->notify(*call, isup::kNotificationRemoteHold));
  isup_only();
  ASSERT_TRUE(far_cc->notify(*call, isup::kNotificationRemoteRetrieval));
  isup_only();
  EXPECT_EQ(counters.value("call.reinvite_refused"), 1u);  // ours is out
  EXPECT_EQ(media.last(), MediaMode::kSendRecv);           // the MG follows ISUP at once
  pump();
  for (const auto& w : wire) {
    if (sip::test::method_or_status(w) != "INVITE" || w.find("a=send") == std::string::npos) continue;
    if (w.find("Via: SIP/2.0/UDP 192.0.2.1") == std::string::npos) continue;
    offers.push_back(w.find("a=sendonly") != std::string::npos ? "sendonly" : "sendrecv");
  }
  EXPECT_EQ(offers, (std::vector<std::string>{"sendrecv", "sendonly", "sendrecv"}));  // INVITE, hold, retrieval
  EXPECT_EQ(counters.value("call.reinvite_ok"), 2u);
  EXPECT_EQ(media.last(), MediaMode::kSendRecv);
  ASSERT_TRUE(far_cc->release(*call, 16));
  pump();
  EXPECT_EQ(engine->active_calls(), 0u);
}

}  // namespace
}  // namespace isupgw::engine
