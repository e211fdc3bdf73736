// ss7-peer: libss7 (Asterisk's MTP3, ISUP and call control) as an independent
// ISUP peer for isupgw's tests (issue 20). libss7 runs its software MTP2 on one
// end of a socketpair (SS7_TRANSPORT_DAHDIDCHAN); the bridge on the other end
// runs an MTP2 link of its own towards it and relays every MSU (SIO + SIF)
// over an M2PA link (RFC 4165, over TCP on the host) to isupgw's link set, so
// isupgw's MTP3 and libss7's MTP3 talk end to end (SLTM/SLTA, TRA) and the
// ISUP on the wire is libss7's alone.
//
//   ss7-peer --m2pa-connect 127.0.0.1:PORT --opc 0-0-2 --dpc 0-0-1 [--ansi] [--slc 0]
//            [--cics 1-31] [--script FILE] [-v]
//
// Commands, one a line (from --script FILE, else stdin; `#` comments):
//   call CIC CALLED [CALLING] | acm CIC | cpg CIC [EVENT] | answer CIC | connect CIC | release CIC [CAUSE]
//   reset CIC | block CIC | unblock CIC | group-reset CIC RANGE | group-block CIC RANGE | group-unblock CIC RANGE
//   cvr CIC (ANSI: libss7's isup_cvr(), the CIC and type only)
//   wait 500ms|2s | expect NAME [key=value...] [timeout=10s] | idle [timeout=10s] | calls | quit
//   hold | flush (libss7's MSUs wait in the bridge until flushed: messages made to cross on the link)
// `$` in a command stands for the CIC of the event the last `expect` matched. Output, one line each:
// `event NAME key=value...` (libss7's events), `mtp2 in_service`, `m2pa in_service`, `calls N`,
// `idle`, `held`, `flushed N`, `FAIL reason` (the script stops with exit code 1), `done` at the end of a script.
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "base/asio.h"
#include "base/asio_timer_service.h"
#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/one_shot_timer.h"
#include "sigtran/m2pa_link.h"
#include "sigtran/tcp_transport.h"
#include "tools/ss7-peer/libss7_app.h"
#include "tools/ss7-peer/mtp2_bridge.h"

// libss7 2.0's ss7_destroy() does not free the link that ss7_add_link() allocated (mtp2_new):
// its leak, not ours, named for LeakSanitizer in the sanitize build (valgrind shows the same block).
extern "C" const char* __lsan_default_suppressions() { return "leak:mtp2_new\n"; }

namespace asio = boost::asio;
using namespace isupgw;
using namespace isupgw::tools::ss7peer;
using Ms = std::chrono::milliseconds;

