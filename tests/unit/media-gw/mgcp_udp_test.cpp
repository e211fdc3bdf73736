// The Asio bindings with real loopback sockets: MgcpUdpTransport +
// AsioTimerService + MgcpClient against the MgSimulator on a UDP socket.
#include "media-gw/mgcp_udp.h"

#include <gtest/gtest.h>

#include "base/asio_timer_service.h"
#include "media-gw/mg_simulator.h"
#include "media-gw/mgcp_connection.h"

namespace isupgw::mediagw {
namespace {

namespace asio = boost::asio;
using asio::ip::udp;
using namespace std::chrono_literals;

// The simulator answering on a loopback UDP socket inside the same io_context.
class UdpSim {
 public:
  UdpSim(asio::io_context& io, Clock& clock) : sim(SimConfig{}, clock), socket(io, udp::endpoint(udp::v4(), 0)) {
    socket.set_option(asio::socket_base::reuse_address(true));
    receive();
  }
  std::uint16_t port() const { return socket.local_endpoint().port(); }

  MgSimulator sim;
  udp::socket socket;

 private:
  void receive() {
    socket.async_receive_from(asio::buffer(buf), peer, [this](boost::system::error_code ec, std::size_t n) {
      if (ec) return;
      for (const auto& a : sim.handle(std::span<const std::uint8_t>(buf.data(), n)))
        socket.send_to(asio::buffer(a), peer);
      receive();
    });
  }
  std::array<std::uint8_t, 65536> buf{};
  udp::endpoint peer;
};

TEST(MgcpUdp, ClientAgainstSimulatorOverLoopback) {
  asio::io_context io;
  SteadyClock clock;
  Logger log([](std::string_view) {});
  Counters counters;
  UdpSim sim(io, clock);
  AsioTimerService timers(io);
  MgcpUdpTransport transport(io, log, counters);
  ClientConfig cfg;
  cfg.initial_rto = 20ms;  // the first CRCX is dropped below: keep the test fast
  MgcpClient client(cfg, transport, timers, clock, log, counters);
  UdpConfig u;
  u.mg_port = sim.port();
  ASSERT_FALSE(transport.open(u, [&](std::span<const std::uint8_t> d) { client.receive(d); }));
  EXPECT_NE(transport.local_port(), 0);

  sim.sim.drop_next(1);
  std::optional<Result<ConnectionInfo, ConnectionFailure>> got;
  CrcxRequest r;
  r.endpoint = "rtpbridge/*@mg1";
  r.call_id = "1";
  create_connection(client, r, [&](const auto& x) {
    got = x;
    io.stop();
  });
  asio::steady_timer guard(io, 5s);
  guard.async_wait([&](boost::system::error_code ec) {
    if (!ec) io.stop();
  });
  io.run();
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(got->ok());
  EXPECT_EQ((*got)->endpoint, "rtpbridge/1@mg1");
  // At least the one for the dropped CRCX; a loaded machine may add more, and
  // the simulator's T-HIST answers those without creating a second connection.
  EXPECT_GE(counters.value("mgcp.tx.retransmissions"), 1u);
  EXPECT_EQ(sim.sim.connection_count(), 1u);
}

TEST(MgcpUdp, DatagramsFromOtherPeersAreDroppedAndCounted) {
  asio::io_context io;
  Logger log([](std::string_view) {});
  Counters counters;
  udp::socket mg(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  udp::socket intruder(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  MgcpUdpTransport transport(io, log, counters);
  UdpConfig u;
  u.mg_port = mg.local_endpoint().port();
  int received = 0;
  ASSERT_FALSE(transport.open(u, [&](std::span<const std::uint8_t>) {
    ++received;
    io.stop();
  }));
  const udp::endpoint to(asio::ip::make_address("127.0.0.1"), transport.local_port());
  intruder.send_to(asio::buffer(std::string("200 1 OK\r\n")), to);
  mg.send_to(asio::buffer(std::string("200 2 OK\r\n")), to);
  asio::steady_timer guard(io, 5s);
  guard.async_wait([&](boost::system::error_code ec) {
    if (!ec) io.stop();
  });
  io.run();
  EXPECT_EQ(received, 1);
  EXPECT_EQ(counters.value("mgcp.udp.rx_foreign_peer"), 1u);
}

TEST(MgcpUdp, BadAddressIsAnError) {
  asio::io_context io;
  Logger log([](std::string_view) {});
  Counters counters;
  MgcpUdpTransport transport(io, log, counters);
  UdpConfig u;
  u.mg_address = "not-an-address";
  EXPECT_EQ(transport.open(u, {}), std::make_error_code(std::errc::invalid_argument));
}

TEST(AsioTimerService, FiresInOrderAndCancels) {
  asio::io_context io;
  AsioTimerService timers(io);
  std::vector<int> fired;
  timers.start(20ms, [&] { fired.push_back(2); });
  auto cancelled = timers.start(10ms, [&] { fired.push_back(99); });
  timers.start(5ms, [&] { fired.push_back(1); });
  timers.cancel(cancelled);
  timers.cancel(cancelled);  // idempotent
  io.run_for(1s);
  EXPECT_EQ(fired, (std::vector<int>{1, 2}));
  EXPECT_EQ(timers.pending(), 0u);
}

TEST(ManualTimerService, VirtualTimeOrdering) {
  ManualClock clock;
  ManualTimerService timers(clock);
  std::vector<std::pair<int, Clock::duration>> fired;
  auto at = [&](int tag) { return [&, tag] { fired.emplace_back(tag, clock.now().time_since_epoch()); }; };
  timers.start(30ms, at(3));
  timers.start(10ms, [&] {
    fired.emplace_back(1, clock.now().time_since_epoch());
    timers.start(5ms, at(2));  // started by a callback, due inside the same advance
  });
  auto gone = timers.start(20ms, at(99));
  timers.cancel(gone);
  timers.advance(25ms);
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(fired[0], std::pair(1, Clock::duration(10ms)));
  EXPECT_EQ(fired[1], std::pair(2, Clock::duration(15ms)));
  EXPECT_EQ(clock.now().time_since_epoch(), Clock::duration(25ms));
  EXPECT_EQ(timers.next_deadline(), Clock::time_point(30ms));
  timers.advance(5ms);
  EXPECT_EQ(fired.size(), 3u);
}

}  // namespace
}  // namespace isupgw::mediagw
