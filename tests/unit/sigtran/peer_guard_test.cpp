// Issue 23 on real TCP loopback: a listening M3UA link admits only its
// configured peer. Strangers (an unlisted address, a wrong source port, a
// second connection while the association is up) are reset at accept and
// receive nothing; an allowed address must still present the configured ASP
// Identifier and routing context (ERR, then closed), bring its ASP up in time,
// and stay under the message rates. Each refusal is counted.
#include "sigtran/peer_guard.h"

#include <gtest/gtest.h>

#include <future>

#include <poll.h>

#include "base/asio_timer_service.h"
#include "base/hex.h"
#include "sigtran/m3ua_framer.h"
#include "sigtran/mtp3.h"
#include "sigtran/tcp_transport.h"
#include "tests/unit/sigtran/m3ua_test_support.h"

namespace isupgw::sigtran::m3ua {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

constexpr std::uint32_t kPcA = 1, kPcB = 2;

template <class Pred>
bool run_until(asio::io_context& io, Pred pred, std::chrono::milliseconds timeout = 10s) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    io.run_for(2ms);
    if (io.stopped()) io.restart();
  }
  return true;
}

AllowedPeer allow(const char* net, std::uint16_t port = 0) { return AllowedPeer{*IpPrefix::parse(net), port}; }

TEST(PeerGuard, AddressBlocksAndPorts) {
  ManualClock clock;
  Logger log([](std::string_view) {});
  Counters counters;
  PeerGuard g({.link = "l", .allowed = {allow("192.0.2.0/29"), allow("198.51.100.7", 2905)}}, clock, log, counters);
  const std::uint8_t in_block[4] = {192, 0, 2, 7}, outside[4] = {192, 0, 2, 8}, fixed[4] = {198, 51, 100, 7};
  const std::uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
  EXPECT_EQ(g.check(in_block, 40000), AcceptVerdict::kAdmit);
  EXPECT_EQ(g.check(mapped, 40000), AcceptVerdict::kAdmit);
  EXPECT_EQ(g.check(outside, 40000), AcceptVerdict::kUnlistedAddress);
  EXPECT_EQ(g.check(fixed, 2905), AcceptVerdict::kAdmit);
  EXPECT_EQ(g.check(fixed, 2906), AcceptVerdict::kWrongPort);
  EXPECT_EQ(g.judge(in_block, 1, true), AcceptVerdict::kBusy);
  EXPECT_EQ(g.judge(outside, 1, false), AcceptVerdict::kUnlistedAddress);
  EXPECT_EQ(g.judge(in_block, 1, false), AcceptVerdict::kAdmit);
  EXPECT_EQ(counters.value("guard.sigtran.l.refused_busy"), 1u);
  EXPECT_EQ(counters.value("guard.sigtran.l.refused_unlisted_address"), 1u);
  EXPECT_EQ(counters.value("guard.sigtran.l.admitted"), 1u);
  PeerGuard nobody({.link = "n", .allowed = {}}, clock, log, counters);
  EXPECT_EQ(nobody.check(in_block, 1), AcceptVerdict::kUnlistedAddress);
}

// The listening side: an IPSP server link on 127.0.0.1 guarded by `allowed`.
struct Server {
  Server(asio::io_context& io, std::vector<AllowedPeer> allowed, LinkConfig extra = {})
      : timers(io),
        log([this](std::string_view l) { lines.emplace_back(l); }),
        transport(io, TcpConfig{true, "127.0.0.1", 0, 1 << 20}, log, counters),
        guard({.link = "from-a", .allowed = std::move(allowed)}, clock, log, counters),
        mtp(timers, log, counters) {
    EXPECT_FALSE(transport.listen());
    transport.set_peer_guard(&guard);
    LinkConfig cfg = std::move(extra);
    cfg.name = "from-a";
    cfg.role = Role::kIpspServer;
    cfg.routing_contexts = {10};
    cfg.reconnect_min = 10ms;
    link = &mtp.add_link(cfg, transport);
    mtp.add_route(kPcA, Route{{0}, TrafficMode::kOverride});
    mtp.set_user(-1, &user);
    mtp.start();
  }
  std::uint16_t port() const { return transport.local_port(); }
  std::uint64_t count(const std::string& name) const { return counters.value(name); }

  SteadyClock clock;
  AsioTimerService timers;
  std::vector<std::string> lines;
  Logger log;
  Counters counters;
  TcpTransport transport;
  PeerGuard guard;
  Mtp3 mtp;
  Link* link = nullptr;
  testing::Recorder user;
};

// What a raw client saw: the messages it received and whether the server closed.
struct Seen {
  bool connected = false;
  std::vector<Message> got;
  bool closed = false;
};

