// DTMF and fax options towards an MGCP MG (issue 20): telephone-event in the
// SDPs and in LocalConnectionOptions (RFC 3435 2.3.3, RFC 4733), the RFC 3660
// DTMF package signals, the RFC 5347 fax package options; and the MG simulator
// playing them (signals recorded, T.38 accepted or refused).
#include "media-gw/mgcp_media_options.h"

#include <gtest/gtest.h>

#include "base/clock.h"
#include "media-gw/mg_simulator.h"
#include "media-gw/mgcp_codec.h"

namespace isupgw::mediagw {
namespace {

constexpr std::string_view kSipOffer =
    "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
    "m=audio 6000 RTP/AVP 0 8 96\r\na=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-15\r\n";
constexpr std::string_view kMgSdp =
    "v=0\r\no=- 1A 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n"
    "m=audio 4000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n";
constexpr std::string_view kT38 =
    "v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=image 6002 udptl t38\r\n"
    "a=T38FaxVersion:0\r\n";

TEST(MgcpMediaOptions, TelephoneEventPayloadType) {
  EXPECT_EQ(telephone_event_pt(kSipOffer), 96);
  EXPECT_EQ(telephone_event_pt(kMgSdp), 101);
  EXPECT_EQ(telephone_event_pt("m=audio 4000 RTP/AVP 8\r\n"), std::nullopt);
  // Listed in an rtpmap but not among the m= line's formats, or at another rate: not offered.
  EXPECT_EQ(telephone_event_pt("m=audio 4000 RTP/AVP 8\r\na=rtpmap:101 telephone-event/8000\r\n"), std::nullopt);
  EXPECT_EQ(telephone_event_pt("m=audio 4000 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/16000\r\n"), std::nullopt);
  // A rejected audio stream (port 0) offers nothing.
  EXPECT_EQ(telephone_event_pt("m=audio 0 RTP/AVP 101\r\na=rtpmap:101 telephone-event/8000\r\n"), std::nullopt);
}

TEST(MgcpMediaOptions, LocalConnectionOptionsListTelephoneEventWhenBothSidesHaveIt) {
  // RFC 3435 2.3.3: a: lists encoding names by preference, ';'-separated; the remote's first
  // codec the MG also has (PCMU is not in the MG's SDP).
  EXPECT_EQ(telephone_event_options(kMgSdp, kSipOffer), "a:PCMA;telephone-event");
  EXPECT_EQ(telephone_event_options("m=audio 4000 RTP/AVP 8\r\n", kSipOffer), "");
  EXPECT_EQ(telephone_event_options(kMgSdp, "m=audio 6000 RTP/AVP 8\r\n"), "");
  EXPECT_EQ(telephone_event_options(kMgSdp, "m=audio 6000 RTP/AVP 0 96\r\na=rtpmap:96 telephone-event/8000\r\n"), "");
}

TEST(MgcpMediaOptions, T38OfferAndFaxOptions) {
  EXPECT_TRUE(offers_t38(kT38));
  EXPECT_FALSE(offers_t38(kSipOffer));
  EXPECT_FALSE(offers_t38("m=image 0 udptl t38\r\n"));  // rejected stream
  // RFC 5347 2.1 fxr/fx: values; RFC 3435 2.3.3 e: echo cancellation, s: silence suppression.
  EXPECT_EQ(kFaxT38Options, "fxr/fx:t38");
  EXPECT_EQ(fax_passthrough_options("PCMU"), "a:PCMU, e:off, s:off, fxr/fx:off");
}

TEST(MgcpMediaOptions, DtmfPackageSignals) {
  // RFC 3660 2.3 (DTMF package "D"): digits 0-9, *, #, A-D.
  for (char d : std::string_view("0123456789*#ABCD")) EXPECT_EQ(dtmf_signal(d), std::string("D/") + d);
  EXPECT_EQ(dtmf_signal('a'), "D/A");
  EXPECT_EQ(dtmf_signal('E'), std::nullopt);
  EXPECT_EQ(dtmf_signal('!'), std::nullopt);
  auto c = make_rqnt_signal("ds/e1-0/5@mg1", "1F", "D/5");
  c.transaction_id = 7;
  EXPECT_EQ(mgcp::serialize(c), "RQNT 7 ds/e1-0/5@mg1 MGCP 1.0\r\nX: 1F\r\nS: D/5\r\n");
}

std::span<const std::uint8_t> bytes(std::string_view s) {
  return std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

struct Sim {
  ManualClock clock;
  MgSimulator sim{SimConfig{}, clock};
  mgcp::Response exec(const std::string& text) {
    auto out = sim.handle(bytes(text));
    EXPECT_EQ(out.size(), 1u) << text;
    return out.empty() ? mgcp::Response{} : std::get<mgcp::Response>(*mgcp::parse(out[0]));
  }
};

TEST(MgSimulatorMedia, TelephoneEventWithTheRemotePayloadTypeAndSignalsRecorded) {
  Sim s;
  auto r = s.exec("CRCX 1 ds/e1-0/5@mg1 MGCP 1.0\r\nC: 1a\r\nM: sendrecv\r\n\r\n" + std::string(kSipOffer));
  ASSERT_EQ(r.code, 200);
  EXPECT_NE(r.sdp.find("m=audio 16000 RTP/AVP 8 96\r\n"), std::string::npos) << r.sdp;
  EXPECT_NE(r.sdp.find("a=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-15\r\n"), std::string::npos) << r.sdp;
  EXPECT_EQ(s.exec("RQNT 2 ds/e1-0/5@mg1 MGCP 1.0\r\nX: 1\r\nS: D/5\r\n").code, 200);
  EXPECT_EQ(s.exec("RQNT 3 ds/e1-0/5@mg1 MGCP 1.0\r\nS: D/6\r\n").code, 510);  // X: is mandatory
  // A continuity tone (answered, then its NTFY T/oc) is not a recorded signal.
  EXPECT_EQ(s.sim.handle(bytes("RQNT 4 ds/e1-0/5@mg1 MGCP 1.0\r\nX: 2\r\nS: T/co1\r\nR: T/oc\r\n")).size(), 2u);
  ASSERT_EQ(s.sim.signals().size(), 1u);
  EXPECT_EQ(s.sim.signals()[0].endpoint, "ds/e1-0/5@mg1");
  EXPECT_EQ(s.sim.signals()[0].signal, "D/5");
}

TEST(MgSimulatorMedia, T38AcceptedOrRefused) {
  Sim s;
  auto r = s.exec("CRCX 1 ds/e1-0/5@mg1 MGCP 1.0\r\nC: 1a\r\nM: sendrecv\r\n");
  ASSERT_EQ(r.code, 200);
  const std::string ci = *r.param("I");
  const std::string mdcx = "MDCX 2 ds/e1-0/5@mg1 MGCP 1.0\r\nC: 1a\r\nI: " + ci + "\r\nL: fxr/fx:t38\r\n\r\n";
  r = s.exec(mdcx + std::string(kT38));
  ASSERT_EQ(r.code, 200);
  EXPECT_NE(r.sdp.find("m=image 16000 udptl t38\r\n"), std::string::npos) << r.sdp;
  EXPECT_TRUE(s.sim.connection(ci)->t38);
  // Back to audio (RFC 5347 2.1.3 off) with e:off, s:off.
  r = s.exec("MDCX 3 ds/e1-0/5@mg1 MGCP 1.0\r\nC: 1a\r\nI: " + ci + "\r\nL: " + fax_passthrough_options("PCMA") +
             "\r\n");
  ASSERT_EQ(r.code, 200);
  EXPECT_FALSE(s.sim.connection(ci)->t38);
  EXPECT_EQ(s.sim.connection(ci)->local_options, "a:PCMA, e:off, s:off, fxr/fx:off");
  EXPECT_NE(r.sdp.find("m=audio 16000 RTP/AVP 8"), std::string::npos) << r.sdp;
  // An MG without T.38: 532 (RFC 3435: unsupported value in LocalConnectionOptions); nothing changed.
  s.sim.set_t38(false);
  r = s.exec("MDCX 4 ds/e1-0/5@mg1 MGCP 1.0\r\nC: 1a\r\nI: " + ci + "\r\nL: fxr/fx:t38\r\n\r\n" + std::string(kT38));
  EXPECT_EQ(r.code, 532);
  EXPECT_FALSE(s.sim.connection(ci)->t38);
}

}  // namespace
}  // namespace isupgw::mediagw
