// SIP-I transparency end to end in process (issue 7, Q.1912.5): far exchange ->
// ISUP -> gateway X -> SIP-I (the real SIP stack, sip::UserAgent over a memory
// transport) -> gateway Y -> ISUP -> far exchange 2. ISUP parameters SIP cannot
// express arrive unchanged; every SIP-I message on the wire decodes in tshark
// (application/ISUP inside SIP) with nothing malformed.
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
#include "tests/support/tshark_oracle.h"

namespace isupgw::engine {
namespace {

struct Far final : isup::CallControlUser {
  void on_setup(isup::CallId c, const isup::IncomingSetup& s) override {
    last = c;
    events.push_back("setup");
    if (s.iam)
      for (const auto& p : s.iam->optional)
        params.emplace_back(p.code, std::vector<std::uint8_t>(p.value.begin(), p.value.end()));
    called = std::string(s.called.digits.view());
  }
  void on_progress(isup::CallId, const isup::BackwardIndication& i) override {
    events.push_back(i.alerting ? "alerting" : "progress");
  }
  void on_answer(isup::CallId, const isup::Message&) override { events.push_back("answer"); }
  void on_release(isup::CallId, const isup::ReleaseIndication& r) override {
    events.push_back("release:" + std::to_string(r.cause));
  }
  isup::CallId last = 0;
  std::vector<std::string> events;
  std::vector<std::pair<std::uint8_t, std::vector<std::uint8_t>>> params;
  std::string called;
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

// One gateway: engine + ISUP call control towards its own far exchange + SIP UA.
struct Gateway {
  Gateway(std::string host, std::string peer_host, bool sip_to_isup, ManualClock& clock, ManualTimerService& timers,
          ManualTimerService& stimers, std::deque<Pending>& q, Logger& log, Counters& counters)
      : transport(host, 5060) {
    EngineConfig ec;
    SipTrunkInfo t;
    t.name = "peer";
    t.peer.host = peer_host;
    t.acl.add(peer_host);
    t.profile.kind = mapping::SipProfile::kSipI;
    t.profile.host = peer_host;
    ec.trunks.push_back(std::move(t));
    RouteEntry r;
    r.from = sip_to_isup ? "peer" : "tg";
    r.targets.push_back(RouteTarget{sip_to_isup ? RouteTarget::Kind::kTrunkGroup : RouteTarget::Kind::kSipTrunk,
                                    sip_to_isup ? "tg" : "peer", 0, "", std::nullopt});
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
    ua = std::make_unique<sip::UserAgent>(transport, stimers, *engine, clock, log, counters);
    engine->attach(ua.get(), gw.get());
  }
  sip::MemoryTransportLayer transport;
  std::unique_ptr<CallEngine> engine;
  Port gw_port, far_port;
  isup::MtpUser* to_far = nullptr;
  isup::MtpUser* to_gw = nullptr;
  std::unique_ptr<isup::IsupCallControl> gw, far_cc;
  Far far;
  isup::GroupId far_group = 0;
  std::unique_ptr<sip::UserAgent> ua;
};

class SipIRoundTrip : public ::testing::Test {
 protected:
  SipIRoundTrip() : log([](std::string_view) {}) {}
  // Moves SIP messages between the two stacks and ISUP messages to their
  // destinations until nothing is left.
  void pump() {
    for (int round = 0; round < 100; ++round) {
      bool moved = false;
      while (!q.empty()) {
        auto p = std::move(q.front());
        q.pop_front();
        p.to->on_transfer(p.label, p.bytes);
        moved = true;
      }
      for (auto [from, to] : {std::pair{&x, &y}, std::pair{&y, &x}}) {
        auto sent = std::move(from->transport.sent);
        from->transport.sent.clear();
        for (auto& s : sent) {
          wire.push_back(s.bytes);
          to->ua->receive(sip::Peer{sip::Transport::kUdp, from == &x ? "192.0.2.1" : "192.0.2.2", 5060}, s.bytes);
          moved = true;
        }
      }
      stimers.advance(std::chrono::milliseconds(1));
      timers.advance(Clock::duration::zero());
      if (!moved && q.empty() && x.transport.sent.empty() && y.transport.sent.empty()) break;
    }
  }

