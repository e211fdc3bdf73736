// Issue 23's cost bounds: token buckets, the log throttle and the per-source
// table, in virtual time.
#include "base/rate_limit.h"

#include <gtest/gtest.h>

#include "base/ip_address.h"
#include "base/source_limiter.h"

namespace isupgw {
namespace {

using std::chrono::milliseconds;

TEST(TokenBucket, BurstThenRate) {
  ManualClock clock;
  TokenBucket b(RateLimit{10, 5});
  int passed = 0;
  for (int i = 0; i < 20; ++i) passed += b.take(clock.now());
  EXPECT_EQ(passed, 5);  // the burst
  clock.advance(milliseconds(100));
  EXPECT_TRUE(b.take(clock.now()));  // 10/s: one token per 100 ms
  EXPECT_FALSE(b.take(clock.now()));
  clock.advance(std::chrono::seconds(60));
  passed = 0;
  for (int i = 0; i < 20; ++i) passed += b.take(clock.now());
  EXPECT_EQ(passed, 5);  // never more than the burst saved up
}

TEST(TokenBucket, UnlimitedAndDefaultBurst) {
  ManualClock clock;
  TokenBucket u;
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(u.take(clock.now()));
  TokenBucket one_second(RateLimit{3, 0});
  int passed = 0;
  for (int i = 0; i < 10; ++i) passed += one_second.take(clock.now());
  EXPECT_EQ(passed, 3);
}

TEST(LogThrottle, OneLineAnIntervalWithTheCountHeldBack) {
  ManualClock clock;
  LogThrottle t(std::chrono::seconds(1));
  std::uint64_t held = 99;
  EXPECT_TRUE(t.allow(clock.now(), held));
  EXPECT_EQ(held, 0u);
  for (int i = 0; i < 41; ++i) EXPECT_FALSE(t.allow(clock.now(), held));
  clock.advance(milliseconds(999));
  EXPECT_FALSE(t.allow(clock.now(), held));
  clock.advance(milliseconds(1));
  EXPECT_TRUE(t.allow(clock.now(), held));
  EXPECT_EQ(held, 42u);
}

SourceKey v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  const std::uint8_t addr[4] = {a, b, c, d};
  return SourceKey::from(addr);
}

TEST(SourceKey, Ipv4MappedIsIpv4AndIpv6IsItsSlash64) {
  const std::uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
  EXPECT_EQ(SourceKey::from(mapped), v4(192, 0, 2, 1));
  const std::uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
  const std::uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0xff, 0xff, 0, 0, 0, 0, 0, 2};
  const std::uint8_t c[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1};
  EXPECT_EQ(SourceKey::from(a), SourceKey::from(b));
  EXPECT_NE(SourceKey::from(a), SourceKey::from(c));
  EXPECT_TRUE(SourceKey::from(a).v6);
}

TEST(SourceLimiter, EachSourceHasItsOwnBucket) {
  ManualClock clock;
  SourceLimiter l({.per_source = RateLimit{20, 20}, .capacity = 64});
  int a = 0, b = 0;
  for (int i = 0; i < 100; ++i) {
    a += l.admit(v4(127, 0, 0, 2), clock.now());
    b += l.admit(v4(127, 0, 0, 3), clock.now());
  }
  EXPECT_EQ(a, 20);
  EXPECT_EQ(b, 20);
  EXPECT_EQ(l.tracked(), 2u);
  clock.advance(std::chrono::seconds(1));
  EXPECT_TRUE(l.admit(v4(127, 0, 0, 2), clock.now()));
}

TEST(SourceLimiter, MemoryStaysBoundedUnderEverNewSources) {
  ManualClock clock;
  SourceLimiter l({.per_source = RateLimit{1, 1}, .capacity = 1000});
  EXPECT_EQ(l.capacity(), 1024u);
  for (std::uint32_t i = 0; i < 100000; ++i) {
    clock.advance(std::chrono::microseconds(10));
    l.admit(v4(10, static_cast<std::uint8_t>(i >> 16), static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)),
            clock.now());
  }
  EXPECT_LE(l.tracked(), l.capacity());
  EXPECT_GT(l.evictions(), 0u);
  // A source seen just now keeps its (empty) bucket.
  EXPECT_FALSE(l.admit(v4(10, 1, 0x86, 0x9f), clock.now()));
}

TEST(SourceLimiter, UnlimitedTracksNothing) {
  ManualClock clock;
  SourceLimiter l({.per_source = RateLimit{}, .capacity = 16});
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(l.admit(v4(127, 0, 0, 2), clock.now()));
  EXPECT_EQ(l.tracked(), 0u);
}

TEST(IpPrefixGuard, BlocksAndHosts) {
  auto net = IpPrefix::parse("127.0.0.0/30");
  ASSERT_TRUE(net);
  EXPECT_TRUE(net->contains(*IpPrefix::parse("127.0.0.3")));
  EXPECT_FALSE(net->contains(*IpPrefix::parse("127.0.0.4")));
  EXPECT_FALSE(net->contains(*IpPrefix::parse("::1")));
  EXPECT_FALSE(IpPrefix::parse("127.0.0.1/33"));
}

}  // namespace
}  // namespace isupgw
