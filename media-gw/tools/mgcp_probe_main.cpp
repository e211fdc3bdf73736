// mgcp-probe: drives our MGCP client (UDP, real time) against a media
// gateway: keepalive AUEP until the health FSM leaves UNKNOWN, one
// CRCX/MDCX/DLCX round, N create/delete cycles, then AUEP (F: I) on every
// endpoint used. One "key=value" line per step on stdout; exit status 0 only
// if every step succeeded. Used by tests/integration/test_osmo_mgw.py.
//
//   mgcp-probe --mg ADDR:PORT [--local ADDR] [--endpoint 'rtpbridge/*@mgw']
//              [--keepalive-endpoint EP] [--cycles N] [--codec PCMA] [--verbose]
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "base/asio_timer_service.h"
#include "media-gw/mgcp_client.h"
#include "media-gw/mgcp_codec.h"
#include "media-gw/mgcp_connection.h"
#include "media-gw/mgcp_udp.h"

namespace {

namespace asio = boost::asio;
using namespace isupgw;
using namespace isupgw::mediagw;
using namespace std::chrono_literals;

int usage() {
  std::fprintf(stderr,
               "usage: mgcp-probe --mg ADDR:PORT [--local ADDR] [--endpoint EP] [--keepalive-endpoint EP]\n"
               "                  [--cycles N] [--verbose]\n");
  return 2;
}

struct Probe {
  asio::io_context& io;
  MgcpClient& client;
  int failures = 0;

  // Runs the io_context until the transaction completes (the client's own
  // retransmission timers bound the wait).
  Outcome call(mgcp::Command c) {
    std::optional<Outcome> out;
    client.send(std::move(c), [&](const Outcome& o) { out = o; });
    while (!out && io.run_one()) {
    }
    if (!out) return Err(TransactionFailure{TransactionError::kCancelled, 0, "io stopped"});
    return *out;
  }

  Result<ConnectionInfo, ConnectionFailure> crcx(const CrcxRequest& r) {
    std::optional<Result<ConnectionInfo, ConnectionFailure>> out;
    create_connection(client, r, [&](const Result<ConnectionInfo, ConnectionFailure>& x) { out = x; });
    while (!out && io.run_one()) {
    }
    if (!out) return Err(ConnectionFailure{ConnectionError::kTransaction, {TransactionError::kCancelled, 0, ""}});
    return *out;
  }

  static std::string describe(const Outcome& o) {
    if (o.ok()) return "code=" + std::to_string(o.value().code);
    return "error=" + std::string(to_string(o.error().error)) + " code=" + std::to_string(o.error().code);
  }
  static std::string describe(const ConnectionFailure& f) {
    return "error=" + std::string(to_string(f.error)) + " transaction=" + std::string(to_string(f.transaction.error)) +
           " code=" + std::to_string(f.transaction.code);
  }
  void fail() { ++failures; }
};

// The far end of the MDCX: an SDP as a SIP peer would offer it.
std::string remote_sdp(const std::string& addr) {
  return "v=0\r\no=- 1 1 IN IP4 " + addr + "\r\ns=-\r\nc=IN IP4 " + addr +
         "\r\nt=0 0\r\nm=audio 40000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\na=ptime:20\r\n";
}

std::string sdp_port(const std::string& sdp) {
  auto m = sdp.find("m=audio ");
  if (m == std::string::npos) return "";
  auto end = sdp.find(' ', m + 8);
  return sdp.substr(m + 8, end - m - 8);
}

}  // namespace

