// sip-ua: a test user agent built on the isupgw SIP stack.
//
//   sip-ua uas [OPTIONS]   answer (after --ring-ms) or --reject STATUS
//   sip-ua uac [OPTIONS]   call --peer, hold --hold-ms then BYE, or --cancel-ms
//
// Prints one line per event and a summary; exit status 0 when every call
// ended as --expect says (UAC: final status; UAS: calls seen), 1 otherwise.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "sip/user_agent.h"

using namespace isupgw;
using namespace isupgw::sip;
namespace asio = boost::asio;

namespace {

int usage() {
  std::cerr << "usage: sip-ua uas|uac [OPTIONS]\n"
               "  --listen ADDR:PORT      local address (default 127.0.0.1:0)\n"
               "  --transport udp|tcp|tls (default udp)\n"
               "  --cert FILE --key FILE --ca FILE --verify   TLS\n"
               "  --trunk-tls IP,CERT,KEY,CA  TLS settings for one peer address (verified)\n"
               "  --session-expires S     UAC: ask for it; UAS: offer it\n"
               "  --min-se S              smallest accepted interval (default 90)\n"
               "  --t1-ms MS              RFC 3261 T1 (default 500)\n"
               "  --calls N               UAC: calls to make one after another; UAS: exit after N (default 1)\n"
               "  --duration S            give up after S seconds (default 30)\n"
               "  --linger-ms MS          keep answering retransmissions after the last call (default 300)\n"
               "  --capture FILE          append every emitted message (hex, one per line)\n"
               "  -v                      stack logs at debug level\n"
               "UAS: --ring-ms MS (180 then 200 after MS; default 0)  --reject STATUS\n"
               "     --reliable (provisionals with 100rel)  --early-sdp (183 with SDP instead of 180)\n"
               "UAC: --peer HOST:PORT  --uri URI  --hold-ms MS (default 500)  --cancel-ms MS\n"
               "     --reinvite (re-INVITE halfway through the hold)  --no-100rel\n"
               "     --expect STATUS (final response expected, default 200)\n";
  return 2;
}

bool split_host_port(const std::string& s, std::string& host, std::uint16_t& port) {
  auto c = s.rfind(':');
  if (c == std::string::npos) return false;
  host = s.substr(0, c);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  port = static_cast<std::uint16_t>(std::stoi(s.substr(c + 1)));
  return true;
}

std::string sdp(const std::string& host, int version, bool hold = false) {
  std::string s = "v=0\r\no=sip-ua 1 " + std::to_string(version) + " IN IP4 " + host + "\r\ns=-\r\nc=IN IP4 " + host +
                  "\r\nt=0 0\r\nm=audio 6000 RTP/AVP 8 0\r\na=rtpmap:8 PCMA/8000\r\n";
  s += hold ? "a=sendonly\r\n" : "a=sendrecv\r\n";
  return s;
}

struct Options {
  bool uas = true;
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 0;
  Transport transport = Transport::kUdp;
  TlsOptions tls;
  std::vector<TrunkTls> trunk_tls;
  std::uint32_t session_expires = 0, min_se = 90;
  int t1_ms = 500;
  int linger_ms = 300;
  int calls = 1;
  double duration = 30;
  std::string capture;
  bool verbose = false;
  int ring_ms = 0, reject = 0;
  bool reliable = false, early_sdp = false;
  std::string peer_host;
  std::uint16_t peer_port = 5060;
  std::string uri;
  int hold_ms = 500, cancel_ms = -1;
  bool reinvite = false, offer_100rel = true;
  int expect = 200;
};

class App : public SessionUser {
 public:
  App(asio::io_context& io, const Options& o, Logger& log, Counters& counters) : io_(io), o_(o) {
    UserAgentOptions uo;
    uo.user_agent = "sip-ua";
    uo.session_expires = o.session_expires;
    uo.min_se = o.min_se;
    uo.timers.t1 = std::chrono::milliseconds(o.t1_ms);
    uo.tls = o.tls;
    uo.trunk_tls = o.trunk_tls;
    if (!o.capture.empty()) {
      capture_.open(o.capture, std::ios::app);
      uo.tx_tap = [this](const Peer&, std::string_view bytes) {
        static const char* hex = "0123456789abcdef";
        std::string line;
        line.reserve(bytes.size() * 2 + 1);
        for (unsigned char c : bytes) {
          line += hex[c >> 4];
          line += hex[c & 15];
        }
        capture_ << line << "\n";
        capture_.flush();
      };
    }
    ua_ = std::make_unique<UserAgent>(io, std::vector<ListenerConfig>{{o.transport, o.listen_host, o.listen_port}},
                                      *this, clock_, log, counters, uo);
  }

