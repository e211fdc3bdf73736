#include "config/loader.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

namespace isupgw::config {
namespace {

std::string error_of(std::string_view yaml) {
  auto r = load_config_text(yaml, "t.yaml");
  EXPECT_FALSE(r.ok()) << "accepted:\n" << yaml;
  return r.ok() ? std::string() : r.error().to_string();
}

TEST(ConfigLoader, EmbeddedDefaultListensOnLoopback5060UdpAndTcp) {
  auto r = load_default_config();
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const auto& sip = r->config.sip();
  ASSERT_EQ(sip.listeners_size(), 2);
  EXPECT_EQ(sip.listeners(0).transport(), config::TRANSPORT_UDP);
  EXPECT_EQ(sip.listeners(1).transport(), config::TRANSPORT_TCP);
  for (const auto& l : sip.listeners()) {
    EXPECT_EQ(l.address(), "127.0.0.1");
    EXPECT_EQ(l.port(), 5060u);
  }
}

// Issue 17: the embedded default (also the Debian package's /etc/isupgw/isupgw.yaml) writes CDRs into
// ./cdr: relative to the working directory, /var/lib/isupgw under the package's unit.
TEST(ConfigLoader, EmbeddedDefaultWritesCdrsUnderTheWorkingDirectory) {
  auto r = load_default_config();
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_TRUE(r->settings.cdr);
  EXPECT_EQ(r->settings.cdr->directory, "cdr");
  EXPECT_TRUE(r->settings.cdr->csv);
  EXPECT_TRUE(r->settings.cdr->json);
}

TEST(ConfigLoader, FillsDefaults) {
  auto r = load_config_text("", "empty.yaml");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->config.node().name(), "isupgw");
  EXPECT_EQ(r->config.logging().level(), config::LOG_LEVEL_INFO);
  EXPECT_EQ(r->config.runtime().shutdown_grace_ms(), 2000u);
  EXPECT_EQ(r->config.sip().max_tcp_connections(), 1024u);
}

TEST(ConfigLoader, EnumsWithoutPrefixAndMaps) {
  auto r = load_config_text("logging:\n  level: warn\n  subsystems: {isup: trace, sip: off}\n", "t.yaml");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->config.logging().level(), config::LOG_LEVEL_WARN);
  EXPECT_EQ(r->config.logging().subsystems().at("isup"), config::LOG_LEVEL_TRACE);
  EXPECT_EQ(r->config.logging().subsystems().at("sip"), config::LOG_LEVEL_OFF);
}

TEST(ConfigLoader, UnknownFieldNamesFileAndLine) {
  EXPECT_EQ(error_of("node:\n  name: a\n  colour: blue\n").substr(0, 33), "t.yaml:3: unknown field 'colour' ");
  EXPECT_EQ(error_of("nodes: {}\n").substr(0, 32), "t.yaml:1: unknown field 'nodes' ");
}

TEST(ConfigLoader, WrongTypes) {
  EXPECT_EQ(error_of("sip:\n  listeners:\n    - transport: udp\n      address: 127.0.0.1\n      port: high\n"),
            "t.yaml:5: 'sip.listeners[0].port': expected a non-negative integer (32-bit), got 'high'");
  EXPECT_EQ(error_of("sip:\n  listeners:\n    - {transport: udp, address: 127.0.0.1, port: \"5060\"}\n"),
            "t.yaml:3: 'sip.listeners[0].port': expected a non-negative integer (32-bit), got '5060'");
  EXPECT_EQ(error_of("sip:\n  max_tcp_connections: -1\n"),
            "t.yaml:2: 'sip.max_tcp_connections': expected a non-negative integer (32-bit), got '-1'");
  EXPECT_EQ(error_of("logging:\n  level: loud\n"),
            "t.yaml:2: 'logging.level': 'loud' is not one of: trace, debug, info, notice, warn, error, off");
  EXPECT_EQ(error_of("sip: [1, 2]\n"), "t.yaml:1: 'sip' must be a mapping of fields (Sip), got a list");
  EXPECT_EQ(error_of("sip:\n  listeners: udp\n"), "t.yaml:2: 'sip.listeners' must be a list, got 'udp'");
  EXPECT_EQ(error_of("node:\n  name: [a]\n"), "t.yaml:2: 'node.name' must be a string, got a list");
}