int main(int argc, char** argv) {
  std::string mg, local = "127.0.0.1", endpoint = "rtpbridge/*@mgw", keepalive;
  unsigned long cycles = 200;
  bool verbose = false;
  std::vector<std::string> a(argv + 1, argv + argc);
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] == "--verbose") {
      verbose = true;
      continue;
    }
    if (i + 1 >= a.size()) return usage();
    const std::string& v = a[++i];
    if (a[i - 1] == "--mg")
      mg = v;
    else if (a[i - 1] == "--local")
      local = v;
    else if (a[i - 1] == "--endpoint")
      endpoint = v;
    else if (a[i - 1] == "--keepalive-endpoint")
      keepalive = v;
    else if (a[i - 1] == "--cycles" && !v.empty() && v.size() < 7 && v.find_first_not_of("0123456789") == v.npos)
      cycles = std::stoul(v);
    else
      return usage();
  }
  auto colon = mg.rfind(':');
  if (colon == std::string::npos) return usage();
  UdpConfig udp;
  udp.local_address = local;
  udp.mg_address = mg.substr(0, colon);
  const std::string port_text = mg.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos)
    return usage();
  udp.mg_port = static_cast<std::uint16_t>(std::stoul(port_text));
  if (keepalive.empty()) keepalive = endpoint;

  Logger log;
  log.set_all_levels(verbose ? LogLevel::kDebug : LogLevel::kWarn);
  Counters counters;
  asio::io_context io;
  SteadyClock clock;
  AsioTimerService timers(io);
  MgcpUdpTransport transport(io, log, counters);
  ClientConfig cfg;
  cfg.mg_name = udp.mg_address;
  cfg.keepalive_endpoint = keepalive;
  cfg.keepalive_interval = 1s;
  MgcpClient client(cfg, transport, timers, clock, log, counters);
  if (auto ec = transport.open(udp, [&](std::span<const std::uint8_t> d) { client.receive(d); })) {
    std::printf("open error=%s\n", ec.message().c_str());
    return 1;
  }
  Probe p{io, client};

  // 1. Keepalive: the health FSM must leave UNKNOWN for UP.
  client.start_keepalive();
  while (client.health().state() == HealthState::kUnknown && io.run_one()) {
  }
  std::printf("health state=%s\n", std::string(to_string(client.health().state())).c_str());
  if (client.health().state() != HealthState::kUp) p.fail();
  client.stop_keepalive();

  // 2. AUEP on the (wildcard) endpoint.
  auto au = p.call(make_auep(endpoint));
  std::printf("auep endpoint=%s %s\n", endpoint.c_str(), Probe::describe(au).c_str());
  if (!au.ok()) p.fail();

  // 3. CRCX on the wildcard: the MG names the endpoint (Z:) and gives its SDP.
  CrcxRequest req;
  req.endpoint = endpoint;
  req.call_id = "1f";
  req.mode = mgcp::ConnectionMode::kRecvOnly;
  req.local_options = "p:20, a:PCMA";
  auto conn = p.crcx(req);
  std::set<std::string> used;
  if (conn.ok()) {
    used.insert(conn->endpoint);
    std::printf("crcx endpoint=%s connection_id=%s sdp_port=%s\n", conn->endpoint.c_str(), conn->connection_id.c_str(),
                sdp_port(conn->sdp).c_str());
    if (sdp_port(conn->sdp).empty()) p.fail();
    // 4. MDCX with the far end's SDP, both directions.
    auto md = p.call(make_mdcx(conn->endpoint, req.call_id, conn->connection_id, mgcp::ConnectionMode::kSendRecv,
                               remote_sdp(udp.local_address)));
    std::printf("mdcx endpoint=%s %s\n", conn->endpoint.c_str(), Probe::describe(md).c_str());
    if (!md.ok()) p.fail();
    // 5. DLCX
    auto dl = p.call(make_dlcx(conn->endpoint, req.call_id, conn->connection_id));
    std::printf("dlcx endpoint=%s %s\n", conn->endpoint.c_str(), Probe::describe(dl).c_str());
    if (!dl.ok()) p.fail();
  } else {
    std::printf("crcx %s\n", Probe::describe(conn.error()).c_str());
    p.fail();
  }

  // 6. Create/delete cycles.
  unsigned ok = 0, failed = 0;
  for (unsigned long i = 0; i < cycles; ++i) {
    CrcxRequest r = req;
    char call[16];
    std::snprintf(call, sizeof call, "%lx", 0x1000 + i);
    r.call_id = call;
    auto c = p.crcx(r);
    if (!c.ok()) {
      ++failed;
      if (failed < 5) std::printf("cycle %lu crcx %s\n", i, Probe::describe(c.error()).c_str());
      continue;
    }
    used.insert(c->endpoint);
    auto d = p.call(make_dlcx(c->endpoint, r.call_id, c->connection_id));
    if (d.ok()) {
      ++ok;
    } else {
      ++failed;
      if (failed < 5) std::printf("cycle %lu dlcx %s\n", i, Probe::describe(d).c_str());
    }
  }
  std::printf("cycles ok=%u failed=%u endpoints_used=%zu\n", ok, failed, used.size());
  if (failed) p.fail();

  // 7. AUEP with F: I on every endpoint used: no connection may be left.
  unsigned leftover = 0, audit_errors = 0;
  for (const auto& ep : used) {
    auto r = p.call(make_auep(ep, "I"));
    if (!r.ok()) {
      ++audit_errors;
      continue;
    }
    if (const auto* ids = r.value().param(mgcp::param::kConnectionId); ids && !ids->empty()) {
      ++leftover;
      std::printf("leftover endpoint=%s connections=%s\n", ep.c_str(), ids->c_str());
    }
  }
  std::printf("audit endpoints=%zu leftover=%u errors=%u\n", used.size(), leftover, audit_errors);
  if (leftover || audit_errors) p.fail();

  std::printf("counters retransmissions=%llu timeouts=%llu parse_errors=%llu stray=%llu\n",
              static_cast<unsigned long long>(counters.value("mgcp.tx.retransmissions")),
              static_cast<unsigned long long>(counters.value("mgcp.transaction.timeouts")),
              static_cast<unsigned long long>(counters.value("mgcp.rx.parse_errors")),
              static_cast<unsigned long long>(counters.value("mgcp.rx.stray_responses")));
  std::printf("result %s failures=%d\n", p.failures ? "FAIL" : "PASS", p.failures);
  client.cancel_all();
  return p.failures ? 1 : 0;
}
