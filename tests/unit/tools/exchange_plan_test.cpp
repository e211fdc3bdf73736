// isup-peer --exchange: the call plan's grammar (--call PREFIX:SPEC, --calls FILE),
// longest-prefix choice, and the call log read from the octets that cross the
// MTP interface (CIC, message type, parameters; Q.763 1.2, table 26 for REL).
#include "tools/isup-peer/exchange_plan.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "base/hex.h"

namespace isupgw::isup::peer {
namespace {

using std::chrono::milliseconds;

TEST(ExchangePlan, ParsesEachKey) {
  auto b = parse_behaviour("12:answer=100,release=2000,cause=16");
  ASSERT_TRUE(b) << b.error();
  EXPECT_EQ(b->prefix, "12");
  EXPECT_TRUE(b->acm);
  EXPECT_EQ(b->answer, milliseconds(100));
  EXPECT_EQ(b->release, milliseconds(2000));
  EXPECT_EQ(b->cause, 16);

  b = parse_behaviour(" 15 : acm=0, release=0, cause=17 ");
  ASSERT_TRUE(b) << b.error();
  EXPECT_EQ(b->prefix, "15");
  EXPECT_FALSE(b->acm);
  EXPECT_FALSE(b->answer);
  EXPECT_EQ(b->release, milliseconds(0));
  EXPECT_EQ(b->cause, 17);

  b = parse_behaviour("18:cpg=50,answer=100");
  ASSERT_TRUE(b) << b.error();
  EXPECT_EQ(b->cpg, milliseconds(50));

  b = parse_behaviour("17:");  // ACM, then wait for the far end's REL
  ASSERT_TRUE(b) << b.error();
  EXPECT_TRUE(b->acm);
  EXPECT_FALSE(b->answer);
  EXPECT_FALSE(b->release);

  b = parse_behaviour(":answer=0");  // every number
  ASSERT_TRUE(b);
  EXPECT_EQ(b->prefix, "");
}

TEST(ExchangePlan, RefusesWhatItCannotDo) {
  EXPECT_EQ(parse_behaviour("12answer=1").error(), "expected PREFIX:SPEC");
  EXPECT_EQ(parse_behaviour("1a:answer=1").error(), "prefix '1a' is not digits");
  EXPECT_EQ(parse_behaviour("1:answer").error(), "expected key=value, got 'answer'");
  EXPECT_EQ(parse_behaviour("1:answer=x").error(), "answer: 'x' is not a number");
  EXPECT_EQ(parse_behaviour("1:answer=-5").error(), "answer: '-5' is not a number");
  EXPECT_FALSE(parse_behaviour("1:cause=0"));  // Q.850 causes are 1..127
  EXPECT_FALSE(parse_behaviour("1:cause=128"));
  EXPECT_FALSE(parse_behaviour("1:acm=2"));
  EXPECT_FALSE(parse_behaviour("1:ring=5"));
  EXPECT_EQ(parse_behaviour("1:acm=0,answer=5").error(), "answer without ACM");
  EXPECT_EQ(parse_behaviour("1:acm=0,cpg=5").error(), "cpg without ACM");  // Q.764 2.1.4: ANM after ACM, or CON
}

TEST(ExchangePlan, FileLinesWithCommentsAndErrorsNamingTheLine) {
  auto p = parse_behaviours("# busy\n14:release=0,cause=17  # after the ACM\n\n16:release=3000,cause=19\n", "f");
  ASSERT_TRUE(p) << p.error();
  ASSERT_EQ(p->size(), 2u);
  EXPECT_EQ((*p)[1].prefix, "16");
  EXPECT_EQ(parse_behaviours("14:\n\n15:cause=200\n", "calls.txt").error(),
            "calls.txt:3: bad cause=200 (acm=0|1, cpg=MS, answer=MS, release=MS, cause=1..127, connected=DIGITS)");
}

TEST(ExchangePlan, ConnectedNumberKeptAsDigits) {
  auto b = parse_behaviour("5:answer=100,connected=06001");
  ASSERT_TRUE(b) << b.error();
  EXPECT_EQ(b->connected, "06001");  // a string: the leading 0 stays
  EXPECT_EQ(parse_behaviour("5:connected=60a1").error(), "connected: '60a1' is not 1-16 digits");
  EXPECT_EQ(parse_behaviour("5:connected=").error(), "connected: '' is not 1-16 digits");
}

TEST(ExchangePlan, LongestPrefixWinsAndStIsIgnored) {
  std::vector<Behaviour> plan{*parse_behaviour("1:"), *parse_behaviour("12:cause=17"), *parse_behaviour("123:")};
  EXPECT_EQ(match(plan, "1299F"), &plan[1]);
  EXPECT_EQ(match(plan, "123F"), &plan[2]);
  EXPECT_EQ(match(plan, "19"), &plan[0]);
  EXPECT_EQ(match(plan, "2"), nullptr);
}

class CallLogTest : public ::testing::Test {
 protected:
  void SetUp() override { out = open_memstream(&buf, &len); }
  void TearDown() override { std::free(buf); }
  void msg(CallLog& log, bool sent, std::string_view hex, std::int64_t t) {
    auto b = from_hex(hex);
    ASSERT_TRUE(b);
    log.on_message(sent, *b, t);
  }
  std::string text() {
    std::fflush(out);
    return std::string(buf, len);
  }
  char* buf = nullptr;
  std::size_t len = 0;
  std::FILE* out = nullptr;
};

// Q.763 1.2: the CIC is 12 bits (ITU), the upper 4 bits of its second octet spare; ANSI T1.113 uses 14.
TEST_F(CallLogTest, CicSpareBitsAreNotPartOfTheCircuit) {
  {
    CallLog itu(out);
    msg(itu, false, "05f001", 1000);  // IAM, CIC 5 with the spare bits set
    msg(itu, true, "050010", 1001);   // RLC on CIC 5 ends the same call
    EXPECT_EQ(itu.written(), 1u);
    CallLog ansi(out, true);
    msg(ansi, false, "05f001", 1000);  // CIC 0x3005 in ANSI: bits 13-12 count, 15-14 spare
    msg(ansi, true, "053010", 1001);
    EXPECT_EQ(ansi.written(), 1u);
  }
  fclose(out);
  EXPECT_NE(std::string(buf, len).find("{\"cic\":5,"), std::string::npos);
  EXPECT_NE(std::string(buf, len).find("{\"cic\":12293,"), std::string::npos);
}

TEST_F(CallLogTest, AnsweredCallClearedByTheFarEnd) {
  {
    CallLog log(out);
    msg(log, false, "050001", 1000);  // IAM on CIC 5 (only the CIC and type are read)
    log.set_numbers(5, "1049301F", "5550001");
    msg(log, true, "050006", 1001);             // ACM
    msg(log, true, "050009", 1101);             // ANM
    msg(log, false, "05000c0200028190", 1401);  // REL: cause indicators LPN, cause 16
    EXPECT_EQ(text(), "");                      // written at its end only
    msg(log, true, "050010", 1402);             // RLC
    EXPECT_EQ(log.written(), 1u);
  }
  fclose(out);
  EXPECT_EQ(std::string(buf, len),
            "{\"cic\":5,\"called\":\"1049301\",\"calling\":\"5550001\",\"iam\":1000,\"acm\":1001,\"cpg\":null,"
            "\"anm\":1101,\"rel\":1401,\"rlc\":1402,\"cause\":16,\"released_by\":\"far\"}\n");
}

TEST_F(CallLogTest, OurRelWithRecommendationOctetAndCollision) {
  {
    CallLog log(out);
    msg(log, false, "010101", 10);             // IAM, CIC 257 (low octet first)
    msg(log, true, "01010c020003018091", 11);  // REL: octet 3 ext 0, octet 3a, cause 17 (Q.850 2.2.5)
    msg(log, false, "01010c0200028190", 12);   // REL collision (Q.764 2.3.1 f): the first one counts
    msg(log, false, "010110", 13);             // RLC
  }
  fclose(out);
  EXPECT_EQ(std::string(buf, len),
            "{\"cic\":257,\"called\":\"\",\"calling\":\"\",\"iam\":10,\"acm\":null,\"cpg\":null,\"anm\":null,"
            "\"rel\":11,\"rlc\":13,\"cause\":17,\"released_by\":\"peer\"}\n");
}

TEST_F(CallLogTest, MessagesOutsideACallAreIgnoredAndOpenCallsWrittenAtTheEnd) {
  {
    CallLog log(out);
    msg(log, true, "020010", 1);   // RLC on a CIC with no call
    msg(log, true, "020001", 2);   // an IAM we send: the exchange only answers calls
    msg(log, false, "030001", 3);  // IAM, never released
    msg(log, true, "03002c", 4);   // CPG
    EXPECT_EQ(log.written(), 0u);
  }
  fclose(out);
  EXPECT_EQ(std::string(buf, len),
            "{\"cic\":3,\"called\":\"\",\"calling\":\"\",\"iam\":3,\"acm\":null,\"cpg\":4,\"anm\":null,\"rel\":null,"
            "\"rlc\":null,\"cause\":null,\"released_by\":null}\n");
}

}  // namespace
}  // namespace isupgw::isup::peer
