// pri-peer: libpri (Asterisk's Q.921 + Q.931 and ISDN call control, Debian
// libpri-dev) as an independent, scriptable PBX on a PRI D channel (issue 21).
// It connects to the MG simulator's LAPD socket (mg-sim --lapd IID=PATH: Unix
// SOCK_SEQPACKET, one Q.921 frame + 2 FCS octets a datagram, as libpri reads
// and writes a DAHDI D channel), so everything on the D channel is libpri's.
//
//   pri-peer --lapd PATH [--side user|network] [--switchtype euroisdn|ni2|dms100|5ess|4ess|qsig]
//            [--channels 1-15,17-31] [--auto answer|busy|unallocated|noanswer] [--ring-delay MS]
//            [--hold MS] [--overlap] [--min-digits N] [--script FILE] [-v]
//
// Commands, one a line (from --script FILE, else stdin; `#` comments):
//   call NUMBER [calling=N] [channel=N] [ton=national|international|subscriber|unknown] [overlap]
//   info DIGITS [call=N]   (overlap sending: one INFORMATION a digit)
//   answer|alert|proceeding|more|busy [call=N]   (more: SETUP ACKNOWLEDGE, overlap receiving)
//   reject CAUSE [call=N] | hangup [CAUSE] [call=N]
//   restart [CHANNEL|all]  (all: every B channel in turn, libpri restarts one at a time)
//   load N NUMBER [rate=R] [hold=MS]  (N calls from libpri, R a second, each cleared H ms after its answer)
//   auto answer|busy|unallocated|noanswer|off [ring-delay=MS] [hold=MS]  (as --auto, from now on)
//   status | wait 500ms|2s | expect NAME [word...] [timeout=10s] | idle [timeout=10s] | quit
// Without call=N a command acts on the only call there is. `$` in a command stands for the call id
// of the event the last `expect` matched.
// Output, one line each (the first word names it):
//   DCHAN UP|DOWN | RING call=N channel=C called=D calling=D complete=0|1 | INFO call=N channel=C digits=D
//   called=D complete=0|1 | CALLING call=N channel=C called=D | SETUP_ACK|PROCEEDING|PROGRESS|RINGING|
//   ANSWER|CONNECT_ACK call=N channel=C | HANGUP call=N channel=C cause=X by=remote |
//   HANGUP_SENT call=N channel=C cause=X | HANGUP_ACK cause=X | CLEARED call=N channel=C reason=restart |
//   RESTART channel=C|all (received, acknowledged by libpri) | RESTART_ACK channel=C | RESTARTED |
//   RESTART_FAIL channel=C | AUTO mode=M ring-delay=MS hold=MS (after `auto`) | LOAD done calls=N answered=A failed=F | STATUS channels=N busy=B idle=I libpri_calls=L [counter=N...] |
//   BUSY channel=C call=N state=S dir=in|out | idle | error LINE: why | FAIL why (exit 1) | done
// STATUS's busy/idle is the application's view of the B channels (chan_dahdi's part); libpri_calls
// is libpri's own count of its call records (pri_dump_info_str "Total active-calls").
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "tools/pri-peer/libpri_pbx.h"

using namespace isupgw::tools::pripeer;

