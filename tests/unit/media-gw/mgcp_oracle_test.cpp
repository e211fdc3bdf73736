// Every MGCP message shape we serialize, decoded by tshark in ONE run
// (tshark start-up dominates): same verb / transaction id / endpoint /
// parameters, nothing malformed.
#include <gtest/gtest.h>

#include <cctype>
#include <map>

#include "media-gw/mg_simulator.h"
#include "media-gw/mgcp_codec.h"
#include "media-gw/mgcp_connection.h"
#include "tests/support/tshark_oracle.h"

namespace isupgw::mediagw::mgcp {
namespace {

// Wireshark packet-mgcp.c field for each parameter code we emit.
const std::map<std::string, std::string>& field_for_code() {
  static const std::map<std::string, std::string> m = {
      {"K", "mgcp.param.rspack"},
      {"B", "mgcp.param.bearerinfo"},
      {"C", "mgcp.param.callid"},
      {"I", "mgcp.param.connectionid"},
      {"I2", "mgcp.param.secondconnectionid"},
      {"N", "mgcp.param.notifiedentity"},
      {"X", "mgcp.param.requestid"},
      {"L", "mgcp.param.localconnectionoptions"},
      {"M", "mgcp.param.connectionmode"},
      {"R", "mgcp.param.reqevents"},
      {"S", "mgcp.param.signalreq"},
      {"D", "mgcp.param.digitmap"},
      {"O", "mgcp.param.observedevents"},
      {"P", "mgcp.param.connectionparam"},
      {"E", "mgcp.param.reasoncode"},
      {"Z", "mgcp.param.specificendpointid"},
      {"Z2", "mgcp.param.secondendpointid"},
      {"F", "mgcp.param.reqinfo"},
      {"Q", "mgcp.param.quarantinehandling"},
      {"T", "mgcp.param.detectedevents"},
      {"ES", "mgcp.param.eventstates"},
      {"RM", "mgcp.param.restartmethod"},
      {"RD", "mgcp.param.restartdelay"},
      {"A", "mgcp.param.capabilities"},
      {"PL", "mgcp.param.packagelist"},
      {"MD", "mgcp.param.maxmgcpdatagram"},
  };
  return m;
}

Command cmd(Verb v, std::uint32_t tid, std::string ep, Parameters ps, std::string sdp = {}) {
  Command c;
  c.verb = v;
  c.transaction_id = tid;
  c.endpoint = std::move(ep);
  c.params = std::move(ps);
  c.sdp = std::move(sdp);
  return c;
}

Response rsp(std::uint16_t code, std::uint32_t tid, std::string comment, Parameters ps, std::string sdp = {}) {
  Response r;
  r.code = code;
  r.transaction_id = tid;
  r.comment = std::move(comment);
  r.params = std::move(ps);
  r.sdp = std::move(sdp);
  return r;
}

const std::string kSdp =
    "v=0\r\no=- 1a2b 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
    "m=audio 16384 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\na=ptime:20\r\n";

std::vector<Message> all_messages() {
  return {
      cmd(Verb::kCrcx, 1001, "ds/e1-0/1@mg1",
          {{"C", "A3C47F21456789F0"}, {"L", "p:20, a:PCMA"}, {"M", "recvonly"}, {"N", "ca@[192.0.2.1]:2727"}}),
      cmd(Verb::kCrcx, 1002, "rtpbridge/*@mgw", {{"C", "1a"}, {"L", "p:20, a:PCMA"}, {"M", "sendrecv"}}, kSdp),
      cmd(Verb::kMdcx, 1003, "ds/e1-0/1@mg1", {{"C", "A3C47F21456789F0"}, {"I", "FDE234C8"}, {"M", "sendrecv"}}, kSdp),
      cmd(Verb::kMdcx, 1004, "ds/e1-0/1@mg1", {{"C", "1a"}, {"I", "FDE234C8"}, {"M", "conttest"}}),
      cmd(Verb::kMdcx, 1005, "ds/e1-0/2@mg1", {{"C", "1b"}, {"I", "FDE234C9"}, {"M", "loopback"}}),
      cmd(Verb::kDlcx, 1006, "ds/e1-0/1@mg1", {{"C", "A3C47F21456789F0"}, {"I", "FDE234C8"}}),
      cmd(Verb::kDlcx, 1007, "ds/e1-0/*@mg1", {}),
      cmd(Verb::kAuep, 1008, "ds/e1-0/1@mg1", {{"F", "A, I, R"}}),
      cmd(Verb::kAuep, 1009, "null@mgw", {}),
      cmd(Verb::kAucx, 1010, "ds/e1-0/1@mg1", {{"I", "FDE234C8"}, {"F", "C, N, L, M, LC"}}),
      cmd(Verb::kRqnt, 1011, "ds/e1-0/1@mg1", {{"X", "0123456789AC"}, {"R", "T/oc, T/of"}, {"S", "T/co1"}}),
      cmd(Verb::kNtfy, 1012, "ds/e1-0/1@mg1", {{"X", "0123456789AC"}, {"O", "T/oc"}}),
      cmd(Verb::kRsip, 1013, "ds/e1-0/*@mg1", {{"RM", "restart"}, {"RD", "0"}}),
      cmd(Verb::kRsip, 1014, "*@mg1", {{"RM", "graceful"}, {"RD", "300"}}),
      cmd(Verb::kEpcf, 1015, "ds/e1-0/*@mg1", {{"B", "e:A"}}),
      rsp(200, 1001, "OK", {{"I", "FDE234C8"}}, kSdp),
      rsp(200, 1002, "OK", {{"Z", "rtpbridge/1a@mgw"}, {"I", "0F1E2D3C"}}, kSdp),
      rsp(250, 1006, "OK", {{"P", "PS=1245, OS=62345, PR=780, OR=45123, PL=10, JI=27, LA=48"}}),
      rsp(200, 1008, "OK", {{"I", "FDE234C8, FDE234C9"}}),
      rsp(100, 1003, "pending", {}),
      rsp(510, 1011, "protocol error", {}),
      rsp(200, 1013, "OK", {}),
      rsp(0, 1002, "", {}),
      rsp(200, 1003, "OK", {{"K", ""}}),
  };
}

// What the client builders and the MG simulator put on the wire.
std::vector<Message> generated_messages() {
  std::vector<Message> out;
  CrcxRequest r;
  r.endpoint = "rtpbridge/*@mg1";
  r.call_id = "c0ffee";
  r.local_options = "p:20, a:PCMA";
  r.mode = ConnectionMode::kRecvOnly;
  auto crcx = make_crcx(r);
  crcx.transaction_id = 2001;
  auto mdcx = make_mdcx("rtpbridge/1@mg1", "c0ffee", "1000", ConnectionMode::kSendRecv, kSdp);
  mdcx.transaction_id = 2002;
  auto dlcx = make_dlcx("rtpbridge/1@mg1", "c0ffee", "1000");
  dlcx.transaction_id = 2003;
  auto auep = make_auep("rtpbridge/1@mg1", "I");
  auep.transaction_id = 2004;
  ManualClock clock;
  MgSimulator sim(SimConfig{}, clock);
  for (const auto& c : {crcx, mdcx, dlcx, auep}) {
    out.push_back(c);
    auto wire = mgcp::serialize(c);
    for (const auto& answer : sim.handle(std::span(reinterpret_cast<const std::uint8_t*>(wire.data()), wire.size())))
      out.push_back(*mgcp::parse(answer));
  }
  out.push_back(sim.make_rsip(RestartMethod::kGraceful, "ds/e1-0/*@mg1", 30));
  out.push_back(sim.make_ntfy("ds/e1-0/1@mg1", "12", "T/oc"));
  return out;
}

TEST(MgcpOracle, EverySerializedMessageDecodesInTshark) {
  if (!tshark::available()) GTEST_FAIL() << "text2pcap/tshark not installed";
  auto msgs = all_messages();
  auto generated = generated_messages();
  ASSERT_EQ(generated.size(), 10u);
  msgs.insert(msgs.end(), generated.begin(), generated.end());
  std::vector<std::vector<std::uint8_t>> payloads;
  for (const auto& m : msgs) {
    auto s = serialize(m);
    payloads.emplace_back(s.begin(), s.end());
  }
  auto ds = tshark::dissect_many(payloads, tshark::Wrap::kMgcpUdp);
  ASSERT_EQ(ds.size(), msgs.size());
  for (std::size_t i = 0; i < msgs.size(); ++i) {
    const auto& d = ds[i];
    SCOPED_TRACE(serialize(msgs[i]));
    ASSERT_TRUE(d.ok()) << d.error;
    EXPECT_FALSE(d.malformed) << d.problems() << d.dump();
    EXPECT_TRUE(d.expert.empty()) << d.problems();
    EXPECT_FALSE(d.has("mgcp.param.invalid")) << d.dump();
    EXPECT_FALSE(d.has("mgcp.unknown_parameter")) << d.dump();
    const Parameters* ps = nullptr;
    if (const auto* c = std::get_if<Command>(&msgs[i])) {
      EXPECT_EQ(d.first("mgcp.req.verb"), std::string(to_string(c->verb)));
      EXPECT_EQ(d.first("mgcp.transid"), std::to_string(c->transaction_id));
      EXPECT_EQ(d.first("mgcp.req.endpoint"), c->endpoint);
      EXPECT_EQ(d.first("mgcp.version"), c->version);
      ps = &c->params;
      if (!c->sdp.empty()) {
        EXPECT_TRUE(d.has("sdp.version")) << d.dump();
      }
    } else {
      const auto& r = std::get<Response>(msgs[i]);
      EXPECT_EQ(d.first("mgcp.rsp.rspcode"), std::to_string(r.code));
      EXPECT_EQ(d.first("mgcp.transid"), std::to_string(r.transaction_id));
      if (!r.comment.empty()) {
        EXPECT_EQ(d.first("mgcp.rsp.rspstring"), r.comment);
      }
      ps = &r.params;
      if (!r.sdp.empty()) {
        EXPECT_TRUE(d.has("sdp.version")) << d.dump();
      }
    }
    for (const auto& p : *ps) {
      auto f = field_for_code().find(p.name);
      ASSERT_NE(f, field_for_code().end()) << p.name;
      // L: and P: are subtrees whose display is the whole line; their items are checked below.
      auto shown = d.first(f->second);
      EXPECT_TRUE(shown == p.value || shown == p.name + ": " + p.value) << p.name << "\n" << d.dump();
      if (p.name == "L" || p.name == "P") {
        // "p:20, a:PCMA" / "PS=1245, OS=..": every item has its own field.
        const std::string base = p.name == "L" ? "mgcp.param.localconnectionoptions." : "mgcp.param.connectionparam.";
        const char sep = p.name == "L" ? ':' : '=';
        std::string_view rest = p.value;
        while (!rest.empty()) {
          auto comma = rest.find(',');
          std::string_view item = rest.substr(0, comma);
          rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
          while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
          auto eq = item.find(sep);
          ASSERT_NE(eq, std::string_view::npos) << item;
          std::string key(item.substr(0, eq));
          for (auto& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          EXPECT_EQ(d.first(base + key), std::string(item.substr(eq + 1))) << base + key;
        }
      }
    }
  }
}

}  // namespace
}  // namespace isupgw::mediagw::mgcp
