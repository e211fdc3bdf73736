// The RADIUS accounting spool file (daemon/radius_spool.h): what one run leaves, the next finds; a
// record leaves only when acknowledged; a torn last line is cut; the bound drops records beyond it.
#include "daemon/radius_spool.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace isupgw::daemon {
namespace {

namespace fs = std::filesystem;

cdr::radius::SpoolRecord rec(std::string id) {
  cdr::radius::SpoolRecord r;
  r.event_ms = 1765000000000;
  r.acct.status = cdr::radius::StatusType::kStart;
  r.acct.session_id = std::move(id);
  r.acct.nas_identifier = "gw";
  return r;
}

class RadiusSpoolFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("isupgw-spool-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    path_ = (dir_ / "radius.spool").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string text() const {
    std::ifstream f(path_);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }
  fs::path dir_;
  std::string path_;
};

TEST_F(RadiusSpoolFile, WhatOneRunLeavesTheNextFindsInOrder) {
  {
    auto s = RadiusSpool::open(path_, 1 << 20);
    ASSERT_TRUE(s.ok()) << s.error();
    std::vector<cdr::radius::SpoolRecord> v{rec("a"), rec("b"), rec("c")};
    EXPECT_EQ((*s)->append(v), 0u);
    (*s)->pop_front();  // "a" acknowledged
  }
  auto s = RadiusSpool::open(path_, 1 << 20);
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ((*s)->found_records(), 2u);
  ASSERT_EQ((*s)->size(), 2u);
  EXPECT_EQ((*s)->front().acct.session_id, "b");
  // The acknowledged record is gone from the file too (rewritten at open).
  EXPECT_EQ(text().find("R "), 0u);
  EXPECT_EQ(text().find("\nA\n"), std::string::npos);
}

TEST_F(RadiusSpoolFile, EmptiedSpoolIsTruncated) {
  auto s = RadiusSpool::open(path_, 1 << 20);
  ASSERT_TRUE(s.ok());
  std::vector<cdr::radius::SpoolRecord> v{rec("a"), rec("b")};
  (*s)->append(v);
  (*s)->pop_front();
  EXPECT_NE(text().find("A\n"), std::string::npos);
  (*s)->pop_front();
  EXPECT_TRUE((*s)->empty());
  EXPECT_EQ(fs::file_size(path_), 0u);
}

TEST_F(RadiusSpoolFile, TornLastLineCutAtOpen) {
  const std::string whole = cdr::radius::spool_line(rec("a"));
  {
    std::ofstream f(path_);
    f << whole << "R 17650000";  // a write cut by a crash
  }
  auto s = RadiusSpool::open(path_, 1 << 20);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->size(), 1u);
  EXPECT_EQ((*s)->torn_bytes_cut(), 10u);
  EXPECT_EQ(text(), whole);
}

TEST_F(RadiusSpoolFile, BoundDropsWhatDoesNotFit) {
  const std::size_t line = cdr::radius::spool_line(rec("a")).size();
  auto s = RadiusSpool::open(path_, 2 * line + line / 2);
  ASSERT_TRUE(s.ok());
  std::vector<cdr::radius::SpoolRecord> v{rec("a"), rec("b"), rec("c")};
  EXPECT_EQ((*s)->append(v), 1u);  // "c" dropped
  EXPECT_EQ((*s)->size(), 2u);
  // Acknowledged records make room again: the file is rewritten with what is pending.
  (*s)->pop_front();
  std::vector<cdr::radius::SpoolRecord> w{rec("d")};
  EXPECT_EQ((*s)->append(w), 0u);
  ASSERT_EQ((*s)->size(), 2u);
  EXPECT_EQ((*s)->front().acct.session_id, "b");
  EXPECT_LE((*s)->bytes(), 2 * line + line / 2);
  EXPECT_EQ(text(), cdr::radius::spool_line(rec("b")) + cdr::radius::spool_line(rec("d")));
}

TEST_F(RadiusSpoolFile, UnwritableDirectoryIsAnError) {
  auto s = RadiusSpool::open((dir_ / "missing" / "radius.spool").string(), 1 << 20);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().find("cannot open radius spool"), std::string::npos) << s.error();
}

}  // namespace
}  // namespace isupgw::daemon