namespace {

int usage() {
  std::cerr << "usage: pri-peer --lapd PATH [--side user|network] [--switchtype euroisdn|ni2|dms100|5ess|4ess|qsig]\n"
               "                [--channels 1-15,17-31] [--auto answer|busy|unallocated|noanswer] [--ring-delay MS]\n"
               "                [--hold MS] [--overlap] [--min-digits N] [--script FILE] [-v]\n";
  return 2;
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

// "1-15,17-31" -> 1..15, 17..31.
bool parse_channels(const std::string& s, std::vector<int>& out) {
  out.clear();
  std::istringstream in(s);
  for (std::string part; std::getline(in, part, ',');) {
    int a = 0, b = 0;
    if (std::sscanf(part.c_str(), "%d-%d", &a, &b) == 2) {
    } else if (std::sscanf(part.c_str(), "%d", &a) == 1) {
      b = a;
    } else {
      return false;
    }
    if (a < 1 || b > 31 || a > b) return false;
    for (int c = a; c <= b; ++c) out.push_back(c);
  }
  return !out.empty();
}

int switchtype(const std::string& s) {
  if (s == "euroisdn" || s == "euroisdn_e1") return PRI_SWITCH_EUROISDN_E1;
  if (s == "euroisdn_t1") return PRI_SWITCH_EUROISDN_T1;
  if (s == "ni2") return PRI_SWITCH_NI2;
  if (s == "dms100") return PRI_SWITCH_DMS100;
  if (s == "5ess") return PRI_SWITCH_LUCENT5E;
  if (s == "4ess") return PRI_SWITCH_ATT4ESS;
  if (s == "qsig") return PRI_SWITCH_QSIG;
  return -1;
}

void print(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

// libpri's own messages and errors (its default is stdout) go to stderr, away from the events.
void libpri_message(struct pri* /*pri*/, char* s) { std::fputs(s, stderr); }

// Runs the commands in order; `wait`, `expect` and `idle` hold the next ones back.
class Runner {
 public:
  Runner(LibpriPbx& pbx, bool from_script) : pbx_(pbx), from_script_(from_script) {}
  void add(const std::string& line) { lines_.push_back(line); }
  void end_of_input() { eof_ = true; }
  void on_event(const std::string& line) { events_.push_back(line); }
  std::optional<SteadyTime> next_due() const { return hold_until_; }

  // An exit code once the run is over.
  std::optional<int> step(SteadyTime now) {
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
        if (pbx_.busy_channels() != 0 || pbx_.libpri_calls() != 0 || pbx_.restarting() || pbx_.loading()) {
          if (now < *hold_until_) return std::nullopt;
          std::string why = "not idle:";
          for (const auto& s : pbx_.status()) why += " [" + s + "]";
          return fail(why);
        }
        idle_ = false;
        print("idle");
      }
      hold_until_.reset();
      if (lines_.empty()) {
        if (eof_) {
          print("done");
          return 0;
        }
        return std::nullopt;
      }
      std::string line = lines_.front();
      lines_.pop_front();
      for (std::size_t p; (p = line.find('$')) != std::string::npos;) line.replace(p, 1, std::to_string(last_call_));
      const auto w = split(line);
      if (w.empty()) continue;
      try {
        if (w[0] == "quit") {
          print("done");
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
          if (w[0] == "expect" && want.empty()) return fail("expect NAME ...");
          hold_until_ = now + timeout;
          if (w[0] == "idle") {
            idle_ = true;
          } else {
            expect_ = want;
            expect_line_ = line;
          }
          continue;
        }
        if (w[0] == "status") {
          for (const auto& s : pbx_.status()) print(s);
          continue;
        }
        const std::string err = pbx_.command(w, now);
        if (!err.empty()) {
          if (from_script_) return fail(line + ": " + err);
          print("error " + line + ": " + err);
        }
      } catch (const std::exception& e) {  // a number that does not parse
        if (from_script_) return fail(line + ": bad number");
        print("error " + line + ": bad number");
      }
    }
  }

 private:
  // The first event since the last match whose name and every other word agree.
  bool match_expect() {
    for (; cursor_ < events_.size(); ++cursor_) {
      const auto ev = split(events_[cursor_]);
      if (ev.empty() || ev[0] != (*expect_)[0]) continue;
      bool all = true;
      for (std::size_t i = 1; i < expect_->size() && all; ++i)
        all = std::find(ev.begin() + 1, ev.end(), (*expect_)[i]) != ev.end();
      if (!all) continue;
      for (const auto& word : ev)
        if (word.rfind("call=", 0) == 0) last_call_ = std::stoi(word.substr(5));
      ++cursor_;
      return true;
    }
    return false;
  }
  int fail(const std::string& why) {
    print("FAIL " + why);
    return 1;
  }

  LibpriPbx& pbx_;
  bool from_script_;
  std::deque<std::string> lines_;
  bool eof_ = false;
  std::vector<std::string> events_;
  std::size_t cursor_ = 0;
  int last_call_ = 0;
  std::optional<SteadyTime> hold_until_;
  std::optional<std::vector<std::string>> expect_;
  std::string expect_line_;
  bool idle_ = false;
};

// mg-sim may create its socket a moment after we start: try for 5 s.
int connect_lapd(const std::string& path) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof sa.sun_path) return -1;
  std::memcpy(sa.sun_path, path.data(), path.size());
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::socket(AF_UNIX, SOCK_SEQPACKET, 0);
    if (fd < 0) return -1;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) return fd;
    ::close(fd);
    std::this_thread::sleep_for(Ms(50));
  }
  return -1;
}

