// The VTY's text (daemon/vty_render.cpp): the management model's views in, the operator's lines out,
// exactly as integration.vty's transcripts expect them.
#include "daemon/vty_render.h"

#include <gtest/gtest.h>

namespace isupgw::daemon::vty {
namespace {

mgmt::CallView sip_to_isup_call() {
  mgmt::CallView c;
  c.id = 7;
  c.state = engine::CallState::kActive;
  c.answered = true;
  c.age = std::chrono::milliseconds(65'400);
  c.called = "4930123456";
  c.a.kind = mgmt::LegView::Kind::kSip;
  c.a.trunk = "local";
  c.a.call_id = "1-99@127.0.0.1";
  c.a.local_tag = "ab12";
  c.a.remote_tag = "99SIPpTag001";
  c.a.peer = "127.0.0.1:5070/udp";
  c.b.kind = mgmt::LegView::Kind::kIsup;
  c.b.trunk = "tg-peer";
  c.b.cic = 5;
  return c;
}

TEST(VtyRender, CallsWithBothLegs) {
  EXPECT_EQ(render_calls({sip_to_isup_call()}),
            "1 call\n"
            "Call 7: active, answered, age 65 s, called 4930123456\n"
            "  A: SIP trunk local, Call-ID 1-99@127.0.0.1, tags ab12/99SIPpTag001, peer 127.0.0.1:5070/udp\n"
            "  B: ISUP trunk group tg-peer, CIC 5\n");
}

TEST(VtyRender, CallBeforeItsCircuitAndWithMedia) {
  auto c = sip_to_isup_call();
  c.state = engine::CallState::kOutgoing;
  c.answered = false;
  c.b.cic = 0;
  c.a.remote_tag.clear();
  c.media = mgmt::MediaView{"mgw", "ds/e1-0/5@mgw", ""};
  EXPECT_EQ(render_calls({c}),
            "1 call\n"
            "Call 7: outgoing, age 65 s, called 4930123456\n"
            "  A: SIP trunk local, Call-ID 1-99@127.0.0.1, tags ab12/-, peer 127.0.0.1:5070/udp\n"
            "  B: ISUP trunk group tg-peer, no circuit\n"
            "  media: MG mgw, endpoint ds/e1-0/5@mgw, connection -\n");
  EXPECT_EQ(render_calls({}), "0 calls\n");
}

TEST(VtyRender, CircuitsShowBlockingFromBothEnds) {
  mgmt::CircuitView busy;
  busy.cic = 1;
  busy.call_state = isup::CallState::kAnswered;
  busy.call = 7;
  mgmt::CircuitView blocking;  // BLO sent, no BLA yet (Q.764 2.8.2.1, T12)
  blocking.cic = 3;
  blocking.blocking = isup::BlockingState::kBlocking;
  blocking.local_maintenance_blocked = true;
  mgmt::CircuitView remote;  // CGB (hardware failure) received
  remote.cic = 4;
  remote.remote_hardware_blocked = true;
  remote.resetting = true;
  EXPECT_EQ(render_circuits("tg", {busy, blocking, remote}),
            "Trunk group tg: 3 circuits\n"
            "CIC     1: answered, call 7\n"
            "CIC     3: idle, BLO/UBL blocking, blocked locally (maintenance)\n"
            "CIC     4: idle, blocked remotely (hardware), resetting\n");
}

TEST(VtyRender, CircuitQueryTable) {
  mgmt::QueryTable t{"tg",
                     1,
                     {{1, 0x0c, "unblocked", "idle", "unblocked", false},
                      {2, 0x0d, "locally_blocked", "idle", "unblocked", false},
                      {3, 0x0e, "remotely_blocked", "incoming_busy", "unblocked", true}}};
  EXPECT_EQ(render_query(t),
            "Circuit query, trunk group tg: 3 circuits\n"
            "CIC     1: maintenance unblocked, call idle, hardware unblocked\n"
            "CIC     2: maintenance locally_blocked, call idle, hardware unblocked\n"
            "CIC     3: maintenance remotely_blocked, call incoming_busy, hardware unblocked, HUNG\n");
}

TEST(VtyRender, ActionsAndRefusals) {
  EXPECT_EQ(render_report({{"CGB cic=1 range=31"}, ""}), "sent CGB cic=1 range=31\n");
  EXPECT_EQ(render_report({{}, "call 7 released with cause 16"}), "call 7 released with cause 16\n");
  EXPECT_EQ(render_report({}), "done\n");
  EXPECT_EQ(render_error({mgmt::Error::Code::kNotFound, "no call 99"}), "% not_found: no call 99\n");
  EXPECT_EQ(render_reload({"/etc/isupgw/isupgw.yaml", {"routes: applied", "sip.listeners: restart to apply"}}),
            "Reloaded /etc/isupgw/isupgw.yaml\n"
            "  routes: applied\n"
            "  sip.listeners: restart to apply\n");
}

// Issue 19: a multi-homed association's paths under its link (M3UA and M2PA).
TEST(VtyRender, LinksWithSctpPaths) {
  mgmt::M3uaLinkView m;
  m.name = "to-stp";
  m.role = sigtran::m3ua::Role::kAsp;
  m.ready = true;
  m.paths = {{"10.0.1.2", true, true}, {"10.0.2.2", false, false}};
  mgmt::LinkSetView ls;
  ls.name = "ls-a";
  ls.local_pc = "0-0-1";
  ls.adjacent_pc = "0-0-2";
  ls.active_links = 1;
  mgmt::SignallingLinkView l;
  l.paths = {{"127.0.1.1", false, true}, {"127.0.2.1", true, false}};
  ls.links.push_back(l);
  const auto text = render_links({m}, {ls});
  EXPECT_NE(text.find("M3UA link to-stp: asp, ready, ASP"), std::string::npos) << text;
  EXPECT_NE(text.find("\n  SCTP path 10.0.1.2: active, primary\n  SCTP path 10.0.2.2: inactive\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("\n    SCTP path 127.0.1.1: inactive, primary\n    SCTP path 127.0.2.1: active\n"),
            std::string::npos)
      << text;
}

TEST(VtyRender, CountersOneNameValuePerLine) {
  EXPECT_EQ(render_counters({{"call.answered", 2}, {"isup.tx.BLO", 1}}), "call.answered 2\nisup.tx.BLO 1\n");
}

// Issue 18: a registering, health-monitored trunk shows both on a line of its own and after the calls.
TEST(VtyRender, TrunkWithRegistrationAndHealth) {
  mgmt::SipTrunkView t;
  t.name = "carrier";
  t.address = "192.0.2.10";
  t.port = 5060;
  t.options = mgmt::OptionsState::kUp;
  t.active_calls = 2;
  t.health = engine::TrunkHealthState::kProbing;
  sip::RegistrationStatus r;
  r.trunk = "carrier";
  r.aor = "sip:gw@carrier.example";
  r.registrar = "sip:carrier.example";
  r.target = sip::Peer{sip::Transport::kUdp, "192.0.2.10", 5060};
  r.state = sip::RegistrationState::kRegistered;
  r.expires = 600;
  r.last_status = "200";
  r.next_in = std::chrono::milliseconds(299'600);
  t.registration = r;
  EXPECT_EQ(render_trunks({t}, {}),
            "SIP trunk carrier: 192.0.2.10:5060/udp, sip, OPTIONS up, in_service, 2 calls, health PROBING\n"
            "  registration registered as sip:gw@carrier.example at sip:carrier.example (192.0.2.10:5060/udp), "
            "expires 600 s, last 200, next REGISTER in 299 s\n");
  EXPECT_EQ(render_registrations({t}),
            "SIP trunk carrier:\n"
            "  registration registered as sip:gw@carrier.example at sip:carrier.example (192.0.2.10:5060/udp), "
            "expires 600 s, last 200, next REGISTER in 299 s\n");
  t.registration.reset();
  EXPECT_EQ(render_registrations({t}), "No registrations\n");
}

}  // namespace
}  // namespace isupgw::daemon::vty
