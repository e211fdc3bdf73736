// The IUA association (RFC 4233) in virtual time: our ASP brought up and
// activated with integer and text interface identifiers (hex out, as the RFC's
// figures read), QPTM Establish / Data / Release per interface and DLCI between
// our ASP and our SG end (SAPI 0 and 16, TEI 0, 5 and 126), every bad input
// answered with the ERR code RFC 4233 3.3.3.1 names, BEAT, NTFY; and tshark
// decodes everything both ends sent with nothing malformed.
#include <gtest/gtest.h>

#include "base/hex.h"
#include "sigtran/iua_link.h"
#include "tests/support/tshark_oracle.h"
#include "tests/unit/sigtran/m3ua_test_support.h"

namespace isupgw::sigtran::iua {
namespace {

using namespace std::chrono_literals;
using m3ua::testing::LogCapture;
using m3ua::testing::MemTransport;

std::vector<std::uint8_t> hex(std::string_view h) {
  auto b = from_hex(h);
  EXPECT_TRUE(b.has_value()) << h;
  return b ? *b : std::vector<std::uint8_t>{};
}

struct Recorder final : LinkUser {
  std::vector<bool> ready;
  struct Got {
    MessageType type;
    InterfaceId iid;
    Dlci dlci;
    std::string data;  // hex
    std::optional<std::uint32_t> reason;
  };
  std::vector<Got> got;
  void on_link_ready(bool r) override { ready.push_back(r); }
  void on_primitive(const Primitive& p) override {
    got.push_back({p.type, p.interface_id, p.dlci, to_hex(p.data), p.reason});
  }
};

struct End {
  End(ManualTimerService& timers, LinkConfig cfg) : meters(cap.log, counters) {
    link = std::make_unique<Link>(std::move(cfg), transport, meters, timers, cap.log, counters, user);
  }
  // What this end sent, decoded as IUA.
  std::vector<Message> sent() const {
    std::vector<Message> out;
    for (const auto& b : transport.raw_sent) {
      auto m = decode(b);
      EXPECT_TRUE(m.ok()) << to_hex(b);
      if (m) out.push_back(*m);
    }
    return out;
  }
  LogCapture cap;
  Counters counters;
  LinkMeters meters;
  MemTransport transport;
  Recorder user;
  std::unique_ptr<Link> link;
};

LinkConfig asp_config() {
  LinkConfig c;
  c.name = "asp";
  c.role = Role::kAsp;
  c.interface_ids = {1, 2};
  c.interface_names = {"span-a"};
  c.sapis = {0, 16};
  c.asp_identifier = 7;
  c.traffic_mode = 1;
  return c;
}

LinkConfig sg_config() {
  LinkConfig c = asp_config();
  c.name = "sg";
  c.role = Role::kSg;
  c.asp_identifier.reset();
  return c;
}

// One end facing raw octets: the test plays the peer.
struct Raw {
  explicit Raw(LinkConfig cfg) : end(timers, std::move(cfg)) {
    m3ua::testing::link_pair(end.transport, peer);
    end.link->start();
    end.transport.up = peer.up = true;
    end.transport.handler->on_connected();
  }
  void in(std::string_view h) { end.transport.handler->on_message(0, hex(h)); }
  std::string last() const { return end.transport.raw_sent.empty() ? "" : to_hex(end.transport.raw_sent.back()); }
  std::size_t count() const { return end.transport.raw_sent.size(); }
  ManualClock clock;
  ManualTimerService timers{clock};
  End end;
  MemTransport peer;
};

// RFC 4233 3.3.2.1 / 3.3.2.7: ASPUP with the ASP Identifier; once acked, ASPAC
// with the Traffic Mode Type and both kinds of interface identifier.
TEST(IuaAsp, AspUpThenAspAcWithIntegerAndTextInterfaceIds) {
  Raw r(asp_config());
  EXPECT_EQ(r.last(),
            "0100030100000010"
            "0011000800000007");  // ASPUP, ASP Identifier 7
  EXPECT_EQ(r.end.link->asp_state(), AspState::kUpSent);
  r.in("0100030400000008");  // ASPUP ACK
  auto aspac = decode(r.end.transport.raw_sent.back());
  ASSERT_TRUE(aspac.ok());
  EXPECT_EQ(aspac->type, MessageType::kAspAc);
  EXPECT_EQ(aspac->traffic_mode_type, 1u);
  EXPECT_EQ(aspac->interface_ids, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ(aspac->interface_names, (std::vector<std::string>{"span-a"}));
  EXPECT_EQ(r.last(),
            "0100040100000028"
            "000b000800000001"            // Traffic Mode Type override
            "0001000c0000000100000002"    // Interface Identifier (Integer) 1, 2
            "0003000a7370616e2d610000");  // Interface Identifier (Text) "span-a"
  EXPECT_TRUE(r.end.user.ready.empty());
  r.in("0100040300000008");  // ASPAC ACK
  EXPECT_EQ(r.end.link->asp_state(), AspState::kActive);
  EXPECT_EQ(r.end.link->as_state(), AsState::kActive);
  EXPECT_EQ(r.end.user.ready, std::vector<bool>{true});

  // NTFY AS-State-Change AS-PENDING, then Other / Alternate ASP Active (RFC 4233 3.3.3.2): replaced.
  r.in("0100000100000010000d000800010004");
  EXPECT_EQ(r.end.link->as_state(), AsState::kPending);
  r.in("0100000100000010000d000800020002");
  EXPECT_EQ(r.end.link->asp_state(), AspState::kInactive);
  EXPECT_EQ(r.end.user.ready, (std::vector<bool>{true, false}));
}

// RFC 4233 4.3.4.1: no ASPUP ACK within T(ack): ASPUP again.
TEST(IuaAsp, AspUpRetransmittedOnTack) {
  Raw r(asp_config());
  EXPECT_EQ(r.count(), 1u);
  r.timers.advance(1999ms);
  EXPECT_EQ(r.count(), 1u);
  r.timers.advance(1ms);
  EXPECT_EQ(r.count(), 2u);
  EXPECT_EQ(r.last(), "01000301000000100011000800000007");
  EXPECT_EQ(r.end.counters.value("iua.asp_fsm.retransmits"), 1u);
}

// RFC 4233 3.3.2.5 / 3.3.2.6: BEAT answered with BEAT ACK, Heartbeat Data echoed.
TEST(IuaAsp, BeatEchoedInBeatAck) {
  Raw r(asp_config());
  r.in("01000303000000100009000701020300");
  EXPECT_EQ(r.last(), "01000306000000100009000701020300");
}

// RFC 4233 3.3.3.1: each bad input gets its ERR (Diagnostic Information: the
// offending octets) and is not handed up; an ERR is never answered.
TEST(IuaAsp, BadInputAnsweredWithTheErrCodeOfRfc4233) {
  Raw r(asp_config());
  r.in("0100030400000008");
  r.in("0100040300000008");
  ASSERT_TRUE(r.end.link->ready());
  auto err_of = [&](std::string_view in) -> std::optional<Message> {
    const auto before = r.count();
    r.in(in);
    if (r.count() != before + 1) {
      ADD_FAILURE() << in << ": " << r.count() - before << " answers";
      return std::nullopt;
    }
    auto m = decode(r.end.transport.raw_sent.back());
    if (!m || m->type != MessageType::kErr) return std::nullopt;
    return *m;
  };
  // A Q.931 STATUS ENQUIRY (08 02 00 01 75) in a Data Indication, DLCI SAPI 0 / TEI 0, for interface 9.
  auto e = err_of("0100050200000024 0001000800000009 0005000800010000 000e0009080200017500 0000");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->error_code, 0x02u);  // Invalid Interface Identifier, naming it
  EXPECT_EQ(e->interface_ids, std::vector<std::uint32_t>{9});
  // Text interface "span-x": not served.
  e = err_of("0100050200000028 0003000a7370616e2d780000 0005000800010000 000e0009080200017500 0000");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->error_code, 0x02u);
  EXPECT_EQ(e->interface_names, std::vector<std::string>{"span-x"});
  // SAPI 63 (layer 2 management, octet 1 = 63 << 2): not served here.
  e = err_of("0100050200000024 0001000800000001 00050008fc010000 000e0009080200017500 0000");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->error_code, 0x0bu);  // Unrecognized SAPI
  // TEI 127 (group) on a Data Indication: Q.921 broadcast is UI only.
  e = err_of("0100050200000024 0001000800000001 0005000800ff0000 000e0009080200017500 0000");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->error_code, 0x0cu);  // Invalid TEI, SAPI combination
  // A Data REQUEST arriving at the ASP: the SG's direction only.
  e = err_of("0100050100000024 0001000800000001 0005000800010000 000e0009080200017500 0000");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->error_code, 0x06u);  // Unexpected Message
  // Version 2, class 6 (not IUA), Data Indication without DLCI.
  e = err_of("0200030400000008");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->error_code, 0x01u);
  e = err_of("0100060100000008");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->error_code, 0x03u);
  e = err_of("0100050200000018 0001000800000001 000e000908020001750000 00");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->error_code, 0x07u);  // Protocol Error (mandatory DLCI missing)
  // An ERR from the peer is counted, not answered.
  const auto answers = r.count();
  r.in("0100000000000010000c000800000006");
  EXPECT_EQ(r.count(), answers);
  EXPECT_EQ(r.end.counters.value("iua.rx.err"), 1u);
  EXPECT_TRUE(r.end.user.got.empty());

  // The one good message of the lot reaches the user.
  r.in("0100050200000024 0001000800000001 0005000800010000 000e0009080200017500 0000");
  ASSERT_EQ(r.end.user.got.size(), 1u);
  EXPECT_EQ(r.end.user.got[0].data, "0802000175");
}

