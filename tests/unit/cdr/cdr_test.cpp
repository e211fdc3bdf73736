// CDR text and the rolling writer (issue 17): a record in, the CSV/JSON fields out; files continued,
// torn tails cut, rotation by size and by time, fdatasync by interval.
#include <gtest/gtest.h>

#include <unistd.h>
#include <thread>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cdr/cdr_format.h"
#include "cdr/cdr_record.h"
#include "cdr/cdr_writer.h"

namespace isupgw::cdr {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// 2026-12-06T11:06:34.123Z
constexpr EpochMs kT0 = 1796555194123;

CdrRecord answered_call() {
  CdrRecord r;
  r.call_id = "c-42";
  r.direction = "sip-to-isup";
  r.sip_call_id = "abc@10.0.0.1";
  r.sip_from_tag = "ft1";
  r.sip_to_tag = "tt2";
  r.opc = 1001;
  r.dpc = 2002;
  r.cic = 17;
  r.calling_in = "+4930123";
  r.calling_out = "030123";
  r.called_in = "+4940555";
  r.called_out = "040555";
  r.presentation = "allowed";
  r.ingress_trunk = "sip-a";
  r.egress_trunk = "tg-b";
  r.route = "to-b";
  r.seizure = kT0;
  r.setup = kT0;
  r.progress = kT0 + 250;
  r.answer = kT0 + 1000;
  r.release = kT0 + 61500;
  r.release_complete = kT0 + 61520;
  r.cause = 16;
  r.cause_location = 0;
  r.released_by = "sip";
  r.sip_status = 200;
  r.codec = "PCMA";
  return r;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (c == '\n') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  EXPECT_TRUE(cur.empty()) << "torn last line: " << cur;
  return out;
}

class CdrFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cdr_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST(CdrFormat, TimeIsUtcWithMilliseconds) {
  EXPECT_EQ(format_time(kT0), "2026-12-06T11:06:34.123Z");
  EXPECT_EQ(format_time(0), "");
}

// The record's times are formatted without gmtime_r (issue 17 cost): the libc's gmtime_r + strftime is the
// oracle, across leap days, century and 400-year rules, and times before 1970.
TEST(CdrFormat, TimeAgreesWithGmtime) {
  const std::int64_t days[] = {-719468, -25567, -1, 0, 1, 59, 789, 10956, 11016, 11017, 47540, 47541, 2932896};
  for (std::int64_t d : days)
    for (std::int64_t ms_of_day : {0LL, 1LL, 43'200'999LL, 86'399'999LL}) {
      const std::int64_t t = d * 86'400'000 + ms_of_day;
      if (t == 0) continue;
      std::time_t secs = static_cast<std::time_t>((t - ms_of_day) / 1000 + ms_of_day / 1000);
      std::tm tm{};
      ASSERT_NE(gmtime_r(&secs, &tm), nullptr);
      char want[96];
      std::snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms_of_day % 1000));
      EXPECT_EQ(format_time(t), want) << "t=" << t;
    }
}

TEST(CdrFormat, PostDialDelayAndDuration) {
  CdrRecord r = answered_call();
  EXPECT_EQ(r.post_dial_delay_ms(), 250);
  EXPECT_EQ(r.duration_ms(), 60500);
  r.progress = 0;  // no 18x/ACM: up to the answer
  EXPECT_EQ(r.post_dial_delay_ms(), 1000);
  r.answer = 0;  // unanswered: no duration, no post-dial delay
  EXPECT_EQ(r.duration_ms(), 0);
  EXPECT_FALSE(r.post_dial_delay_ms());
}

TEST(CdrFormat, CsvHeaderAndLineInConfiguredColumns) {
  std::vector<std::string> names{"call_id",     "cic",   "called_out", "answer",
                                 "duration_ms", "cause", "sip_status", "mg_endpoint"};
  auto cols = parse_columns(names);
  ASSERT_TRUE(cols) << cols.error();
  EXPECT_EQ(csv_header(*cols), "call_id,cic,called_out,answer,duration_ms,cause,sip_status,mg_endpoint\n");
  std::string line;
  append_csv(line, answered_call(), *cols);
  EXPECT_EQ(line, "c-42,17,040555,2026-12-06T11:06:35.123Z,60500,16,200,\n");
}

