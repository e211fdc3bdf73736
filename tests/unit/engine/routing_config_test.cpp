// SIP trunks, routes and their validation; the router's longest-prefix choice
// and number manipulation; trunk source ACLs; the call state table.
#include <gtest/gtest.h>

#include "config/loader.h"
#include "engine/call_fsm.h"
#include "engine/router.h"
#include "engine/source_acl.h"

namespace isupgw::engine {
namespace {

constexpr const char* kTrunks = R"(
sip:
  trunks:
    - name: carrier-a
      address: 192.0.2.10
      profile: sip_i
      allowed_sources: [192.0.2.0/28, "2001:db8::/32"]
      number_plan: {country_code: "33", area_code: "1"}
    - name: pbx
      address: 198.51.100.7
      port: 5070
      transport: tcp
ss7:
  m3ua_links:
    - {name: l1, role: ipsp_client, transport: tcp, remote: {address: 127.0.0.1, port: 2905}}
  routes:
    - {dpc: default, links: [l1]}
  trunk_groups:
    - {name: tg1, opc: 1-1-1, dpc: 1-1-2, cics: ["1-31"]}
    - {name: tg2, opc: 1-1-1, dpc: 1-1-3, cics: ["1-31"]}
routes:
  - prefix: "33"
    targets:
      - {trunk_group: tg1, strip: 2, prefix: "0", noa: national}
      - {trunk_group: tg2}
  - prefix: ""
    from: tg1
    targets: [{sip_trunk: pbx}]
)";

TEST(RoutingConfig, TrunksAndRoutesLoadWithDefaults) {
  auto r = config::load_config_text(kTrunks, "t.yaml");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const auto& a = r->config.sip().trunks(0);
  EXPECT_EQ(a.profile(), config::SIP_PROFILE_SIP_I);
  EXPECT_EQ(a.port(), 5060u);                       // default
  EXPECT_EQ(a.transport(), config::TRANSPORT_UDP);  // default
  EXPECT_EQ(a.domain(), "192.0.2.10");              // default: the address
  const auto& pbx = r->config.sip().trunks(1);
  EXPECT_EQ(pbx.profile(), config::SIP_PROFILE_SIP);  // default profile A
  EXPECT_EQ(pbx.number_plan().country_code(), "49");
  ASSERT_EQ(pbx.allowed_sources_size(), 1);  // default ACL: the trunk's own address
  EXPECT_EQ(pbx.allowed_sources(0), "198.51.100.7");
  ASSERT_EQ(r->config.routes_size(), 2);
  EXPECT_EQ(r->config.routes(0).targets(0).noa(), config::NATURE_OF_ADDRESS_NATIONAL);
}

std::string error_of(const std::string& yaml) {
  auto r = config::load_config_text(yaml, "t.yaml");
  return r.ok() ? std::string("accepted") : r.error().to_string();
}

TEST(RoutingConfig, ValidatorNamesFileAndLine) {
  // RFC 3263 (issue 18): a host name is an address; what is neither is refused.
  EXPECT_EQ(error_of("sip:\n  trunks:\n    - {name: a, address: example.net}\n"), "accepted");
  EXPECT_EQ(error_of("sip:\n  trunks:\n    - {name: a, address: -bad.example}\n"),
            "t.yaml:3: '-bad.example' is neither an IPv4/IPv6 address nor a host name");
  EXPECT_EQ(error_of("sip:\n  trunks:\n    - {name: a, address: 'a b.example'}\n"),
            "t.yaml:3: 'a b.example' is neither an IPv4/IPv6 address nor a host name");
  EXPECT_EQ(error_of("sip:\n  trunks:\n    - {name: a, address: example.net, options_interval_ms: 5000}\n"),
            "t.yaml:3: OPTIONS keepalive with a host-name address is not supported by this build (use an IP address)");
  EXPECT_EQ(error_of("dns:\n  servers: [{address: dns.example}]\n"),
            "t.yaml:2: 'dns.example' is not an IPv4 or IPv6 address");
  EXPECT_EQ(error_of("sip:\n  trunks:\n    - {name: a, address: 192.0.2.1, transport: tls}\n"),
            "t.yaml:3: verifying the peer (verify_peer, the default) needs a ca_file (here or in sip.tls)");
  EXPECT_EQ(error_of("sip:\n  trunks:\n    - {name: a, address: 192.0.2.1, tls: {ca_file: /x}}\n"),
            "t.yaml:3: tls settings need transport: tls");
  EXPECT_EQ(error_of("sip:\n  tls: {certificate: /nonexistent.pem, private_key: /nonexistent.key}\n"),
            "t.yaml:2: cannot read '/nonexistent.pem'");
  EXPECT_EQ(error_of("sip:\n  trunks:\n    - {name: a, address: 192.0.2.1, options_interval_ms: 10}\n"),
            "t.yaml:3: options_interval_ms must be 0 (off) or at least 1000");
  EXPECT_EQ(error_of("routes:\n  - prefix: \"1\"\n    targets: [{trunk_group: nope}]\n"),
            "t.yaml:3: no ISUP trunk group named 'nope'");
  EXPECT_EQ(error_of("routes:\n  - prefix: \"1\"\n    targets: [{}]\n"),
            "t.yaml:3: route target needs exactly one of 'sip_trunk' and 'trunk_group'");
  EXPECT_EQ(error_of("sip:\n  trunks: [{name: a, address: 192.0.2.1}]\nroutes:\n  - prefix: \"1\"\n    targets: "
                     "[{sip_trunk: a, prefix: \"+\"}]\n"),
            "t.yaml:5: prefix '+' must be digits only");
}

TEST(Router, LongestPrefixWinsAndSourceSpecificBeatsGeneric) {
  auto r = config::load_config_text(kTrunks, "t.yaml");
  ASSERT_TRUE(r.ok());
  Router router(r->config.routes());
  router.add(RouteEntry{"3312", "", {RouteTarget{RouteTarget::Kind::kTrunkGroup, "tg2", 0, "", std::nullopt}}, ""});
  const RouteEntry* e = router.lookup("carrier-a", "33123456");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->prefix, "3312");
  e = router.lookup("carrier-a", "33999");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->targets[0].name, "tg1");
  EXPECT_EQ(router.lookup("carrier-a", "44"), nullptr);  // only tg1's calls have a catch-all
  e = router.lookup("tg1", "44");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->targets[0].name, "pbx");
}