namespace {

struct Options {
  AppConfig app;
  std::string connect;
  std::string script;
};

int usage() {
  std::cerr << "usage: ss7-peer --m2pa-connect HOST:PORT --opc PC --dpc PC [--ansi] [--slc N] [--cics A-B]\n"
               "                [--script FILE] [-v]\n";
  return 2;
}

unsigned parse_pc(const std::string& s, bool ansi) {
  unsigned a = 0, b = 0, c = 0;
  if (std::sscanf(s.c_str(), "%u-%u-%u", &a, &b, &c) == 3)
    return ansi ? (a << 16) | (b << 8) | c : (a << 11) | (b << 3) | c;
  return static_cast<unsigned>(std::stoul(s));
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> w;
  std::istringstream in(line);
  for (std::string t; in >> t;) {
    if (t[0] == '#') break;
    w.push_back(t);
  }
  return w;
}

Ms parse_duration(const std::string& s) {
  if (s.size() > 2 && s.compare(s.size() - 2, 2, "ms") == 0) return Ms(std::stol(s.substr(0, s.size() - 2)));
  if (!s.empty() && s.back() == 's') return Ms(static_cast<long>(std::stod(s.substr(0, s.size() - 1)) * 1000));
  return Ms(std::stol(s));
}

// Runs the commands in order; `wait`, `expect` and `idle` hold the next ones back.
class Runner {
 public:
  // `bridge`: the commands the bridge takes (hold, flush); true when it took one.
  using BridgeCommand = std::function<bool(const std::vector<std::string>&)>;
  Runner(Libss7App& app, bool from_script, BridgeCommand bridge)
      : app_(app), from_script_(from_script), bridge_(std::move(bridge)) {}
  void add(const std::string& line) { lines_.push_back(line); }
  void end_of_input() { eof_ = true; }
  void on_event(const std::string& line) { events_.push_back(line); }
  // Returns an exit code once the run is over.
  std::optional<int> step(Clock::time_point now) {
    for (;;) {
      if (hold_until_ && now < *hold_until_ && !expect_ && !idle_) return std::nullopt;
      if (expect_) {
        if (!match_expect()) {
          if (now < *hold_until_) return std::nullopt;
          return fail("expect timed out: " + expect_line_);
        }
        expect_.reset();
      }
      if (idle_) {
        const auto calls = app_.calls();
        if (!calls.empty()) {
          if (now < *hold_until_) return std::nullopt;
          std::string why = "not idle:";
          for (const auto& c : calls) why += " [" + c + "]";
          return fail(why);
        }
        idle_ = false;
        out("idle");
      }
      hold_until_.reset();
      if (lines_.empty()) {
        if (eof_) {
          out("done");
          return 0;
        }
        return std::nullopt;
      }
      std::string line = lines_.front();
      lines_.pop_front();
      for (std::size_t p; (p = line.find('$')) != std::string::npos;) line.replace(p, 1, std::to_string(last_cic_));
      auto w = split(line);
      if (w.empty()) continue;
      if (w[0] == "quit") {
        out("done");
        return 0;
      }
      if (w[0] == "wait" && w.size() == 2) {
        hold_until_ = now + parse_duration(w[1]);
        continue;
      }
      if (w[0] == "expect" || w[0] == "idle") {
        Ms timeout(10000);
        std::vector<std::string> want;
        for (std::size_t i = 1; i < w.size(); ++i) {
          if (w[i].rfind("timeout=", 0) == 0)
            timeout = parse_duration(w[i].substr(8));
          else
            want.push_back(w[i]);
        }
        hold_until_ = now + timeout;
        if (w[0] == "idle")
          idle_ = true;
        else {
          expect_ = want;
          expect_line_ = line;
        }
        continue;
      }
      if (bridge_(w)) continue;
      if (w[0] == "calls") {
        const auto calls = app_.calls();
        out("calls " + std::to_string(calls.size()));
        for (const auto& c : calls) out("call " + c);
        continue;
      }
      std::string err;
      try {
        err = app_.command(w);
      } catch (const std::exception& e) {
        err = std::string("bad number: ") + e.what();
      }
      if (!err.empty()) {
        if (from_script_) return fail(line + ": " + err);
        out("error " + line + ": " + err);
      }
    }
  }

 private:
  // The first event since the last match whose name and every key=value agree.
  bool match_expect() {
    for (; cursor_ < events_.size(); ++cursor_) {
      const auto ev = split(events_[cursor_]);
      if (ev.size() < 2 || ev[1] != (*expect_)[0]) continue;
      bool all = true;
      for (std::size_t i = 1; i < expect_->size() && all; ++i) {
        bool found = false;
        for (std::size_t j = 2; j < ev.size(); ++j) found = found || ev[j] == (*expect_)[i];
        all = found;
      }
      if (!all) continue;
      for (std::size_t j = 2; j < ev.size(); ++j)
        if (ev[j].rfind("cic=", 0) == 0) last_cic_ = std::stoi(ev[j].substr(4));
      ++cursor_;
      return true;
    }
    return false;
  }
  int fail(const std::string& why) {
    out("FAIL " + why);
    return 1;
  }
  static void out(const std::string& s) { std::cout << s << std::endl; }

