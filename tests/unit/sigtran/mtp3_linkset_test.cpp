// MTP3 link set over M2PA (Q.704, Q.707) in virtual time: two signalling end
// points, point codes 1 and 2, joined by a link set of two links (SLC 0 and 1)
// over in-memory transports. Alignment, SLTM/SLTA, SLS load sharing, changeover
// with retrieval (nothing lost or duplicated), emergency and time-controlled
// changeover (ECO/ECA, T2), changeback, TRA, TFP/TFA, UPU.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "base/hex.h"
#include "sigtran/mtp3_linkset.h"
#include "tests/support/tshark_oracle.h"
#include "tests/unit/sigtran/m3ua_test_support.h"

namespace isupgw::sigtran::mtp3 {
namespace {

using m3ua::testing::LogCapture;
using m3ua::testing::MemTransport;
using m3ua::testing::pump;
using m3ua::testing::Recorder;
using namespace std::chrono_literals;

// `own_restart`: this side's MTP restarts when it starts (Q.704 9.2); the fixture's B was
// running already, so A's restart meets an adjacent SP (9.3).
LinkSetConfig config(std::string name, std::uint32_t local, std::uint32_t adjacent, bool own_restart = true) {
  LinkSetConfig c;
  c.name = std::move(name);
  c.own_restart = own_restart;
  c.local_pc = local;
  c.adjacent_pc = adjacent;
  c.destinations = {7};
  c.t2_changeover = 800ms;  // Q.704 T2 0.7-2 s; below M2PA's T7 so that T2 can expire first
  return c;
}

SlState link_state(const LinkSet& ls, std::size_t i) { return ls.link_state(i); }

// The signalling network management messages a transport carried (M2PA User Data -> MTP3),
// with the M2PA bytes for tshark.
struct SentMgmt {
  std::vector<std::uint8_t> m2pa;
  Message msu;
};
std::vector<SentMgmt> mgmt_sent(const MemTransport& t, MgmtType type) {
  std::vector<SentMgmt> out;
  for (const auto& raw : t.raw_sent) {
    auto u = m2pa::decode_user_data(raw);
    if (!u || u->data.empty()) continue;
    auto m = decode(u->data, Variant::kItu);
    if (m && m->mgmt && m->mgmt->type == type) out.push_back({raw, *m});
  }
  return out;
}

// tshark (ITU MTP3) decodes what we emitted with the same heading, SLC and FSN.
void expect_tshark_agrees(const SentMgmt& s) {
  ASSERT_TRUE(tshark::available()) << "text2pcap/tshark not installed (scripts/setup installs them)";
  auto d = tshark::dissect(s.m2pa, tshark::Wrap::kM2pa, {"-o", "mtp3.standard:ITU"});
  ASSERT_TRUE(d.ok()) << d.error;
  EXPECT_FALSE(d.malformed) << d.problems();
  const auto& g = *s.msu.mgmt;
  auto num = [](const std::optional<std::string>& v) { return v ? std::stoul(*v, nullptr, 0) : 999999ul; };
  EXPECT_EQ(num(d.first("mtp3.service_indicator")), 0u) << d.dump();
  EXPECT_EQ(num(d.first("mtp3mg.h0")), g.h0) << d.dump();
  EXPECT_EQ(num(d.first("mtp3mg.h1")), g.h1) << d.dump();
  EXPECT_EQ(num(d.first("mtp3.sls")), g.slc) << "ITU: the concerned SLC is the label's SLS\n" << d.dump();
  if (g.type == MgmtType::kXco || g.type == MgmtType::kXca || g.type == MgmtType::kCoo || g.type == MgmtType::kCoa) {
    EXPECT_EQ(num(d.first("mtp3mg.fsn")), g.fsn) << d.dump();
  }
}

struct LinkSetTest : ::testing::Test {
  ManualClock clock;
  ManualTimerService timers{clock};
  LogCapture cap;
  Counters counters;
  MemTransport ta[2], tb[2];
  Recorder ua, ub;
  LinkSet a{config("lsA", 1, 2), timers, cap.log, counters};
  LinkSet b{config("lsB", 2, 1, false), timers, cap.log, counters};

