// ManualTimerService (virtual time) and OneShotTimer: the behaviour ISUP's
// supervision timers rely on (Q.764 T1..T36), formerly tested on isup's own
// polled timer service.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "base/one_shot_timer.h"
#include "base/timer_service.h"

namespace isupgw {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ManualTimerService, FiresInDeadlineThenStartOrder) {
  ManualClock clock;
  ManualTimerService t(clock);
  std::string order;
  t.start(seconds(2), [&] { order += "b"; });
  t.start(seconds(1), [&] { order += "a"; });
  t.start(seconds(2), [&] { order += "c"; });
  t.advance(Clock::duration::zero());
  EXPECT_EQ(order, "");
  t.advance(milliseconds(999));
  EXPECT_EQ(order, "");
  t.advance(milliseconds(1));
  EXPECT_EQ(order, "a");
  t.advance(seconds(5));
  EXPECT_EQ(order, "abc");
  EXPECT_EQ(t.pending(), 0u);
  EXPECT_FALSE(t.next_deadline());
}

TEST(ManualTimerService, CancelAndNextDeadline) {
  ManualClock clock;
  ManualTimerService t(clock);
  int fired = 0;
  auto a = t.start(seconds(1), [&] { ++fired; });
  t.start(seconds(3), [&] { ++fired; });
  EXPECT_EQ(t.pending(), 2u);
  EXPECT_EQ(t.next_deadline(), clock.now() + seconds(1));
  t.cancel(a);
  t.cancel(a);  // idempotent
  EXPECT_EQ(t.pending(), 1u);
  EXPECT_EQ(t.next_deadline(), clock.now() + seconds(3));
  t.advance(seconds(3));
  EXPECT_EQ(fired, 1);
}

TEST(OneShotTimer, CallbacksMayRestartTheirTimer) {
  ManualClock clock;
  ManualTimerService t(clock);
  OneShotTimer t1(t);
  int fired = 0;
  std::function<void()> again = [&] {
    ++fired;
    t1.arm(seconds(10), again);  // like T1: resend REL, restart T1
  };
  t1.arm(seconds(10), again);
  t.advance(seconds(10));
  EXPECT_TRUE(t1.armed());
  t.advance(seconds(10));
  EXPECT_EQ(fired, 2);
  t1.cancel();
  EXPECT_FALSE(t1.armed());
  t.advance(seconds(60));
  EXPECT_EQ(fired, 2);
  EXPECT_EQ(t.pending(), 0u);
}

TEST(ManualTimerService, ZeroDelayInsideCallbackFiresInTheSameAdvance) {
  ManualClock clock;
  ManualTimerService t(clock);
  int n = 0;
  t.start(seconds(1), [&] { t.start(seconds(0), [&] { ++n; }); });
  t.advance(seconds(1));
  EXPECT_EQ(n, 1);
  EXPECT_EQ(t.pending(), 0u);
}

TEST(OneShotTimer, CancelsOnDestruction) {
  ManualClock clock;
  ManualTimerService t(clock);
  int n = 0;
  {
    OneShotTimer x(t);
    x.arm(seconds(1), [&] { ++n; });
    EXPECT_EQ(t.pending(), 1u);
  }
  EXPECT_EQ(t.pending(), 0u);
  t.advance(seconds(2));
  EXPECT_EQ(n, 0);
}

}  // namespace
}  // namespace isupgw
