// The stack over real TCP on loopback (port 0, bounded in time): IPSP peers
// exchanging DATA, an ASP against a scripted SG test double (bring-up, DATA,
// garbage -> ERR, wrong routing context -> ERR 0x19), and a peer dropping the
// connection mid-traffic (MTP-PAUSE, reconnect, MTP-RESUME, no duplicates).
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

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
using testing::Recorder;

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

std::uint32_t seq_of(std::span<const std::uint8_t> d) {
  return std::uint32_t{d[0]} << 24 | std::uint32_t{d[1]} << 16 | std::uint32_t{d[2]} << 8 | d[3];
}
std::array<std::uint8_t, 6> payload(std::uint32_t seq) {
  return {static_cast<std::uint8_t>(seq >> 24),
          static_cast<std::uint8_t>(seq >> 16),
          static_cast<std::uint8_t>(seq >> 8),
          static_cast<std::uint8_t>(seq),
          0xaa,
          0xbb};
}

// One stack instance: Mtp3 + one association over TCP, its timers on the io_context.
struct Stack {
  Stack(asio::io_context& io, Role role, TcpConfig tcp, std::uint32_t remote_pc, std::vector<std::uint32_t> rcs = {10})
      : timers(io), log([](std::string_view) {}), transport(io, tcp, log, counters), mtp(timers, log, counters) {
    LinkConfig cfg;
    cfg.name = std::string(to_string(role));
    cfg.role = role;
    cfg.routing_contexts = std::move(rcs);
    cfg.traffic_mode = TrafficMode::kOverride;
    cfg.reconnect_min = 50ms;
    if (tcp.server) {
      EXPECT_FALSE(transport.listen());
    }
    link = &mtp.add_link(cfg, transport);
    mtp.add_route(remote_pc, Route{{0}, TrafficMode::kOverride});
    mtp.set_user(-1, &user);
    mtp.start();
  }
  AsioTimerService timers;
  Logger log;
  Counters counters;
  TcpTransport transport;
  Mtp3 mtp;
  Link* link = nullptr;
  Recorder user;
};

TcpConfig server() { return TcpConfig{true, "127.0.0.1", 0, 16 * 1024 * 1024}; }
TcpConfig client(std::uint16_t port) { return TcpConfig{false, "127.0.0.1", port, 16 * 1024 * 1024}; }

void exchange(Role ra, Role rb) {
  asio::io_context io;
  Stack b(io, rb, server(), kPcA);
  Stack a(io, ra, client(b.transport.local_port()), kPcB);
  ASSERT_TRUE(run_until(io, [&] { return a.link->ready() && b.link->ready(); }));
  constexpr std::uint32_t kN = 2000;
  for (std::uint32_t i = 0; i < kN; ++i) {
    ASSERT_TRUE(a.mtp.transfer(MtpLabel{kPcA, kPcB, 5, 2, 0, static_cast<std::uint8_t>(i % 16)}, payload(i)));
    ASSERT_TRUE(b.mtp.transfer(MtpLabel{kPcB, kPcA, 5, 2, 0, static_cast<std::uint8_t>(i % 16)}, payload(i)));
  }
  ASSERT_TRUE(run_until(io, [&] { return a.user.transfers.size() == kN && b.user.transfers.size() == kN; }));
  for (std::uint32_t i = 0; i < kN; ++i) {
    ASSERT_EQ(seq_of(b.user.transfers[i].second), i);
    ASSERT_EQ(seq_of(a.user.transfers[i].second), i);
  }
  EXPECT_EQ(b.user.transfers[5].first, (MtpLabel{kPcA, kPcB, 5, 2, 0, 5}));
  EXPECT_EQ(a.counters.value("m3ua.rx.decode_errors") + b.counters.value("m3ua.rx.decode_errors"), 0u);
}

TEST(M3uaTcp, IpspPeersExchangeDataSingleExchange) { exchange(Role::kIpspClient, Role::kIpspServer); }
TEST(M3uaTcp, IpspPeersExchangeDataDoubleExchange) { exchange(Role::kIpspDouble, Role::kIpspDouble); }