  bool start() {
    if (auto ec = ua_->start()) {
      std::cerr << "sip-ua: cannot listen: " << ec.message() << "\n";
      return false;
    }
    std::cout << "listening " << to_string(o_.transport) << " " << o_.listen_host << ":" << ua_->port(o_.transport)
              << std::endl;
    if (!o_.uas) next_call();
    return true;
  }

  bool done() const { return finished_ >= o_.calls; }
  int failures() const { return failures_; }
  int finished() const { return finished_; }
  void stop() { ua_->stop(); }

  // --- UAS ---
  void on_invite(SessionId s, const Message& m, const Peer& from) override {
    event("invite", s, "from=" + from.host + ":" + std::to_string(from.port));
    remote_host_[s] = from.host;
    (void)m;
    if (o_.reject) {
      if (o_.ring_ms > 0) {
        ua_->provisional(s, 180, {}, {}, o_.reliable);
        after(o_.ring_ms, [this, s] {
          ua_->reject(s, o_.reject);
          finish(s, "rejected", true);
        });
      } else {
        ua_->reject(s, o_.reject);
        finish(s, "rejected", true);
      }
      return;
    }
    if (o_.early_sdp)
      ua_->provisional(s, 183, {}, Body{"application/sdp", sdp(o_.listen_host, 1)}, o_.reliable);
    else
      ua_->provisional(s, 180, {}, {}, o_.reliable);
    after(o_.ring_ms, [this, s] { ua_->answer(s, {}, Body{"application/sdp", sdp(o_.listen_host, 1)}); });
  }
  void on_cancel(SessionId s, const Message&) override { finish(s, "cancelled", o_.expect == 487); }
  void on_ack(SessionId s, const Message&) override { event("ack", s); }

  // --- UAC ---
  void on_provisional(SessionId s, const Message& r) override { event("provisional", s, status(r)); }
  void on_answered(SessionId s, const Message& r) override {
    event("answered", s, status(r));
    if (o_.expect != 200) {
      ua_->bye(s);
      finish(s, "unexpected-answer", false);
      return;
    }
    if (o_.reinvite)
      after(o_.hold_ms / 2, [this, s] {
        event("reinvite", s);
        ua_->reinvite(s, Body{"application/sdp", sdp(o_.listen_host, 2, true)});
      });
    after(o_.hold_ms, [this, s] {
      event("bye", s, "sent");
      ua_->bye(s);
      finish(s, "completed", !o_.reinvite || reinvite_ok_);
    });
  }
  void on_rejected(SessionId s, const Message& r) override {
    event("rejected", s, status(r));
    finish(s, "rejected", r.status == o_.expect);
  }
  void on_refresh_result(SessionId s, const Message& r) override {
    event("refresh-result", s, status(r));
    if (r.status / 100 == 2) reinvite_ok_ = true;
  }

  // --- both ---
  void on_bye(SessionId s, const Message&) override { finish(s, "bye-received", o_.expect == 200); }
  void on_reoffer(SessionId s, const Message&) override { event("reoffer", s); }
  InfoAnswer on_info(SessionId s, const Message&) override {
    event("info", s);
    return {};
  }
  void on_ended(SessionId s, EndReason why) override {
    event("ended", s, std::string(to_string(why)));
    finish(s, "ended", false);
  }

 private:
  static std::string status(const Message& r) { return "status=" + std::to_string(r.status); }

  void event(std::string_view what, SessionId s, const std::string& detail = {}) {
    std::cout << "event=" << what << " session=" << s << (detail.empty() ? "" : " ") << detail << std::endl;
  }

  void after(int ms, std::function<void()> fn) {
    auto t = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(std::max(ms, 0)));
    t->async_wait([t, fn = std::move(fn)](const boost::system::error_code& ec) {
      if (!ec) fn();
    });
  }

  void finish(SessionId s, std::string_view how, bool ok) {
    if (!ended_.emplace(s, true).second) return;
    ++finished_;
    if (!ok) ++failures_;
    std::cout << "call session=" << s << " result=" << how << (ok ? " ok" : " FAILED") << std::endl;
    if (!o_.uas && finished_ < o_.calls) after(50, [this] { next_call(); });
  }

  void next_call() {
    OutgoingInvite r;
    r.peer = Peer{o_.transport, o_.peer_host, o_.peer_port};
    r.request_uri = o_.uri.empty() ? "sip:service@" + o_.peer_host + ":" + std::to_string(o_.peer_port) : o_.uri;
    if (o_.transport == Transport::kTcp) r.request_uri += ";transport=tcp";
    if (o_.transport == Transport::kTls) r.request_uri += ";transport=tls";
    r.from = "<sip:sip-ua@" + o_.listen_host + ">";
    r.to = "<" + r.request_uri + ">";
    r.body = Body{"application/sdp", sdp(o_.listen_host, 1)};
    r.offer_100rel = o_.offer_100rel;
    r.session_expires = o_.session_expires;
    const SessionId s = ua_->invite(r);
    event("invite-sent", s, "to=" + o_.peer_host + ":" + std::to_string(o_.peer_port));
    if (o_.cancel_ms >= 0)
      after(o_.cancel_ms, [this, s] {
        if (ended_.count(s)) return;
        event("cancel", s, "sent");
        ua_->cancel(s, {{"Reason", "SIP;cause=487;text=\"test cancel\""}});
      });
  }

