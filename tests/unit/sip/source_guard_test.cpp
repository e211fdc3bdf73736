// Issue 23: SIP from sources no trunk lists is judged before it is parsed:
// a budget per source and one over all of them, limited stream connections,
// idle streams closed; listed sources are never limited.
#include "sip/source_guard.h"

#include <gtest/gtest.h>
#include <poll.h>

#include "tests/unit/sip/ua_harness.h"

namespace isupgw::sip::test {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

std::array<std::uint8_t, 4> v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) { return {a, b, c, d}; }

SourceGuardConfig small() {
  SourceGuardConfig c;
  c.listed = {*IpPrefix::parse("127.0.0.1"), *IpPrefix::parse("192.0.2.0/24")};
  c.unlisted_per_source = {10, 10};
  c.unlisted_total = {25, 25};
  c.unlisted_connections_per_source = 2;
  c.unlisted_connections_total = 3;
  return c;
}

TEST(SourceGuard, ListedNeverLimitedUnlistedPerSourceAndTotal) {
  ManualClock clock;
  Logger log([](std::string_view) {});
  Counters counters;
  SourceGuard g(small(), clock, log, counters);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(g.admit_message(v4(192, 0, 2, 9)));
  // One source after the other: each may send its own 10, all of them 25 together.
  int a = 0, b = 0, c = 0;
  for (int i = 0; i < 50; ++i) a += g.admit_message(v4(127, 0, 0, 2));
  for (int i = 0; i < 50; ++i) b += g.admit_message(v4(127, 0, 0, 3));
  for (int i = 0; i < 50; ++i) c += g.admit_message(v4(127, 0, 0, 4));
  EXPECT_EQ(a, 10);
  EXPECT_EQ(b, 10);
  EXPECT_EQ(c, 5);  // the shared budget (25) ran out
  EXPECT_EQ(counters.value("guard.sip.dropped_over_source_rate"), 40u * 3);
  EXPECT_EQ(counters.value("guard.sip.dropped_over_unlisted_rate"), 5u);
  clock.advance(std::chrono::seconds(1));  // 10 more for each, 25 more in all
  EXPECT_TRUE(g.admit_message(v4(127, 0, 0, 4)));
  EXPECT_TRUE(g.listed(v4(127, 0, 0, 1)));
  const std::uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 200};
  EXPECT_TRUE(g.listed(mapped));
}

TEST(SourceGuard, UnlistedConnectionsPerSourceAndInTotal) {
  ManualClock clock;
  Logger log([](std::string_view) {});
  Counters counters;
  SourceGuard g(small(), clock, log, counters);
  EXPECT_TRUE(g.admit_connection(v4(127, 0, 0, 2)));
  EXPECT_TRUE(g.admit_connection(v4(127, 0, 0, 2)));
  EXPECT_FALSE(g.admit_connection(v4(127, 0, 0, 2)));
  EXPECT_TRUE(g.admit_connection(v4(127, 0, 0, 3)));
  EXPECT_FALSE(g.admit_connection(v4(127, 0, 0, 4)));  // 3 in total
  g.release_connection(v4(127, 0, 0, 2));
  EXPECT_TRUE(g.admit_connection(v4(127, 0, 0, 4)));
  EXPECT_EQ(g.unlisted_connections(), 3u);
  EXPECT_EQ(counters.value("guard.sip.refused_connections_per_source"), 1u);
  EXPECT_EQ(counters.value("guard.sip.refused_connections_unlisted"), 1u);
}

std::string options(int i, const std::string& host, std::uint16_t port) {
  return "OPTIONS sip:gw@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP " + host + ":" + std::to_string(port) +
         ";branch=z9hG4bK-g" + std::to_string(i) + "\r\nMax-Forwards: 70\r\nFrom: <sip:x@" + host +
         ">;tag=" + std::to_string(i) + "\r\nTo: <sip:gw@127.0.0.1>\r\nCall-ID: guard-" + std::to_string(i) + "@" +
         host + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
}

struct GuardedUa {
  GuardedUa(asio::io_context& io, Transport t, SourceGuardConfig cfg)
      : log([](std::string_view) {}),
        guard(std::move(cfg), clock, log, counters),
        ua(io, {ListenerConfig{t, "127.0.0.1", 0}}, user, clock, log, counters, [&] {
          UserAgentOptions o;
          o.source_guard = &guard;
          return o;
        }()) {}
  SteadyClock clock;
  Logger log;
  Counters counters;
  SourceGuard guard;
  RecordingUser user;
  UserAgent ua;
};

