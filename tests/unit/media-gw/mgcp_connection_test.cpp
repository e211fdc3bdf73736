// Connection operations: builders and reading the CRCX answer (RFC 3435 2.3.5).
#include "media-gw/mgcp_connection.h"

#include <gtest/gtest.h>

#include "media-gw/mgcp_codec.h"

namespace isupgw::mediagw {
namespace {

using mgcp::ConnectionMode;

mgcp::Response response(std::string_view text) { return std::get<mgcp::Response>(*mgcp::parse(text)); }

TEST(MgcpConnection, Builders) {
  CrcxRequest r;
  r.endpoint = "ds/e1-0/5@mg1";
  r.call_id = "1f";
  r.local_options = "p:20, a:PCMA";
  r.mode = ConnectionMode::kRecvOnly;
  auto c = make_crcx(r);
  c.transaction_id = 7;
  EXPECT_EQ(mgcp::serialize(c), "CRCX 7 ds/e1-0/5@mg1 MGCP 1.0\r\nC: 1f\r\nL: p:20, a:PCMA\r\nM: recvonly\r\n");
  auto m = make_mdcx("ds/e1-0/5@mg1", "1f", "AB12", ConnectionMode::kContinuityTest);
  m.transaction_id = 8;
  EXPECT_EQ(mgcp::serialize(m), "MDCX 8 ds/e1-0/5@mg1 MGCP 1.0\r\nC: 1f\r\nI: AB12\r\nM: conttest\r\n");
  auto d = make_dlcx("ds/e1-0/5@mg1", "1f");
  d.transaction_id = 9;
  EXPECT_EQ(mgcp::serialize(d), "DLCX 9 ds/e1-0/5@mg1 MGCP 1.0\r\nC: 1f\r\n");
  auto a = make_auep("ds/e1-0/5@mg1", "I");
  a.transaction_id = 10;
  EXPECT_EQ(mgcp::serialize(a), "AUEP 10 ds/e1-0/5@mg1 MGCP 1.0\r\nF: I\r\n");
}

TEST(MgcpConnection, WildcardCrcxTakesEndpointFromZ) {
  CrcxRequest r;
  r.endpoint = "rtpbridge/*@mgw";
  r.call_id = "1";
  auto req = make_crcx(r);
  auto ok = connection_from_crcx(req, response("200 1 OK\r\nZ: rtpbridge/1a@mgw\r\nI: 0F\r\n\r\nv=0\r\n"));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->endpoint, "rtpbridge/1a@mgw");
  EXPECT_EQ(ok->connection_id, "0F");
  EXPECT_EQ(ok->sdp, "v=0\r\n");
  EXPECT_EQ(connection_from_crcx(req, response("200 1 OK\r\nI: 0F\r\n")).error().error,
            ConnectionError::kMissingSpecificEndpoint);
  EXPECT_EQ(connection_from_crcx(req, response("200 1 OK\r\nZ: rtpbridge/*@mgw\r\nI: 0F\r\n")).error().error,
            ConnectionError::kBadSpecificEndpoint);
  EXPECT_EQ(connection_from_crcx(req, response("200 1 OK\r\nZ: rtpbridge/1@other\r\nI: 0F\r\n")).error().error,
            ConnectionError::kBadSpecificEndpoint);
  EXPECT_EQ(connection_from_crcx(req, response("200 1 OK\r\nZ: rtpbridge/1@mgw\r\n")).error().error,
            ConnectionError::kMissingConnectionId);
}

TEST(MgcpConnection, SpecificCrcxKeepsRequestedEndpoint) {
  CrcxRequest r;
  r.endpoint = "ds/e1-0/5@mg1";
  r.call_id = "1";
  auto ok = connection_from_crcx(make_crcx(r), response("200 1 OK\r\nI: 0F\r\n"));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->endpoint, "ds/e1-0/5@mg1");
}

}  // namespace
}  // namespace isupgw::mediagw