TEST(ConfigLoader, BrokenSyntax) {
  auto e = error_of("sip:\n  listeners:\n    - {transport: udp\n");
  EXPECT_EQ(e.substr(0, 24), "t.yaml:4: syntax error: ") << e;
  e = error_of("a: b\n c: d\n");
  EXPECT_TRUE(e.starts_with("t.yaml:2: syntax error: ")) << e;
}

TEST(ConfigLoader, DuplicateKeys) {
  EXPECT_EQ(error_of("node:\n  name: a\n  name: b\n"), "t.yaml:3: duplicate field 'name'");
}

TEST(ConfigLoader, SemanticChecksPointAtTheField) {
  EXPECT_EQ(error_of("sip:\n  listeners:\n    - transport: udp\n      address: localhost\n      port: 5060\n"),
            "t.yaml:4: 'localhost' is not an IPv4 or IPv6 address");
  EXPECT_EQ(error_of("sip:\n  listeners:\n    - address: 127.0.0.1\n"),
            "t.yaml:3: listener needs 'transport' (udp, tcp or tls)");
  EXPECT_EQ(error_of("sip:\n  listeners:\n    - {transport: udp, address: ::1, port: 70000}\n"),
            "t.yaml:3: port 70000 is out of range 0..65535");
  EXPECT_EQ(error_of("logging:\n  subsystems:\n    sipp: debug\n"),
            "t.yaml:3: unknown subsystem 'sipp' (known: core, config, sip, isup, m3ua, mgcp, call)");
  EXPECT_EQ(error_of("sip:\n  listeners:\n    - {transport: udp, address: 127.0.0.1, port: 5060}\n"
                     "    - {transport: udp, address: 127.0.0.1, port: 5060}\n"),
            "t.yaml:4: duplicate listener 127.0.0.1:5060");
}

TEST(ConfigLoader, MissingFile) {
  auto r = load_config_file("/nonexistent/isupgw.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().to_string(), "/nonexistent/isupgw.yaml: cannot open file");
}

TEST(ConfigLoader, EveryExampleInConfLoads) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(ISUPGW_SOURCE_DIR "/conf")) {
    if (e.path().extension() != ".yaml") continue;
    auto r = load_config_file(e.path().string());
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    ++n;
  }
  EXPECT_GE(n, 3);
}

TEST(ConfigLoader, HostileInputIsRejectedNotCrashed) {
  EXPECT_FALSE(load_config_text(std::string(10000, '['), "t.yaml").ok());
  EXPECT_FALSE(load_config_text("a: &x [*x]\n", "t.yaml").ok());
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "- ";
  EXPECT_FALSE(load_config_text(deep + "x\n", "t.yaml").ok());
}

}  // namespace
}  // namespace isupgw::config

namespace isupgw::config {
namespace {

constexpr std::string_view kSs7 = R"(ss7:
  m3ua_links:
    - {name: a, role: ipsp_client, transport: tcp, remote: {address: 127.0.0.1, port: 2905}}
    - {name: b, role: sg, transport: tcp, local: {address: 127.0.0.1, port: 2906}}
  routes:
    - {dpc: 0-0-2, links: [a]}
  trunk_groups:
    - {name: tg, opc: 0-0-1, dpc: 0-0-2, cics: ["1-31", "33"]}
)";

std::string ss7_error(std::string from, std::string to) {
  std::string y(kSs7);
  auto at = y.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  y.replace(at, from.size(), to);
  auto r = load_config_text(y, "s.yaml");
  EXPECT_FALSE(r.ok()) << y;
  return r.ok() ? "" : r.error().to_string();
}

TEST(Ss7Config, ValidSectionLoads) {
  auto r = load_config_text(kSs7, "s.yaml");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->config.ss7().trunk_groups(0).cics_size(), 2);
}

