// pri_spans (issue 21): a span's IUA association, interface identifier (RFC 4233 3.1.3), B channels
// (E1 PRI: timeslots 1..31 but 16, the D channel) and their MG endpoints; routes naming spans.
#include <gtest/gtest.h>

#include "config/loader.h"

namespace isupgw::config {
namespace {

constexpr std::string_view kPri = R"(media_gateways:
  - {name: mg1, address: {address: 127.0.0.1, port: 2427}}
sip:
  trunks:
    - {name: peer, address: 127.0.0.1}
pri_spans:
  - name: pbx
    iua: {transport: tcp, remote: {address: 127.0.0.1, port: 9900}}
    interface_id: 1
    channels: ["1-15", "17-31"]
    media_gateway: mg1
    endpoints: "ds/e1-{span}/{timeslot}@mg1"
    mg_span: 2
routes:
  - {prefix: "4930", targets: [{pri_span: pbx}]}
  - {prefix: "", from: pbx, targets: [{sip_trunk: peer}]}
)";

std::string pri_error(std::string from, std::string to) {
  std::string y(kPri);
  auto at = y.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  y.replace(at, from.size(), to);
  auto r = load_config_text(y, "p.yaml");
  EXPECT_FALSE(r.ok()) << y;
  return r.ok() ? "" : r.error().to_string();
}

Result<LoadedConfig, ConfigError> pri_with(std::string from, std::string to) {
  std::string y(kPri);
  auto at = y.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  y.replace(at, from.size(), to);
  return load_config_text(y, "p.yaml");
}

TEST(PriConfig, ValidSpanLoadsIntoSettings) {
  auto r = load_config_text(kPri, "p.yaml");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->settings.pri_spans.size(), 1u);
  const auto& s = r->settings.pri_spans[0];
  EXPECT_EQ(s.name, "pbx");
  EXPECT_EQ(s.transport.kind, sigtran::TransportSpec::Kind::kTcp);
  EXPECT_FALSE(s.transport.server);
  EXPECT_EQ(s.transport.address, "127.0.0.1");
  EXPECT_EQ(s.transport.port, 9900);
  EXPECT_EQ(s.transport.ppid, 1u);  // RFC 4233 1.4.7
  EXPECT_EQ(std::get<std::uint32_t>(s.interface), 1u);
  EXPECT_FALSE(s.user_side);
  EXPECT_FALSE(s.trust_calling_number);  // default: the PBX's numbers are not taken as verified (Q.951)
  ASSERT_EQ(s.channels.size(), 30u);
  EXPECT_EQ(s.channels.front(), 1);
  EXPECT_EQ(s.channels[14], 15);
  EXPECT_EQ(s.channels[15], 17);
  EXPECT_EQ(s.channels.back(), 31);
  ASSERT_TRUE(s.endpoints.has_value());
  // Channel N is timeslot N of E1 mg_span.
  EXPECT_EQ(s.endpoints->endpoint_for_cic(1), "ds/e1-2/1@mg1");
  EXPECT_EQ(s.endpoints->endpoint_for_cic(31), "ds/e1-2/31@mg1");
  EXPECT_EQ(s.endpoints->cic_for_endpoint("ds/e1-2/17@mg1"), 17u);
  EXPECT_EQ(s.media_gateway, "mg1");
}

TEST(PriConfig, DefaultsTextInterfaceAndUserSide) {
  auto r = load_config_text(R"(pri_spans:
  - {name: s, iua: {remote: {address: "::1"}}, interface_id: pbx-d1, side: user, trust_calling_number: true}
)",
                            "p.yaml");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const auto& s = r->settings.pri_spans.at(0);
  EXPECT_EQ(s.transport.kind, sigtran::TransportSpec::Kind::kSctp);
  EXPECT_EQ(s.transport.port, 9900);  // RFC 4233 1.4.8
  EXPECT_EQ(std::get<std::string>(s.interface), "pbx-d1");
  EXPECT_TRUE(s.user_side);
  EXPECT_TRUE(s.trust_calling_number);
  EXPECT_EQ(s.channels.size(), 30u);  // default "1-15,17-31"
  EXPECT_FALSE(s.endpoints.has_value());
}

