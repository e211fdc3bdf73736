// MGCP codec: text in -> fields out, and model -> text (RFC 3435 3.1-3.5).
#include "media-gw/mgcp_codec.h"

#include <gtest/gtest.h>

#include "base/hex.h"

namespace isupgw::mediagw::mgcp {
namespace {

const Command& as_command(const Result<Message, ParseError>& r) { return std::get<Command>(*r); }
const Response& as_response(const Result<Message, ParseError>& r) { return std::get<Response>(*r); }

// RFC 3435 appendix E.3-style CRCX from a Call Agent toward a trunking gateway.
constexpr std::string_view kCrcx =
    "CRCX 1204 ds/e1-3/12@mg1.example.net MGCP 1.0\r\n"
    "C: A3C47F21456789F0\r\n"
    "L: p:20, a:PCMA\r\n"
    "M: recvonly\r\n"
    "X: 0123456789AD\r\n"
    "R: T/co1\r\n"
    "S: T/co1\r\n";

TEST(MgcpCodec, CommandLineAndParameters) {
  auto r = parse(kCrcx);
  ASSERT_TRUE(r.ok()) << to_string(r.error());
  const auto& c = as_command(r);
  EXPECT_EQ(c.verb, Verb::kCrcx);
  EXPECT_EQ(c.transaction_id, 1204u);
  EXPECT_EQ(c.endpoint, "ds/e1-3/12@mg1.example.net");
  EXPECT_EQ(c.version, "MGCP 1.0");
  ASSERT_EQ(c.params.size(), 6u);
  EXPECT_EQ(*c.param("C"), "A3C47F21456789F0");
  EXPECT_EQ(*c.param("l"), "p:20, a:PCMA");  // codes are case-insensitive
  EXPECT_EQ(*c.param(param::kConnectionMode), "recvonly");
  EXPECT_EQ(*c.param("X"), "0123456789AD");
  EXPECT_EQ(*c.param("R"), "T/co1");
  EXPECT_EQ(*c.param("S"), "T/co1");
  EXPECT_EQ(c.param("I"), nullptr);
  EXPECT_TRUE(c.sdp.empty());
}

TEST(MgcpCodec, HexInFieldsOut) {
  // "AUEP 1201 ds/e1-0/1@mg MGCP 1.0\r\nF: A\r\n" as captured on the wire.
  auto bytes = *from_hex("41554550 20313230 31206473 2f65312d 302f3140 6d67204d 47435020 312e300d 0a463a20 410d0a");
  auto r = parse(std::span<const std::uint8_t>(bytes));
  ASSERT_TRUE(r.ok()) << to_string(r.error());
  const auto& c = as_command(r);
  EXPECT_EQ(c.verb, Verb::kAuep);
  EXPECT_EQ(c.transaction_id, 1201u);
  EXPECT_EQ(c.endpoint, "ds/e1-0/1@mg");
  EXPECT_EQ(*c.param(param::kRequestedInfo), "A");
}

TEST(MgcpCodec, ResponseWithSdpFromOsmoMgw) {
  // As osmo-mgw 1.10 answers a wildcard CRCX (captured on loopback).
  constexpr std::string_view kRsp =
      "200 3 OK\r\nZ: rtpbridge/1@mgw\r\nI: FA0780CD\r\n\r\n"
      "v=0\r\no=- FA0780CD 23 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
      "m=audio 43000 RTP/AVP 8\r\na=ptime:20\r\n";
  auto r = parse(kRsp);
  ASSERT_TRUE(r.ok()) << to_string(r.error());
  const auto& rsp = as_response(r);
  EXPECT_EQ(rsp.code, 200);
  EXPECT_EQ(rsp.transaction_id, 3u);
  EXPECT_EQ(rsp.comment, "OK");
  EXPECT_EQ(*rsp.param(param::kSpecificEndpointId), "rtpbridge/1@mgw");
  EXPECT_EQ(*rsp.param(param::kConnectionId), "FA0780CD");
  EXPECT_TRUE(rsp.sdp.starts_with("v=0\r\n"));
  EXPECT_TRUE(rsp.sdp.ends_with("a=ptime:20\r\n"));
  EXPECT_EQ(serialize(rsp), kRsp);  // canonical in, identical out
}

TEST(MgcpCodec, LfOnlyAndLooseWhitespaceAccepted) {
  auto r = parse("rsip  77\tds/e1-0/*@mg   MGCP 1.0 NCS 1.0\nrm:restart\nRD :  0 \n");
  ASSERT_TRUE(r.ok()) << to_string(r.error());
  const auto& c = as_command(r);
  EXPECT_EQ(c.verb, Verb::kRsip);
  EXPECT_EQ(c.version, "MGCP 1.0 NCS 1.0");
  EXPECT_EQ(*c.param(param::kRestartMethod), "restart");
  EXPECT_EQ(*c.param("RD"), "0");
  EXPECT_EQ(restart_method_from_string(*c.param("RM")), RestartMethod::kRestart);
  EXPECT_EQ(serialize(c), "RSIP 77 ds/e1-0/*@mg MGCP 1.0 NCS 1.0\r\nrm: restart\r\nRD: 0\r\n");
}

TEST(MgcpCodec, AllVerbs) {
  for (std::string_view v : {"EPCF", "CRCX", "MDCX", "DLCX", "RQNT", "NTFY", "AUEP", "AUCX", "RSIP"}) {
    auto r = parse(std::string(v) + " 9 a@b MGCP 1.0\r\n");
    ASSERT_TRUE(r.ok()) << v;
    EXPECT_EQ(to_string(as_command(r).verb), v);
  }
}

TEST(MgcpCodec, ResponseCodes) {
  auto r = parse("250 1205 OK\r\nP: PS=1245, OS=62345, PR=780, OR=45123, PL=10, JI=27, LA=48\r\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(as_response(r).code, 250);
  EXPECT_EQ(code_class(250), CodeClass::kSuccess);
  auto ack = parse("000 1205\r\n");
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(as_response(ack).code, 0);
  EXPECT_EQ(as_response(ack).comment, "");
  EXPECT_EQ(code_class(0), CodeClass::kAck);
  EXPECT_EQ(code_class(100), CodeClass::kProvisional);
  EXPECT_EQ(code_class(403), CodeClass::kTransient);
  EXPECT_EQ(code_class(510), CodeClass::kPermanent);
  EXPECT_EQ(code_text(515), "incorrect connection-id");
  EXPECT_EQ(serialize(*ack), "000 1205\r\n");
}

TEST(MgcpCodec, DistinctErrors) {
  EXPECT_EQ(parse("").error(), ParseError::kEmpty);
  EXPECT_EQ(parse("\r\n\r\n").error(), ParseError::kEmpty);
  EXPECT_EQ(parse("HELO 1 a@b MGCP 1.0\r\n").error(), ParseError::kUnknownVerb);
  EXPECT_EQ(parse("AUEP 1 a@b\r\n").error(), ParseError::kBadStartLine);
  EXPECT_EQ(parse("AUEP x1 a@b MGCP 1.0\r\n").error(), ParseError::kBadTransactionId);
  EXPECT_EQ(parse("AUEP 0 a@b MGCP 1.0\r\n").error(), ParseError::kBadTransactionId);
  EXPECT_EQ(parse("AUEP 1000000000 a@b MGCP 1.0\r\n").error(), ParseError::kBadTransactionId);
  EXPECT_EQ(parse("AUEP 1 endpoint MGCP 1.0\r\n").error(), ParseError::kBadEndpoint);
  EXPECT_EQ(parse("AUEP 1 a@b SIP 2.0\r\n").error(), ParseError::kBadVersion);
  EXPECT_EQ(parse("AUEP 1 a@b MGCP 1.x\r\n").error(), ParseError::kBadVersion);
  EXPECT_EQ(parse("20 1 OK\r\n").error(), ParseError::kBadResponseCode);
  EXPECT_EQ(parse("200\r\n").error(), ParseError::kBadStartLine);
  EXPECT_EQ(parse("AUEP 1 a@b MGCP 1.0\r\nno colon here\r\n").error(), ParseError::kBadParameterLine);
  EXPECT_EQ(parse("AUEP 1 a@b MGCP 1.0\r\n: value\r\n").error(), ParseError::kBadParameterLine);
  EXPECT_EQ(parse(std::string_view("AUEP 1 a@b MGCP 1.0\r\nC: a\0b\r\n", 29)).error(), ParseError::kBadCharacter);
  EXPECT_EQ(parse("AUEP 1 a@b MGCP 1.0\r\nC: a\rb\r\n").error(), ParseError::kBadCharacter);
  std::string many = "AUEP 1 a@b MGCP 1.0\r\n";
  for (int i = 0; i < 65; ++i) many += "X-P: 1\r\n";
  EXPECT_EQ(parse(many).error(), ParseError::kTooManyParameters);
  EXPECT_EQ(parse(std::string(kMaxMessageSize + 1, 'A')).error(), ParseError::kTooLong);
}

TEST(MgcpCodec, PiggybackRejectedByParseSplitByParseDatagram) {
  const std::string dgram =
      "200 1203 OK\r\n.\r\nNTFY 2001 ds/e1-0/1@mg MGCP 1.0\r\nX: 12\r\nO: T/oc\r\n.\r\nRSIP 2002 *@mg MGCP 1.0\r\nRM: "
      "forced\r\n";
  EXPECT_EQ(parse(dgram).error(), ParseError::kPiggybacked);
  auto r = parse_datagram(std::span(reinterpret_cast<const std::uint8_t*>(dgram.data()), dgram.size()));
  ASSERT_TRUE(r.ok()) << to_string(r.error());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(std::get<Response>((*r)[0]).transaction_id, 1203u);
  EXPECT_EQ(std::get<Command>((*r)[1]).verb, Verb::kNtfy);
  EXPECT_EQ(*std::get<Command>((*r)[1]).param("O"), "T/oc");
  EXPECT_EQ(std::get<Command>((*r)[2]).verb, Verb::kRsip);
  EXPECT_EQ(serialize_datagram(*r), dgram);

  auto bytes = [](std::string_view s) { return std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); };
  EXPECT_EQ(parse_datagram(bytes("200 1 OK\r\n.\r\n.\r\n200 2 OK\r\n")).error(), ParseError::kEmptyPiggybackPart);
  EXPECT_EQ(parse_datagram(bytes(".\r\n200 2 OK\r\n")).error(), ParseError::kEmptyPiggybackPart);
  EXPECT_TRUE(parse_datagram(bytes("200 1 OK\r\n.\r\n")).ok());  // trailing separator tolerated
  EXPECT_EQ(parse_datagram(bytes("")).error(), ParseError::kEmpty);
  EXPECT_EQ(parse_datagram(bytes("200 1 OK\r\n.\r\nbogus\r\n")).error(), ParseError::kUnknownVerb);
  std::string many;
  for (int i = 1; i <= 17; ++i) many += "200 " + std::to_string(i) + " OK\r\n.\r\n";
  EXPECT_EQ(parse_datagram(bytes(many)).error(), ParseError::kTooManyMessages);
}

TEST(MgcpCodec, SerializeCommandWithSdp) {
  Command c;
  c.verb = Verb::kMdcx;
  c.transaction_id = 42;
  c.endpoint = "ds/e1-0/5@mg1";
  c.set(param::kCallId, "1a");
  c.set(param::kConnectionId, "FDE234C8");
  c.set(param::kConnectionMode, "sendrecv");
  c.set(param::kConnectionMode, "conttest");  // replaces, does not duplicate
  c.sdp = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 8\r\n";
  EXPECT_EQ(serialize(c),
            "MDCX 42 ds/e1-0/5@mg1 MGCP 1.0\r\nC: 1a\r\nI: FDE234C8\r\nM: conttest\r\n\r\n"
            "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 8\r\n");
  auto back = parse(serialize(c));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(as_command(back), c);
}

TEST(MgcpCodec, ExtensionParameters) {
  auto r = parse("CRCX 1 rtpbridge/*@mgw MGCP 1.0\r\nC: 1\r\nX-Osmo-IGN: C\r\nX+Vendor: 1\r\nFM/fmtp: x\r\n");
  ASSERT_TRUE(r.ok()) << to_string(r.error());
  EXPECT_EQ(*as_command(r).param("x-osmo-ign"), "C");
  EXPECT_EQ(*as_command(r).param("X+Vendor"), "1");
  EXPECT_EQ(*as_command(r).param("FM/fmtp"), "x");
  EXPECT_EQ(parse("CRCX 1 a@b MGCP 1.0\r\nC@x: 1\r\n").error(), ParseError::kBadParameterLine);
  EXPECT_EQ(parse("CRCX 1 a@b MGCP 1.0\r\nC X: 1\r\n").error(), ParseError::kBadParameterLine);
}

TEST(MgcpCodec, ModesAndRestartMethods) {
  EXPECT_EQ(connection_mode_from_string("CONTTEST"), ConnectionMode::kContinuityTest);
  EXPECT_EQ(connection_mode_from_string("netwloop"), ConnectionMode::kNetworkLoop);
  EXPECT_EQ(connection_mode_from_string("confecho"), std::nullopt);
  EXPECT_EQ(to_string(ConnectionMode::kConference), "confrnce");
  EXPECT_EQ(restart_method_from_string("cancel-graceful"), RestartMethod::kCancelGraceful);
  EXPECT_EQ(restart_method_from_string("soon"), std::nullopt);
}

}  // namespace
}  // namespace isupgw::mediagw::mgcp