TEST(Ss7Config, ErrorsNameTheLine) {
  EXPECT_EQ(ss7_error("dpc: 0-0-2, links", "dpc: 9-0-2, links"),
            "s.yaml:6: '9-0-2' is not a point code in the itu 3-8-3 format");
  EXPECT_EQ(ss7_error("links: [a]", "links: [c]"), "s.yaml:6: no M3UA link named 'c'");
  EXPECT_EQ(ss7_error("\"33\"", "\"31\""), "s.yaml:8: CICs 31 overlap another range between the same point codes");
  EXPECT_EQ(ss7_error("\"33\"", "\"4096\""), "s.yaml:8: '4096' is not a CIC or CIC range within 0..4095");
  EXPECT_EQ(ss7_error("dpc: 0-0-2, cics", "dpc: 0-0-3, cics"),
            "s.yaml:8: no route to 0-0-3 (add it to ss7.routes or add a default route)");
  EXPECT_EQ(ss7_error("name: b, role: sg", "name: a, role: sg"), "s.yaml:4: duplicate link name 'a'");
  EXPECT_EQ(ss7_error("remote: {address: 127.0.0.1, port: 2905}", "local: {address: 127.0.0.1, port: 1}"),
            "s.yaml:3: remote needs an address (IPv4 or IPv6 literal)");
  EXPECT_EQ(
      ss7_error("role: ipsp_client", "role: client"),
      "s.yaml:3: 'ss7.m3ua_links[0].role': 'client' is not one of: asp, sg, ipsp_client, ipsp_server, ipsp_double");
}

// Issue 20: ISUP timers, node-wide and per trunk group (field by field over the node-wide ones); ranges of
// Q.764 Annex A Table A.1 (T9: Q.118), T3 / T_CRA / T_CVT within the gateway's own bounds.
TEST(Ss7Config, IsupTimersNodeWideThenPerGroup) {
  std::string y(kSs7);
  y.replace(y.find("  routes:"), 0, "  isup_timers: {t7_ms: 22000, t1_ms: 30000, tcra_ms: 20000}\n");
  y.replace(y.find("cics: [\"1-31\", \"33\"]}"), 23, "cics: [\"1-31\", \"33\"], isup_timers: {t7_ms: 28000, t34_ms: 2000}}");
  auto r = load_config_text(y, "s.yaml");
  ASSERT_TRUE(r.ok()) << r.error().to_string() << "\n" << y;
  const auto& t = r->settings.ss7.trunk_groups.at(0).timers;
  EXPECT_EQ(t.t7, std::chrono::milliseconds(28000));   // the group's own
  EXPECT_EQ(t.t1, std::chrono::milliseconds(30000));   // node-wide
  EXPECT_EQ(t.tcra, std::chrono::milliseconds(20000));
  EXPECT_EQ(t.t34, std::chrono::milliseconds(2000));
  EXPECT_EQ(t.t5, std::chrono::milliseconds(300000));  // default
  EXPECT_EQ(t.tcvt, std::chrono::milliseconds(10000));
}

TEST(Ss7Config, IsupTimersOutsideTheirRangeNameTheLine) {
  EXPECT_EQ(ss7_error("cics: [\"1-31\", \"33\"]}", "cics: [\"1-31\", \"33\"], isup_timers: {t7_ms: 31000}}"),
            "s.yaml:8: t7_ms 31000 is outside Q.764 Table A.1 T7's range 20000..30000 ms");
  EXPECT_EQ(ss7_error("cics: [\"1-31\", \"33\"]}", "cics: [\"1-31\", \"33\"], isup_timers: {t1_ms: 14999}}"),
            "s.yaml:8: t1_ms 14999 is outside Q.764 Table A.1 T1's range 15000..60000 ms");
  EXPECT_EQ(ss7_error("cics: [\"1-31\", \"33\"]}", "cics: [\"1-31\", \"33\"], isup_timers: {t34_ms: 5000}}"),
            "s.yaml:8: t34_ms 5000 is outside Q.764 Table A.1 T34's range 2000..4000 ms");
  EXPECT_EQ(ss7_error("cics: [\"1-31\", \"33\"]}", "cics: [\"1-31\", \"33\"], isup_timers: {t5_ms: 60000}}"),
            "s.yaml:8: t5_ms 60000 is outside Q.764 Table A.1 T5's range 300000..900000 ms");
  EXPECT_EQ(ss7_error("cics: [\"1-31\", \"33\"]}", "cics: [\"1-31\", \"33\"], isup_timers: {t9_ms: 200000}}"),
            "s.yaml:8: t9_ms 200000 is outside Q.118 T9's range 90000..180000 ms");
  EXPECT_EQ(ss7_error("cics: [\"1-31\", \"33\"]}", "cics: [\"1-31\", \"33\"], isup_timers: {tcvt_ms: 1000}}"),
            "s.yaml:8: tcvt_ms 1000 is outside the accepted T_CVT's range 5000..60000 ms");
  EXPECT_EQ(ss7_error("  routes:", "  isup_timers: {t3_ms: 10}\n  routes:"),
            "s.yaml:5: t3_ms 10 is outside the accepted T3 (Table A.1: 2 min)'s range 60000..300000 ms");
}

