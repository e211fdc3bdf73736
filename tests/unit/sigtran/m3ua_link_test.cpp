// Two M3UA stacks wired through in-memory transports, in virtual time: role
// pairs (ASP/SG, IPSP single and double exchange), MTP primitives from SSNM and
// association state, errors answered with the right ERR code, reconnect with backoff.
#include <gtest/gtest.h>

#include "base/hex.h"
#include "sigtran/mtp3.h"
#include "tests/unit/sigtran/m3ua_test_support.h"

namespace isupgw::sigtran::m3ua {
namespace {

using namespace std::chrono_literals;
using testing::LogCapture;
using testing::MemTransport;
using testing::Recorder;

constexpr std::uint32_t kPcA = 1, kPcB = 2;

struct Side {
  Side(ManualTimerService& timers, Role role, std::vector<std::uint32_t> rcs, std::uint32_t remote_pc)
      : mtp(timers, cap.log, counters) {
    LinkConfig cfg;
    cfg.name = std::string(to_string(role));
    cfg.role = role;
    cfg.routing_contexts = std::move(rcs);
    cfg.traffic_mode = TrafficMode::kOverride;
    cfg.t_beat = 30s;
    link = &mtp.add_link(cfg, transport);
    mtp.add_route(remote_pc, Route{{0}, TrafficMode::kOverride});
    mtp.set_user(-1, &user);
  }
  LogCapture cap;
  Counters counters;
  MemTransport transport;
  Mtp3 mtp;
  Link* link = nullptr;
  Recorder user;
};

struct Pair {
  Pair(Role ra, Role rb, std::vector<std::uint32_t> rcs_a = {10}, std::vector<std::uint32_t> rcs_b = {10})
      : a(timers, ra, std::move(rcs_a), kPcB), b(timers, rb, std::move(rcs_b), kPcA) {
    testing::link_pair(a.transport, b.transport);
  }
  void run(Clock::duration d = 0ms, bool allow_connect = true) {
    auto end = clock.now() + d;
    do {
      testing::pump(a.transport, b.transport, allow_connect);
      if (clock.now() >= end) break;
      timers.advance(10ms);
    } while (true);
  }
  void up() {
    a.mtp.start();
    b.mtp.start();
    run();
  }
  ManualClock clock;
  ManualTimerService timers{clock};
  Side a, b;
};

std::vector<std::uint8_t> bytes(std::initializer_list<std::uint8_t> l) { return l; }

TEST(M3uaLink, AspAgainstSgBringUpNotifyAndDataBothWays) {
  Pair p(Role::kAsp, Role::kSg);
  p.up();
  EXPECT_EQ(p.a.link->asp_state(), AspState::kActive);
  EXPECT_EQ(p.b.link->peer_state(), PeerAspState::kActive);
  EXPECT_TRUE(p.a.link->ready());
  EXPECT_TRUE(p.b.link->ready());
  EXPECT_EQ(p.a.link->as_state(10), AsState::kActive);  // our ASPAC ACK + SGP NTFY AS-ACTIVE
  EXPECT_EQ(p.a.user.events, std::vector<std::string>{"resume 2"});
  EXPECT_EQ(p.b.user.events, std::vector<std::string>{"resume 1"});

  auto isup = bytes({0x01, 0x00, 0x10});
  EXPECT_TRUE(p.a.mtp.transfer(MtpLabel{kPcA, kPcB, 5, 2, 0, 3}, isup));
  EXPECT_TRUE(p.b.mtp.transfer(MtpLabel{kPcB, kPcA, 5, 2, 0, 4}, isup));
  p.run();
  ASSERT_EQ(p.b.user.transfers.size(), 1u);
  EXPECT_EQ(p.b.user.transfers[0].first, (MtpLabel{kPcA, kPcB, 5, 2, 0, 3}));
  EXPECT_EQ(p.b.user.transfers[0].second, isup);
  ASSERT_EQ(p.a.user.transfers.size(), 1u);
  // DATA carried the routing context.
  bool rc_in_data = false;
  for (const auto& m : p.a.transport.sent)
    if (m.type == MessageType::kData) rc_in_data = m.routing_context == std::vector<std::uint32_t>{10};
  EXPECT_TRUE(rc_in_data);
  // Unknown DPC: no route, counted.
  EXPECT_FALSE(p.a.mtp.transfer(MtpLabel{kPcA, 99, 5, 2, 0, 0}, isup));
  EXPECT_EQ(p.a.counters.value("m3ua.mtp.no_route"), 1u);
}

TEST(M3uaLink, IpspSingleExchange) {
  Pair p(Role::kIpspClient, Role::kIpspServer);
  p.up();
  EXPECT_TRUE(p.a.link->ready());
  EXPECT_TRUE(p.b.link->ready());
  for (const auto& m : p.b.transport.sent) EXPECT_NE(m.type, MessageType::kNtfy);   // no NTFY between IPSPs
  for (const auto& m : p.b.transport.sent) EXPECT_NE(m.type, MessageType::kAspUp);  // single exchange
  EXPECT_TRUE(p.b.mtp.transfer(MtpLabel{kPcB, kPcA, 5, 2, 0, 1}, bytes({1, 2})));
  p.run();
  EXPECT_EQ(p.a.user.transfers.size(), 1u);
}

TEST(M3uaLink, IpspDoubleExchange) {
  Pair p(Role::kIpspDouble, Role::kIpspDouble);
  p.up();
  EXPECT_EQ(p.a.link->asp_state(), AspState::kActive);
  EXPECT_EQ(p.a.link->peer_state(), PeerAspState::kActive);
  EXPECT_TRUE(p.a.link->ready());
  EXPECT_TRUE(p.b.link->ready());
  std::size_t aspup_from_b = 0;
  for (const auto& m : p.b.transport.sent) aspup_from_b += m.type == MessageType::kAspUp;
  EXPECT_EQ(aspup_from_b, 1u);
  EXPECT_TRUE(p.a.mtp.transfer(MtpLabel{kPcA, kPcB, 5, 2, 0, 1}, bytes({7})));
  p.run();
  EXPECT_EQ(p.b.user.transfers.size(), 1u);
}

TEST(M3uaLink, SsnmDrivesPauseResumeStatus) {
  Pair p(Role::kAsp, Role::kSg);
  p.up();
  p.a.user.events.clear();
  Message duna;
  duna.type = MessageType::kDuna;
  duna.routing_context = {{10}};
  duna.affected_point_code = {{{0, kPcB}}};
  p.b.link->send_message(duna);
  p.run();
  EXPECT_EQ(p.a.user.events, std::vector<std::string>{"pause 2"});
  EXPECT_FALSE(p.a.mtp.transfer(MtpLabel{kPcA, kPcB, 5, 2, 0, 0}, bytes({1})));
  EXPECT_EQ(p.a.counters.value("m3ua.mtp.dpc_unavailable"), 1u);

  Message scon;
  scon.type = MessageType::kScon;
  scon.affected_point_code = {{{0, kPcB}}};
  scon.congestion_level = 2;
  p.b.link->send_message(scon);
  Message dupu;
  dupu.type = MessageType::kDupu;
  dupu.affected_point_code = {{{0, kPcB}}};
  dupu.user_cause = UserCause{unavailability::kInaccessible, 5};
  p.b.link->send_message(dupu);
  Message dava = duna;
  dava.type = MessageType::kDava;
  // Wildcard: mask 3 covers point codes 0..7, so also kPcB.
  dava.affected_point_code = {{{3, 0}}};
  p.b.link->send_message(dava);
  p.run();
  EXPECT_EQ(p.a.user.events,
            (std::vector<std::string>{"pause 2", "status 2 congestion 2", "status 2 upu 2", "resume 2"}));
}

TEST(M3uaLink, WrongRoutingContextGetsInvalidRoutingContext) {
  Pair p(Role::kAsp, Role::kSg, {10}, {10});
  p.up();
  // DATA with RC 11 from the SG: the ASP answers ERR 0x19 naming the RC, delivers nothing.
  DataView d;
  d.routing_context = 11;
  d.opc = kPcB;
  d.dpc = kPcA;
  d.si = 5;
  std::array<std::uint8_t, 64> buf{};
  auto n = *encode_data(d, buf);
  p.a.transport.inject({buf.begin(), buf.begin() + n});
  p.run();
  EXPECT_TRUE(p.a.user.transfers.empty());
  ASSERT_FALSE(p.a.transport.sent.empty());
  const auto& err = p.a.transport.sent.back();
  EXPECT_EQ(err.type, MessageType::kErr);
  EXPECT_EQ(err.error_code, 0x19u);
  EXPECT_EQ(*err.routing_context, std::vector<std::uint32_t>{11});
  EXPECT_EQ(p.b.counters.value("m3ua.rx.err"), 1u);
  EXPECT_TRUE(p.a.link->ready());

  // ASPAC naming an unknown RC at the SG: ERR invalid routing context, ASP stays inactive.
  Pair q(Role::kAsp, Role::kSg, {12}, {10});
  q.up();
  EXPECT_FALSE(q.b.link->ready());
  bool saw = false;
  for (const auto& m : q.b.transport.sent) saw = saw || (m.type == MessageType::kErr && m.error_code == 0x19u);
  EXPECT_TRUE(saw);
}

TEST(M3uaLink, GarbageIsAnsweredWithTheRightErrorAndTheStackStaysUp) {
  Pair p(Role::kAsp, Role::kSg);
  p.up();
  struct Case {
    const char* hex;
    std::uint32_t code;
  };
  for (auto c :
       {Case{"02 00 03 01 00000008", 0x01}, Case{"01 00 07 01 00000008", 0x03}, Case{"01 00 03 09 00000008", 0x04},
        Case{"01 00 01 01 00000008", 0x16}, Case{"01 00 03 01 00000010 0006 0008 00000001", 0x13},
        Case{"01 00 03 01 00000010 0011 0006 00000000", 0x12}, Case{"01 00 09 01 00000008", 0x16}}) {
    p.b.transport.sent.clear();
    p.a.transport.inject(*from_hex(c.hex));  // towards the ASP... answered by the ASP
    p.run();
    ASSERT_FALSE(p.a.transport.sent.empty()) << c.hex;
    EXPECT_EQ(p.a.transport.sent.back().type, MessageType::kErr) << c.hex;
    EXPECT_EQ(p.a.transport.sent.back().error_code, c.code) << c.hex;
  }
  // An ERR is never answered with an ERR.
  auto before = p.a.transport.sent.size();
  p.a.transport.inject(*from_hex("01 00 00 00 00000010 000c 0008 00000007"));
  p.run();
  EXPECT_EQ(p.a.transport.sent.size(), before);
  EXPECT_TRUE(p.a.link->ready());
  EXPECT_TRUE(p.a.mtp.transfer(MtpLabel{kPcA, kPcB, 5, 2, 0, 0}, bytes({1})));
  p.run();
  EXPECT_EQ(p.b.user.transfers.size(), 1u);
}

TEST(M3uaLink, DataOnStreamZeroIsRejectedOnSctp) {
  Pair p(Role::kAsp, Role::kSg);
  p.a.transport.n_streams = p.b.transport.n_streams = 17;
  p.up();
  EXPECT_TRUE(p.a.mtp.transfer(MtpLabel{kPcA, kPcB, 5, 2, 0, 5}, bytes({1})));
  ASSERT_FALSE(p.b.transport.inbox.empty());
  EXPECT_EQ(p.b.transport.inbox.back().first, 6);  // 1 + SLS % 16
  p.run();
  EXPECT_EQ(p.b.user.transfers.size(), 1u);
  DataView d;
  d.routing_context = 10;
  d.opc = kPcB;
  d.dpc = kPcA;
  std::array<std::uint8_t, 64> buf{};
  auto n = *encode_data(d, buf);
  p.a.transport.inject({buf.begin(), buf.begin() + n}, 0);
  p.run();
  EXPECT_EQ(p.a.transport.sent.back().error_code, 0x09u);  // invalid stream identifier
}

TEST(M3uaLink, CommLossPausesAndReconnectWithBackoffResumes) {
  Pair p(Role::kAsp, Role::kSg);
  p.up();
  p.a.user.events.clear();
  p.b.transport.close();  // peer drops the connection
  p.run();
  EXPECT_EQ(p.a.user.events, std::vector<std::string>{"pause 2"});
  EXPECT_EQ(p.a.link->asp_state(), AspState::kDown);
  EXPECT_FALSE(p.a.mtp.transfer(MtpLabel{kPcA, kPcB, 5, 2, 0, 0}, bytes({1})));
  // The peer is not back for 1 s: the ASP retries with growing backoff (200, 400, 800 ms ...).
  const int starts = p.a.transport.starts;
  p.run(1000ms, /*allow_connect=*/false);
  EXPECT_GE(p.a.transport.starts - starts, 2);
  EXPECT_LE(p.a.transport.starts - starts, 3);
  p.run(3000ms);
  EXPECT_EQ(p.a.user.events, (std::vector<std::string>{"pause 2", "resume 2"}));
  EXPECT_TRUE(p.a.mtp.transfer(MtpLabel{kPcA, kPcB, 5, 2, 0, 0}, bytes({1})));
}

TEST(M3uaLink, BeatLossDropsTheAssociation) {
  Pair p(Role::kAsp, Role::kSg);
  p.up();
  // Peer goes silent: its messages vanish, while ours still reach it (so that only we
  // supervise a silent peer; the peer keeps hearing our BEATs).
  p.a.user.events.clear();
  for (int i = 0; i < 100 * 100 && p.a.link->ready(); ++i) {
    p.a.transport.inbox.clear();
    while (!p.b.transport.inbox.empty()) {
      auto [stream, msg] = std::move(p.b.transport.inbox.front());
      p.b.transport.inbox.pop_front();
      p.b.transport.handler->on_message(stream, msg);
    }
    p.timers.advance(10ms);
  }
  EXPECT_FALSE(p.a.link->ready());
  EXPECT_GE(p.a.counters.value("m3ua.beat.peer_lost"), 1u);
  EXPECT_EQ(p.a.user.events.front(), "pause 2");
}

TEST(M3uaLink, UnavailableDestinationIsAuditedUntilDava) {
  Pair p(Role::kAsp, Role::kSg);
  p.a.mtp.set_audit_interval(5s);
  p.up();
  // The SG reports destination 2 unavailable.
  Message duna;
  duna.type = MessageType::kDuna;
  duna.affected_point_code = {{{0, kPcB}}};
  p.b.link->send_message(duna);
  p.run();
  EXPECT_FALSE(p.a.mtp.available(kPcB));
  p.b.user.events.clear();
  p.run(10s);  // beats may flow too; count only DAUDs
  std::size_t dauds = 0;
  for (const auto& m : p.a.transport.sent) dauds += m.type == MessageType::kDaud;
  EXPECT_GE(dauds, 1u);
  EXPECT_LE(dauds, 2u);
  // (The SG double answers each DAUD from its own route table: DUNA, as it has no route to 2.)
  // Once the SG says DAVA, the audits stop.
  Message dava = duna;
  dava.type = MessageType::kDava;
  p.b.link->send_message(dava);
  p.run();
  EXPECT_TRUE(p.a.mtp.available(kPcB));
  const auto before = p.a.counters.value("m3ua.mtp.daud_sent");
  p.run(20s);
  EXPECT_EQ(p.a.counters.value("m3ua.mtp.daud_sent"), before);
}

TEST(M3uaLink, DaudAnsweredFromRouteState) {
  Pair p(Role::kAsp, Role::kSg);
  p.up();
  Message daud;
  daud.type = MessageType::kDaud;
  daud.affected_point_code = {{{0, kPcA}}};
  p.a.link->send_message(daud);
  p.run();
  EXPECT_EQ(p.b.transport.sent.back().type, MessageType::kDava);
}

TEST(M3uaLink, TrafficModesAcrossTwoAssociations) {
  ManualClock clock;
  ManualTimerService timers(clock);
  LogCapture cap;
  Counters counters;
  MemTransport t1, t2;  // transports outlive the stack that uses them
  Mtp3 asp(timers, cap.log, counters);
  Recorder user;
  asp.set_user(-1, &user);
  Side sg1(timers, Role::kSg, {10}, kPcA), sg2(timers, Role::kSg, {10}, kPcA);
  testing::link_pair(t1, sg1.transport);
  testing::link_pair(t2, sg2.transport);
  LinkConfig c;
  c.role = Role::kAsp;
  c.routing_contexts = {10};
  c.name = "l1";
  asp.add_link(c, t1);
  c.name = "l2";
  asp.add_link(c, t2);
  asp.add_route(kPcB, Route{{0, 1}, TrafficMode::kLoadshare});
  asp.start();
  sg1.mtp.start();
  sg2.mtp.start();
  auto run = [&] {
    for (int i = 0; i < 3; ++i) {
      testing::pump(t1, sg1.transport);
      testing::pump(t2, sg2.transport);
    }
  };
  run();
  ASSERT_TRUE(asp.link(0).ready() && asp.link(1).ready());
  // Loadshare: by SLS, the same SLS always on the same association (RFC 4666 4.3.4.3 / Q.705 order).
  for (int round = 0; round < 2; ++round)
    for (std::uint8_t sls = 0; sls < 8; ++sls)
      EXPECT_TRUE(asp.transfer(MtpLabel{kPcA, kPcB, 5, 2, 0, sls}, bytes({sls})));
  run();
  ASSERT_EQ(sg1.user.transfers.size(), 8u);
  ASSERT_EQ(sg2.user.transfers.size(), 8u);
  for (const auto& [label, data] : sg1.user.transfers) EXPECT_EQ(label.sls % 2, 0);
  for (const auto& [label, data] : sg2.user.transfers) EXPECT_EQ(label.sls % 2, 1);

  // One association lost: the DPC stays available (no PAUSE), all traffic on the other.
  sg1.transport.close();
  run();
  EXPECT_EQ(user.events, std::vector<std::string>{"resume 2"});
  for (std::uint8_t sls = 0; sls < 4; ++sls)
    EXPECT_TRUE(asp.transfer(MtpLabel{kPcA, kPcB, 5, 2, 0, sls}, bytes({sls})));
  run();
  EXPECT_EQ(sg2.user.transfers.size(), 12u);

  // Broadcast: every usable association gets every message.
  timers.advance(1s);
  run();
  ASSERT_TRUE(asp.link(0).ready());
  asp.add_route(kPcB, Route{{0, 1}, TrafficMode::kBroadcast});
  EXPECT_TRUE(asp.transfer(MtpLabel{kPcA, kPcB, 5, 2, 0, 0}, bytes({9})));
  run();
  EXPECT_EQ(sg1.user.transfers.size(), 9u);
  EXPECT_EQ(sg2.user.transfers.size(), 13u);

  // Override: the first usable association in preference order.
  asp.add_route(kPcB, Route{{1, 0}, TrafficMode::kOverride});
  EXPECT_TRUE(asp.transfer(MtpLabel{kPcA, kPcB, 5, 2, 0, 0}, bytes({9})));
  run();
  EXPECT_EQ(sg2.user.transfers.size(), 14u);
  EXPECT_EQ(user.events, std::vector<std::string>{"resume 2"});
}

// Issue 23: with the origin check on, an MSU is accepted only over an association
// its OPC is routed through; one claiming another OPC is dropped and counted.
TEST(M3uaLink, OriginCheckDropsAnOpcNotRoutedOverTheLink) {
  Pair p(Role::kAsp, Role::kSg);
  p.b.mtp.set_origin_check(true);
  p.up();
  auto isup = bytes({0x01, 0x00, 0x12});
  EXPECT_TRUE(p.a.mtp.transfer(MtpLabel{kPcA, kPcB, 5, 2, 0, 0}, isup));
  EXPECT_TRUE(p.a.mtp.transfer(MtpLabel{9, kPcB, 5, 2, 0, 0}, isup));  // an OPC b routes nowhere
  p.run();
  ASSERT_EQ(p.b.user.transfers.size(), 1u);
  EXPECT_EQ(p.b.user.transfers[0].first.opc, kPcA);
  EXPECT_EQ(p.b.counters.value("guard.m3ua.sg.wrong_origin"), 1u);
  // A default route covers every OPC over its links.
  p.b.mtp.set_default_route(Route{{0}, TrafficMode::kOverride});
  EXPECT_TRUE(p.a.mtp.transfer(MtpLabel{9, kPcB, 5, 2, 0, 0}, isup));
  p.run();
  EXPECT_EQ(p.b.user.transfers.size(), 2u);
}

}  // namespace
}  // namespace isupgw::sigtran::m3ua
