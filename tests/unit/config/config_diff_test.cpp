// The reload's config diff (issue 16): what changed, and whether it applies
// live or needs a restart (README "Reload").
#include "config/diff.h"

#include <gtest/gtest.h>

#include <string>

namespace isupgw::config {
namespace {

// A gateway with a SIP trunk, an M3UA link, two trunk groups and a media gateway.
std::string yaml(const std::string& cics = R"(["1-31"])",
                 const std::string& routes = R"([{prefix: "49", targets: [{trunk_group: tg1}]}])",
                 const std::string& extra_group = "", const std::string& opc = "0-0-1",
                 const std::string& listener_port = "5060", const std::string& trunk_port = "5070") {
  return R"(
node: {name: gw}
logging: {level: info}
sip:
  listeners: [{transport: udp, address: 127.0.0.1, port: )" +
         listener_port + R"(}]
  trunks: [{name: carrier-a, address: 127.0.0.1, port: )" +
         trunk_port + R"(}]
ss7:
  m3ua_links: [{name: l1, role: ipsp_client, transport: tcp, remote: {address: 127.0.0.1, port: 2905}, routing_contexts: [1]}]
  routes: [{dpc: default, links: [l1]}]
  trunk_groups:
    - {name: tg1, opc: )" +
         opc + R"(, dpc: 0-0-2, cics: )" + cics + R"(}
    - {name: tg2, opc: 0-0-1, dpc: 0-0-3, cics: ["1-31"]}
)" + extra_group +
         R"(
media_gateways: [{name: mgw, address: {address: 127.0.0.1}}]
routes: )" +
         routes + "\n";
}

LoadedConfig load(const std::string& text) {
  auto r = load_config_text(text, "t.yaml");
  EXPECT_TRUE(r.ok()) << r.error().to_string() << "\n" << text;
  return r.ok() ? std::move(*r) : LoadedConfig{};
}

void replace(std::string& s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  s.replace(at, from.size(), to);
}

std::string render(const std::vector<ConfigChange>& v) {
  std::string s;
  for (const auto& c : v) s += c.item + ": " + c.what + (c.live ? " (live)" : " (restart)") + "\n";
  return s;
}

TEST(ConfigDiff, SameFileChangesNothing) {
  const auto d = diff(load(yaml()), load(yaml()));
  EXPECT_TRUE(d.empty()) << render(d.changes);
  EXPECT_FALSE(d.routing);
  EXPECT_TRUE(d.cics.empty());
}

TEST(ConfigDiff, RoutesAreLive) {
  const auto d =
      diff(load(yaml()),
           load(yaml(
               R"(["1-31"])",
               R"([{prefix: "49", targets: [{trunk_group: tg2}]}, {prefix: "", targets: [{sip_trunk: carrier-a}]}])")));
  EXPECT_EQ(render(d.changes), "routes: 1 -> 2 routes (live)\n");
  EXPECT_TRUE(d.routing);
  EXPECT_TRUE(d.needs_restart().empty());
}

TEST(ConfigDiff, SipTrunkChangeIsLive) {
  const auto d = diff(load(yaml()), load(yaml(R"(["1-31"])", R"([{prefix: "49", targets: [{trunk_group: tg1}]}])", "",
                                              "0-0-1", "5060", "5080")));
  EXPECT_EQ(render(d.changes), "sip.trunks[carrier-a]: changed (live)\n");
  EXPECT_TRUE(d.routing);
}

TEST(ConfigDiff, CicRangesAddedAndRemovedAreLive) {
  const auto d = diff(load(yaml(R"(["1-31"])")), load(yaml(R"(["1-4", "9-31", "33-40"])")));
  EXPECT_EQ(render(d.changes), "ss7.trunk_groups[tg1].cics: added 33-40; removed 5-8 (live)\n");
  ASSERT_EQ(d.cics.size(), 1u);
  EXPECT_EQ(d.cics[0].group, "tg1");
  EXPECT_EQ(cic_list(d.cics[0].added), "33-40");
  EXPECT_EQ(cic_list(d.cics[0].removed), "5-8");
  EXPECT_EQ(d.cics[0].added.size(), 8u);
}

TEST(ConfigDiff, TrunkGroupPointCodeNeedsRestartAndItsCicsStillApply) {
  const auto d = diff(load(yaml(R"(["1-31"])")),
                      load(yaml(R"(["1-15"])", R"([{prefix: "49", targets: [{trunk_group: tg1}]}])", "", "0-0-5")));
  EXPECT_EQ(render(d.changes),
            "ss7.trunk_groups[tg1].opc: changed (restart)\n"
            "ss7.trunk_groups[tg1].cics: removed 16-31 (live)\n");
  EXPECT_EQ(render(d.needs_restart()), "ss7.trunk_groups[tg1].opc: changed (restart)\n");
}

TEST(ConfigDiff, AdmissionLimitsAreLive) {  // issue 18: the call engine's, reloaded with the routing
  std::string a = yaml(), b = yaml();
  replace(b, "cics: [\"1-31\"]}\n    - {name: tg2", "cics: [\"1-31\"], admission: {max_calls: 10}}\n    - {name: tg2");
  auto d = diff(load(a), load(b));
  EXPECT_EQ(render(d.changes), "ss7.trunk_groups[tg1].admission: changed (live)\n");
  EXPECT_TRUE(d.routing);
  replace(b, "port: 5070}", "port: 5070, admission: {calls_per_second: 5}}");
  d = diff(load(a), load(b));
  EXPECT_TRUE(d.needs_restart().empty()) << render(d.changes);
  EXPECT_TRUE(d.routing);
}

// Issue 20: ISUP timers are the trunk groups' configuration, fixed when call control starts: a reload changing
// them is not applied (logged as needing a restart); an unchanged one changes nothing.
TEST(ConfigDiff, IsupTimersNeedRestart) {
  std::string a = yaml(), b = yaml();
  replace(a, "cics: [\"1-31\"]}\n    - {name: tg2", "cics: [\"1-31\"], isup_timers: {t7_ms: 22000}}\n    - {name: tg2");
  EXPECT_TRUE(diff(load(a), load(a)).changes.empty());
  replace(b, "cics: [\"1-31\"]}\n    - {name: tg2", "cics: [\"1-31\"], isup_timers: {t7_ms: 28000}}\n    - {name: tg2");
  EXPECT_EQ(render(diff(load(a), load(b)).changes), "ss7.trunk_groups[tg1].isup_timers: changed (restart)\n");
  std::string c = yaml();
  replace(c, "routes: [{dpc: default", "isup_timers: {t34_ms: 4000}\n  routes: [{dpc: default");
  EXPECT_EQ(render(diff(load(yaml()), load(c)).changes), "ss7.isup_timers: changed (restart)\n");
}

TEST(ConfigDiff, TrunkGroupAddedNeedsRestart) {
  const auto d = diff(load(yaml()), load(yaml(R"(["1-31"])", R"([{prefix: "49", targets: [{trunk_group: tg1}]}])",
                                              "    - {name: tg3, opc: 0-0-1, dpc: 0-0-4, cics: [\"1-31\"]}\n")));
  EXPECT_EQ(render(d.changes), "ss7.trunk_groups[tg3]: added (restart)\n");
}

TEST(ConfigDiff, ListenerAddedIsLiveOneRemovedNeedsRestart) {
  const auto d =
      diff(load(yaml()),
           load(yaml(R"(["1-31"])", R"([{prefix: "49", targets: [{trunk_group: tg1}]}])", "", "0-0-1", "5062")));
  EXPECT_EQ(render(d.changes),
            "sip.listeners[udp 127.0.0.1:5060]: removed (restart)\n"
            "sip.listeners[udp 127.0.0.1:5062]: added (live)\n");
  EXPECT_FALSE(d.routing);
  EXPECT_EQ(d.listeners_added, std::vector<int>{0});
}

TEST(ConfigDiff, LinksMediaGatewaysAndNodeNeedRestartLoggingIsLive) {
  auto text = yaml();
  auto changed = text;
  replace(changed, "port: 2905", "port: 2906");
  replace(changed, "node: {name: gw}", "node: {name: gx}");
  replace(changed, "mgw, address: {address: 127.0.0.1}", "mgw, address: {address: 127.0.0.2}");
  replace(changed, "level: info", "level: warn");
  const auto d = diff(load(text), load(changed));
  EXPECT_EQ(render(d.changes),
            "node: changed (restart)\n"
            "logging: changed (live)\n"
            "ss7.m3ua_links[l1]: changed (restart)\n"
            "media_gateways[mgw]: changed (restart)\n");
  EXPECT_TRUE(d.logging);
}

TEST(ConfigDiff, OptionsKeepaliveTargetNeedsRestart) {
  auto text = yaml();
  auto changed = text;
  replace(changed, "port: 5070}", "port: 5070, options_interval_ms: 30000}");
  const auto d = diff(load(text), load(changed));
  EXPECT_EQ(render(d.changes),
            "sip.trunks[carrier-a]: changed (live)\n"
            "sip.trunks[carrier-a].options_interval_ms: OPTIONS keepalive target changed (restart)\n");
}

// Topology hiding and the agent's name are read at start (issue 18).
TEST(ConfigDiff, TopologyHidingAndUserAgentNeedRestart) {
  auto text = yaml();
  auto changed = text;
  replace(changed, "port: 5070}", "port: 5070, topology_hiding: true}");
  auto d = diff(load(text), load(changed));
  EXPECT_EQ(render(d.changes),
            "sip.trunks[carrier-a].topology_hiding: changed (restart)\n"
            "sip.trunks[carrier-a]: changed (live)\n");
  changed = text;
  replace(changed, "sip:\n", "sip:\n  user_agent: carrier-gw\n");
  d = diff(load(text), load(changed));
  EXPECT_EQ(render(d.changes), "sip.user_agent: changed (restart)\n");
}

TEST(ConfigDiff, CicListRanges) {
  EXPECT_EQ(cic_list({}), "");
  EXPECT_EQ(cic_list({1, 2, 3, 4, 9, 12, 13}), "1-4,9,12-13");
}

}  // namespace
}  // namespace isupgw::config
