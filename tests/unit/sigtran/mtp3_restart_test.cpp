// The MTP restart procedure (Q.704 clause 9) and M2PA alignment against a strict
// peer (issue 24), in virtual time:
//  - a scripted strict peer (strict_peer.h) that ignores our first Alignment and
//    drops traffic arriving before its own link test: the link aligns on the first
//    association, our TRA follows its test and its TRA, traffic follows our TRA;
//  - our restart meeting an adjacent SP (T20 / T21 stopped by TRA), both restarting
//    (T20 expiry), the adjacent role's T21 expiry, TRA and T19 (9.5), user traffic
//    waiting for the M2PA acknowledgement of our TRA, user messages that overtook
//    the adjacent SP's TRA held until MTP-RESUME.
#include <gtest/gtest.h>

#include <algorithm>

#include "sigtran/mtp3_linkset.h"
#include "tests/unit/sigtran/m3ua_test_support.h"
#include "tests/unit/sigtran/strict_peer.h"

namespace isupgw::sigtran::mtp3 {
namespace {

using m3ua::testing::LogCapture;
using m3ua::testing::MemTransport;
using m3ua::testing::pump;
using namespace std::chrono_literals;

LinkSetConfig config(std::string name, std::uint32_t local, std::uint32_t adjacent, bool own_restart) {
  LinkSetConfig c;
  c.name = std::move(name);
  c.local_pc = local;
  c.adjacent_pc = adjacent;
  c.own_restart = own_restart;
  return c;
}

// Primitives and user messages in the order the user saw them.
struct User final : MtpUser {
  std::vector<std::string> seen;
  void on_transfer(const MtpLabel& l, std::span<const std::uint8_t> d) override {
    seen.push_back("transfer si=" + std::to_string(l.si) + " " + std::to_string(d.empty() ? -1 : d[0]));
  }
  void on_pause(std::uint32_t dpc) override { seen.push_back("pause " + std::to_string(dpc)); }
  void on_resume(std::uint32_t dpc) override { seen.push_back("resume " + std::to_string(dpc)); }
  void on_status(std::uint32_t, const MtpStatus&) override {}
  bool resumed() const {
    return std::any_of(seen.begin(), seen.end(), [](const std::string& s) { return s.starts_with("resume "); });
  }
};

std::vector<std::uint8_t> isup_msu(std::uint32_t opc, std::uint32_t dpc, std::uint8_t sls, std::uint8_t tag) {
  Message m;
  m.label = Label{si::kIsup, 2, 0, dpc, opc, sls};
  m.data = {tag, 0x00, 0x17};  // CIC low, CIC high, a message type octet: content is not inspected
  return encode(m, Variant::kItu);
}

// --- Against the strict peer ----------------------------------------------------------------------

struct StrictPeerTest : ::testing::Test {
  ManualClock clock;
  ManualTimerService timers{clock};
  LogCapture cap;
  Counters counters;
  MemTransport ours, theirs;
  User user;
  std::unique_ptr<testing::StrictPeer> peer;
  std::unique_ptr<LinkSet> ls;