TEST(CdrFormat, CsvQuotesCommasAndQuotesAndNeverBreaksTheLine) {
  CdrRecord r;
  r.call_id = "a,b";
  r.route = "say \"hi\"";
  r.codec = "x\ny";
  std::vector<Column> cols{Column::kCallId, Column::kRoute, Column::kCodec};
  std::string line;
  append_csv(line, r, cols);
  EXPECT_EQ(line, "\"a,b\",\"say \"\"hi\"\"\",\"x y\"\n");
}

TEST(CdrFormat, ParseColumnsRefusesUnknownAndRepeated) {
  std::vector<std::string> unknown{"call_id", "bogus"};
  auto a = parse_columns(unknown);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error(), "unknown CDR column 'bogus'");
  std::vector<std::string> twice{"cic", "cic"};
  auto b = parse_columns(twice);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error(), "CDR column 'cic' twice");
  for (Column c : all_columns()) EXPECT_EQ(column_from_name(column_name(c)), c);
}

TEST(CdrFormat, JsonLineHasEveryColumnAbsentAsNull) {
  CdrRecord r = answered_call();
  r.codec = "a\"b\\c\x01";
  std::string line;
  append_json(line, r);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_NE(line.find("\"call_id\":\"c-42\""), std::string::npos);
  EXPECT_NE(line.find("\"opc\":1001,\"dpc\":2002,\"cic\":17"), std::string::npos);
  EXPECT_NE(line.find("\"mg_endpoint\":null"), std::string::npos);
  EXPECT_NE(line.find("\"setup\":\"2026-12-06T11:06:34.123Z\""), std::string::npos);
  EXPECT_NE(line.find("\"post_dial_delay_ms\":250,\"duration_ms\":60500,\"cause\":16,\"cause_location\":0"),
            std::string::npos);
  EXPECT_NE(line.find("\"codec\":\"a\\\"b\\\\c\\u0001\",\"charge_messages\":0,\"charge_info\":null}"),
            std::string::npos);
}

// Issue 20: the charge information received during the call (CRG, national format) as two columns.
TEST(CdrFormat, ChargeInformationColumns) {
  CdrRecord r = answered_call();
  r.charge_messages = 2;
  r.charge_info = "0102 03";
  std::string line;
  append_json(line, r);
  EXPECT_NE(line.find("\"charge_messages\":2,\"charge_info\":\"0102 03\"}"), std::string::npos) << line;
  std::vector<std::string> names{"cic", "charge_messages", "charge_info"};
  auto cols = parse_columns(names);
  ASSERT_TRUE(cols);
  std::string csv;
  append_csv(csv, r, *cols);
  EXPECT_EQ(csv, "17,2,0102 03\n");
}

// A wall clock the test moves.
// The writer thread reads the clock too (rotation by time): the time is an atomic, advanced by the test.
struct FakeWall {
  struct Time {
    std::atomic<std::chrono::system_clock::time_point> at{
        std::chrono::system_clock::time_point(std::chrono::milliseconds(kT0))};
    Time& operator+=(std::chrono::system_clock::duration d) {
      at.store(at.load() + d);
      return *this;
    }
  } t;
  CdrWriter::WallClock fn() {
    return [this] { return t.at.load(); };
  }
};

TEST_F(CdrFiles, WritesCsvAndJsonLinesAndARestartAppends) {
  FakeWall wall;
  WriterOptions o;
  o.directory = dir_.string();
  {
    auto w = CdrWriter::open(o, wall.fn());
    ASSERT_TRUE(w) << w.error();
    ASSERT_TRUE((*w)->write(answered_call()));
  }
  {
    auto w = CdrWriter::open(o, wall.fn());  // the restart
    ASSERT_TRUE(w) << w.error();
    CdrRecord r = answered_call();
    r.call_id = "c-43";
    ASSERT_TRUE((*w)->write(r));
  }
  auto csv = lines(slurp((dir_ / "cdr.csv").string()));
  ASSERT_EQ(csv.size(), 3u);  // one header, two records
  EXPECT_EQ(csv[0].substr(0, 18), "call_id,direction,");
  EXPECT_EQ(csv[1].substr(0, 17), "c-42,sip-to-isup,");
  EXPECT_EQ(csv[2].substr(0, 17), "c-43,sip-to-isup,");
  auto json = lines(slurp((dir_ / "cdr.jsonl").string()));
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json[1].substr(0, 19), "{\"call_id\":\"c-43\",\"");
}