// A QPTM message before the ASP is ACTIVE (RFC 4233 4.3.4.3): Unexpected Message.
TEST(IuaAsp, DataBeforeActiveIsUnexpected) {
  Raw r(asp_config());
  r.in("0100050200000024 0001000800000001 0005000800010000 000e0009080200017500 0000");
  auto m = decode(r.end.transport.raw_sent.back());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->type, MessageType::kErr);
  EXPECT_EQ(m->error_code, 0x06u);
  EXPECT_TRUE(r.end.user.got.empty());
}

// Our ASP and our SG end, associated: the QPTM primitives per interface and
// DLCI both ways (RFC 4233 3.3.1), the data-link state each end keeps, ASPAC
// for an interface the SG does not serve refused.
struct Pair {
  Pair(LinkConfig a_cfg = asp_config(), LinkConfig s_cfg = sg_config())
      : asp(timers, std::move(a_cfg)), sg(timers, std::move(s_cfg)) {
    m3ua::testing::link_pair(asp.transport, sg.transport);
  }
  void run() { m3ua::testing::pump(asp.transport, sg.transport); }
  void up() {
    asp.link->start();
    sg.link->start();
    run();
  }
  ManualClock clock;
  ManualTimerService timers{clock};
  End asp;
  End sg;
};

TEST(IuaAsp, EstablishDataReleasePerInterfaceAndDlci) {
  Pair p;
  p.up();
  ASSERT_TRUE(p.asp.link->ready());
  ASSERT_TRUE(p.sg.link->ready());
  EXPECT_EQ(p.sg.link->peer_state(), PeerAspState::kActive);

  const InterfaceId one{1u}, two{2u}, text{std::string("span-a")};
  const Dlci d0{0, 0, false}, d5{0, 5, false}, d16{16, 126, false};
  // DL-ESTABLISH request on three data links of two interfaces and the text one.
  EXPECT_TRUE(p.asp.link->send_primitive(MessageType::kEstablishRequest, one, d0));
  EXPECT_TRUE(p.asp.link->send_primitive(MessageType::kEstablishRequest, two, d5));
  EXPECT_TRUE(p.asp.link->send_primitive(MessageType::kEstablishRequest, text, d16));
  p.run();
  ASSERT_EQ(p.sg.user.got.size(), 3u);
  EXPECT_EQ(p.sg.user.got[1].type, MessageType::kEstablishRequest);
  EXPECT_EQ(p.sg.user.got[1].iid, two);
  EXPECT_EQ(p.sg.user.got[1].dlci, d5);
  EXPECT_EQ(p.sg.user.got[2].iid, text);
  EXPECT_EQ(p.sg.user.got[2].dlci, d16);
  for (const auto& g : p.sg.user.got)
    EXPECT_TRUE(p.sg.link->send_primitive(MessageType::kEstablishConfirm, g.iid, g.dlci));
  p.run();
  EXPECT_TRUE(p.asp.link->established(one, d0));
  EXPECT_TRUE(p.asp.link->established(two, d5));
  EXPECT_TRUE(p.asp.link->established(text, d16));
  EXPECT_FALSE(p.asp.link->established(one, d5));
  EXPECT_TRUE(p.sg.link->established(two, d5));

  // DL-DATA both ways on (2, SAPI 0, TEI 5).
  const auto setup = hex("0802000505040380 90a3 1803a98383");
  EXPECT_TRUE(p.asp.link->send_data(two, d5, setup));
  p.run();
  ASSERT_EQ(p.sg.user.got.size(), 4u);
  EXPECT_EQ(p.sg.user.got[3].type, MessageType::kDataRequest);
  EXPECT_EQ(p.sg.user.got[3].data, to_hex(setup));
  EXPECT_EQ(p.sg.user.got[3].dlci, d5);
  const auto alerting = hex("0802800501");
  EXPECT_TRUE(p.sg.link->send_data(two, d5, alerting));
  p.run();
  // ASP side: 3 Establish Confirms, then the Data Indication.
  ASSERT_EQ(p.asp.user.got.size(), 4u);
  EXPECT_EQ(p.asp.user.got[0].type, MessageType::kEstablishConfirm);
  EXPECT_EQ(p.asp.user.got[3].type, MessageType::kDataIndication);
  EXPECT_EQ(p.asp.user.got[3].data, "0802800501");
  EXPECT_EQ(p.asp.user.got[3].iid, two);

  // Each end sends only its direction's primitives, and only for what it serves.
  EXPECT_FALSE(p.asp.link->send_primitive(MessageType::kDataIndication, one, d0, setup));
  EXPECT_FALSE(p.sg.link->send_primitive(MessageType::kDataRequest, one, d0, setup));
  EXPECT_FALSE(p.asp.link->send_primitive(MessageType::kDataRequest, InterfaceId{9u}, d0, setup));
  EXPECT_FALSE(p.asp.link->send_primitive(MessageType::kDataRequest, one, Dlci{1, 0, false}, setup));
  EXPECT_EQ(p.asp.counters.value("iua.tx.refused"), 3u);

  // DL-RELEASE request -> Release Confirm; the peer's DM -> Release Indication with its reason.
  EXPECT_TRUE(p.asp.link->send_primitive(MessageType::kReleaseRequest, one, d0, {}, release_reason::kMgmt));
  p.run();
  EXPECT_EQ(p.sg.user.got.back().type, MessageType::kReleaseRequest);
  EXPECT_EQ(p.sg.user.got.back().reason, release_reason::kMgmt);
  EXPECT_TRUE(p.sg.link->send_primitive(MessageType::kReleaseConfirm, one, d0));
  EXPECT_TRUE(p.sg.link->send_primitive(MessageType::kReleaseIndication, two, d5, {}, release_reason::kDm));
  p.run();
  EXPECT_FALSE(p.asp.link->established(one, d0));
  EXPECT_FALSE(p.asp.link->established(two, d5));
  EXPECT_TRUE(p.asp.link->established(text, d16));
  EXPECT_EQ(p.asp.user.got.back().reason, release_reason::kDm);

  // Association lost: no data link stays up at either end, and the ASP is down.
  p.asp.transport.close();
  EXPECT_FALSE(p.asp.link->established(text, d16));
  EXPECT_FALSE(p.sg.link->established(text, d16));
  EXPECT_EQ(p.asp.link->asp_state(), AspState::kDown);
  EXPECT_EQ(p.asp.user.ready, (std::vector<bool>{true, false}));

  // tshark, the oracle: every message either end sent is IUA with nothing malformed.
  if (!tshark::available()) GTEST_SKIP() << "tshark/text2pcap not installed";
  std::vector<std::vector<std::uint8_t>> all = p.asp.transport.raw_sent;
  all.insert(all.end(), p.sg.transport.raw_sent.begin(), p.sg.transport.raw_sent.end());
  auto ds = tshark::dissect_many(all, tshark::Wrap::kIua, tshark::q931_options());
  ASSERT_EQ(ds.size(), all.size());
  int data_with_setup = 0;
  for (std::size_t i = 0; i < ds.size(); ++i) {
    SCOPED_TRACE(to_hex(all[i]));
    ASSERT_TRUE(ds[i].ok()) << ds[i].error;
    EXPECT_FALSE(ds[i].malformed) << ds[i].problems();
    EXPECT_TRUE(ds[i].expert.empty()) << ds[i].problems();
    EXPECT_TRUE(ds[i].first("iua.message_class").has_value());
    if (ds[i].first("q931.message_type") == "0x05" || ds[i].first("q931.message_type") == "5") ++data_with_setup;
  }
  EXPECT_EQ(data_with_setup, 1);
}

