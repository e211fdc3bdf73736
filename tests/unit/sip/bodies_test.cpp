// SDP (RFC 4566), offer/answer (RFC 3264), multipart (RFC 2046) with
// application/ISUP (RFC 3204).
#include <gtest/gtest.h>

#include <string>

#include "sip/message.h"
#include "sip/multipart.h"
#include "sip/offer_answer.h"
#include "sip/sdp.h"
#include "tests/unit/sip/torture.h"

namespace isupgw::sip {
namespace {

const char* kOffer =
    "v=0\r\n"
    "o=alice 2890844526 2890844526 IN IP4 198.51.100.1\r\n"
    "s=-\r\n"
    "c=IN IP4 198.51.100.1\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/AVP 18 0 8 101\r\n"
    "a=rtpmap:18 G729/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-16\r\n"
    "a=sendonly\r\n"
    "m=video 51372 RTP/AVP 31\r\n"
    "a=rtpmap:31 H261/90000\r\n";

TEST(Sdp, ParseFields) {
  auto s = parse_sdp(kOffer);
  ASSERT_TRUE(s.ok()) << s.error().line << " " << s.error().what;
  EXPECT_EQ(s->origin.username, "alice");
  EXPECT_EQ(s->origin.session_version, 2890844526u);
  EXPECT_EQ(s->connection->address, "198.51.100.1");
  ASSERT_EQ(s->media.size(), 2u);
  const auto& a = s->media[0];
  EXPECT_EQ(a.port, 49170);
  EXPECT_EQ(a.formats, (std::vector<std::string>{"18", "0", "8", "101"}));
  EXPECT_EQ(a.rtpmap("0")->encoding, "PCMU");  // static, no rtpmap line
  EXPECT_EQ(a.rtpmap("101")->encoding, "telephone-event");
  EXPECT_EQ(a.rtpmap("101")->clock_rate, 8000u);
  EXPECT_EQ(a.direction(), Direction::kSendOnly);
  EXPECT_EQ(s->media[1].direction(), Direction::kSendRecv);
}

TEST(Sdp, RoundTrip) {
  auto s = parse_sdp(kOffer);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(serialize_sdp(*s), kOffer);
}

TEST(Sdp, Rejects) {
  EXPECT_FALSE(parse_sdp("o=a 1 1 IN IP4 h\r\nv=0\r\n").ok());                                         // v= not first
  EXPECT_FALSE(parse_sdp("v=0\r\ns=-\r\no=a 1 1 IN IP4 h\r\nt=0 0\r\n").ok());                         // order
  EXPECT_FALSE(parse_sdp("v=0\r\no=a 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\n").ok());  // no c=
  EXPECT_FALSE(parse_sdp("v=0\r\no=a 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 h\r\nt=0 0\r\nx=1\r\n").ok());    // unknown
  EXPECT_FALSE(parse_sdp("v=0\r\no=a 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 h\r\nt=0 0\r\nm=audio 70000 RTP/AVP 0\r\n").ok());
  EXPECT_FALSE(parse_sdp("v=0\r\no=a 1 IN IP4 h\r\ns=-\r\nt=0 0\r\n").ok());  // o= fields
  EXPECT_FALSE(parse_sdp("").ok());
  // Bare LF line ends are tolerated (RFC 4566 5).
  EXPECT_TRUE(parse_sdp("v=0\no=a 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\nm=audio 1 RTP/AVP 0\n").ok());
}

LocalMedia local() {
  LocalMedia l;
  l.address = "192.0.2.10";
  l.port = 40000;
  return l;
}

TEST(OfferAnswer, PicksFirstOfferedCommonCodecAndTelephoneEvent) {
  auto offer = parse_sdp(kOffer);
  ASSERT_TRUE(offer.ok());
  auto a = make_answer(*offer, local());
  ASSERT_TRUE(a.ok()) << describe(a.error());
  EXPECT_EQ(a->media.encoding, "PCMU");  // G729 not accepted; PCMU precedes PCMA in the offer
  EXPECT_EQ(a->media.payload_type, 0);
  EXPECT_EQ(a->media.telephone_event_pt, 101);
  EXPECT_EQ(a->media.direction, Direction::kRecvOnly);
  EXPECT_EQ(a->media.remote_address, "198.51.100.1");
  EXPECT_EQ(a->media.remote_port, 49170);
  ASSERT_EQ(a->sdp.media.size(), 2u);
  EXPECT_EQ(a->sdp.media[0].formats, (std::vector<std::string>{"0", "101"}));
  EXPECT_EQ(a->sdp.media[0].direction(), Direction::kRecvOnly);
  EXPECT_EQ(a->sdp.media[1].port, 0);  // video rejected
  // The answer is valid SDP and the offerer accepts it.
  auto text = serialize_sdp(a->sdp);
  auto reparsed = parse_sdp(text);
  ASSERT_TRUE(reparsed.ok()) << text;
  LocalMedia offerer = local();
  auto n = accept_answer(*offer, *reparsed, offerer);
  ASSERT_TRUE(n.ok()) << describe(n.error());
  EXPECT_EQ(n->encoding, "PCMU");
  EXPECT_EQ(n->telephone_event_pt, 101);
}

TEST(OfferAnswer, NoCommonCodecAndNoAudio) {
  auto g729 = parse_sdp(
      "v=0\r\no=a 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 h\r\nt=0 0\r\nm=audio 1 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n");
  ASSERT_TRUE(g729.ok());
  EXPECT_EQ(make_answer(*g729, local()).error(), OaError::kNoCommonCodec);
  auto video = parse_sdp("v=0\r\no=a 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 h\r\nt=0 0\r\nm=video 1 RTP/AVP 31\r\n");
  ASSERT_TRUE(video.ok());
  EXPECT_EQ(make_answer(*video, local()).error(), OaError::kNoAudio);
}

TEST(OfferAnswer, OurOfferAndTheirAnswer) {
  LocalMedia l = local();
  Sdp offer = make_offer(l);
  auto text = serialize_sdp(offer);
  auto parsed = parse_sdp(text);
  ASSERT_TRUE(parsed.ok()) << text;
  EXPECT_EQ(parsed->media[0].formats, (std::vector<std::string>{"8", "0", "101"}));
  auto answer = parse_sdp(
      "v=0\r\no=b 5 5 IN IP4 203.0.113.5\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
      "m=audio 30000 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=recvonly\r\n");
  ASSERT_TRUE(answer.ok());
  auto n = accept_answer(*parsed, *answer, l);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->encoding, "PCMA");
  EXPECT_EQ(n->direction, Direction::kSendOnly);
  EXPECT_TRUE(n->remote_hold);
  auto bad = parse_sdp("v=0\r\no=b 5 5 IN IP4 h\r\ns=-\r\nc=IN IP4 h\r\nt=0 0\r\nm=audio 30000 RTP/AVP 18\r\n");
  EXPECT_EQ(accept_answer(*parsed, *bad, l).error(), OaError::kCodecNotOffered);
}

// RFC 3264 6.1 / 8.4: the answer to a re-offer inside a session (hold and
// retrieval): offered direction -> answered direction, with ours sendrecv
// unless said otherwise.
TEST(OfferAnswer, ReofferDirections) {
  auto ours = parse_sdp(
      "v=0\r\no=mgw 7 3 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n"
      "m=audio 4002 RTP/AVP 8\r\na=sendrecv\r\n");
  ASSERT_TRUE(ours.ok());
  auto offer = [](std::string_view c, std::string_view session_attr, std::string_view media_attr) {
    std::string t = "v=0\r\no=a 1 2 IN IP4 h\r\ns=-\r\nc=IN IP4 " + std::string(c) + "\r\nt=0 0\r\n";
    if (!session_attr.empty()) t += "a=" + std::string(session_attr) + "\r\n";
    t += "m=audio 1000 RTP/AVP 8\r\n";
    if (!media_attr.empty()) t += "a=" + std::string(media_attr) + "\r\n";
    auto s = parse_sdp(t);
    EXPECT_TRUE(s.ok()) << t;
    return *s;
  };
  struct Row {
    std::string_view c, session, media;
    Direction ours, expected;
  };
  const Row rows[] = {
      {"198.51.100.1", "", "sendonly", Direction::kSendRecv, Direction::kRecvOnly},  // hold
      {"198.51.100.1", "", "inactive", Direction::kSendRecv, Direction::kInactive},  // hold, both ways
      {"198.51.100.1", "", "sendrecv", Direction::kSendRecv, Direction::kSendRecv},  // retrieval
      {"198.51.100.1", "", "", Direction::kSendRecv, Direction::kSendRecv},          // no attribute: sendrecv
      {"198.51.100.1", "", "recvonly", Direction::kSendRecv, Direction::kSendOnly},  // we are the held one
      {"198.51.100.1", "sendonly", "", Direction::kSendRecv, Direction::kRecvOnly},  // session-level attribute
      {"0.0.0.0", "", "sendrecv", Direction::kSendRecv, Direction::kRecvOnly},       // RFC 2543 hold (8.4)
      {"0.0.0.0", "", "sendonly", Direction::kSendRecv, Direction::kRecvOnly},
      {"198.51.100.1", "", "sendrecv", Direction::kSendOnly, Direction::kSendOnly},  // we hold (ISUP CPG)
      {"198.51.100.1", "", "sendonly", Direction::kSendOnly, Direction::kInactive},  // both hold
      {"198.51.100.1", "", "sendrecv", Direction::kInactive, Direction::kInactive},
  };
  for (const auto& r : rows) {
    Sdp base = *ours;
    base.media[0].attributes = {SdpAttribute{std::string(to_string(r.ours)), {}, false}};
    Sdp a = answer_reoffer(base, offer(r.c, r.session, r.media));
    SCOPED_TRACE(std::string(r.c) + " " + std::string(r.session) + "/" + std::string(r.media) + " ours " +
                 std::string(to_string(r.ours)));
    EXPECT_EQ(a.media[0].direction(a.direction()), r.expected);
    // One direction attribute, our address, codecs and version untouched.
    const std::string text = serialize_sdp(a);
    EXPECT_EQ(text.find("a=" + std::string(to_string(r.expected)) + "\r\n"),
              text.rfind("a=" + std::string(to_string(r.expected)) + "\r\n"));
    EXPECT_NE(text.find("o=mgw 7 3 IN IP4 192.0.2.9\r\n"), std::string::npos) << text;
    EXPECT_NE(text.find("m=audio 4002 RTP/AVP 8\r\n"), std::string::npos) << text;
  }
}

std::string load(const std::string& name) { return test::load_torture(name); }

TEST(Multipart, Mpart01SdpAndIsup) {
  std::string data = load("mpart01");
  Message m;
  ASSERT_TRUE(parse_message(data, m).ok());
  auto b = split_bodies(*m.first(HeaderId::kContentType), "", m.body);
  ASSERT_TRUE(b.ok()) << describe(b.error());
  ASSERT_TRUE(b->sdp.has_value());
  EXPECT_TRUE(parse_sdp(*b->sdp).ok());
  ASSERT_TRUE(b->isup.has_value());
  EXPECT_EQ(b->isup->version, "itu-t92+");
  EXPECT_EQ(b->isup->base, "itu-t92+");
  EXPECT_TRUE(b->isup->handling_required);
  ASSERT_EQ(b->isup->bytes.size(), 15u);
  EXPECT_EQ(b->isup->bytes[0], '\x01');  // IAM
  EXPECT_FALSE(b->unknown_required_part);
}

TEST(Multipart, BuildAndParseBack) {
  IsupBody isup;
  isup.version = "itu-t92+";
  isup.base = "etsi121";
  isup.handling_required = false;
  isup.bytes = std::string("\x06\x00\x00\x0d\x0a", 5);  // ACM with CRLF inside the binary
  auto built = build_gateway_body(std::string(kOffer), isup);
  EXPECT_EQ(built.content_type, "multipart/mixed;boundary=isupgw-boundary-1");
  auto b = split_bodies(built.content_type, "", built.body);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->sdp, kOffer);
  ASSERT_TRUE(b->isup.has_value());
  EXPECT_EQ(b->isup->bytes, isup.bytes);
  EXPECT_EQ(b->isup->base, "etsi121");
  EXPECT_FALSE(b->isup->handling_required);
  auto lone = build_gateway_body(std::nullopt, isup);
  EXPECT_EQ(lone.content_disposition, "signal;handling=optional");
  auto lb = split_bodies(lone.content_type, lone.content_disposition, lone.body);
  ASSERT_TRUE(lb.ok());
  EXPECT_FALSE(lb->isup->handling_required);
}

TEST(Multipart, Faults) {
  EXPECT_EQ(parse_multipart("--b\r\n\r\nx", "b").error(), Fault::kBadMultipart);  // no close delimiter
  EXPECT_EQ(parse_multipart("no delimiter", "b").error(), Fault::kBadMultipart);
  EXPECT_EQ(parse_multipart("--b--", "").error(), Fault::kBadMultipart);
  auto pre = parse_multipart("preamble\r\n--b\r\n\r\nplain\r\n--b--\r\nepilogue", "b");
  ASSERT_TRUE(pre.ok());
  ASSERT_EQ(pre->size(), 1u);
  EXPECT_EQ((*pre)[0].body, "plain");
  EXPECT_TRUE((*pre)[0].content_type.empty());
  auto unknown =
      split_bodies("multipart/mixed;boundary=b", "", "--b\r\nContent-Type: application/x-foo\r\n\r\nz\r\n--b--\r\n");
  ASSERT_TRUE(unknown.ok());
  EXPECT_TRUE(unknown->unknown_required_part);
}

}  // namespace
}  // namespace isupgw::sip