int run(int argc, char** argv) {
  PbxConfig cfg;
  std::string lapd, script, channels = "1-15,17-31";
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto next = [&]() -> std::string { return i + 1 < args.size() ? args[++i] : std::string(); };
    if (a == "--lapd") {
      lapd = next();
    } else if (a == "--side") {
      const auto s = next();
      if (s != "user" && s != "network") return usage();
      cfg.node = s == "user" ? PRI_CPE : PRI_NETWORK;
    } else if (a == "--switchtype") {
      cfg.switchtype = switchtype(next());
      if (cfg.switchtype < 0) return usage();
    } else if (a == "--channels") {
      channels = next();
    } else if (a == "--auto") {
      const auto m = parse_auto(next());
      if (!m) return usage();
      cfg.auto_mode = *m;
    } else if (a == "--ring-delay") {
      cfg.ring_delay = parse_duration(next());
    } else if (a == "--hold") {
      cfg.hold = parse_duration(next());
    } else if (a == "--overlap") {
      cfg.overlap = true;
    } else if (a == "--min-digits") {
      cfg.overlap = true;
      cfg.min_digits = static_cast<std::size_t>(std::stoul(next()));
    } else if (a == "--script") {
      script = next();
    } else if (a == "-v") {
      cfg.debug = PRI_DEBUG_Q921_DUMP | PRI_DEBUG_Q931_DUMP | PRI_DEBUG_Q931_STATE;
    } else {
      return usage();
    }
  }
  if (lapd.empty() || !parse_channels(channels, cfg.channels)) return usage();

  pri_set_message(libpri_message);
  pri_set_error(libpri_message);
  const int fd = connect_lapd(lapd);
  if (fd < 0) {
    std::cerr << "pri-peer: " << lapd << ": cannot connect: " << std::strerror(errno) << "\n";
    return 2;
  }
  std::optional<Runner> runner;
  LibpriPbx pbx(cfg, fd, [&](const std::string& line) {
    print(line);
    if (runner) runner->on_event(line);
  });
  runner.emplace(pbx, !script.empty());
  if (!script.empty()) {
    std::ifstream in(script);
    if (!in) {
      std::cerr << "pri-peer: " << script << ": cannot read\n";
      return 2;
    }
    for (std::string line; std::getline(in, line);) runner->add(line);
    runner->end_of_input();
  }
  print(std::string("pri-peer ready side=") + (cfg.node == PRI_CPE ? "user" : "network") +
        " channels=" + std::to_string(cfg.channels.size()));

  bool stdin_open = script.empty();
  std::string pending;
  for (;;) {
    auto now = std::chrono::steady_clock::now();
    pbx.on_time(now);
    if (auto rc = runner->step(now)) {
      ::close(fd);
      return *rc;
    }
    // Sleep until libpri's next timer, our next deadline or the script's, at most 100 ms.
    auto until = now + Ms(100);
    if (auto t = pbx.next_due(now); t && *t < until) until = *t;
    if (auto t = runner->next_due(); t && *t < until) until = *t;
    const int timeout =
        static_cast<int>(std::max<long long>(0, std::chrono::duration_cast<Ms>(until - now).count() + 1));
    pollfd p[2] = {{fd, POLLIN, 0}, {0, POLLIN, 0}};
    if (::poll(p, stdin_open ? 2 : 1, timeout) < 0) {
      if (errno == EINTR) continue;
      std::perror("poll");
      return 2;
    }
    now = std::chrono::steady_clock::now();
    if (p[0].revents & (POLLHUP | POLLERR)) {
      print("FAIL D channel closed by the far end");
      ::close(fd);
      return 1;
    }
    if (p[0].revents & POLLIN) pbx.on_readable(now);
    if (stdin_open && (p[1].revents & (POLLIN | POLLHUP))) {
      char buf[4096];
      const ssize_t n = ::read(0, buf, sizeof buf);
      if (n <= 0) {
        stdin_open = false;
        if (!pending.empty()) runner->add(pending);
        runner->end_of_input();
      } else {
        pending.append(buf, static_cast<std::size_t>(n));
        for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
          runner->add(pending.substr(0, nl));
          pending.erase(0, nl + 1);
        }
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {  // a number that does not parse (std::stoi)
    std::cerr << "pri-peer: bad argument: " << e.what() << "\n";
    return usage();
  }
}
