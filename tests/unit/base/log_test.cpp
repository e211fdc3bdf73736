// The logger's default output: whole lines through write(2), no lock; with a
// flush scheduler, lines wait for the posted task (one write for the batch),
// while a warning, a full buffer and flush() write at once.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/log.h"

namespace isupgw {
namespace {

class LogOutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::pipe(fds_), 0);
    // The reader never blocks; the writer has room for every test's output.
    ASSERT_EQ(::fcntl(fds_[0], F_SETFL, O_NONBLOCK), 0);
    ASSERT_GE(::fcntl(fds_[1], F_SETPIPE_SZ, 1 << 20), 1 << 20);
  }
  void TearDown() override {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  // Everything written so far.
  std::string drain() {
    std::string out;
    char buf[65536];
    for (;;) {
      const ssize_t n = ::read(fds_[0], buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }
  static int lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

  int fds_[2] = {-1, -1};
};

TEST_F(LogOutputTest, WithoutSchedulerEveryLineIsWrittenAtOnce) {
  Logger log(fds_[1]);
  log.info(Subsystem::kCore, "one", {{"k", 1}});
  EXPECT_EQ(lines(drain()), 1);
  log.info(Subsystem::kCore, "two");
  const auto out = drain();
  EXPECT_EQ(lines(out), 1);
  EXPECT_NE(out.find(" info core two\n"), std::string::npos);
}

TEST_F(LogOutputTest, WithSchedulerLinesWaitForThePostedTask) {
  Logger log(fds_[1]);
  std::vector<std::function<void()>> posted;
  log.set_flush_scheduler([&](std::function<void()> t) { posted.push_back(std::move(t)); });
  log.info(Subsystem::kCore, "a");
  log.notice(Subsystem::kSip, "b");
  log.debug(Subsystem::kSip, "filtered");  // below the level: not even buffered
  EXPECT_EQ(drain(), "");
  ASSERT_EQ(posted.size(), 1u);  // one task per batch, not per line
  posted.front()();
  const auto out = drain();
  EXPECT_EQ(lines(out), 2);
  EXPECT_LT(out.find(" core a\n"), out.find(" sip b\n"));
  log.info(Subsystem::kCore, "c");
  EXPECT_EQ(posted.size(), 2u);  // the next batch posts again
}

TEST_F(LogOutputTest, AWarningIsWrittenAtOnceWithWhatPrecedesIt) {
  Logger log(fds_[1]);
  std::vector<std::function<void()>> posted;
  log.set_flush_scheduler([&](std::function<void()> t) { posted.push_back(std::move(t)); });
  log.info(Subsystem::kCore, "before");
  log.warn(Subsystem::kCore, "trouble");
  const auto out = drain();
  EXPECT_EQ(lines(out), 2);
  EXPECT_LT(out.find("before"), out.find("trouble"));
  posted.front()();  // the task finds nothing left
  EXPECT_EQ(drain(), "");
}

TEST_F(LogOutputTest, ResettingTheSchedulerAndDestructionWriteWhatIsLeft) {
  std::vector<std::function<void()>> posted;
  {
    Logger log(fds_[1]);
    log.set_flush_scheduler([&](std::function<void()> t) { posted.push_back(std::move(t)); });
    log.info(Subsystem::kCore, "x");
    log.set_flush_scheduler({});  // the daemon after io_context::run()
    EXPECT_EQ(lines(drain()), 1);
    log.set_flush_scheduler([&](std::function<void()> t) { posted.push_back(std::move(t)); });
    log.info(Subsystem::kCore, "y");
  }
  EXPECT_EQ(lines(drain()), 1);
}

TEST_F(LogOutputTest, AFullBufferIsWrittenWithoutWaiting) {
  Logger log(fds_[1]);
  std::vector<std::function<void()>> posted;
  log.set_flush_scheduler([&](std::function<void()> t) { posted.push_back(std::move(t)); });
  const std::string big(1000, 'v');
  std::string out;
  for (int i = 0; i < 100; ++i) {  // ~100 KiB: more than the 64 KiB batch
    log.info(Subsystem::kCore, "big", {{"v", big}});
    out += drain();
  }
  EXPECT_GE(lines(out), 60);
  EXPECT_EQ(out.back(), '\n');  // only whole lines are written
}

}  // namespace
}  // namespace isupgw