// RFC 4233 3.3.3.1: ASPAC naming an interface the SG does not serve -> ERR
// Invalid Interface Identifier, and the ASP stays inactive; a range the SG
// serves in full is accepted.
TEST(IuaAsp, AspAcForAnInterfaceNotServedIsRefused) {
  LinkConfig a = asp_config();
  a.interface_ids = {1, 3};
  a.interface_names.clear();
  Pair p(a);
  p.up();
  EXPECT_FALSE(p.asp.link->ready());
  EXPECT_EQ(p.sg.link->peer_state(), PeerAspState::kInactive);
  auto sent = p.sg.sent();
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent.back().type, MessageType::kErr);
  EXPECT_EQ(sent.back().error_code, 0x02u);
  EXPECT_EQ(p.asp.counters.value("iua.rx.err"), 1u);

  Raw r(sg_config());
  r.in("0100030100000008");  // ASPUP
  // ASPAC with Interface Identifier Range 1..2 (tag 0x8): both served.
  r.in("010004010000001c 000b000800000001 0008000c0000000100000002");
  EXPECT_EQ(r.end.link->peer_state(), PeerAspState::kActive);
  // ASPIA with the range 1..3: 3 is not served.
  r.in("0100040200000014 0008000c0000000100000003");
  auto m = decode(r.end.transport.raw_sent.back());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->error_code, 0x02u);
  // ASPAC with load-share where override is configured: Unsupported Traffic Handling Mode.
  r.in("0100040100000010 000b000800000002");
  m = decode(r.end.transport.raw_sent.back());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->error_code, 0x05u);
}

// BEAT supervision on TCP (no SCTP heartbeat): BEAT after T(beat) of silence,
// the association closed when nothing comes back within 2 x T(beat).
TEST(IuaAsp, BeatSupervisionClosesASilentAssociation) {
  LinkConfig c = asp_config();
  c.t_beat = 5s;
  c.reconnect = false;
  Raw r(c);
  r.in("0100030400000008");  // ASPUP ACK
  r.in("0100040300000008");  // ASPAC ACK
  ASSERT_TRUE(r.end.link->ready());
  const auto before = r.count();
  r.timers.advance(5s);
  ASSERT_EQ(r.count(), before + 1);
  auto m = decode(r.end.transport.raw_sent.back());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->type, MessageType::kBeat);
  r.timers.advance(10s);
  EXPECT_FALSE(r.end.transport.up);
  EXPECT_EQ(r.end.counters.value("iua.beat.peer_lost"), 1u);
}

}  // namespace
}  // namespace isupgw::sigtran::iua
