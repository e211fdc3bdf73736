#include "isup/timers.h"

#include <gtest/gtest.h>

#include <string>

namespace isupgw::isup {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(TimerService, FiresInDeadlineThenStartOrder) {
  ManualClock clock;
  TimerService t(clock);
  std::string order;
  t.start(seconds(2), [&] { order += "b"; });
  t.start(seconds(1), [&] { order += "a"; });
  t.start(seconds(2), [&] { order += "c"; });
  EXPECT_EQ(t.run_due(), 0u);
  clock.advance(milliseconds(999));
  EXPECT_EQ(t.run_due(), 0u);
  clock.advance(milliseconds(1));
  EXPECT_EQ(t.run_due(), 1u);
  EXPECT_EQ(order, "a");
  clock.advance(seconds(5));
  EXPECT_EQ(t.run_due(), 2u);
  EXPECT_EQ(order, "abc");
  EXPECT_EQ(t.size(), 0u);
  EXPECT_FALSE(t.next_deadline());
}

TEST(TimerService, CancelAndNextDeadline) {
  ManualClock clock;
  TimerService t(clock);
  int fired = 0;
  auto a = t.start(seconds(1), [&] { ++fired; });
  t.start(seconds(3), [&] { ++fired; });
  EXPECT_TRUE(t.pending(a));
  EXPECT_EQ(t.next_deadline(), clock.now() + seconds(1));
  EXPECT_TRUE(t.cancel(a));
  EXPECT_FALSE(t.cancel(a));
  EXPECT_EQ(t.next_deadline(), clock.now() + seconds(3));
  clock.advance(seconds(3));
  EXPECT_EQ(t.run_due(), 1u);
  EXPECT_EQ(fired, 1);
}

TEST(TimerService, CallbacksMayRestartTimers) {
  ManualClock clock;
  TimerService t(clock);
  Timer t1(t);
  int fired = 0;
  std::function<void()> again = [&] {
    ++fired;
    t1.start(seconds(10), again);  // like T1: resend REL, restart T1
  };
  t1.start(seconds(10), again);
  clock.advance(seconds(10));
  t.run_due();
  EXPECT_TRUE(t1.running());
  clock.advance(seconds(10));
  t.run_due();
  EXPECT_EQ(fired, 2);
  t1.stop();
  EXPECT_FALSE(t1.running());
  clock.advance(seconds(60));
  EXPECT_EQ(t.run_due(), 0u);
}

TEST(TimerService, ZeroDelayInsideCallbackFiresSameRun) {
  ManualClock clock;
  TimerService t(clock);
  int n = 0;
  t.start(seconds(1), [&] { t.start(seconds(0), [&] { ++n; }); });
  clock.advance(seconds(1));
  EXPECT_EQ(t.run_due(), 2u);
  EXPECT_EQ(n, 1);
}

TEST(TimerService, TimerHandleCancelsOnDestruction) {
  ManualClock clock;
  TimerService t(clock);
  int n = 0;
  {
    Timer x(t);
    x.start(seconds(1), [&] { ++n; });
    EXPECT_EQ(t.size(), 1u);
  }
  EXPECT_EQ(t.size(), 0u);
  clock.advance(seconds(2));
  EXPECT_EQ(t.run_due(), 0u);
  EXPECT_EQ(n, 0);
}

}  // namespace
}  // namespace isupgw::isup