  void make(Clock::duration status_repeat) {
    m3ua::testing::link_pair(ours, theirs);
    peer = std::make_unique<testing::StrictPeer>(testing::StrictPeer::Config{}, theirs, timers);
    ls = std::make_unique<LinkSet>(config("ls", 1, 2, true), timers, cap.log, counters);
    m2pa::LinkConfig lc;
    lc.slc = 0;
    lc.timers.status_repeat = status_repeat;
    lc.timers.t4n = 500ms;
    ls->add_link(lc, ours);
    ls->set_user(si::kIsup, &user);
  }
  void run(Clock::duration d) {
    for (auto t = Clock::duration{}; t < d; t += 10ms) {
      timers.advance(10ms);
      pump(ours, theirs);
    }
  }
};

TEST_F(StrictPeerTest, AlignsOnTheFirstAssociationAndNothingReachesThePeerBeforeItsTestAndTra) {
  make(100ms);
  ls->start();
  pump(ours, theirs);
  run(10s);
  // RFC 4165 4.1.2: our Alignment, repeated, met the peer's T2 on the first association.
  EXPECT_EQ(peer->associations, 1);
  EXPECT_GE(peer->ignored_alignments, 1) << "the first Alignment came before the peer's alignment timer";
  EXPECT_EQ(peer->accepted_alignments, 1);
  EXPECT_TRUE(peer->in_service);
  EXPECT_EQ(counters.value("m2pa.link.ls/0.alignment_attempts"), 1u);
  EXPECT_GE(counters.value("m2pa.link.ls/0.tx_alignment"), 10u) << "every 100 ms during the peer's 1 s delay";
  EXPECT_EQ(counters.value("m2pa.link.ls/0.proving_periods"), 1u);
  // Q.704 9.2.3 / 9.2.4: our T20 began at level 2, our TRA followed the peer's.
  EXPECT_EQ(cap.count("mtp3_restart linkset=ls phase=begin role=restarting timer=T20 ms=60000"), 1u);
  EXPECT_EQ(cap.count("mtp3_restart linkset=ls phase=end role=restarting by=tra_completes"), 1u) << cap.lines.size();
  EXPECT_TRUE(peer->test_passed);
  EXPECT_TRUE(peer->tra_received);
  EXPECT_TRUE(peer->dropped.empty()) << peer->dropped.front();
  // What the peer received, in order: our SLTM and the SLTA to its own test, then TRA.
  ASSERT_GE(peer->order.size(), 3u);
  EXPECT_EQ(peer->order[0], "SLTM");
  EXPECT_EQ(peer->order[1], "SLTA");
  EXPECT_EQ(peer->order[2], "TRA");
  EXPECT_TRUE(user.resumed());
  EXPECT_EQ(counters.value("mtp3.linkset.ls.rx_tra"), 1u);
  EXPECT_EQ(counters.value("mtp3.linkset.ls.tx_tra"), 1u);
  EXPECT_EQ(counters.value("mtp3.linkset.ls.t20_expiries"), 0u);
  // User traffic after MTP-RESUME is taken.
  ASSERT_TRUE(ls->transfer(MtpLabel{1, 2, si::kIsup, 2, 0, 1}, std::vector<std::uint8_t>{1, 0, 0x17}));
  pump(ours, theirs);
  EXPECT_EQ(peer->accepted.back(), "si=5");
  EXPECT_TRUE(peer->dropped.empty());
}

TEST_F(StrictPeerTest, ASingleAlignmentNeverMeetsThePeersAlignmentTimer) {
  // The behaviour issue 24 reported: one Alignment, ignored; the peer gives up after its T2.
  make(Clock::duration::zero());
  ls->start();
  pump(ours, theirs);
  run(7s);
  EXPECT_EQ(peer->ignored_alignments, 1);
  EXPECT_EQ(peer->accepted_alignments, 0);
  EXPECT_FALSE(peer->in_service);
  EXPECT_FALSE(ours.up) << "the peer dropped the association";
}

// --- Two of our link sets ---------------------------------------------------------------------------

struct RestartPair : ::testing::Test {
  ManualClock clock;
  ManualTimerService timers{clock};
  LogCapture cap;
  Counters counters;
  MemTransport ta[2], tb[2];
  User ua, ub;
  std::unique_ptr<LinkSet> a, b;
  int links = 1;
  bool drop_b_tra = false;  // B's TRA does not reach A's MTP3 (a TFA for an unknown destination instead)