  asio::io_context& io_;
  const Options& o_;
  SteadyClock clock_;
  std::unique_ptr<UserAgent> ua_;
  std::ofstream capture_;
  std::map<SessionId, std::string> remote_host_;
  std::map<SessionId, bool> ended_;
  int finished_ = 0, failures_ = 0;
  bool reinvite_ok_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  Options o;
  std::string mode = argv[1];
  if (mode == "uas")
    o.uas = true;
  else if (mode == "uac")
    o.uas = false;
  else
    return usage();
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error("missing value for " + a);
      return argv[++i];
    };
    try {
      if (a == "--listen") {
        if (!split_host_port(value(), o.listen_host, o.listen_port)) return usage();
      } else if (a == "--transport") {
        std::string t = value();
        o.transport = t == "tcp" ? Transport::kTcp : t == "tls" ? Transport::kTls : Transport::kUdp;
      } else if (a == "--cert") {
        o.tls.certificate_file = value();
      } else if (a == "--key") {
        o.tls.private_key_file = value();
      } else if (a == "--ca") {
        o.tls.ca_file = value();
      } else if (a == "--trunk-tls") {
        std::string v = value();
        std::vector<std::string> f;
        for (std::size_t p = 0;;) {
          auto c = v.find(',', p);
          f.push_back(v.substr(p, c - p));
          if (c == std::string::npos) break;
          p = c + 1;
        }
        if (f.size() != 4) return usage();
        o.trunk_tls.push_back(TrunkTls{f[0], TlsOptions{f[1], f[2], f[3], true, {}, {}}});
      } else if (a == "--verify") {
        o.tls.verify_peer = true;
      } else if (a == "--session-expires") {
        o.session_expires = static_cast<std::uint32_t>(std::stoul(value()));
      } else if (a == "--min-se") {
        o.min_se = static_cast<std::uint32_t>(std::stoul(value()));
      } else if (a == "--t1-ms") {
        o.t1_ms = std::stoi(value());
      } else if (a == "--linger-ms") {
        o.linger_ms = std::stoi(value());
      } else if (a == "--calls") {
        o.calls = std::stoi(value());
      } else if (a == "--duration") {
        o.duration = std::stod(value());
      } else if (a == "--capture") {
        o.capture = value();
      } else if (a == "-v") {
        o.verbose = true;
      } else if (a == "--ring-ms") {
        o.ring_ms = std::stoi(value());
      } else if (a == "--reject") {
        o.reject = std::stoi(value());
      } else if (a == "--reliable") {
        o.reliable = true;
      } else if (a == "--early-sdp") {
        o.early_sdp = true;
      } else if (a == "--peer") {
        if (!split_host_port(value(), o.peer_host, o.peer_port)) return usage();
      } else if (a == "--uri") {
        o.uri = value();
      } else if (a == "--hold-ms") {
        o.hold_ms = std::stoi(value());
      } else if (a == "--cancel-ms") {
        o.cancel_ms = std::stoi(value());
      } else if (a == "--reinvite") {
        o.reinvite = true;
      } else if (a == "--no-100rel") {
        o.offer_100rel = false;
      } else if (a == "--expect") {
        o.expect = std::stoi(value());
      } else {
        return usage();
      }
    } catch (const std::exception& e) {
      std::cerr << "sip-ua: " << e.what() << "\n";
      return usage();
    }
  }
  if (!o.uas && o.peer_host.empty()) return usage();

  asio::io_context io;
  Logger log;
  log.set_all_levels(o.verbose ? LogLevel::kDebug : LogLevel::kWarn);
  Counters counters;
  App app(io, o, log, counters);
  if (!app.start()) return 2;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  bool interrupted = false;
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) interrupted = true;
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(o.duration);
  while (!app.done() && !interrupted && std::chrono::steady_clock::now() < deadline)
    io.run_for(std::chrono::milliseconds(50));
  // Let the last BYE/ACK exchanges finish.
  const auto linger = std::chrono::steady_clock::now() + std::chrono::milliseconds(o.linger_ms);
  while (std::chrono::steady_clock::now() < linger && !interrupted) io.run_for(std::chrono::milliseconds(50));
  app.stop();
  io.run_for(std::chrono::milliseconds(100));
  const int missing = o.calls - app.finished();
  std::cout << "summary calls=" << app.finished() << " failed=" << app.failures() << " missing=" << std::max(missing, 0)
            << std::endl;
  return (app.failures() == 0 && missing <= 0) ? 0 : 1;
}