// Connects from `from` (any 127/8 address is ours on lo), sends `out`, and reads
// until `expect` messages came, the server closed, or `wait` passed.
std::future<Seen> talk(std::uint16_t port, const char* from, std::vector<Message> out, std::size_t expect,
                       std::chrono::milliseconds wait = 3s) {
  return std::async(std::launch::async, [=] {
    Seen seen;
    asio::io_context io;
    tcp::socket s(io);
    boost::system::error_code ec;
    s.open(tcp::v4(), ec);
    s.bind(tcp::endpoint(asio::ip::make_address(from), 0), ec);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    if (ec) {
      seen.closed = true;
      return seen;
    }
    seen.connected = true;
    for (const auto& m : out) asio::write(s, asio::buffer(*encode(m)), ec);
    StreamFramer framer;
    const auto end = std::chrono::steady_clock::now() + wait;
    while (seen.got.size() < expect || expect == 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      pollfd pfd{s.native_handle(), POLLIN, 0};
      if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) break;  // quiet until the end
      std::array<std::uint8_t, 4096> buf;
      const auto n = s.read_some(asio::buffer(buf), ec);
      if (ec == asio::error::eof || ec == asio::error::connection_reset) {
        seen.closed = true;
        break;
      }
      if (ec) break;  // timeout
      framer.append(std::span<const std::uint8_t>(buf.data(), n));
      while (auto raw = framer.next())
        if (auto m = decode(*raw)) seen.got.push_back(*m);
    }
    return seen;
  });
}

Message aspup(std::optional<std::uint32_t> id = {}) {
  Message m;
  m.type = MessageType::kAspUp;
  m.asp_identifier = id;
  return m;
}
Message aspac(std::uint32_t rc) {
  Message m;
  m.type = MessageType::kAspAc;
  m.traffic_mode_type = static_cast<std::uint32_t>(TrafficMode::kOverride);
  m.routing_context = std::vector<std::uint32_t>{rc};
  return m;
}

template <class T>
T wait_for(asio::io_context& io, std::future<T>& f) {
  EXPECT_TRUE(run_until(
      io, [&] { return f.wait_for(0s) == std::future_status::ready; }, 15s));
  return f.get();
}

TEST(M3uaPeerGuard, UnlistedAddressIsResetAtAcceptAndHearsNothing) {
  asio::io_context io;
  Server srv(io, {allow("127.0.0.1")});
  auto f = talk(srv.port(), "127.0.0.2", {aspup(), aspac(10)}, 0);
  const Seen seen = wait_for(io, f);
  EXPECT_TRUE(seen.closed);
  EXPECT_TRUE(seen.got.empty());
  EXPECT_EQ(srv.count("guard.sigtran.from-a.refused_unlisted_address"), 1u);
  EXPECT_EQ(srv.link->peer_state(), PeerAspState::kDown);
  EXPECT_EQ(srv.count("m3ua.peer_asp_fsm.transitions"), 0u);
}

TEST(M3uaPeerGuard, WrongSourcePortIsRefused) {
  asio::io_context io;
  Server srv(io, {allow("127.0.0.1", 1)});  // only from port 1: an ephemeral port never is
  auto f = talk(srv.port(), "127.0.0.1", {aspup()}, 0);
  const Seen seen = wait_for(io, f);
  EXPECT_TRUE(seen.closed && seen.got.empty());
  EXPECT_EQ(srv.count("guard.sigtran.from-a.refused_wrong_port"), 1u);
}

TEST(M3uaPeerGuard, SecondConnectionNeverDisplacesTheEstablishedPeer) {
  asio::io_context io;
  Server srv(io, {allow("127.0.0.1")});
  AsioTimerService timers(io);
  Logger log([](std::string_view) {});
  Counters counters;
  TcpTransport t(io, TcpConfig{false, "127.0.0.1", srv.port(), 1 << 20}, log, counters);
  Mtp3 peer(timers, log, counters);
  LinkConfig pc;
  pc.name = "to-b";
  pc.role = Role::kIpspClient;
  pc.routing_contexts = {10};
  peer.add_link(pc, t);
  peer.add_route(kPcB, Route{{0}, TrafficMode::kOverride});
  testing::Recorder user;
  peer.set_user(-1, &user);
  peer.start();
  ASSERT_TRUE(run_until(io, [&] { return srv.link->ready() && peer.available(kPcB); }));
  for (int i = 0; i < 3; ++i) {
    auto f = talk(srv.port(), "127.0.0.1", {aspup(), aspac(10)}, 0);
    const Seen seen = wait_for(io, f);
    EXPECT_TRUE(seen.closed);
    EXPECT_TRUE(seen.got.empty());
  }
  EXPECT_EQ(srv.count("guard.sigtran.from-a.refused_busy"), 3u);
  EXPECT_TRUE(srv.link->ready());
  const std::uint8_t data[] = {1, 0, 0x12, 0};
  ASSERT_TRUE(peer.transfer(MtpLabel{kPcA, kPcB, 5, 2, 0, 0}, data));
  ASSERT_TRUE(run_until(io, [&] { return srv.user.transfers.size() == 1; }));
  EXPECT_EQ(srv.count("m3ua.reconnects") + counters.value("m3ua.reconnects"), 0u);
}