// Issue 23: a server link's allowed peers; by default its remote (address and port).
TEST(Ss7Config, ServerLinksAllowedPeers) {
  auto r = load_config_text(kSs7, "s.yaml");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const auto& links = r->settings.ss7.m3ua_links;
  EXPECT_FALSE(links[0].transport.allowed_peers);  // a client: no guard
  EXPECT_FALSE(links[1].transport.allowed_peers);  // a server without remote: anyone (warned at start)
  EXPECT_EQ(links[1].link.handshake_timeout, std::chrono::seconds(10));
  EXPECT_EQ(links[1].link.management_rate.per_second, 200);
  EXPECT_TRUE(links[1].link.data_rate.unlimited());
  EXPECT_TRUE(r->settings.ss7.origin_check);

  std::string y(kSs7);
  y.replace(y.find("port: 2906}}"), 12,
            "port: 2906}, remote: {address: 192.0.2.7, port: 2905}, peer_asp_identifier: 7, handshake_ms: 500}");
  r = load_config_text(y, "s.yaml");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const auto& allowed = r->settings.ss7.m3ua_links[1].transport.allowed_peers;
  ASSERT_TRUE(allowed);
  ASSERT_EQ(allowed->size(), 1u);
  EXPECT_EQ((*allowed)[0].net.bits, 32u);
  EXPECT_EQ((*allowed)[0].port, 2905);
  EXPECT_EQ(r->settings.ss7.m3ua_links[1].link.peer_asp_identifier, 7u);
  EXPECT_EQ(r->settings.ss7.m3ua_links[1].link.handshake_timeout, std::chrono::milliseconds(500));

  y = std::string(kSs7);
  y.replace(y.find("port: 2906}}"), 12, "port: 2906}, allowed_peers: [10.0.0.0/8, \"::1\"]}");
  r = load_config_text(y, "s.yaml");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->settings.ss7.m3ua_links[1].transport.allowed_peers->size(), 2u);
  EXPECT_EQ((*r->settings.ss7.m3ua_links[1].transport.allowed_peers)[0].port, 0);

  EXPECT_EQ(ss7_error("port: 2906}}", "port: 2906}, allowed_peers: [10.0.0.0/33]}"),
            "s.yaml:4: '10.0.0.0/33' is not an address or address/prefix-length");
  EXPECT_EQ(ss7_error("port: 2905}}", "port: 2905}, allowed_peers: [10.0.0.1]}"),
            "s.yaml:3: allowed_peers is for server links (sg, ipsp_server); a client connects out");
}

// Issue 19: SCTP multi-homing, a list of local and of remote addresses per association.
TEST(Ss7Config, MultihomedAssociations) {
  constexpr std::string_view kClient = "transport: tcp, remote: {address: 127.0.0.1, port: 2905}}";
  std::string y(kSs7);
  y.replace(y.find(kClient), kClient.size(),
            "transport: sctp, remote: {port: 2905}, remote_addresses: [10.0.1.2, 10.0.2.2], "
            "local_addresses: [10.0.1.1, 10.0.2.1]}");
  constexpr std::string_view kServer = "transport: tcp, local: {address: 127.0.0.1, port: 2906}}";
  y.replace(y.find(kServer), kServer.size(),
            "transport: sctp, local: {port: 2906}, local_addresses: [\"2001:db8:1::1\", \"2001:db8:2::1\"], "
            "remote: {port: 2905}, remote_addresses: [\"2001:db8:1::2\", \"2001:db8:2::2\"]}");
  auto r = load_config_text(y, "s.yaml");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const auto& client = r->settings.ss7.m3ua_links[0].transport;
  EXPECT_EQ(client.address, "10.0.1.2");  // the first remote address: the primary path
  EXPECT_EQ(client.port, 2905);
  EXPECT_EQ(client.remote_addresses, (std::vector<std::string>{"10.0.1.2", "10.0.2.2"}));
  EXPECT_EQ(client.local_address, "10.0.1.1");
  EXPECT_EQ(client.local_addresses, (std::vector<std::string>{"10.0.1.1", "10.0.2.1"}));
  const auto& server = r->settings.ss7.m3ua_links[1].transport;
  EXPECT_EQ(server.address, "2001:db8:1::1");
  EXPECT_EQ(server.local_addresses.size(), 2u);
  ASSERT_TRUE(server.allowed_peers);  // every address of the peer, with its port
  ASSERT_EQ(server.allowed_peers->size(), 2u);
  EXPECT_EQ((*server.allowed_peers)[1].net.bits, 128u);
  EXPECT_EQ((*server.allowed_peers)[1].port, 2905);

  // Today's single-address keys keep their meaning: no lists.
  r = load_config_text(kSs7, "s.yaml");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->settings.ss7.m3ua_links[0].transport.remote_addresses.empty());
  EXPECT_TRUE(r->settings.ss7.m3ua_links[1].transport.local_addresses.empty());
}

