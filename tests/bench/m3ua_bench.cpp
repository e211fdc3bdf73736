// M3UA DATA hot path (RFC 4666 3.3.1): encode into a caller buffer and decode as
// views, no allocation. Target: <= 60 ns each. Also the general (owning) codec
// for comparison.
#include <benchmark/benchmark.h>

#include <array>
#include <vector>

#include "sigtran/m3ua_codec.h"

namespace m3ua = isupgw::sigtran::m3ua;

namespace {

// ISUP IAM-sized user data (CIC + 20 octets), RC present as on a multi-AS association.
const std::vector<std::uint8_t>& user_data() {
  static const std::vector<std::uint8_t> d = {0x01, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0a, 0x00, 0x02, 0x00, 0x06,
                                              0x03, 0x90, 0x21, 0x43, 0x65, 0x87, 0x00, 0x00, 0x00, 0x00, 0x00};
  return d;
}

m3ua::DataView sample() {
  m3ua::DataView d;
  d.routing_context = 100;
  d.opc = 0x0101;
  d.dpc = 0x0202;
  d.si = 5;
  d.ni = 2;
  d.sls = 7;
  d.user_data = user_data();
  return d;
}

}  // namespace

static void BM_DataEncode(benchmark::State& state) {
  auto d = sample();
  std::array<std::uint8_t, 256> out{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(d);
    auto n = m3ua::encode_data(d, out);
    benchmark::DoNotOptimize(n);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_DataEncode);

static void BM_DataDecode(benchmark::State& state) {
  std::array<std::uint8_t, 256> buf{};
  auto n = *m3ua::encode_data(sample(), buf);
  std::span<const std::uint8_t> in(buf.data(), n);
  for (auto _ : state) {
    benchmark::DoNotOptimize(in);
    auto d = m3ua::decode_data(in);
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_DataDecode);

static void BM_GenericDecodeAspAc(benchmark::State& state) {
  m3ua::Message m;
  m.type = m3ua::MessageType::kAspAc;
  m.traffic_mode_type = 2;
  m.routing_context = std::vector<std::uint32_t>{1, 2};
  auto bytes = *m3ua::encode(m);
  for (auto _ : state) {
    auto r = m3ua::decode(bytes);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_GenericDecodeAspAc);

// DATA/s through two stacks (IPSP client -> IPSP server) over real loopback TCP,
// in one process and one thread: encode, framing, socket, decode, MTP delivery.
#include "base/asio_timer_service.h"
#include "sigtran/mtp3.h"
#include "sigtran/tcp_transport.h"

namespace {

struct CountingUser final : isupgw::sigtran::MtpUser {
  std::uint64_t received = 0;
  void on_transfer(const isupgw::MtpLabel&, std::span<const std::uint8_t>) override { ++received; }
  void on_pause(std::uint32_t) override {}
  void on_resume(std::uint32_t) override {}
  void on_status(std::uint32_t, const isupgw::sigtran::MtpStatus&) override {}
};

struct BenchStack {
  BenchStack(boost::asio::io_context& io, m3ua::Role role, isupgw::sigtran::TcpConfig tcp, std::uint32_t remote)
      : timers(io), log([](std::string_view) {}), transport(io, tcp, log, counters), mtp(timers, log, counters) {
    m3ua::LinkConfig cfg;
    cfg.role = role;
    cfg.routing_contexts = {10};
    if (tcp.server) (void)transport.listen();
    link = &mtp.add_link(cfg, transport);
    mtp.add_route(remote, m3ua::Route{{0}, m3ua::TrafficMode::kOverride});
    mtp.set_user(-1, &user);
    mtp.start();
  }
  isupgw::AsioTimerService timers;
  isupgw::Logger log;
  isupgw::Counters counters;
  isupgw::sigtran::TcpTransport transport;
  m3ua::Mtp3 mtp;
  m3ua::Link* link = nullptr;
  CountingUser user;
};

}  // namespace

static void BM_TcpLoopbackThroughput(benchmark::State& state) {
  boost::asio::io_context io;
  BenchStack server(io, m3ua::Role::kIpspServer, {true, "127.0.0.1", 0, 64 << 20}, 1);
  BenchStack client(io, m3ua::Role::kIpspClient, {false, "127.0.0.1", server.transport.local_port(), 64 << 20}, 2);
  for (int i = 0; i < 2000 && !(client.link->ready() && server.link->ready()); ++i)
    io.run_for(std::chrono::milliseconds(1));
  if (!client.link->ready()) {
    state.SkipWithError("association did not come up");
    return;
  }
  const auto& data = user_data();
  constexpr std::uint64_t kBatch = 10000;
  std::uint64_t total = 0;
  for (auto _ : state) {
    for (std::uint64_t i = 0; i < kBatch; ++i)
      client.mtp.transfer(isupgw::MtpLabel{1, 2, 5, 2, 0, static_cast<std::uint8_t>(i & 15)}, data);
    total += kBatch;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (server.user.received < total) {
      io.run_one_for(std::chrono::milliseconds(100));
      if (std::chrono::steady_clock::now() > deadline) {
        state.SkipWithError("DATA lost");
        return;
      }
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(total));
}
BENCHMARK(BM_TcpLoopbackThroughput)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same between two processes: a forked child runs the receiving stack and
// acknowledges every batch over a pipe.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void BM_TcpTwoProcessThroughput(benchmark::State& state) {
  constexpr std::uint64_t kBatch = 10000;
  int port_pipe[2], ack_pipe[2];
  if (pipe(port_pipe) != 0 || pipe(ack_pipe) != 0) {
    state.SkipWithError("pipe failed");
    return;
  }
  const pid_t child = fork();
  if (child == 0) {
    boost::asio::io_context io;
    BenchStack server(io, m3ua::Role::kIpspServer, {true, "127.0.0.1", 0, 64 << 20}, 1);
    const std::uint16_t port = server.transport.local_port();
    if (write(port_pipe[1], &port, sizeof port) != sizeof port) _exit(1);
    std::uint64_t acked = 0;
    for (;;) {
      io.run_for(std::chrono::milliseconds(1));
      if (io.stopped()) io.restart();
      while (server.user.received >= acked + kBatch) {
        acked += kBatch;
        const char c = 1;
        if (write(ack_pipe[1], &c, 1) != 1) _exit(0);
      }
      if (getppid() == 1) _exit(0);
    }
  }
  std::uint16_t port = 0;
  if (read(port_pipe[0], &port, sizeof port) != sizeof port) {
    state.SkipWithError("child did not start");
    return;
  }
  boost::asio::io_context io;
  BenchStack client(io, m3ua::Role::kIpspClient, {false, "127.0.0.1", port, 64 << 20}, 2);
  for (int i = 0; i < 2000 && !client.link->ready(); ++i) io.run_for(std::chrono::milliseconds(1));
  fcntl(ack_pipe[0], F_SETFL, O_NONBLOCK);
  const auto& data = user_data();
  std::uint64_t total = 0;
  bool ok = client.link->ready();
  for (auto _ : state) {
    if (!ok) break;
    for (std::uint64_t i = 0; i < kBatch; ++i)
      client.mtp.transfer(isupgw::MtpLabel{1, 2, 5, 2, 0, static_cast<std::uint8_t>(i & 15)}, data);
    total += kBatch;
    char c = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (read(ack_pipe[0], &c, 1) != 1) {
      io.poll();
      if (io.stopped()) io.restart();
      if (std::chrono::steady_clock::now() > deadline) {
        ok = false;  // bounded even if the child died
        break;
      }
    }
  }
  kill(child, SIGTERM);
  waitpid(child, nullptr, 0);
  for (int fd : {port_pipe[0], port_pipe[1], ack_pipe[0], ack_pipe[1]}) close(fd);
  if (!ok) {
    state.SkipWithError("association did not come up or the child stopped acknowledging");
    return;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(total));
}
BENCHMARK(BM_TcpTwoProcessThroughput)->Unit(benchmark::kMillisecond)->UseRealTime();