  Logger log;
  Counters counters;
  ManualClock clock;
  ManualTimerService timers{clock};
  ManualTimerService stimers{clock};
  std::deque<Pending> q;
  Gateway x{"192.0.2.1", "192.0.2.2", false, clock, timers, stimers, q, log, counters};
  Gateway y{"192.0.2.2", "192.0.2.1", true, clock, timers, stimers, q, log, counters};
  std::vector<std::string> wire;  // every SIP message exchanged
};

TEST_F(SipIRoundTrip, IsupParametersSipCannotExpressArriveUnchanged) {
  isup::SetupRequest req;
  req.called.kind = isup::NumberKind::kCalled;
  req.called.nai = 3;
  req.called.npi = 1;
  req.called.digits.assign("301234567F");
  isup::Number calling;
  calling.kind = isup::NumberKind::kCalling;
  calling.nai = 3;
  calling.npi = 1;
  calling.screening = 3;
  calling.digits.assign("30999");
  req.calling = calling;
  // User-to-user information and a generic notification: no SIP header carries them.
  const std::vector<std::uint8_t> uui = {0x04, 0x41, 0x42};
  const std::vector<std::uint8_t> gni = {0x80 | 0x02};
  req.optional.emplace_back(isup::par::kUserToUserInformation, uui);
  req.optional.emplace_back(isup::par::kGenericNotificationIndicator, gni);
  auto call = x.far_cc->setup(x.far_group, req);
  ASSERT_TRUE(call);
  pump();
  ASSERT_EQ(y.far.events.size(), 1u) << "IAM did not arrive at the far side";
  EXPECT_EQ(y.far.called, "301234567F");
  auto find = [&](std::uint8_t code) -> std::vector<std::uint8_t> {
    for (const auto& [c, v] : y.far.params)
      if (c == code) return v;
    return {};
  };
  EXPECT_EQ(find(isup::par::kUserToUserInformation), uui);
  EXPECT_EQ(find(isup::par::kGenericNotificationIndicator), gni);
  // Alerting and answer back, release forward: both circuits idle at the end.
  ASSERT_TRUE(y.far_cc->alert(y.far.last));
  pump();
  ASSERT_TRUE(y.far_cc->answer(y.far.last));
  pump();
  EXPECT_EQ(x.far.events, (std::vector<std::string>{"alerting", "answer"}));
  ASSERT_TRUE(x.far_cc->release(*call, 16));
  pump();
  EXPECT_EQ(y.far.events.back(), "release:16");
  EXPECT_EQ(x.engine->active_calls(), 0u);
  EXPECT_EQ(y.engine->active_calls(), 0u);

  if (!tshark::available()) GTEST_FAIL() << "tshark not installed (scripts/setup.sh installs it)";
  std::vector<std::vector<std::uint8_t>> payloads;
  std::size_t with_isup = 0;
  for (const auto& m : wire) {
    payloads.emplace_back(m.begin(), m.end());
    with_isup += m.find("application/ISUP") != std::string::npos;
  }
  EXPECT_GE(with_isup, 4u);  // INVITE (IAM), 180 (ACM), 200 (ANM), BYE (REL)
  std::size_t byes = 0;
  auto d = tshark::dissect_many(payloads, tshark::Wrap::kSipUdp);
  ASSERT_EQ(d.size(), wire.size());
  for (std::size_t i = 0; i < d.size(); ++i) {
    EXPECT_TRUE(d[i].ok()) << d[i].error;
    EXPECT_FALSE(d[i].malformed) << d[i].problems() << "\n" << wire[i];
    if (wire[i].starts_with("INVITE")) {
      EXPECT_EQ(d[i].first("isup.message_type"), "1") << d[i].dump();
      EXPECT_TRUE(d[i].has("isup.called_party_odd_address_signal_digit") ||
                  d[i].has("isup.called_party_even_address_signal_digit"));
    }
    if (wire[i].starts_with("BYE")) {  // Q.1912.5 / RFC 3372: REL -> BYE, the REL encapsulated
      ++byes;
      EXPECT_EQ(d[i].first("isup.message_type"), "12") << d[i].dump();
      EXPECT_EQ(d[i].first("q850.cause_indicator").value_or(d[i].first("isup.cause_indicator").value_or("")), "16")
          << d[i].dump();
    }
    if (wire[i].starts_with("SIP/2.0 200") && wire[i].find("BYE\r\n") != std::string::npos) {
      EXPECT_EQ(wire[i].find("application/ISUP"), std::string::npos);  // RLC is never encapsulated
    }
  }
  EXPECT_EQ(byes, 1u);
}

// The callee's side hangs up with a cause of its own: its gateway's BYE
// carries the REL, and the caller's gateway releases with the REL's cause.
TEST_F(SipIRoundTrip, RelInByeCarriesTheCauseAcross) {
  isup::SetupRequest req;
  req.called.kind = isup::NumberKind::kCalled;
  req.called.nai = 3;
  req.called.npi = 1;
  req.called.digits.assign("301234567F");
  auto call = x.far_cc->setup(x.far_group, req);
  ASSERT_TRUE(call);
  pump();
  ASSERT_TRUE(y.far_cc->answer(y.far.last));
  pump();
  ASSERT_EQ(x.far.events, (std::vector<std::string>{"answer"}));
  ASSERT_TRUE(y.far_cc->release(y.far.last, 31));  // normal, unspecified
  pump();
  EXPECT_EQ(x.far.events.back(), "release:31");
  EXPECT_EQ(x.engine->active_calls(), 0u);
  EXPECT_EQ(y.engine->active_calls(), 0u);
  std::size_t byes = 0;
  for (const auto& m : wire)
    if (m.starts_with("BYE")) {
      ++byes;
      EXPECT_NE(m.find("Content-Type: application/ISUP"), std::string::npos) << m;
      EXPECT_NE(m.find("Reason: Q.850;cause=31"), std::string::npos) << m;
    }
  EXPECT_EQ(byes, 1u);
}

}  // namespace
}  // namespace isupgw::engine
