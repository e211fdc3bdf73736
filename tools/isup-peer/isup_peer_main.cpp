// isup-peer: a scriptable ISUP exchange running scenario files (see
// scenario.h) and reporting pass/fail like SIPp; or, with --exchange, a
// minimal ISUP exchange (isupgw call control answering every call).
// Transports: the in-process loopback against isupgw's call control, or
// M3UA over TCP (sigtran/).
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "base/asio_timer_service.h"
#include "base/counters.h"
#include "base/log.h"
#include "sigtran/tcp_transport.h"
#include "tools/isup-peer/exchange_plan.h"
#include "tools/isup-peer/m3ua_transport.h"
#include "tools/isup-peer/scenario.h"
#include "tools/isup-peer/scenario_runner.h"

using namespace isupgw;
using namespace isupgw::isup;
namespace asio = boost::asio;

namespace {

int usage() {
  std::cerr
      << "usage: isup-peer [TRANSPORT] [OPTIONS] SCENARIO...     run scenarios as the peer exchange\n"
         "       isup-peer --exchange [TRANSPORT] [OPTIONS]        answer calls until --duration ends\n"
         "TRANSPORT: --loopback (default: against an in-process isupgw call control)\n"
         "           --m3ua-connect HOST:PORT | --m3ua-listen [ADDR:]PORT  (M3UA over TCP)\n"
         "           --role ipsp|asp|sg (default ipsp)  --rc N (routing context, default 1)\n"
         "OPTIONS:   --opc PC (own point code, default 200)  --dpc PC (remote, default 100)\n"
         "           --variant itu|etsi|ansi  --cics FIRST-LAST (loopback/exchange, default 1-31)\n"
         "           --no-answer  --ring-ms MS  --reset-on-start  --duration SECONDS (exchange, default forever)\n"
         "           --call PREFIX:SPEC (exchange; repeatable) | --calls FILE (one PREFIX:SPEC a line):\n"
         "             calls whose called number starts with PREFIX (longest wins) get SPEC, comma-separated\n"
         "             acm=0|1 cpg=MS answer=MS (after the ACM) release=MS (after the ANM, or the ACM) cause=C\n"
         "           --call-log FILE (exchange: one JSON line per call at its RLC)\n"
         "           --timeout SECONDS (per scenario over M3UA, default 60)  -v\n";
  return 2;
}

struct Options {
  std::string connect, listen;
  sigtran::m3ua::Role role = sigtran::m3ua::Role::kIpspClient;
  bool role_set = false;
  std::uint32_t rc = 1;
  unsigned ring_ms = 0;  // exchange: ACM -> ANM delay
  PointCode own = 200, remote = 100;
  Variant variant = Variant::kItu;
  unsigned first = 1, last = 31;
  bool answer = true, reset_on_start = false, exchange = false, verbose = false;
  double duration = -1, timeout = 60;
  std::vector<std::string> files;
  std::vector<peer::Behaviour> plan;
  std::string call_log;
};

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

std::optional<peer::Scenario> load(const std::string& f, std::string& err) {
  std::ifstream in(f);
  if (!in) {
    err = f + ": cannot read";
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto sc = peer::parse_scenario(ss.str(), f);
  if (!sc) {
    err = f + ":" + std::to_string(sc.error().line) + ": " + sc.error().what;
    return std::nullopt;
  }
  return *sc;
}

// M3UA over TCP: one association, real time.
struct M3uaStack {
  M3uaStack(const Options& o, Logger& log, Counters& counters)
      : timers(io), transport(io, tcp_config(o), log, counters), mtp(timers, log, counters), port(mtp) {
    sigtran::m3ua::LinkConfig cfg;
    cfg.name = "isup-peer";
    cfg.role =
        o.role_set ? o.role : (o.listen.empty() ? sigtran::m3ua::Role::kIpspClient : sigtran::m3ua::Role::kIpspServer);
    cfg.routing_contexts = {o.rc};
    cfg.traffic_mode = sigtran::m3ua::TrafficMode::kOverride;
    if (!o.listen.empty()) {
      if (auto ec = transport.listen()) std::cerr << "listen: " << ec.message() << "\n";
    }
    link = &mtp.add_link(cfg, transport);
    mtp.add_route(o.remote, sigtran::m3ua::Route{{0}, sigtran::m3ua::TrafficMode::kOverride});
    mtp.set_user(kServiceIndicatorIsup, &bridge);
    mtp.start();
  }
  static sigtran::TcpConfig tcp_config(const Options& o) {
    sigtran::TcpConfig t;
    const std::string& hp = o.listen.empty() ? o.connect : o.listen;
    t.server = !o.listen.empty();
    const auto colon = hp.rfind(':');
    if (colon != std::string::npos) t.address = hp.substr(0, colon);
    if (t.server && colon == std::string::npos) t.address = "0.0.0.0";
    t.port = static_cast<std::uint16_t>(std::stoul(colon == std::string::npos ? hp : hp.substr(colon + 1)));
    return t;
  }
  // One slice of the event loop: sockets and timers (M3UA's and ISUP's, Asio).
  void poll() {
    io.run_for(std::chrono::milliseconds(2));
    if (io.stopped()) io.restart();
  }
  asio::io_context io;
  AsioTimerService timers;  // M3UA's and ISUP's
  sigtran::TcpTransport transport;
  sigtran::m3ua::Mtp3 mtp;
  sigtran::m3ua::Link* link = nullptr;
  peer::SigtranBridge bridge;
  peer::SigtranPort port;
};

int run_m3ua(const Options& o, Logger& log, Counters& counters) {
  M3uaStack s(o, log, counters);
  TimerService& timers = s.timers;
  if (o.exchange) {
    peer::AutoAnswerUser fallback(o.answer, &timers, std::chrono::milliseconds(o.ring_ms));
    std::FILE* log_file = nullptr;
    if (!o.call_log.empty() && (log_file = std::fopen(o.call_log.c_str(), "w")) == nullptr) {
      std::cerr << "isup-peer: " << o.call_log << ": cannot write\n";
      return 2;
    }
    std::optional<peer::CallLog> call_log;
    if (log_file) call_log.emplace(log_file, o.variant == Variant::kAnsi);
    peer::CallLog* logp = call_log ? &*call_log : nullptr;
    peer::PlanUser user(o.plan, fallback, timers, logp);
    peer::TapPort tap_port(s.port, logp);
    IsupRecoveryConfig rec;
    rec.reset_on_start = o.reset_on_start;
    IsupCallControl cc(tap_port, user, timers, log, counters, rec);
    fallback.set_call_control(&cc);
    user.set_call_control(&cc);
    peer::TapUser tap_user(cc, logp);
    TrunkGroupConfig g;
    g.name = "isup-peer";
    g.opc = o.own;
    g.dpc = o.remote;
    g.variant = o.variant;
    g.cics.emplace_back(static_cast<std::uint16_t>(o.first), static_cast<std::uint16_t>(o.last));
    if (!cc.add_group(g)) return usage();
    s.bridge.target = &tap_user;
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    bool started = false;
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(o.duration);
    while (!g_stop && (o.duration < 0 || std::chrono::steady_clock::now() < end)) {
      s.poll();
      if (!started && s.link->ready()) {
        started = true;
        cc.start();
      }
    }
    s.bridge.target = nullptr;
    const std::size_t logged = logp ? logp->written() : 0;
    call_log.reset();  // writes the calls still open
    if (log_file) std::fclose(log_file);
    if (!o.call_log.empty()) std::cout << "exchange: " << logged << " calls logged\n";
    std::cout << "exchange: " << user.setups() << " calls\n";
    return 0;
  }
  unsigned passed = 0, failed = 0;
  for (const auto& f : o.files) {
    std::string err;
    auto sc = load(f, err);
    if (!sc) {
      std::cout << "FAIL " << err << "\n";
      ++failed;
      continue;
    }
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(o.timeout);
    MtpLabel label;
    label.opc = o.own;
    label.dpc = o.remote;
    peer::ScenarioRunner runner(*sc, s.port, timers, log, label, o.variant);
    // Listen before the association is up: the far end may send (e.g. GRS on
    // MTP-RESUME) in the same read that completes ASPAC; those messages queue
    // in the runner for its first expect.
    s.bridge.target = &runner;
    while (!s.link->ready() && std::chrono::steady_clock::now() < end) s.poll();
    if (s.link->ready()) runner.start();
    while (s.link->ready() && !runner.done() && std::chrono::steady_clock::now() < end) s.poll();
    s.bridge.target = nullptr;
    if (runner.passed()) {
      std::cout << "PASS " << f << "\n";
      ++passed;
    } else {
      if (!runner.done()) std::cout << "FAIL " << f << ": " << (s.link->ready() ? "timeout" : "M3UA not ready") << "\n";
      for (const auto& why : runner.failures()) std::cout << "FAIL " << why << "\n";
      ++failed;
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}

int run_loopback(const Options& o, Logger& log, Counters& counters) {
  peer::LoopbackOptions opt;
  opt.exchange.name = "isup-peer";
  opt.exchange.opc = o.remote;  // the in-process exchange under test
  opt.exchange.dpc = o.own;
  opt.exchange.variant = o.variant;
  opt.exchange.cics.emplace_back(static_cast<std::uint16_t>(o.first), static_cast<std::uint16_t>(o.last));
  opt.answer = o.answer;
  opt.start_reset = o.reset_on_start;
  unsigned passed = 0, failed = 0;
  for (const auto& f : o.files) {
    std::string err;
    auto sc = load(f, err);
    if (!sc) {
      std::cout << "FAIL " << err << "\n";
      ++failed;
      continue;
    }
    auto failures = peer::run_loopback(*sc, opt, log, counters);
    if (failures.empty()) {
      std::cout << "PASS " << f << "\n";
      ++passed;
    } else {
      for (const auto& why : failures) std::cout << "FAIL " << why << "\n";
      ++failed;
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      auto next = [&]() -> std::string {
        if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
        return argv[++i];
      };
      if (a == "--loopback") {
        o.connect.clear();
        o.listen.clear();
      } else if (a == "--m3ua-connect") {
        o.connect = next();
      } else if (a == "--m3ua-listen") {
        o.listen = next();
      } else if (a == "--role") {
        const std::string r = next();
        o.role_set = true;
        if (r == "asp") {
          o.role = sigtran::m3ua::Role::kAsp;
        } else if (r == "sg") {
          o.role = sigtran::m3ua::Role::kSg;
        } else if (r == "ipsp") {
          o.role_set = false;
        } else {
          return usage();
        }
      } else if (a == "--ring-ms") {
        o.ring_ms = static_cast<unsigned>(std::stoul(next()));
      } else if (a == "--call") {
        auto b = peer::parse_behaviour(next());
        if (!b) throw std::invalid_argument("--call: " + b.error());
        o.plan.push_back(std::move(*b));
      } else if (a == "--calls") {
        const std::string f = next();
        std::ifstream in(f);
        if (!in) throw std::invalid_argument(f + ": cannot read");
        std::stringstream ss;
        ss << in.rdbuf();
        auto p = peer::parse_behaviours(ss.str(), f);
        if (!p) throw std::invalid_argument(p.error());
        o.plan.insert(o.plan.end(), p->begin(), p->end());
      } else if (a == "--call-log") {
        o.call_log = next();
      } else if (a == "--rc") {
        o.rc = static_cast<std::uint32_t>(std::stoul(next()));
      } else if (a == "--exchange") {
        o.exchange = true;
      } else if (a == "--variant") {
        auto v = variant_from_string(next());
        if (!v) return usage();
        o.variant = *v;
      } else if (a == "--opc") {
        o.own = static_cast<PointCode>(std::stoul(next()));
      } else if (a == "--dpc") {
        o.remote = static_cast<PointCode>(std::stoul(next()));
      } else if (a == "--cics") {
        const std::string r = next();
        const auto dash = r.find('-');
        if (dash == std::string::npos) return usage();
        o.first = static_cast<unsigned>(std::stoul(r.substr(0, dash)));
        o.last = static_cast<unsigned>(std::stoul(r.substr(dash + 1)));
      } else if (a == "--no-answer") {
        o.answer = false;
      } else if (a == "--reset-on-start") {
        o.reset_on_start = true;
      } else if (a == "--duration") {
        o.duration = std::stod(next());
      } else if (a == "--timeout") {
        o.timeout = std::stod(next());
      } else if (a == "-v") {
        o.verbose = true;
      } else if (!a.empty() && a[0] == '-') {
        return usage();
      } else {
        o.files.push_back(a);
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "isup-peer: " << e.what() << "\n";
    return usage();
  }
  if (o.exchange == !o.files.empty()) return usage();
  if (o.exchange && o.connect.empty() && o.listen.empty()) return usage();  // loopback needs no separate exchange

  Logger log;
  log.set_all_levels(o.verbose ? LogLevel::kDebug : LogLevel::kWarn);
  Counters counters;
  if (!o.connect.empty() || !o.listen.empty()) return run_m3ua(o, log, counters);
  return run_loopback(o, log, counters);
}
