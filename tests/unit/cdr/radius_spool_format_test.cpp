// The RADIUS accounting spool's text (cdr/radius_spool_format.h): records and acknowledgements as
// lines, a torn last line not part of the spool, acknowledgements taking the oldest record first.
#include <gtest/gtest.h>

#include "cdr/radius_spool_format.h"

namespace isupgw::cdr::radius {
namespace {

SpoolRecord stop_record(std::string session = "19af-7") {
  SpoolRecord r;
  r.event_ms = 1765000000123;
  r.acct.status = StatusType::kStop;
  r.acct.session_id = std::move(session);
  r.acct.nas_identifier = "gw 1";
  r.acct.calling = "4930123";
  r.acct.session_time_s = 13;
  r.acct.terminate_cause = TerminateCause::kUserRequest;
  r.acct.event_timestamp = 1765000000;
  return r;
}

// "19af-7" = 31 39 61 66 2d 37; "gw 1" = 67 77 20 31; "4930123"; no Called-Station-Id: "-".
constexpr std::string_view kStopLine = "R 1765000000123 2 13 1 313961662d37 67772031 34393330313233 -\n";

TEST(RadiusSpool, RecordLineHexStringsDashForEmpty) { EXPECT_EQ(spool_line(stop_record()), kStopLine); }

TEST(RadiusSpool, RecordReadBackWithEventTimestampFromEventTime) {
  const auto c = parse_spool(kStopLine);
  ASSERT_EQ(c.pending.size(), 1u);
  const auto& a = c.pending[0].acct;
  EXPECT_EQ(c.pending[0].event_ms, 1765000000123);
  EXPECT_EQ(a.status, StatusType::kStop);
  EXPECT_EQ(a.session_id, "19af-7");
  EXPECT_EQ(a.nas_identifier, "gw 1");
  EXPECT_EQ(a.calling, "4930123");
  EXPECT_EQ(a.called, "");
  EXPECT_EQ(a.session_time_s, 13u);
  EXPECT_EQ(a.terminate_cause, TerminateCause::kUserRequest);
  EXPECT_EQ(a.event_timestamp, 1765000000u);  // RFC 2869 5.3: seconds
  EXPECT_EQ(c.whole_bytes, kStopLine.size());
  EXPECT_EQ(c.bad_lines, 0u);
}

// Issue 20: a Stop with charge information keeps it through the spool: two more fields, the count and the
// octets' text in hex ("0102 03" = 30 31 30 32 20 30 33); a line without them is still read (older spools).
TEST(RadiusSpool, ChargeInformationRoundTrips) {
  SpoolRecord r = stop_record();
  r.acct.charge_messages = 2;
  r.acct.charge_info = "0102 03";
  const std::string line = spool_line(r);
  EXPECT_EQ(line, "R 1765000000123 2 13 1 313961662d37 67772031 34393330313233 - 2 30313032203033\n");
  const auto c = parse_spool(line);
  ASSERT_EQ(c.pending.size(), 1u);
  EXPECT_EQ(c.pending[0].acct.charge_messages, 2u);
  EXPECT_EQ(c.pending[0].acct.charge_info, "0102 03");
  EXPECT_EQ(parse_spool(kStopLine).pending.at(0).acct.charge_messages, 0u);
  EXPECT_EQ(parse_spool("R 1765000000123 2 13 1 313961662d37 67772031 34393330313233 - 0 -\n").bad_lines, 1u);
}

TEST(RadiusSpool, AcknowledgementTakesTheOldestRecord) {
  const std::string text = spool_line(stop_record("a")) + spool_line(stop_record("b")) + "A\n" +
                           spool_line(stop_record("c"));
  const auto c = parse_spool(text);
  ASSERT_EQ(c.pending.size(), 2u);
  EXPECT_EQ(c.pending[0].acct.session_id, "b");
  EXPECT_EQ(c.pending[1].acct.session_id, "c");
  EXPECT_EQ(c.acknowledged, 1u);
}

TEST(RadiusSpool, TornLastLineIsNotPartOfTheSpool) {
  const std::string whole = spool_line(stop_record("a"));
  const std::string text = whole + std::string(kStopLine.substr(0, 20));  // a write cut by a crash
  const auto c = parse_spool(text);
  EXPECT_EQ(c.pending.size(), 1u);
  EXPECT_EQ(c.whole_bytes, whole.size());
}

TEST(RadiusSpool, BadLinesCountedNotTaken) {
  const auto c = parse_spool("A\nR 1 9 - - 61 - - -\nR x 1 - - 61 - - -\nR 1 1 - - - - - -\nR 1 1 - - 6 - - -\nhello\n");
  EXPECT_TRUE(c.pending.empty());
  EXPECT_EQ(c.bad_lines, 6u);  // ack of nothing, status 9, bad time, empty session id, odd hex, unknown
}

TEST(RadiusSpool, StartWithoutStopFieldsRoundTrips) {
  SpoolRecord r;
  r.event_ms = 5;
  r.acct.status = StatusType::kStart;
  r.acct.session_id = "x";
  const auto c = parse_spool(spool_line(r));
  ASSERT_EQ(c.pending.size(), 1u);
  EXPECT_FALSE(c.pending[0].acct.session_time_s);
  EXPECT_FALSE(c.pending[0].acct.terminate_cause);
  EXPECT_EQ(spool_line(c.pending[0]), spool_line(r));
}

}  // namespace
}  // namespace isupgw::cdr::radius
