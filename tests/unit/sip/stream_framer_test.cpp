// Stream framing (RFC 3261 18.3) and keepalives (RFC 5626 3.5.1).
#include "sip/stream_framer.h"

#include <gtest/gtest.h>

#include <string>

#include "sip/message.h"

namespace isupgw::sip {
namespace {

std::string options(const std::string& call_id, const std::string& body = "") {
  return "OPTIONS sip:gw@example.net SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK" + call_id +
         "\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:gw@example.net>\r\nCall-ID: " + call_id +
         "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nl: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(StreamFramer, SplitsBackToBackMessagesAndPings) {
  StreamFramer f;
  std::string stream = "\r\n\r\n" + options("a", "hello") + options("b") + "\r\n" + options("c", "x");
  // Feed one octet at a time: the worst TCP segmentation.
  std::vector<std::string> got;
  int pings = 0;
  for (char c : stream) {
    ASSERT_TRUE(f.append(std::string_view(&c, 1)));
    for (;;) {
      auto fr = f.next();
      if (fr.kind == StreamFramer::Kind::kNeedMore) break;
      ASSERT_NE(fr.kind, StreamFramer::Kind::kError) << describe(fr.fault);
      if (fr.kind == StreamFramer::Kind::kPing) {
        ++pings;
        continue;
      }
      Message m;
      auto r = parse_message(fr.bytes, m, Framing::kStream);
      ASSERT_TRUE(r.ok()) << r.error().warning_text();
      EXPECT_EQ(*r, fr.bytes.size());
      got.emplace_back(m.call_id);
    }
  }
  EXPECT_EQ(pings, 1);
  EXPECT_EQ(got, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(f.buffered(), 0u);
}

TEST(StreamFramer, MissingContentLengthIsFatal) {
  StreamFramer f;
  std::string m = options("a");
  m.erase(m.find("l: 0\r\n"), 6);
  f.append(m);
  auto fr = f.next();
  EXPECT_EQ(fr.kind, StreamFramer::Kind::kError);
  EXPECT_EQ(fr.fault, Fault::kBadContentLength);
  EXPECT_EQ(f.next().kind, StreamFramer::Kind::kError);
  EXPECT_FALSE(f.append(std::string_view("x")));
}

TEST(StreamFramer, Bounded) {
  StreamFramer f(1000);
  EXPECT_FALSE(f.append(std::string(1001, 'a')));
  EXPECT_EQ(f.next().fault, Fault::kMessageTooLarge);
  StreamFramer g(1000);
  std::string big = options("a");
  big.replace(big.find("l: 0"), 4, "l: 5000");
  g.append(big);
  EXPECT_EQ(g.next().fault, Fault::kMessageTooLarge);
  StreamFramer h(100);
  EXPECT_TRUE(h.append(std::string(100, 'a')));  // no header end within the bound
  EXPECT_EQ(h.next().fault, Fault::kMessageTooLarge);
}

TEST(StreamFramer, WaitsForBody) {
  StreamFramer f;
  std::string m = options("a", "0123456789");
  f.append(std::string_view(m).substr(0, m.size() - 3));
  EXPECT_EQ(f.next().kind, StreamFramer::Kind::kNeedMore);
  f.append(std::string_view(m).substr(m.size() - 3));
  auto fr = f.next();
  ASSERT_EQ(fr.kind, StreamFramer::Kind::kMessage);
  EXPECT_EQ(fr.bytes, m);
}

}  // namespace
}  // namespace isupgw::sip