// Sends `n` OPTIONS from `from` and counts the answers that come back.
int answered_udp(asio::io_context& io, std::uint16_t port, const char* from, int n) {
  asio::ip::udp::socket s(io, asio::ip::udp::endpoint(asio::ip::make_address(from), 0));
  const auto local = s.local_endpoint();
  for (int i = 0; i < n; ++i)
    s.send_to(asio::buffer(options(i, from, local.port())),
              asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  int got = 0;
  const auto end = std::chrono::steady_clock::now() + 1500ms;
  while (std::chrono::steady_clock::now() < end) {
    io.run_for(5ms);
    std::array<char, 4096> buf;
    boost::system::error_code ec;
    while (s.available(ec) > 0) {
      s.receive(asio::buffer(buf), 0, ec);
      if (!ec) ++got;
    }
  }
  return got;
}

TEST(SourceGuardUdp, UnlistedFloodAnsweredOnlyWithinItsBudget) {
  asio::io_context io;
  auto cfg = small();
  cfg.unlisted_per_source = {20, 40};
  cfg.unlisted_total = {1000, 1000};
  GuardedUa gw(io, Transport::kUdp, cfg);
  ASSERT_FALSE(gw.ua.start());
  const auto port = gw.ua.port(Transport::kUdp);
  EXPECT_EQ(answered_udp(io, port, "127.0.0.1", 100), 100);  // listed
  const int stranger = answered_udp(io, port, "127.0.0.2", 100);
  EXPECT_GE(stranger, 40);  // the burst, and what 20/s refilled during the wait
  EXPECT_LE(stranger, 72);
  EXPECT_EQ(gw.counters.value("guard.sip.dropped_over_source_rate"), static_cast<std::uint64_t>(100 - stranger));
  EXPECT_EQ(gw.counters.value("sip.rx.unparseable"), 0u);
  gw.ua.stop();
  io.run_for(20ms);
}

TEST(SourceGuardTcp, UnlistedConnectionsCappedAndIdleOnesClosed) {
  asio::io_context io;
  auto cfg = small();
  cfg.unlisted_idle_timeout = 3000ms;  // long enough that a loaded machine checks the cap before it
  GuardedUa gw(io, Transport::kTcp, cfg);
  ASSERT_FALSE(gw.ua.start());
  const auto port = gw.ua.port(Transport::kTcp);
  const asio::ip::tcp::endpoint to(asio::ip::make_address("127.0.0.1"), port);
  std::vector<std::unique_ptr<asio::ip::tcp::socket>> stranger, listed;
  for (int i = 0; i < 5; ++i) {
    auto s = std::make_unique<asio::ip::tcp::socket>(io);
    s->open(asio::ip::tcp::v4());
    s->bind({asio::ip::make_address("127.0.0.2"), 0});
    s->connect(to);
    stranger.push_back(std::move(s));
    auto l = std::make_unique<asio::ip::tcp::socket>(io);
    l->connect(to);
    listed.push_back(std::move(l));
  }
  // Runs the loop until `done` (events, not a fixed time: a loaded machine may take its time).
  auto run_until = [&io](auto done, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) io.run_for(5ms);
  };
  run_until([&] { return gw.counters.value("guard.sip.refused_connections_per_source") >= 3; }, 1000ms);
  // Closed by the gateway: readable with EOF or a reset.
  auto closed = [](asio::ip::tcp::socket& s) {
    pollfd p{s.native_handle(), POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) return false;
    char c;
    return ::recv(s.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT) <= 0;
  };
  int open = 0;
  for (auto& s : stranger) open += !closed(*s);
  EXPECT_EQ(open, 2);  // two per unlisted source
  for (auto& s : listed) EXPECT_FALSE(closed(*s));
  EXPECT_EQ(gw.counters.value("guard.sip.refused_connections_per_source"), 3u);
  // Past the idle time the two unlisted streams, which brought no message, are closed.
  run_until([&] { return gw.counters.value("guard.sip.idle_connections_closed") >= 2; }, 10000ms);
  io.run_for(20ms);  // the closes reach the sockets
  open = 0;
  for (auto& s : stranger) open += !closed(*s);
  EXPECT_EQ(open, 0);
  for (auto& s : listed) EXPECT_FALSE(closed(*s));
  EXPECT_EQ(gw.counters.value("guard.sip.idle_connections_closed"), 2u);
  EXPECT_EQ(gw.guard.unlisted_connections(), 0u);
  gw.ua.stop();
  io.run_for(20ms);
}

}  // namespace
}  // namespace isupgw::sip::test