TEST(Ss7Config, MultihomingErrorsNameTheLine) {
  const std::string client(R"(transport: tcp, remote: {address: 127.0.0.1, port: 2905}})");
  auto sctp = [](std::string rest) { return "transport: sctp, remote: {port: 2905}, " + rest + "}"; };
  EXPECT_EQ(ss7_error(client, "transport: tcp, remote: {port: 2905}, remote_addresses: [10.0.0.1, 10.0.0.2]}"),
            "s.yaml:3: remote_addresses is for SCTP (multi-homing); a TCP connection has one address");
  EXPECT_EQ(ss7_error(client, sctp("remote_addresses: [10.0.0.1, \"::1\"]")),
            "s.yaml:3: '::1' mixes IPv4 and IPv6 in one association (one family)");
  EXPECT_EQ(ss7_error(client, sctp("remote_addresses: [\"::2\"], local_addresses: [10.0.0.1]")),
            "s.yaml:3: '::2' mixes IPv4 and IPv6 in one association (one family)");
  EXPECT_EQ(ss7_error(client, sctp("remote_addresses: [10.0.0.1, 10.0.0.2, 10.0.0.1]")),
            "s.yaml:3: duplicate address '10.0.0.1'");
  EXPECT_EQ(ss7_error(client, sctp("remote_addresses: [10.0.0.1], local_addresses: [0.0.0.0, 10.0.0.2]")),
            "s.yaml:3: '0.0.0.0' is the wildcard address: list the addresses themselves");
  EXPECT_EQ(ss7_error(client, sctp("remote_addresses: [10.0.0.0/8]")),
            "s.yaml:3: '10.0.0.0/8' is not an IPv4 or IPv6 address");
  EXPECT_EQ(ss7_error(client, "transport: sctp, remote: {address: 10.0.0.1, port: 2905}, remote_addresses: [10.0.0.2]}"),
            "s.yaml:3: set remote.address or remote_addresses, not both");
  EXPECT_EQ(ss7_error(client, "transport: sctp, remote: {port: 0}, remote_addresses: [10.0.0.2]}"),
            "s.yaml:3: remote needs a port");
}

TEST(Ss7Config, MultihomedM2paLink) {
  auto r = load_config_text(R"(ss7:
  linksets:
    - name: ls1
      local_pc: 0-0-1
      adjacent_pc: 0-0-2
      links:
        - {slc: 0, transport: sctp, remote_addresses: [10.0.1.2, 10.0.2.2], local_addresses: [10.0.1.1, 10.0.2.1]}
        - {slc: 1, transport: sctp, local_addresses: [10.0.1.1, 10.0.2.1], local: {port: 3566}}
)",
                            "m.yaml");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const auto& links = r->settings.ss7.linksets[0].links;
  EXPECT_FALSE(links[0].transport.server);  // remote_addresses: it connects
  EXPECT_EQ(links[0].transport.address, "10.0.1.2");
  EXPECT_EQ(links[0].transport.port, 3565);  // RFC 4165's port by default
  EXPECT_EQ(links[0].transport.remote_addresses.size(), 2u);
  EXPECT_TRUE(links[1].transport.server);
  EXPECT_EQ(links[1].transport.address, "10.0.1.1");
  EXPECT_EQ(links[1].transport.local_addresses.size(), 2u);
}

TEST(SipGuardConfig, ListsEveryTrunksSourcesAndTakesLimits) {
  auto r = load_config_text(
      "sip:\n  trunks:\n    - {name: a, address: 192.0.2.1}\n    - {name: b, address: 192.0.2.2, allowed_sources: "
      "[198.51.100.0/24]}\n  guard: {unlisted_per_second: 5, connections_per_source: 2, idle_timeout_ms: 3000}\n",
      "g.yaml");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const auto& g = r->settings.sip_guard;
  EXPECT_EQ(g.listed.size(), 2u);
  EXPECT_EQ(g.unlisted_per_source.per_second, 5);
  EXPECT_EQ(g.unlisted_per_source.burst, 10);
  EXPECT_EQ(g.unlisted_total.per_second, 200);  // default
  EXPECT_EQ(g.unlisted_connections_per_source, 2u);
  EXPECT_EQ(g.unlisted_connections_total, 256u);
  EXPECT_EQ(g.unlisted_idle_timeout, std::chrono::seconds(3));
}