// Issue 21: a PRI span as a route's target and as its source.
TEST(Router, PriSpanTargetAndSource) {
  auto r = config::load_config_text(R"(pri_spans:
  - {name: pbx1, iua: {transport: tcp, remote: {address: 127.0.0.1}}, interface_id: 1}
sip:
  trunks: [{name: a, address: 192.0.2.1}]
routes:
  - {prefix: "49", targets: [{pri_span: pbx1, strip: 2}]}
  - {prefix: "", from: pbx1, targets: [{sip_trunk: a}]}
)",
                                    "t.yaml");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  Router router(r->config.routes());
  const RouteEntry* e = router.lookup("a", "4930");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->targets[0].kind, RouteTarget::Kind::kPriSpan);
  EXPECT_EQ(e->targets[0].name, "pbx1");
  e = router.lookup("pbx1", "123");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->targets[0].kind, RouteTarget::Kind::kSipTrunk);
}

// Issue 20, number portability: a route on the routing number (Q.763 3.90 network routing number, national
// significant digits; RFC 4694 4 rn) beats every route on the called number alone; without a routing
// number (or with another one) the called-number routes apply as before.
TEST(Router, RoutingNumberPrefixBeatsCalledPrefix) {
  auto r = config::load_config_text(R"(sip:
  trunks: [{name: a, address: 192.0.2.1}, {name: b, address: 192.0.2.2}, {name: c, address: 192.0.2.3}]
routes:
  - {prefix: "30", targets: [{sip_trunk: a}]}
  - {prefix: "", rn_prefix: "999", targets: [{sip_trunk: b}]}
  - {prefix: "30", rn_prefix: "9991", targets: [{sip_trunk: c}]}
  - {prefix: "30", rn_prefix: "999", from: a, targets: [{sip_trunk: c}]}
)",
                                    "t.yaml");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  Router router(r->config.routes());
  auto target = [&](std::string_view from, std::string_view called, std::string_view rn) -> std::string {
    const RouteEntry* e = router.lookup(from, called, rn);
    return e ? e->targets[0].name : "none";
  };
  EXPECT_EQ(target("x", "30123", ""), "a");        // not ported: the called number
  EXPECT_EQ(target("x", "30123", "555"), "a");     // another routing number: no rn route matches
  EXPECT_EQ(target("x", "30123", "9990"), "b");    // the rn route wins over the longer called prefix
  EXPECT_EQ(target("x", "40123", "9990"), "b");    // ... and routes a called number without a route
  EXPECT_EQ(target("x", "30123", "99912"), "c");   // the longest rn_prefix first
  EXPECT_EQ(target("x", "40123", "99912"), "b");   // its called prefix must match too
  EXPECT_EQ(target("a", "30123", "9990"), "c");    // same rn and called prefix: the source-specific one
  EXPECT_EQ(target("x", "40123", ""), "none");
  EXPECT_EQ(r->config.routes(1).rn_prefix(), "999");
}

