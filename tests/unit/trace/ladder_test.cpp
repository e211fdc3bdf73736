// The ladder page (issue 17): one arrow per message, in capture order, on the right lanes; the IAM's decoded
// fields carry its called number; nothing outside the page is referenced.
#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "base/hex.h"
#include "trace/ladder.h"

namespace isupgw::trace {
namespace {

StoredMessage msg(Protocol p, bool out, std::vector<std::uint8_t> bytes, std::int64_t t) {
  // A StoredMessage views the store's copy of its bytes: here, one that lives as long as the test binary.
  static std::deque<std::vector<std::uint8_t>> kept;
  kept.push_back(std::move(bytes));
  StoredMessage m;
  m.record.protocol = p;
  m.record.outgoing = out;
  m.record.time_us = t;
  m.bytes = kept.back();
  return m;
}
std::vector<std::uint8_t> text(std::string_view s) { return {s.begin(), s.end()}; }

std::size_t count(const std::string& h, std::string_view what) {
  std::size_t n = 0;
  for (auto at = h.find(what); at != std::string::npos; at = h.find(what, at + 1)) ++n;
  return n;
}

std::vector<StoredMessage> call() {
  // M3UA DATA, OPC 1 DPC 2 SI 5, ISUP IAM CIC 1 to "12345678" (Q.763 Table 32), padded to 4 octets.
  auto iam = *from_hex(
      "01000101 0000002c 0210 0021 00000001 00000002 05020000 "
      "0100 01 00 2001 0a 00 02 00 06 0390 2143 6587 000000");
  return {msg(Protocol::kSip, false, text("INVITE sip:12345678@gw SIP/2.0\r\nCall-ID: a<b>\r\nCSeq: 1 INVITE\r\n\r\n"),
              1'000'000),
          msg(Protocol::kM3ua, true, iam, 1'002'000),
          msg(Protocol::kMgcp, true, text("CRCX 7 ds/e1-1/1@mg MGCP 1.0\r\nC: 1\r\n"), 1'003'000),
          msg(Protocol::kSip, true, text("SIP/2.0 100 Trying\r\nCall-ID: a<b>\r\nCSeq: 1 INVITE\r\n\r\n"), 1'004'000)};
}

TEST(Ladder, OneArrowPerMessageWithItsLabel) {
  const auto msgs = call();
  const std::string h = render_ladder(7, msgs, isup::Variant::kItu);
  EXPECT_EQ(count(h, "<g class=\"msg\""), 4u);
  EXPECT_NE(h.find("id=\"m0\""), std::string::npos);
  EXPECT_NE(h.find(">INVITE</text>"), std::string::npos);
  EXPECT_NE(h.find(">IAM CIC 1</text>"), std::string::npos);
  EXPECT_NE(h.find(">CRCX 7</text>"), std::string::npos);
  EXPECT_NE(h.find(">100 (INVITE)</text>"), std::string::npos);
  EXPECT_NE(h.find("+3 ms"), std::string::npos);
}

TEST(Ladder, ArrowsRunBetweenTheGatewayAndTheirLane) {
  const auto msgs = call();
  const std::string h = render_ladder(7, msgs, isup::Variant::kItu);
  // INVITE in: from the SIP lane (x 140) to the gateway (400); IAM out: gateway to the ISUP lane (660).
  EXPECT_NE(h.find("<line x1=\"140\" y1=\"70\" x2=\"392\""), std::string::npos) << h;
  EXPECT_NE(h.find("<line x1=\"400\" y1=\"100\" x2=\"652\""), std::string::npos);
  EXPECT_NE(h.find("<line x1=\"400\" y1=\"130\" x2=\"912\""), std::string::npos);
}

TEST(Ladder, TheIamsFieldsCarryItsCalledNumber) {
  const std::string h = render_ladder(7, call(), isup::Variant::kItu);
  const auto d1 = h.find("<pre class=\"fields\" id=\"d1\" hidden>");
  ASSERT_NE(d1, std::string::npos);
  const auto end = h.find("</pre>", d1);
  const std::string fields = h.substr(d1, end - d1);
  EXPECT_NE(fields.find("OPC 1 DPC 2"), std::string::npos) << fields;
  EXPECT_NE(fields.find("called_party_number"), std::string::npos) << fields;
  EXPECT_NE(fields.find("12345678"), std::string::npos) << fields;
}

TEST(Ladder, SelfContainedAndEscaped) {
  const std::string h = render_ladder(7, call(), isup::Variant::kItu);
  EXPECT_EQ(h.find("<script src"), std::string::npos);
  EXPECT_EQ(h.find("<link"), std::string::npos);
  EXPECT_EQ(count(h, "http://"), 1u);  // the SVG namespace only
  EXPECT_EQ(h.find("a<b>"), std::string::npos);
  EXPECT_NE(h.find("a&lt;b&gt;"), std::string::npos);
}

TEST(Ladder, IndexListsTheKeptCallsNewestFirst) {
  CallStore store;
  Batch b;
  for (std::uint64_t id : {3, 5}) {
    Record r;
    r.call = id;
    b.records.push_back(r);
  }
  store.add(b);
  const std::string h = render_call_index(store, "/calls/", "/ladder");
  EXPECT_LT(h.find("href=\"/calls/5/ladder\""), h.find("href=\"/calls/3/ladder\""));
}

}  // namespace
}  // namespace isupgw::trace