TEST_F(CdrFiles, ATornLastRecordIsCutAtRestart) {
  WriterOptions o;
  o.directory = dir_.string();
  o.json = false;
  {
    auto w = CdrWriter::open(o);
    ASSERT_TRUE(w) << w.error();
    ASSERT_TRUE((*w)->write(answered_call()));
  }
  std::string whole = slurp((dir_ / "cdr.csv").string());
  {
    std::ofstream out(dir_ / "cdr.csv", std::ios::app | std::ios::binary);
    out << "c-99,sip-to-is";  // what a write cut by a fatal signal would leave
  }
  auto w = CdrWriter::open(o);
  ASSERT_TRUE(w) << w.error();
  EXPECT_EQ((*w)->torn_bytes_dropped(), 14u);
  EXPECT_EQ(slurp((dir_ / "cdr.csv").string()), whole);
  ASSERT_TRUE((*w)->write(answered_call()));
  EXPECT_EQ(lines(slurp((dir_ / "cdr.csv").string())).size(), 3u);
}

TEST_F(CdrFiles, RotatesBySizeWithoutSplittingARecord) {
  FakeWall wall;
  WriterOptions o;
  o.directory = dir_.string();
  o.json = false;
  o.columns = {Column::kCallId, Column::kCause};
  o.rotate_bytes = 40;  // header "call_id,cause\n" (14) + two records of 10 bytes fit, a third does not
  auto w = CdrWriter::open(o, wall.fn());
  ASSERT_TRUE(w) << w.error();
  for (int i = 0; i < 5; ++i) {
    CdrRecord r;
    r.call_id = "call-" + std::to_string(i);
    r.cause = 16;
    ASSERT_TRUE((*w)->write(r));
    wall.t += 1s;  // distinct rotated names
  }
  std::vector<std::string> rotated;
  for (const auto& e : fs::directory_iterator(dir_))
    if (e.path().filename() != "cdr.csv") rotated.push_back(e.path().filename().string());
  std::sort(rotated.begin(), rotated.end());
  ASSERT_EQ(rotated.size(), 2u);
  EXPECT_EQ(rotated[0], "cdr-20261206T110636.csv");  // rotated before the third record
  auto first = lines(slurp((dir_ / rotated[0]).string()));
  EXPECT_EQ(first, (std::vector<std::string>{"call_id,cause", "call-0,16", "call-1,16"}));
  auto current = lines(slurp((dir_ / "cdr.csv").string()));
  EXPECT_EQ(current, (std::vector<std::string>{"call_id,cause", "call-4,16"}));
}

TEST_F(CdrFiles, RotatesByTimeAndSyncsByInterval) {
  FakeWall wall;
  WriterOptions o;
  o.directory = dir_.string();
  o.csv = false;
  o.rotate_interval = 60s;
  o.sync_interval = 1000ms;
  auto w = CdrWriter::open(o, wall.fn());
  ASSERT_TRUE(w) << w.error();
  ASSERT_TRUE((*w)->write(answered_call()));
  EXPECT_EQ((*w)->syncs(), 0u);  // within the interval: no fdatasync yet
  wall.t += 1000ms;
  ASSERT_TRUE((*w)->tick());
  EXPECT_EQ((*w)->syncs(), 1u);  // the timer synced the pending record
  ASSERT_TRUE((*w)->tick());
  wall.t += 1000ms;
  ASSERT_TRUE((*w)->tick());
  EXPECT_EQ((*w)->syncs(), 1u);  // nothing pending: no fdatasync
  wall.t += 60s;
  ASSERT_TRUE((*w)->tick());
  EXPECT_TRUE(fs::exists(dir_ / "cdr-20261206T110736.jsonl"));
  EXPECT_EQ(fs::file_size(dir_ / "cdr.jsonl"), 0u);
  wall.t += 60s;
  ASSERT_TRUE((*w)->tick());  // an empty file is not rotated
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator{}), 2);
}