TEST(RoutingConfig, RnPrefixErrorsNameTheLine) {
  EXPECT_EQ(error_of("sip:\n  trunks: [{name: a, address: 192.0.2.1}]\nroutes:\n  - prefix: \"1\"\n"
                     "    rn_prefix: \"+49\"\n    targets: [{sip_trunk: a}]\n"),
            "t.yaml:5: route rn_prefix '+49' must be digits only (a national routing number)");
  EXPECT_EQ(error_of("sip:\n  trunks: [{name: a, address: 192.0.2.1}]\nroutes:\n"
                     "  - {prefix: \"1\", rn_prefix: \"99\", targets: [{sip_trunk: a}]}\n"
                     "  - {prefix: \"1\", rn_prefix: \"99\", targets: [{sip_trunk: a}]}\n"),
            "t.yaml:5: duplicate route for prefix '1' rn_prefix '99'");
  // The same called prefix with and without a routing number: two routes, accepted.
  EXPECT_EQ(error_of("sip:\n  trunks: [{name: a, address: 192.0.2.1}]\nroutes:\n"
                     "  - {prefix: \"1\", rn_prefix: \"99\", targets: [{sip_trunk: a}]}\n"
                     "  - {prefix: \"1\", targets: [{sip_trunk: a}]}\n"),
            "accepted");
}

TEST(Router, NumberManipulationStripsThenPrefixes) {
  RouteTarget t{RouteTarget::Kind::kTrunkGroup, "tg1", 2, "0", 3};
  EXPECT_EQ(t.manipulate("33123456"), "0123456");
  RouteTarget all{RouteTarget::Kind::kTrunkGroup, "tg1", 9, "", std::nullopt};
  EXPECT_EQ(all.manipulate("1234"), "");
  EXPECT_TRUE(congestion_cause(34));
  EXPECT_TRUE(congestion_cause(42));
  EXPECT_FALSE(congestion_cause(17));
}

TEST(SourceAcl, AddressesAndPrefixesBothFamilies) {
  SourceAcl acl;
  acl.add("192.0.2.0/28");
  acl.add("198.51.100.7");
  acl.add("2001:db8::/32");
  EXPECT_TRUE(acl.allows("192.0.2.15"));
  EXPECT_FALSE(acl.allows("192.0.2.16"));
  EXPECT_TRUE(acl.allows("198.51.100.7"));
  EXPECT_FALSE(acl.allows("198.51.100.8"));
  EXPECT_TRUE(acl.allows("2001:db8:1::5"));
  EXPECT_FALSE(acl.allows("2001:db9::5"));
  EXPECT_FALSE(acl.allows("not-an-address"));
  SourceAcl any;
  any.add("0.0.0.0/0");
  EXPECT_TRUE(any.allows("203.0.113.1"));
}

TEST(CallFsm, TableCoversTheCallLifecycle) {
  using S = CallState;
  using E = CallEvent;
  auto to = [](S s, E e) { return call_transition(s, e).value().to; };
  EXPECT_EQ(to(S::kIdle, E::kSetup), S::kOutgoing);
  EXPECT_EQ(call_transition(S::kIdle, E::kSetup)->action, CallAction::kStartB);
  EXPECT_EQ(to(S::kOutgoing, E::kProgress), S::kEarly);
  EXPECT_EQ(to(S::kEarly, E::kAnswer), S::kActive);
  EXPECT_EQ(to(S::kActive, E::kBReleased), S::kReleased);
  EXPECT_EQ(call_transition(S::kActive, E::kBReleased)->action, CallAction::kReleaseA);
  EXPECT_EQ(call_transition(S::kEarly, E::kAReleased)->action, CallAction::kReleaseB);
  EXPECT_EQ(call_transition(S::kOutgoing, E::kRetry)->action, CallAction::kTryNext);
  // No alternate after the far end has progressed the call (ACM received).
  EXPECT_FALSE(call_transition(S::kEarly, E::kRetry));
  // Late events after release are ignored.
  for (auto e : {E::kSetup, E::kProgress, E::kAnswer, E::kAReleased, E::kBReleased, E::kBFailed})
    EXPECT_FALSE(call_transition(S::kReleased, e)) << to_string(e);
  EXPECT_FALSE(call_transition(S::kActive, E::kProgress));  // CPG after answer: no state change
}

}  // namespace
}  // namespace isupgw::engine