// How an IAM refused for our own overload is answered (Q.763 Table 39 OLM, national option): rel | olm.
TEST(Ss7Config, OverloadResponseIsRelOrOlm) {
  const auto yaml = [](const std::string& v) {
    return "ss7:\n  m3ua_links: [{name: a, role: asp, transport: tcp, remote: {address: ::1, port: 1}}]\n"
           "  routes: [{dpc: default, links: [a]}]\n  trunk_groups:\n    - {name: t, opc: 1, dpc: 2, cics: [\"1-31\"],\n"
           "       overload_response: " + v + "}\n";
  };
  auto olm = load_config_text(yaml("olm"), "s.yaml");
  ASSERT_TRUE(olm.ok()) << olm.error().to_string();
  EXPECT_TRUE(olm->settings.ss7.trunk_groups.at(0).overload_olm);
  auto rel = load_config_text(yaml("rel"), "s.yaml");
  ASSERT_TRUE(rel.ok()) << rel.error().to_string();
  EXPECT_FALSE(rel->settings.ss7.trunk_groups.at(0).overload_olm);
  auto bad = load_config_text(yaml("acl"), "s.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().to_string(), "s.yaml:6: overload_response must be 'rel' or 'olm', not 'acl'");
}

TEST(Ss7Config, AnsiFormatAndWideCics) {
  auto r = load_config_text(
      "ss7:\n  point_code_format: ansi\n  m3ua_links: [{name: a, role: asp, transport: tcp, remote: {address: ::1, "
      "port: 1}}]\n  routes: [{dpc: default, links: [a]}]\n  trunk_groups: [{name: t, variant: ansi, opc: 1-2-3, "
      "dpc: 250-1-1, cics: [\"1-16383\"]}]\n",
      "a.yaml");
  EXPECT_TRUE(r.ok()) << r.error().to_string();
}

}  // namespace
}  // namespace isupgw::config

namespace isupgw::config {
namespace {

// Issue 22: an H.248 MG needs our address towards it (the mId of our messages, H.248.1 7.2.8): never guessed.
TEST(MediaConfig, H248NeedsLocalAddress) {
  const std::string base = "media_gateways:\n  - {name: mg1, protocol: h248, address: {address: 127.0.0.1}";
  auto err = [](const std::string& y) {
    auto r = load_config_text(y, "m.yaml");
    return r.ok() ? std::string() : r.error().to_string();
  };
  EXPECT_EQ(err(base + "}\n"),
            "m.yaml:2: media gateway 'mg1' speaks h248: it needs 'local.address', our address towards it (the mId "
            "of our messages)");
  EXPECT_EQ(err(base + ",\n     local: {address: 0.0.0.0}}\n"),
            "m.yaml:3: media gateway 'mg1' speaks h248: it needs 'local.address', our address towards it (the mId "
            "of our messages)");
  EXPECT_EQ(err(base + ", local: {address: 127.0.0.2}}\n"), "");
  // MGCP keeps its default (any address).
  EXPECT_EQ(err("media_gateways:\n  - {name: mg1, address: {address: 127.0.0.1}}\n"), "");
}

// Q.764 2.1.8 on outgoing calls needs the circuits' TDM endpoints.
TEST(MediaConfig, ContinuityCheckNeedsTdmEndpoints) {
  const std::string y =
      "ss7:\n  m3ua_links: [{name: a, role: ipsp_client, transport: tcp, remote: {address: 127.0.0.1, port: 1}}]\n"
      "  routes: [{dpc: default, links: [a]}]\n"
      "  trunk_groups:\n    - {name: tg, opc: 0-0-1, dpc: 0-0-2, cics: [\"1-31\"], continuity_check: true}\n";
  auto r = load_config_text(y, "c.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().to_string(),
            "c.yaml:5: continuity_check needs the circuits' TDM endpoints ('media_gateway' and an endpoint pattern)");
}

}  // namespace
}  // namespace isupgw::config