TEST(M3uaPeerGuard, AspIdentifierRequiredAndChecked) {
  asio::io_context io;
  LinkConfig extra;
  extra.peer_asp_identifier = 7;
  Server srv(io, {allow("127.0.0.1")}, extra);
  auto missing = talk(srv.port(), "127.0.0.1", {aspup()}, 1);
  Seen seen = wait_for(io, missing);
  ASSERT_EQ(seen.got.size(), 1u);
  EXPECT_EQ(seen.got[0].type, MessageType::kErr);
  EXPECT_EQ(seen.got[0].error_code, 0x0eu);  // RFC 4666 3.8.1 ASP Identifier Required
  auto wrong = talk(srv.port(), "127.0.0.1", {aspup(9)}, 2);
  seen = wait_for(io, wrong);
  ASSERT_EQ(seen.got.size(), 1u);
  EXPECT_EQ(seen.got[0].error_code, 0x0fu);  // Invalid ASP Identifier
  EXPECT_TRUE(seen.closed);
  EXPECT_EQ(srv.count("guard.m3ua.from-a.refused_asp_identifier"), 2u);
  EXPECT_EQ(srv.link->peer_state(), PeerAspState::kDown);
  auto right = talk(srv.port(), "127.0.0.1", {aspup(7), aspac(10)}, 2);
  seen = wait_for(io, right);
  ASSERT_EQ(seen.got.size(), 2u);
  EXPECT_EQ(seen.got[0].type, MessageType::kAspUpAck);
  EXPECT_EQ(seen.got[1].type, MessageType::kAspAcAck);
  EXPECT_FALSE(seen.closed);
}

TEST(M3uaPeerGuard, UnconfiguredRoutingContextBeforeActiveClosesAfterActiveOnlyErr) {
  asio::io_context io;
  Server srv(io, {allow("127.0.0.1")});
  auto stranger = talk(srv.port(), "127.0.0.1", {aspup(), aspac(99)}, 3);
  Seen seen = wait_for(io, stranger);
  ASSERT_EQ(seen.got.size(), 2u);
  EXPECT_EQ(seen.got[0].type, MessageType::kAspUpAck);
  EXPECT_EQ(seen.got[1].error_code, 0x19u);  // Invalid Routing Context
  EXPECT_TRUE(seen.closed);
  EXPECT_EQ(srv.count("guard.m3ua.from-a.refused_routing_context"), 1u);
  EXPECT_FALSE(srv.link->ready());
  // The configured peer, once ACTIVE, is told but kept.
  auto peer = talk(srv.port(), "127.0.0.1", {aspup(), aspac(10), aspac(99)}, 3, 1s);
  seen = wait_for(io, peer);
  ASSERT_EQ(seen.got.size(), 3u);
  EXPECT_EQ(seen.got[1].type, MessageType::kAspAcAck);
  EXPECT_EQ(seen.got[2].error_code, 0x19u);
  EXPECT_FALSE(seen.closed);
  EXPECT_EQ(srv.count("guard.m3ua.from-a.refused_routing_context"), 1u);
}

TEST(M3uaPeerGuard, SilentConnectionClosedAfterHandshakeTime) {
  asio::io_context io;
  LinkConfig extra;
  extra.handshake_timeout = 200ms;
  Server srv(io, {allow("127.0.0.1")}, extra);
  const auto t0 = std::chrono::steady_clock::now();
  auto silent = talk(srv.port(), "127.0.0.1", {}, 0, 5s);
  const Seen seen = wait_for(io, silent);
  EXPECT_TRUE(seen.closed);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  EXPECT_EQ(srv.count("guard.m3ua.from-a.handshake_timeouts"), 1u);
  // The link accepts again afterwards.
  auto peer = talk(srv.port(), "127.0.0.1", {aspup(), aspac(10)}, 2, 1s);
  EXPECT_EQ(wait_for(io, peer).got.size(), 2u);
}

TEST(M3uaPeerGuard, ManagementMessagesBeyondTheRateAreDropped) {
  asio::io_context io;
  LinkConfig extra;
  SteadyClock clock;
  extra.clock = &clock;
  extra.management_rate = RateLimit{5, 5};
  Server srv(io, {allow("127.0.0.1")}, extra);
  Message beat;
  beat.type = MessageType::kBeat;
  beat.heartbeat_data = std::vector<std::uint8_t>{1, 2, 3, 4};
  auto flood = talk(srv.port(), "127.0.0.1", std::vector<Message>(20, beat), 6, 1s);
  const Seen seen = wait_for(io, flood);
  EXPECT_EQ(seen.got.size(), 5u);  // the burst; the rest dropped within the same second
  EXPECT_EQ(srv.count("guard.m3ua.from-a.dropped_management_over_rate"), 15u);
}

}  // namespace
}  // namespace isupgw::sigtran::m3ua