// writer_thread: the caller only formats; the writer's thread writes and runs fdatasync, across rotations too.
TEST_F(CdrFiles, BackgroundSyncRunsOffTheCallersThread) {
  FakeWall wall;
  WriterOptions o;
  o.directory = dir_.string();
  o.sync_interval = 1000ms;
  o.rotate_bytes = 4096;
  o.writer_thread = true;
  auto w = CdrWriter::open(o, wall.fn());
  ASSERT_TRUE(w) << w.error();
  auto synced = [&](std::uint64_t n) {
    for (int i = 0; i < 5000 && (*w)->syncs() < n; ++i) std::this_thread::sleep_for(1ms);  // waits for the event
    return (*w)->syncs() >= n;
  };
  ASSERT_TRUE((*w)->write(answered_call()));
  EXPECT_EQ((*w)->syncs(), 0u);  // within the interval: nothing asked
  wall.t += 1000ms;
  ASSERT_TRUE((*w)->tick());
  EXPECT_TRUE(synced(1));
  for (int i = 0; i < 100; ++i) {  // rotations by size while syncs are asked for
    wall.t += 1000ms;
    ASSERT_TRUE((*w)->write(answered_call()));
  }
  EXPECT_TRUE(synced(2));
  w->reset();  // the thread writes what it was handed, syncs and stops
  EXPECT_GT(std::distance(fs::directory_iterator(dir_), fs::directory_iterator{}), 2);
}

// writer_thread: records wait in the caller until handed over (one write(2) per file per batch), and a
// batch is cut into files exactly where one record at a time would have been.
TEST_F(CdrFiles, WriterThreadWritesBatchesAndRotatesBySizeAsOneRecordAtATime) {
  FakeWall wall;
  WriterOptions o;
  o.directory = dir_.string();
  o.json = false;
  o.columns = {Column::kCallId, Column::kCause};
  o.rotate_bytes = 40;  // header (14) + two records of 10 bytes fit, a third does not
  o.sync_interval = 3600s;
  o.writer_thread = true;
  auto w = CdrWriter::open(o, wall.fn());
  ASSERT_TRUE(w) << w.error();
  for (int i = 0; i < 5; ++i) {
    CdrRecord r;
    r.call_id = "call-" + std::to_string(i);
    r.cause = 16;
    ASSERT_TRUE((*w)->write(r));
  }
  EXPECT_EQ(lines(slurp((dir_ / "cdr.csv").string())), std::vector<std::string>{"call_id,cause"});  // not yet
  w->reset();  // hands the batch over, the thread writes it and stops
  std::vector<std::string> rotated;
  for (const auto& e : fs::directory_iterator(dir_))
    if (e.path().filename() != "cdr.csv") rotated.push_back(e.path().filename().string());
  std::sort(rotated.begin(), rotated.end());
  ASSERT_EQ(rotated.size(), 2u);  // rotated in the same second: the second one's name takes "-1"
  EXPECT_EQ(rotated[0], "cdr-20261206T110634-1.csv");
  EXPECT_EQ(rotated[1], "cdr-20261206T110634.csv");
  EXPECT_EQ(lines(slurp((dir_ / rotated[1]).string())),
            (std::vector<std::string>{"call_id,cause", "call-0,16", "call-1,16"}));
  EXPECT_EQ(lines(slurp((dir_ / rotated[0]).string())),
            (std::vector<std::string>{"call_id,cause", "call-2,16", "call-3,16"}));
  EXPECT_EQ(lines(slurp((dir_ / "cdr.csv").string())), (std::vector<std::string>{"call_id,cause", "call-4,16"}));
}

TEST_F(CdrFiles, AnUncreatableDirectoryIsAnError) {
  WriterOptions o;
  o.directory = (dir_ / "no" / "such").string();
  auto w = CdrWriter::open(o);
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().find("cannot create"), std::string::npos) << w.error();
}

}  // namespace
}  // namespace isupgw::cdr