// A scripted SG on a blocking socket in its own thread.
class SgDouble {
 public:
  SgDouble() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void accept() {
    socket_ = std::make_unique<tcp::socket>(io_);
    framer_ = StreamFramer{};
    acceptor_.accept(*socket_);
    timeval tv{5, 0};  // bounded: no read waits forever
    ::setsockopt(socket_->native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  // Next non-BEAT message from the ASP; nullopt on timeout/close.
  std::optional<Message> read() {
    for (;;) {
      while (auto raw = framer_.next()) {
        auto m = decode(*raw);
        if (m) return *m;
        ADD_FAILURE() << "ASP sent undecodable bytes";
        return std::nullopt;
      }
      std::array<std::uint8_t, 4096> buf;
      boost::system::error_code ec;
      auto n = socket_->read_some(asio::buffer(buf), ec);
      if (ec) return std::nullopt;
      framer_.append(std::span<const std::uint8_t>(buf.data(), n));
    }
  }
  void write(std::span<const std::uint8_t> bytes) { asio::write(*socket_, asio::buffer(bytes.data(), bytes.size())); }
  void send(const Message& m) { write(*encode(m)); }
  void close() { socket_->close(); }

 private:
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::unique_ptr<tcp::socket> socket_;
  StreamFramer framer_;
};

TEST(M3uaTcp, AspAgainstSgDoubleWithErrors) {
  asio::io_context io;
  SgDouble sg;
  Stack asp(io, Role::kAsp, client(sg.port()), kPcB, {10});
  std::atomic<int> step{0};
  std::vector<std::string> problems;
  std::vector<Message> errors;
  auto script = std::async(std::launch::async, [&] {
    auto fail = [&](std::string s) { problems.push_back(std::move(s)); };
    sg.accept();
    auto up = sg.read();
    if (!up || up->type != MessageType::kAspUp) return fail("expected ASPUP");
    Message ack;
    ack.type = MessageType::kAspUpAck;
    sg.send(ack);
    auto ac = sg.read();
    if (!ac || ac->type != MessageType::kAspAc || ac->routing_context != std::vector<std::uint32_t>{10})
      return fail("expected ASPAC with RC 10");
    ack.type = MessageType::kAspAcAck;
    ack.routing_context = ac->routing_context;
    sg.send(ack);
    Message ntfy;
    ntfy.type = MessageType::kNtfy;
    ntfy.status = Status{status::kTypeAsStateChange, status::kAsActive};
    ntfy.routing_context = {{10}};
    sg.send(ntfy);
    // DATA towards the ASP.
    Message data;
    data.type = MessageType::kData;
    data.routing_context = {{10}};
    data.protocol_data = ProtocolData{kPcB, kPcA, 5, 2, 0, 1, {0, 0, 0, 1}};
    sg.send(data);
    auto from_asp = sg.read();
    if (!from_asp || from_asp->type != MessageType::kData || from_asp->protocol_data->dpc != kPcB)
      return fail("expected DATA from the ASP");
    // Garbage, then DATA with a wrong routing context: each answered with ERR.
    sg.write(*from_hex("02 00 03 01 00000008"));
    if (auto e = sg.read()) errors.push_back(*e);
    sg.write(*from_hex("01 00 63 01 00000008"));
    if (auto e = sg.read()) errors.push_back(*e);
    data.routing_context = {{99}};
    sg.send(data);
    if (auto e = sg.read()) errors.push_back(*e);
    // The stack is still up: a good DATA is delivered.
    data.routing_context = {{10}};
    data.protocol_data->data = {0, 0, 0, 2};
    sg.send(data);
    step = 1;
    while (step != 2) std::this_thread::sleep_for(1ms);
    // A length field below the header size cannot be resynchronised on TCP: ERR Protocol Error,
    // connection closed, and the ASP comes back (the stack stays up).
    sg.write(*from_hex("01 00 03 01 00000004"));
    if (auto e = sg.read()) errors.push_back(*e);
    if (sg.read()) fail("expected the ASP to close after a framing error");
    sg.accept();
    auto again = sg.read();
    if (!again || again->type != MessageType::kAspUp) return fail("expected ASPUP after reconnect");
    step = 3;
    while (step != 4) std::this_thread::sleep_for(1ms);
    sg.close();
  });
  ASSERT_TRUE(run_until(io, [&] { return asp.link->ready(); }));
  EXPECT_EQ(asp.link->as_state(10), AsState::kActive);
  ASSERT_TRUE(run_until(io, [&] { return asp.user.transfers.size() == 1; }));
  EXPECT_TRUE(asp.mtp.transfer(MtpLabel{kPcA, kPcB, 5, 2, 0, 1}, payload(1)));
  ASSERT_TRUE(run_until(io, [&] { return step == 1 && asp.user.transfers.size() == 2; }));
  step = 2;
  ASSERT_TRUE(run_until(io, [&] { return step == 3 || !problems.empty(); }));
  EXPECT_EQ(asp.counters.value("m3ua.tcp.framing_errors"), 1u);
  step = 4;
  script.wait();
  EXPECT_TRUE(problems.empty()) << problems.front();
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[3].error_code, 0x07u);  // protocol error
  EXPECT_EQ(errors[0].error_code, 0x01u);  // invalid version
  EXPECT_EQ(errors[1].error_code, 0x03u);  // unsupported message class
  EXPECT_EQ(errors[2].error_code, 0x19u);  // invalid routing context
  EXPECT_EQ(*errors[2].routing_context, std::vector<std::uint32_t>{99});
  EXPECT_EQ(seq_of(asp.user.transfers[1].second), 2u);
  // The SG double closes: MTP-PAUSE.
  ASSERT_TRUE(run_until(io, [&] { return !asp.link->ready(); }));
  EXPECT_EQ(asp.user.events, (std::vector<std::string>{"resume 2", "pause 2"}));
}

TEST(M3uaTcp, PeerDropsMidTrafficPauseReconnectResumeNoDuplicates) {
  asio::io_context io;
  Stack sg(io, Role::kSg, server(), kPcA);
  Stack asp(io, Role::kAsp, client(sg.transport.local_port()), kPcB);
  ASSERT_TRUE(run_until(io, [&] { return asp.link->ready() && sg.link->ready(); }));
  std::uint32_t next = 0;
  auto send_some = [&](int n) {
    for (int i = 0; i < n; ++i)
      if (asp.mtp.transfer(MtpLabel{kPcA, kPcB, 5, 2, 0, 0}, payload(next))) ++next;
  };
  send_some(500);
  io.run_for(1ms);
  sg.transport.close();  // the peer drops the connection mid-traffic
  send_some(500);        // some of these may still be accepted before the loss is seen
  ASSERT_TRUE(run_until(io, [&] { return !asp.link->ready(); }));
  EXPECT_FALSE(asp.mtp.available(kPcB));
  const auto sent_before = next;
  send_some(100);  // refused while paused
  EXPECT_EQ(next, sent_before);
  ASSERT_TRUE(run_until(io, [&] { return asp.link->ready() && sg.link->ready(); }));
  EXPECT_GE(asp.counters.value("m3ua.reconnects"), 1u);
  send_some(500);
  ASSERT_TRUE(
      run_until(io, [&] { return !sg.user.transfers.empty() && seq_of(sg.user.transfers.back().second) == next - 1; }));
  // Strictly increasing sequence numbers: nothing duplicated, nothing reordered.
  for (std::size_t i = 1; i < sg.user.transfers.size(); ++i)
    ASSERT_LT(seq_of(sg.user.transfers[i - 1].second), seq_of(sg.user.transfers[i].second));
  EXPECT_EQ(asp.user.events, (std::vector<std::string>{"resume 2", "pause 2", "resume 2"}));
}

}  // namespace
}  // namespace isupgw::sigtran::m3ua