  Libss7App& app_;
  bool from_script_;
  BridgeCommand bridge_;
  std::deque<std::string> lines_;
  bool eof_ = false;
  std::vector<std::string> events_;
  std::size_t cursor_ = 0;
  int last_cic_ = 0;
  std::optional<Clock::time_point> hold_until_;
  std::optional<std::vector<std::string>> expect_;
  std::string expect_line_;
  bool idle_ = false;
};

// isupgw's side of the bridge: one M2PA link; MSUs from libss7 wait for it to be in service.
class M2paSide final : public sigtran::m2pa::LinkUser {
 public:
  Mtp2Bridge* bridge = nullptr;
  sigtran::m2pa::Link* link = nullptr;
  void on_link_in_service(sigtran::m2pa::Link& l) override {
    std::cout << "m2pa in_service" << std::endl;
    while (!queued_.empty()) {
      l.send_msu(queued_.front());
      queued_.pop_front();
    }
  }
  void on_link_out_of_service(sigtran::m2pa::Link& /*l*/, std::string_view reason) override {
    std::cout << "m2pa out_of_service reason=" << reason << std::endl;
    if (on_failure) on_failure();
  }
  // The M2PA link failed (isupgw gone or restarting): the signalling link fails end to end.
  std::function<void()> on_failure;
  void on_link_msu(sigtran::m2pa::Link& /*l*/, std::span<const std::uint8_t> msu) override {
    if (bridge && !bridge->send_msu(msu)) std::cout << "mtp2 dropped_msu" << std::endl;
  }
  void from_libss7(std::span<const std::uint8_t> msu) {
    if (link && link->in_service() && !held_)
      link->send_msu(msu);
    else
      queued_.emplace_back(msu.begin(), msu.end());
  }
  // `hold`: libss7's MSUs wait in the bridge; `flush` sends them. A test makes two messages
  // cross on the link this way (release collision, dual seizure: Q.764 2.3.1 e), 2.10.1.4).
  void hold() { held_ = true; }
  void drop_queued() { queued_.clear(); }
  std::size_t flush() {
    held_ = false;
    const std::size_t n = queued_.size();
    while (link && link->in_service() && !queued_.empty()) {
      link->send_msu(queued_.front());
      queued_.pop_front();
    }
    return n;
  }

 private:
  bool held_ = false;
  std::deque<std::vector<std::uint8_t>> queued_;
};

}  // namespace