TEST(PriConfig, ChannelListsAndRanges) {
  auto r = pri_with("channels: [\"1-15\", \"17-31\"]", "channels: [\"1-3,5\", \"31\"]");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->settings.pri_spans.at(0).channels, (std::vector<std::uint8_t>{1, 2, 3, 5, 31}));
}

TEST(PriConfig, ErrorsNameTheLine) {
  EXPECT_EQ(pri_error("\"17-31\"", "\"16-31\""),
            "p.yaml:10: '16-31' includes timeslot 16, the E1 PRI's D channel");
  EXPECT_EQ(pri_error("\"17-31\"", "\"17-32\""), "p.yaml:10: '17-32' is not a B channel or range within 1..31");
  EXPECT_EQ(pri_error("\"17-31\"", "\"15-20\""), "p.yaml:10: B channel 15 is listed twice");
  EXPECT_EQ(pri_error("\"17-31\"", "\"0\""), "p.yaml:10: '0' is not a B channel or range within 1..31");
  EXPECT_EQ(pri_error("interface_id: 1", "interface_id: 4294967296"), "p.yaml:9: interface_id 4294967296 is beyond 32 bits");
  EXPECT_EQ(pri_error("interface_id: 1", "interface_id: \"a b\""),
            "p.yaml:9: a text interface_id is printable ASCII without spaces");
  EXPECT_EQ(pri_error("    interface_id: 1\n", ""),
            "p.yaml:7: PRI span 'pbx' needs 'interface_id' (integer or text, RFC 4233 3.1.3)");
  EXPECT_EQ(pri_error("remote: {address: 127.0.0.1, port: 9900}", "remote: {address: 127.0.0.x}"),
            "p.yaml:8: '127.0.0.x' is not an IPv4 or IPv6 address");
  EXPECT_EQ(pri_error("media_gateway: mg1", "media_gateway: mg2"), "p.yaml:11: unknown media gateway 'mg2'");
  EXPECT_EQ(pri_error("ds/e1-{span}/{timeslot}@mg1", "ds/e1-{span}/{ts@mg1"),
            "p.yaml:12: endpoint pattern 'ds/e1-{span}/{ts@mg1': unterminated placeholder");
  EXPECT_EQ(pri_error("ds/e1-{span}/{timeslot}@mg1", "rtp/{cic}@mg1"),
            "p.yaml:12: a PRI's B channels are named by {span} and {timeslot}, not {cic}");
  EXPECT_EQ(pri_error("name: pbx", "name: peer"),
            "p.yaml:7: duplicate name 'peer' (spans, SIP trunks and trunk groups share one)");
  EXPECT_EQ(pri_error("    iua: {transport: tcp, remote: {address: 127.0.0.1, port: 9900}}\n", ""),
            "p.yaml:7: PRI span 'pbx' needs 'iua' (the signalling gateway's address)");
}

TEST(PriConfig, RoutesNameSpans) {
  EXPECT_EQ(pri_error("{pri_span: pbx}", "{pri_span: pbx2}"), "p.yaml:15: no PRI span named 'pbx2'");
  EXPECT_EQ(pri_error("{pri_span: pbx}", "{pri_span: pbx, sip_trunk: peer}"),
            "p.yaml:15: route target needs exactly one of 'sip_trunk', 'trunk_group' and 'pri_span'");
  EXPECT_EQ(pri_error("from: pbx", "from: pbx9"),
            "p.yaml:16: no SIP trunk, ISUP trunk group or PRI span named 'pbx9'");
}

}  // namespace
}  // namespace isupgw::config