  void make(bool a_own, bool b_own, int n = 1) {
    links = n;
    a = std::make_unique<LinkSet>(config("lsA", 1, 2, a_own), timers, cap.log, counters);
    b = std::make_unique<LinkSet>(config("lsB", 2, 1, b_own), timers, cap.log, counters);
    for (int i = 0; i < n; ++i) {
      m3ua::testing::link_pair(ta[i], tb[i]);
      m2pa::LinkConfig lc;
      lc.slc = static_cast<std::uint8_t>(i);
      lc.name = "";
      lc.timers.t4n = 500ms;
      a->add_link(lc, ta[i]);
      b->add_link(lc, tb[i]);
    }
    a->set_user(si::kIsup, &ua);
    b->set_user(si::kIsup, &ub);
  }
  // The same M2PA User Data (FSN, BSN), with a TFA for destination 99 in place of the TRA.
  static std::vector<std::uint8_t> without_tra(const std::vector<std::uint8_t>& raw) {
    auto m = m2pa::decode(raw);
    auto msu = decode(m->data, Variant::kItu);
    msu->mgmt->type = MgmtType::kTfa;
    msu->mgmt->destination = 99;
    m->data = encode(*msu, Variant::kItu);
    return m2pa::encode(*m);
  }
  static bool is_tra(const std::vector<std::uint8_t>& raw) {
    auto u = m2pa::decode_user_data(raw);
    if (!u || u->data.empty()) return false;
    auto m = decode(u->data, Variant::kItu);
    return m && m->mgmt && m->mgmt->type == MgmtType::kTra;
  }
  MemTransport* hold = nullptr;  // its inbox is not delivered
  void connect() {
    for (int i = 0; i < links; ++i)
      if (!ta[i].up && ta[i].wants && tb[i].wants) {
        ta[i].up = tb[i].up = true;
        ta[i].handler->on_connected();
        tb[i].handler->on_connected();
      }
  }
  bool deliver_one() {
    for (int i = 0; i < links; ++i)
      for (auto* t : {&ta[i], &tb[i]}) {
        if (t == hold || t->inbox.empty()) continue;
        auto [stream, msg] = std::move(t->inbox.front());
        t->inbox.pop_front();
        if (drop_b_tra && t == &ta[i] && is_tra(msg)) msg = without_tra(msg);
        t->handler->on_message(stream, msg);
        return true;
      }
    return false;
  }
  void pump_all() {
    connect();
    for (int guard = 0; guard < 100000 && deliver_one(); ++guard) {
    }
  }
  void run(Clock::duration d) {
    for (auto t = Clock::duration{}; t < d; t += 10ms) {
      timers.advance(10ms);
      pump_all();
    }
  }
  void start() {
    a->start();
    b->start();
    pump_all();
  }
  // Virtual time in 10 ms steps, one message delivered at a time, until `pred` holds.
  template <class P>
  bool run_until(P pred, Clock::duration limit) {
    for (auto t = Clock::duration{}; t < limit; t += 10ms) {
      timers.advance(10ms);
      connect();
      do {
        if (pred()) return true;
      } while (deliver_one());
    }
    return pred();
  }
  std::size_t line_of(std::string_view needle) const {
    for (std::size_t i = 0; i < cap.lines.size(); ++i)
      if (cap.lines[i].find(needle) != std::string::npos) return i;
    return cap.lines.size();
  }
};

TEST_F(RestartPair, OurRestartMeetsTheAdjacentSpTraFirstFromTheAdjacentThenOurs) {
  make(/*a_own=*/true, /*b_own=*/false);
  start();
  run(2s);
  ASSERT_TRUE(ua.resumed());
  ASSERT_TRUE(ub.resumed());
  EXPECT_EQ(cap.count("mtp3_restart linkset=lsA phase=begin role=restarting timer=T20"), 1u);
  EXPECT_EQ(cap.count("mtp3_restart linkset=lsB phase=begin role=adjacent timer=T21 ms=64000"), 1u);
  // 9.3.2: B sends TRA once its link set is available; 9.2.4: A answers it, then restarts traffic.
  const auto b_sent = line_of("mtp3_tra_sent linkset=lsB");
  const auto a_got = line_of("mtp3_tra_received linkset=lsA");
  const auto a_sent = line_of("mtp3_tra_sent linkset=lsA");
  const auto a_traffic = line_of("mtp3_traffic_restart linkset=lsA");
  EXPECT_LT(b_sent, a_got);
  EXPECT_LT(a_got, a_sent);
  EXPECT_LT(a_sent, a_traffic);
  EXPECT_LT(line_of("mtp3_tra_acknowledged linkset=lsA"), a_traffic) << "traffic waits for the TRA's M2PA ack";
  EXPECT_EQ(cap.count("mtp3_restart linkset=lsA phase=end role=restarting by=tra_completes"), 1u);
  EXPECT_EQ(cap.count("mtp3_restart linkset=lsB phase=end role=adjacent by=tra_completes"), 1u);
  for (const char* ls : {"lsA", "lsB"}) {
    const std::string p = std::string("mtp3.linkset.") + ls;
    EXPECT_EQ(counters.value(p + ".tx_tra"), 1u) << ls;
    EXPECT_EQ(counters.value(p + ".rx_tra"), 1u) << ls;
    EXPECT_EQ(counters.value(p + ".t20_expiries") + counters.value(p + ".t21_expiries"), 0u) << ls;
  }
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.restarts_own"), 1u);
  EXPECT_EQ(counters.value("mtp3.linkset.lsB.restarts_adjacent"), 1u);

  // 9.5.2: A started T19 with its TRA: another TRA from B is discarded, not answered.
  Message tra;
  tra.label = Label{si::kSnm, 2, 0, 1, 2, 0};
  tra.mgmt = Management{};
  tra.mgmt->type = MgmtType::kTra;
  ASSERT_TRUE(b->link(0).send_msu(encode(tra, Variant::kItu)));
  pump_all();
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.rx_tra_discarded"), 1u);
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.tx_tra"), 1u);
  // 9.5.1: B has no T19 running: an unexpected TRA is answered with TRA, once per T19.
  tra.label = Label{si::kSnm, 2, 0, 2, 1, 0};
  ASSERT_TRUE(a->link(0).send_msu(encode(tra, Variant::kItu)));
  pump_all();
  EXPECT_EQ(counters.value("mtp3.linkset.lsB.tx_tra"), 2u);
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.rx_tra_discarded"), 2u) << "A's T19 still runs";
  ASSERT_TRUE(a->link(0).send_msu(encode(tra, Variant::kItu)));
  pump_all();
  EXPECT_EQ(counters.value("mtp3.linkset.lsB.tx_tra"), 2u) << "B's T19 runs now";
  EXPECT_EQ(counters.value("mtp3.linkset.lsB.rx_tra_discarded"), 1u);
  run(68s);  // T19 = 68 s
  ASSERT_TRUE(a->link(0).send_msu(encode(tra, Variant::kItu)));
  pump_all();
  EXPECT_EQ(counters.value("mtp3.linkset.lsB.tx_tra"), 3u) << "after T19, answered again";
}

TEST_F(RestartPair, BothRestartingWaitForEachOtherUntilT20) {
  make(true, true);
  start();
  run(59900ms);
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.tx_tra"), 0u) << "neither sends TRA during T20 (9.2.3)";
  EXPECT_EQ(counters.value("mtp3.linkset.lsB.tx_tra"), 0u);
  EXPECT_FALSE(ua.resumed());
  EXPECT_FALSE(a->available(2));
  // T20 started when the link came into service at level 2 (proving 500 ms after the start).
  run(1s);
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.t20_expiries"), 1u);
  EXPECT_EQ(counters.value("mtp3.linkset.lsB.t20_expiries"), 1u);
  EXPECT_TRUE(ua.resumed());
  EXPECT_TRUE(ub.resumed());
  // Each answered the other's restart already: the crossing TRAs are discarded under T19.
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.rx_tra_discarded"), 1u);
  EXPECT_EQ(counters.value("mtp3.linkset.lsB.rx_tra_discarded"), 1u);
  EXPECT_EQ(cap.count("phase=end role=restarting by=t20_expiry"), 2u);
}

TEST_F(RestartPair, TheAdjacentRoleRestartsTrafficAtT21WhenNoTraComes) {
  make(false, false);
  drop_b_tra = true;
  start();
  run(2s);
  EXPECT_TRUE(ub.resumed()) << "B has A's TRA";
  EXPECT_FALSE(ua.resumed()) << "A waits for B's TRA";
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.tx_tra"), 1u) << "A's own TRA went when the link set was available";
  // T21 = 64 s from level 2 (about 0.5 s after the start).
  run(62s);
  EXPECT_FALSE(ua.resumed());
  run(1s);
  EXPECT_TRUE(ua.resumed());
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.t21_expiries"), 1u);
  EXPECT_EQ(cap.count("mtp3_restart linkset=lsA phase=end role=adjacent by=t21_expiry"), 1u);
}

TEST_F(RestartPair, UserMessagesThatOvertookTheTraAreHeldUntilMtpResume) {
  make(true, false, 2);
  a->start();
  b->start();
  // Until B has sent its TRA on link 0; it stays there while link 1 comes into service.
  ASSERT_TRUE(run_until([&] { return counters.value("mtp3.linkset.lsB.tx_tra") > 0; }, 3s));
  hold = &ta[0];
  ASSERT_TRUE(run_until([&] { return a->link(1).in_service() && b->link(1).in_service(); }, 3s));
  ASSERT_EQ(b->restart_state(), RestartState::kAdjacentRestart);
  hold = nullptr;
  // B's user message on link 1 overtakes B's TRA on link 0 (two SCTP associations).
  ASSERT_TRUE(b->link(1).send_msu(isup_msu(2, 1, 1, 0x42)));
  pump(ta[1], tb[1]);
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.rx_held_restart"), 1u);
  EXPECT_TRUE(ua.seen.empty() || ua.seen.back() != "transfer si=5 66") << "not before MTP-RESUME";
  // B's TRA arrives: A sends its own; traffic restarts on its acknowledgement, then the held message.
  pump_all();
  ASSERT_TRUE(ua.resumed());
  const auto resume = std::find(ua.seen.begin(), ua.seen.end(), "resume 2");
  const auto held = std::find(ua.seen.begin(), ua.seen.end(), "transfer si=5 66");
  ASSERT_NE(held, ua.seen.end());
  EXPECT_LT(resume, held);
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.discarded"), 0u);
}

TEST_F(RestartPair, OurTrafficWaitsForTheAcknowledgementOfOurTra) {
  make(true, false);
  a->start();
  b->start();
  // Until A has sent its TRA (not yet delivered, so not acknowledged).
  ASSERT_TRUE(run_until([&] { return counters.value("mtp3.linkset.lsA.tx_tra") > 0; }, 3s));
  // The restart has ended at A (TRA in and out), but B has not acknowledged A's TRA yet.
  EXPECT_EQ(a->restart_state(), RestartState::kAvailable);
  EXPECT_FALSE(a->available(2));
  EXPECT_FALSE(ua.resumed());
  EXPECT_FALSE(a->transfer(MtpLabel{1, 2, si::kIsup, 2, 0, 0}, std::vector<std::uint8_t>{1}));
  pump_all();  // B acknowledges (and takes the TRA)
  EXPECT_TRUE(a->available(2));
  EXPECT_TRUE(ua.resumed());
  EXPECT_TRUE(ub.resumed());
}

TEST_F(RestartPair, LosingTheLinkSetEndsTheRestartAndItsReturnIsTheAdjacentSpsRestart) {
  make(true, false);
  start();
  run(2s);
  ASSERT_TRUE(ua.resumed());
  ta[0].close();
  pump_all();
  EXPECT_EQ(ua.seen.back(), "pause 2");
  EXPECT_EQ(a->restart_state(), RestartState::kDown);
  // The link realigns (1 s reconnect, 500 ms proving): 9.3, the adjacent SP restarted.
  run(3s);
  EXPECT_EQ(cap.count("mtp3_restart linkset=lsA phase=begin role=adjacent"), 1u);
  EXPECT_EQ(ua.seen.back(), "resume 2");
}

}  // namespace
}  // namespace isupgw::sigtran::mtp3