  LinkSetTest() {
    for (int i = 0; i < 2; ++i) {
      m3ua::testing::link_pair(ta[i], tb[i]);
      m2pa::LinkConfig lc;
      lc.slc = static_cast<std::uint8_t>(i);
      lc.name = "";
      EXPECT_NE(a.add_link(lc, ta[i]), nullptr);
      EXPECT_NE(b.add_link(lc, tb[i]), nullptr);
    }
    a.set_user(-1, &ua);
    b.set_user(si::kIsup, &ub);
  }
  void pump_all() {
    for (int round = 0; round < 3; ++round)
      for (int i = 0; i < 2; ++i) pump(ta[i], tb[i]);
  }
  void advance(Clock::duration d) {
    for (auto t = Clock::duration{}; t < d; t += 100ms) {
      timers.advance(100ms);
      pump_all();
    }
  }
  void connect() {
    for (int i = 0; i < 2; ++i)
      if (!ta[i].up && ta[i].wants && tb[i].wants) {
        ta[i].up = tb[i].up = true;
        ta[i].handler->on_connected();
        tb[i].handler->on_connected();
      }
  }
  bool deliver_one() {
    for (auto* t : {&ta[0], &tb[0], &ta[1], &tb[1]})
      if (!t->inbox.empty()) {
        auto [stream, msg] = std::move(t->inbox.front());
        t->inbox.pop_front();
        t->handler->on_message(stream, msg);
        return true;
      }
    return false;
  }
  // Runs virtual time, delivering one message at a time, until `pred` holds.
  template <class P>
  bool run_until(P pred, Clock::duration limit) {
    for (auto t = Clock::duration{}; t < limit; t += 100ms) {
      timers.advance(100ms);
      connect();
      do {
        if (pred()) return true;
      } while (deliver_one());
    }
    return pred();
  }
  void bring_up() {
    a.start();
    b.start();
    pump_all();
    advance(8500ms);  // M2PA proving (T4n), then SLTM/SLTA
  }
  // ISUP-like payload: an id in two octets.
  bool send(std::uint16_t id, std::uint8_t sls) {
    MtpLabel l{1, 2, si::kIsup, 2, 0, sls};
    std::uint8_t data[2] = {static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id)};
    return a.transfer(l, data);
  }
  std::vector<std::uint16_t> received_ids() const {
    std::vector<std::uint16_t> out;
    for (const auto& [l, d] : ub.transfers) out.push_back(static_cast<std::uint16_t>(d[0] << 8 | d[1]));
    return out;
  }
};

TEST_F(LinkSetTest, LinksAlignAndPassTheSignallingLinkTestThenTheAdjacentSpResumes) {
  bring_up();
  EXPECT_EQ(a.active_links(), 2u);
  EXPECT_EQ(b.active_links(), 2u);
  EXPECT_GE(cap.count("SLTA"), 4u) << "each side answered each link's SLTM";
  // Q.704 9: TRA from the adjacent SP makes it available: MTP-RESUME.
  ASSERT_FALSE(ua.events.empty());
  EXPECT_EQ(ua.events.front(), "resume 2");
  EXPECT_TRUE(a.available(2));
  EXPECT_TRUE(a.available(7));
  EXPECT_FALSE(a.available(9)) << "not served by this link set";
}

TEST_F(LinkSetTest, NotInServiceBeforeProvingEnds) {
  a.start();
  b.start();
  pump_all();
  advance(8s);
  EXPECT_EQ(a.active_links(), 0u);
  EXPECT_FALSE(a.available(2));
}

TEST_F(LinkSetTest, SlsLoadSharingOverBothLinks) {
  bring_up();
  for (std::uint8_t sls = 0; sls < 16; ++sls) EXPECT_EQ(*a.link_for_sls(sls), sls % 2u) << int(sls);
  for (std::uint16_t id = 0; id < 32; ++id) ASSERT_TRUE(send(id, static_cast<std::uint8_t>(id % 16)));
  EXPECT_EQ(a.link(0).unacked(), 16u);
  EXPECT_EQ(a.link(1).unacked(), 16u);
  pump_all();
  EXPECT_EQ(ub.transfers.size(), 32u);
  EXPECT_EQ(a.link(0).unacked(), 0u);
}

TEST_F(LinkSetTest, ChangeoverRetrievesUnacknowledgedMessagesNothingLostOrDuplicated) {
  bring_up();
  // 40 messages over both links; link 0 delivers 5 of its 20 and then breaks:
  // the other 15 and every acknowledgement of link 0 are lost in the transport.
  for (std::uint16_t id = 0; id < 40; ++id) ASSERT_TRUE(send(id, static_cast<std::uint8_t>(id % 16)));
  for (int k = 0; k < 5; ++k) {
    auto [stream, msg] = tb[0].inbox.front();
    tb[0].inbox.pop_front();
    tb[0].handler->on_message(stream, msg);
  }
  ta[0].inbox.clear();  // acknowledgements lost
  ta[0].close();
  // Traffic continues during the changeover: held, then sent after the retrieved messages.
  for (std::uint16_t id = 40; id < 60; ++id) ASSERT_TRUE(send(id, static_cast<std::uint8_t>(id % 16)));
  pump_all();
  advance(200ms);
  EXPECT_EQ(a.active_links(), 1u);
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.changeovers"), 1u);
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.retrieved"), 15u);
  auto ids = received_ids();
  std::multiset<std::uint16_t> got(ids.begin(), ids.end());
  ASSERT_EQ(ids.size(), 60u);
  for (std::uint16_t id = 0; id < 60; ++id) EXPECT_EQ(got.count(id), 1u) << "id " << id;
  // Per SLS, in the order sent (Q.704 5.1: sequence preserved on changeover).
  std::map<int, std::uint16_t> last;
  for (auto id : ids) {
    int sls = id % 16;
    if (last.count(sls)) {
      EXPECT_LT(last[sls], id) << "sls " << sls;
    }
    last[sls] = id;
  }
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.discarded"), 0u);
  // Both ends changed over at once: each completed on the other's XCO; the crossing XCAs are
  // accepted by the signalling link table, nothing refused.
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.link.refused"), 0u);
  EXPECT_EQ(counters.value("mtp3.linkset.lsB.link.refused"), 0u);
  EXPECT_EQ(link_state(a, 0), SlState::kChangedOver);
}

TEST_F(LinkSetTest, ClassicChangeoverOrderWith7BitFsnAlsoRetrieves) {
  bring_up();
  // 10 messages on link 0 (even SLS); B accepts 3, the rest are lost; B then changes over
  // with a classic COO carrying the 7 low bits of its last accepted FSN (Q.704 5.4.1).
  for (std::uint16_t id = 0; id < 10; ++id) ASSERT_TRUE(send(id, 0));
  for (int k = 0; k < 3; ++k) {
    auto [stream, msg] = tb[0].inbox.front();
    tb[0].inbox.pop_front();
    tb[0].handler->on_message(stream, msg);
  }
  tb[0].inbox.clear();
  ta[0].inbox.clear();
  Message coo;
  coo.label = Label{si::kSnm, 2, 0, 1, 2, 0};
  coo.mgmt = Management{};
  coo.mgmt->type = MgmtType::kCoo;
  coo.mgmt->slc = 0;
  coo.mgmt->fsn = b.link(0).last_accepted_fsn() & 0x7f;
  const auto accepted = a.link(0).last_accepted_fsn();
  ASSERT_TRUE(b.link(1).send_msu(encode(coo, Variant::kItu)));
  pump_all();
  advance(200ms);
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.retrieved"), 7u);
  auto ids = received_ids();
  ASSERT_EQ(ids.size(), 10u);
  for (std::uint16_t id = 0; id < 10; ++id) EXPECT_EQ(ids[id], id);
  // Answered in kind: COA with the 7 low bits of our last accepted FSN (Q.704 5.4.1).
  auto coa = mgmt_sent(ta[1], MgmtType::kCoa);
  ASSERT_EQ(coa.size(), 1u);
  EXPECT_EQ(coa[0].msu.mgmt->fsn, accepted & 0x7f);
  expect_tshark_agrees(coa[0]);
}

TEST_F(LinkSetTest, ChangebackWhenTheLinkIsRestored) {
  bring_up();
  // Bringing up the second link already changed its SLSs back from the first one.
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.changebacks"), 1u);
  ta[0].close();
  advance(200ms);
  EXPECT_EQ(*a.link_for_sls(0), 1u) << "SLS 0 diverted to link 1";
  // MTP3 restarted the link after changeover; M2PA realigns (1 s reconnect, 8.2 s proving), SLTM/SLTA.
  advance(11s);
  EXPECT_EQ(a.active_links(), 2u);
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.changebacks"), 2u);
  EXPECT_EQ(*a.link_for_sls(0), 0u) << "SLS 0 back on its home link";
  EXPECT_GE(cap.count("CBA"), 1u);
  for (std::uint16_t id = 0; id < 32; ++id) ASSERT_TRUE(send(id, static_cast<std::uint8_t>(id % 16)));
  pump_all();
  EXPECT_EQ(ub.transfers.size(), 32u);
}

TEST_F(LinkSetTest, TrafficDuringChangebackIsHeldAndKeepsItsOrder) {
  bring_up();
  ta[0].close();
  advance(200ms);
  // Restore link 0; while it is under test, SLS 0 still goes over link 1.
  ASSERT_TRUE(run_until([&] { return a.link_status(0) == LinkStatus::kTesting; }, 15s));
  for (std::uint16_t id = 0; id < 10; ++id) ASSERT_TRUE(send(id, 0));
  EXPECT_EQ(a.link(1).unacked(), 10u);
  // SLTA: changeback starts, CBD goes on link 1 behind the diverted traffic ...
  ASSERT_TRUE(run_until([&] { return counters.value("mtp3.linkset.lsA.changebacks") == 2; }, 1s));
  // ... and what is sent before the CBA is held, then sent on link 0.
  const auto before = a.link(0).unacked();
  for (std::uint16_t id = 10; id < 20; ++id) ASSERT_TRUE(send(id, 0));
  EXPECT_EQ(a.link(0).unacked(), before) << "held, not sent yet";
  pump_all();
  auto ids = received_ids();
  ASSERT_EQ(ids.size(), 20u);
  for (std::uint16_t id = 0; id < 20; ++id) EXPECT_EQ(ids[id], id);
  EXPECT_EQ(*a.link_for_sls(0), 0u);
}

TEST_F(LinkSetTest, LosingEveryLinkPausesTheDestinations) {
  bring_up();
  ta[0].close();
  ta[1].close();
  advance(100ms);
  EXPECT_EQ(ua.events.back(), "pause 7");
  EXPECT_FALSE(send(1, 0));
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.tx_unavailable"), 1u);
}

TEST_F(LinkSetTest, TransferProhibitedAndAllowedAsAnEndPoint) {
  bring_up();
  Message tfp;
  tfp.label = Label{si::kSnm, 2, 0, 1, 2, 0};
  tfp.mgmt = Management{};
  tfp.mgmt->type = MgmtType::kTfp;
  tfp.mgmt->destination = 7;
  ASSERT_TRUE(b.link(0).send_msu(encode(tfp, Variant::kItu)));
  pump_all();
  EXPECT_EQ(ua.events.back(), "pause 7");
  EXPECT_TRUE(a.available(2)) << "the adjacent SP itself stays available";
  // Q.704 13.5.2: RST every T10 while prohibited.
  advance(30s);
  EXPECT_GE(cap.count("RST"), 1u);
  tfp.mgmt->type = MgmtType::kTfa;
  ASSERT_TRUE(b.link(1).send_msu(encode(tfp, Variant::kItu)));
  pump_all();
  EXPECT_EQ(ua.events.back(), "resume 7");
}

TEST_F(LinkSetTest, UserPartUnavailableBothWays) {
  bring_up();
  // SCCP (SI 3) has no user at B: B answers UPU (unequipped), A reports MTP-STATUS.
  MtpLabel l{1, 2, si::kSccp, 2, 0, 3};
  std::uint8_t data[3] = {9, 9, 9};
  ASSERT_TRUE(a.transfer(l, data));
  pump_all();
  EXPECT_EQ(ua.events.back(), "status 2 upu 1");
  EXPECT_EQ(counters.value("mtp3.linkset.lsB.rx_no_user"), 1u);
}

TEST_F(LinkSetTest, SltaFromTheWrongPointCodeFailsTheTestAndRestartsTheLink) {
  MemTransport tc, td;  // declared first: the link sets' links refer to them
  m3ua::testing::link_pair(tc, td);
  LinkSet c{config("lsC", 1, 3), timers, cap.log, counters};  // expects adjacent 3, D is 2
  LinkSet d{config("lsD", 2, 1, false), timers, cap.log, counters};
  m2pa::LinkConfig lc;
  lc.slc = 0;
  c.add_link(lc, tc);
  d.add_link(lc, td);
  c.start();
  d.start();
  pump(tc, td);
  for (int k = 0; k < 85 + 170; ++k) {  // proving, then twice T1 (8 s)
    timers.advance(100ms);
    pump(tc, td);
  }
  EXPECT_EQ(c.active_links(), 0u);
  EXPECT_GE(counters.value("mtp3.linkset.lsC.slt_failures"), 2u);
  EXPECT_GE(cap.count("mtp3_slt_failed"), 1u);
}

TEST_F(LinkSetTest, ExtendedChangeoverOrderCarriesOurLastAcceptedFsnAndTsharkAgrees) {
  bring_up();
  for (std::uint16_t id = 0; id < 6; ++id) ASSERT_TRUE(send(id, 0));
  pump_all();
  const auto accepted = a.link(0).last_accepted_fsn();
  ta[0].close();
  advance(200ms);
  // Q.704 5.2 / Q.2210: XCO on the alternative link, 24-bit FSN; B answers XCA (or crosses with its XCO).
  auto xco = mgmt_sent(ta[1], MgmtType::kXco);
  ASSERT_EQ(xco.size(), 1u);
  EXPECT_EQ(xco[0].msu.mgmt->slc, 0u);
  EXPECT_EQ(xco[0].msu.mgmt->fsn, accepted);
  EXPECT_EQ(xco[0].msu.label.opc, 1u);
  EXPECT_EQ(xco[0].msu.label.dpc, 2u);
  // SIO 0x80 (national, SNM), label, heading 0x31 (H0 1, H1 3), FSN in 3 octets, LSB first.
  const auto hex = to_hex(std::span(xco[0].m2pa).subspan(17));
  EXPECT_EQ(hex.substr(0, 2), "80") << hex;
  EXPECT_EQ(hex.substr(10, 2), "31") << hex;
  expect_tshark_agrees(xco[0]);
  auto xca = mgmt_sent(ta[1], MgmtType::kXca);
  ASSERT_EQ(xca.size(), 1u);
  expect_tshark_agrees(xca[0]);
}

TEST_F(LinkSetTest, ChangeoverOrderLostT2ExpiresTimeControlledAndALateOrderGetsEmergencyAcknowledgement) {
  bring_up();
  // 10 messages on link 0 that B never gets; A's link 0 fails silently for B.
  for (std::uint16_t id = 0; id < 10; ++id) ASSERT_TRUE(send(id, 0));
  const auto unacked = a.link(0).unacked();
  a.link(0).stop();
  tb[0].inbox.clear();
  // A's XCO (on link 1) waits in B's input: B is busy past T2.
  ASSERT_EQ(mgmt_sent(ta[1], MgmtType::kXco).size(), 1u);
  // Q.704 5.7.2: no answer within T2 (800 ms here): new traffic on the alternative link, nothing retrieved.
  for (int k = 0; k < 7; ++k) {
    timers.advance(100ms);
  }
  EXPECT_EQ(cap.count("mtp3_changeover_timeout linkset=lsA slc=0"), 0u) << "not before T2";
  timers.advance(200ms);
  EXPECT_EQ(cap.count("mtp3_changeover_timeout linkset=lsA slc=0"), 1u);
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.retrieved"), 0u);
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.discarded"), unacked) << "possible loss, counted; never duplicated";
  // B now reads the XCO, changes over too and sends its own XCO (link 0 also realigns, its numbers
  // reset): Q.704 5.7.3, our changeover is complete: ECA and nothing else.
  advance(300ms);
  auto eca = mgmt_sent(ta[1], MgmtType::kEca);
  ASSERT_EQ(eca.size(), 1u);
  EXPECT_EQ(eca[0].msu.mgmt->slc, 0u);
  expect_tshark_agrees(eca[0]);
  EXPECT_EQ(cap.count("mtp3_changeover_done linkset=lsB slc=0"), 1u);
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.changeovers"), 1u) << "the ECA started nothing new";
  // Traffic of SLS 0 flows on link 1 meanwhile.
  ASSERT_TRUE(send(100, 0));
  pump_all();
  EXPECT_EQ(received_ids().back(), 100u);
}

TEST_F(LinkSetTest, EmergencyChangeoverOrderIsAnsweredWithOurFsnAndOurUnacknowledgedMessagesAreDiscarded) {
  bring_up();
  // 10 messages on link 0; B accepts 3; the rest and B's acknowledgements are lost.
  for (std::uint16_t id = 0; id < 10; ++id) ASSERT_TRUE(send(id, 0));
  for (int k = 0; k < 3; ++k) {
    auto [stream, msg] = tb[0].inbox.front();
    tb[0].inbox.pop_front();
    tb[0].handler->on_message(stream, msg);
  }
  tb[0].inbox.clear();
  ta[0].inbox.clear();
  const auto accepted = a.link(0).last_accepted_fsn();
  const auto unacked = a.link(0).unacked();
  ASSERT_GE(unacked, 10u);
  // B's terminal lost its numbers: ECO (Q.704 5.6.1), no FSN.
  Message eco;
  eco.label = Label{si::kSnm, 2, 0, 1, 2, 0};
  eco.mgmt = Management{};
  eco.mgmt->type = MgmtType::kEco;
  eco.mgmt->slc = 0;
  ASSERT_TRUE(b.link(1).send_msu(encode(eco, Variant::kItu)));
  auto eco_sent = mgmt_sent(tb[1], MgmtType::kEco);
  ASSERT_EQ(eco_sent.size(), 1u);
  pump(ta[1], tb[1]);
  // A still knows its last accepted FSN: XCA with it, so B can update its own buffer ...
  auto xca = mgmt_sent(ta[1], MgmtType::kXca);
  ASSERT_EQ(xca.size(), 1u);
  EXPECT_EQ(xca[0].msu.mgmt->fsn, accepted);
  expect_tshark_agrees(xca[0]);
  expect_tshark_agrees(eco_sent[0]);
  // ... but A cannot know which of its own B accepted: no retrieval (Q.704 5.6.2).
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.retrieved"), 0u);
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.discarded"), unacked);
  EXPECT_EQ(a.active_links(), 1u);
  EXPECT_EQ(received_ids().size(), 3u) << "the 7 unacknowledged are lost, none duplicated";
}

TEST_F(LinkSetTest, ChangeoverOrderWhenOurNumbersWereResetIsAnsweredWithEca) {
  bring_up();
  // Link 1 fails and realigns: while proving, its M2PA numbers are those of the new alignment.
  ta[1].close();
  advance(1500ms);
  ASSERT_FALSE(a.link(1).sequence_known());
  ASSERT_EQ(a.link_status(1), LinkStatus::kDown);
  const auto before = mgmt_sent(ta[0], MgmtType::kEca).size();
  Message xco;
  xco.label = Label{si::kSnm, 2, 0, 1, 2, 1};
  xco.mgmt = Management{};
  xco.mgmt->type = MgmtType::kXco;
  xco.mgmt->slc = 1;
  xco.mgmt->fsn = 5;
  ASSERT_TRUE(b.link(0).send_msu(encode(xco, Variant::kItu)));
  pump(ta[0], tb[0]);
  auto eca = mgmt_sent(ta[0], MgmtType::kEca);
  ASSERT_EQ(eca.size(), before + 1);
  EXPECT_EQ(eca.back().msu.mgmt->slc, 1u);
}

TEST_F(LinkSetTest, UnreasonableFsnInTheChangeoverOrderMeansNoRetrieval) {
  bring_up();
  for (std::uint16_t id = 0; id < 5; ++id) ASSERT_TRUE(send(id, 0));
  tb[0].inbox.clear();
  ta[0].inbox.clear();
  Message xco;
  xco.label = Label{si::kSnm, 2, 0, 1, 2, 0};
  xco.mgmt = Management{};
  xco.mgmt->type = MgmtType::kXco;
  xco.mgmt->slc = 0;
  xco.mgmt->fsn = 0x123456;  // never sent by A
  ASSERT_TRUE(b.link(1).send_msu(encode(xco, Variant::kItu)));
  pump(ta[1], tb[1]);
  // Q.704 5.7.1: no buffer updating, new traffic on the alternative link.
  EXPECT_EQ(cap.count("mtp3_changeover_unreasonable_fsn linkset=lsA slc=0"), 1u);
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.retrieved"), 0u);
  EXPECT_EQ(counters.value("mtp3.linkset.lsA.discarded"), 5u);
}

TEST_F(LinkSetTest, RemoteProcessorOutageChangesOverTimeControlledAfterT1AndBackOnRecovery) {
  bring_up();
  // B's M2PA reports processor outage on link 0 (RFC 4165 Link Status), then recovery.
  auto b_reports = [&](m2pa::LinkState st) {
    m2pa::Message m;
    m.type = m2pa::MessageType::kLinkStatus;
    m.state = st;
    m.bsn = b.link(0).last_accepted_fsn();
    m.fsn = a.link(0).last_accepted_fsn();
    ta[0].handler->on_message(m2pa::kStreamLinkStatus, m2pa::encode(m));
  };
  b_reports(m2pa::LinkState::kProcessorOutage);
  EXPECT_EQ(a.link_status(0), LinkStatus::kDown);
  EXPECT_TRUE(a.link(0).in_service()) << "M2PA stays in service; MTP3 takes the link out of traffic";
  EXPECT_EQ(cap.count("mtp3_changeover_time_controlled linkset=lsA slc=0"), 1u);
  // Q.704 5.6.2: the far end cannot answer: no changeover order at all.
  EXPECT_TRUE(mgmt_sent(ta[1], MgmtType::kXco).empty());
  EXPECT_TRUE(mgmt_sent(ta[1], MgmtType::kEco).empty());
  // Traffic of SLS 0 is held for T1 (800 ms) ...
  for (std::uint16_t id = 0; id < 5; ++id) ASSERT_TRUE(send(id, 0));
  advance(700ms);
  EXPECT_TRUE(received_ids().empty()) << "held during T1";
  // ... then sent on link 1, in order.
  advance(200ms);
  ASSERT_EQ(received_ids(), (std::vector<std::uint16_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(*a.link_for_sls(0), 1u);
  EXPECT_EQ(cap.count("mtp3_changeover_timeout"), 0u) << "T1 is not a T2 expiry";
  // Recovery: link 0 is tested again (SLTM/SLTA), then changed back (CBD/CBA).
  b_reports(m2pa::LinkState::kProcessorRecovered);
  advance(500ms);
  EXPECT_EQ(a.link_status(0), LinkStatus::kActive);
  EXPECT_EQ(cap.count("mtp3_changeback_done linkset=lsA slc=0"), 1u);
  EXPECT_EQ(*a.link_for_sls(0), 0u);
  ASSERT_TRUE(send(5, 0));
  pump_all();
  EXPECT_EQ(received_ids().back(), 5u);
}

TEST(LinkSetLimits, SixteenLinksAtMost) {
  ManualClock clock;
  ManualTimerService timers(clock);
  Logger log;
  Counters counters;
  std::vector<MemTransport> t(17);
  LinkSet s{config("ls", 1, 2), timers, log, counters};
  for (std::uint8_t i = 0; i < 16; ++i) {
    m2pa::LinkConfig lc;
    lc.slc = i;
    EXPECT_NE(s.add_link(lc, t[i]), nullptr);
  }
  m2pa::LinkConfig lc;
  lc.slc = 3;
  EXPECT_EQ(s.add_link(lc, t[16]), nullptr);
  EXPECT_EQ(s.link_count(), 16u);
}

}  // namespace
}  // namespace isupgw::sigtran::mtp3