namespace {

int run(int argc, char** argv) {
  Options o;
  std::string cics = "1-31", opc, dpc;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto next = [&]() -> std::string { return i + 1 < args.size() ? args[++i] : std::string(); };
    if (a == "--m2pa-connect")
      o.connect = next();
    else if (a == "--opc")
      opc = next();
    else if (a == "--dpc")
      dpc = next();
    else if (a == "--ansi")
      o.app.ansi = true;
    else if (a == "--slc")
      o.app.slc = std::stoi(next());
    else if (a == "--cics")
      cics = next();
    else if (a == "--script")
      o.script = next();
    else if (a == "-v")
      o.app.verbose = true;
    else
      return usage();
  }
  if (o.connect.empty() || opc.empty() || dpc.empty() ||
      std::sscanf(cics.c_str(), "%d-%d", &o.app.first_cic, &o.app.last_cic) != 2)
    return usage();
  // Point codes as A-B-C: ITU 3-8-3 bits, ANSI 8-8-8 (network-cluster-member); or a plain integer.
  o.app.opc = parse_pc(opc, o.app.ansi);
  o.app.dpc = parse_pc(dpc, o.app.ansi);

  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv) != 0) {
    std::perror("socketpair");
    return 2;
  }

  Logger log;
  log.set_all_levels(o.app.verbose ? LogLevel::kDebug : LogLevel::kWarn);
  Counters counters;
  asio::io_context io;
  AsioTimerService timers(io);
  SteadyClock clock;

  sigtran::TcpConfig tc;
  const auto colon = o.connect.rfind(':');
  if (colon == std::string::npos) return usage();
  tc.address = o.connect.substr(0, colon);
  tc.port = static_cast<std::uint16_t>(std::stoul(o.connect.substr(colon + 1)));
  sigtran::TcpTransport transport(io, tc, log, counters);
  M2paSide m2pa;
  sigtran::m2pa::LinkConfig lc;
  lc.name = "ss7-peer/" + std::to_string(o.app.slc);
  lc.slc = static_cast<std::uint8_t>(o.app.slc);
  lc.emergency = true;
  const auto m2pa_meter = sigtran::m2pa::LinkFsm::make_meter(log, counters);
  sigtran::m2pa::Link link(lc, transport, m2pa_meter, timers, log, counters, m2pa);
  m2pa.link = &link;

  const auto mtp2_meter = Mtp2Bridge::make_meter(log, counters);
  Mtp2Bridge bridge(sv[1], Mtp2Timers{}, mtp2_meter, timers, log,
                    Mtp2Bridge::User{.in_service =
                                         [&] {
                                           std::cout << "mtp2 in_service" << std::endl;
                                           link.start();  // connects (again) and aligns
                                         },
                                     .out_of_service = [&] { std::cout << "mtp2 out_of_service" << std::endl; },
                                     .msu = [&](std::span<const std::uint8_t> msu) { m2pa.from_libss7(msu); }});
  // When the M2PA link fails, libss7's link fails too (SIOS): its MTP3 sees the link go down and
  // realigns after a second; the M2PA link starts again once libss7's MTP2 is back in service, and
  // keeps trying to connect (a restarting isupgw) every second (m2pa::LinkConfig reconnect_delay).
  bool stopping = false;
  OneShotTimer realign(timers);
  m2pa.on_failure = [&] {
    if (stopping) return;
    bridge.stop();
    m2pa.drop_queued();
    realign.arm(std::chrono::seconds(1), [&] { bridge.start(); });
  };
  m2pa.bridge = &bridge;

  std::optional<Runner> runner;
  Libss7App app(o.app, sv[0], [&](const std::string& line) {
    std::cout << line << std::endl;
    if (runner) runner->on_event(line);
  });
  runner.emplace(app, !o.script.empty(), [&](const std::vector<std::string>& w) {
    if (w[0] == "hold") {
      m2pa.hold();
      std::cout << "held" << std::endl;
      return true;
    }
    if (w[0] == "flush") {
      std::cout << "flushed " << m2pa.flush() << std::endl;
      return true;
    }
    return false;
  });

  if (!o.script.empty()) {
    std::ifstream in(o.script);
    if (!in) {
      std::cerr << "ss7-peer: " << o.script << ": cannot read\n";
      return 2;
    }
    for (std::string line; std::getline(in, line);) runner->add(line);
    runner->end_of_input();
  }
  // stdin: lines as they come.
  asio::posix::stream_descriptor input(io, ::dup(0));
  asio::streambuf inbuf;
  std::function<void()> read_line = [&] {
    asio::async_read_until(input, inbuf, '\n', [&](boost::system::error_code ec, std::size_t) {
      if (ec) {
        runner->end_of_input();
        return;
      }
      std::istream is(&inbuf);
      std::string line;
      std::getline(is, line);
      runner->add(line);
      read_line();
    });
  };
  if (o.script.empty()) read_line();

  app.start();
  bridge.start();

  // libss7 is polled every 5 ms: frames in, timers, one signal unit out (its pacing).
  int rc = 0;
  asio::steady_timer tick(io);
  std::function<void()> on_tick = [&] {
    app.poll();
    bridge.on_readable();
    if (auto done = runner->step(clock.now())) {
      rc = *done;
      stopping = true;
      link.shutdown();
      io.stop();
      return;
    }
    tick.expires_after(Ms(5));
    tick.async_wait([&](boost::system::error_code ec) {
      if (!ec) on_tick();
    });
  };
  on_tick();
  io.run();
  ::close(sv[0]);
  ::close(sv[1]);
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {  // a number that does not parse (std::stoi)
    std::cerr << "ss7-peer: bad argument: " << e.what() << "\n";
    return usage();
  }
}
