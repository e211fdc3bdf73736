// mg-sim: the MgSimulator on a UDP socket, for integration tests and manual
// experiments. Prints "mg-sim ready address=A port=P" on stdout once bound.
//
//   mg-sim [--bind ADDR] [--port N] [--domain NAME] [--spans N] [--rtp-endpoints N]
//          [--media-address ADDR] [--drop N] [--fail CODE] [--fail-verb VERB=CODE]
//
// Control lines on stdin (each answered with one "ok ..." or "error ..." line):
//   drop N | fail CODE [N] | fail-verb VERB CODE | clear-verb VERB | provisional N
//   continuity ok|fail                 (result an RQNT S: T/co1 R: T/oc reports by NTFY)
//   rsip METHOD [ENDPOINT [DELAY]]     (sent to the last Call Agent seen, or --ca ADDR:PORT)
//   ntfy ENDPOINT REQUEST-ID EVENTS | stats | quit
//   t38 on|off (accept or refuse RFC 5347 fxr/fx:t38) | signals (RQNT signals played)
//   conns (connections: endpoint, mode, L:, own RTP port, the remote SDP's port)
//   iua                                (the IUA SG end: the ASP's state and each D channel's Q.921 state)
//
// The IUA SG end (issue 21), when --iua is given: the association listens on TCP ADDR:PORT (0: any
// port; "mg-sim iua address=A port=P" printed once bound), or on kernel SCTP with --iua-transport sctp
// (PPID 1; a fixed port), and each --lapd IID=PATH is a Unix
// SOCK_SEQPACKET socket where a PBX attaches the D channel of interface IID (media-gw/tools/mg_sim_iua.h).
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "base/asio.h"
#include "media-gw/mg_simulator.h"
#include "media-gw/mgcp_codec.h"
#include "media-gw/tools/mg_sim_iua.h"

namespace {

namespace asio = boost::asio;
using asio::ip::udp;
using namespace isupgw;
using namespace isupgw::mediagw;

struct Options {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 2427;
  std::string ca;  // ADDR:PORT for RSIP/NTFY before any command arrived
  SimConfig sim;
  unsigned drop = 0;
  std::uint16_t fail = 0;
  std::vector<std::pair<mgcp::Verb, std::uint16_t>> fail_verbs;
  IuaSimOptions iua;
};

int usage() {
  std::fprintf(stderr,
               "usage: mg-sim [--bind ADDR] [--port N] [--ca ADDR:PORT] [--domain NAME] [--spans N]\n"
               "              [--rtp-endpoints N] [--media-address ADDR] [--drop N] [--fail CODE]\n"
               "              [--fail-verb VERB=CODE]... [--iua ADDR:PORT [--iua-transport tcp|sctp]\n"
               "              [--lapd IID=PATH]...] [--t38 on|off] [--telephone-event on|off]\n");
  return 2;
}

bool parse_uint(const std::string& s, unsigned long max, unsigned long& out) {
  if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  out = std::stoul(s);
  return out <= max;
}

class SimServer {
 public:
  SimServer(asio::io_context& io, Options opt) : io_(io), opt_(std::move(opt)), sim_(opt_.sim, clock_), socket_(io) {}

  bool start() {
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(opt_.bind, ec);
    if (ec) return false;
    socket_.open(addr.is_v4() ? udp::v4() : udp::v6(), ec);
    if (!ec) socket_.bind(udp::endpoint(addr, opt_.port), ec);
    if (ec) {
      std::fprintf(stderr, "mg-sim: bind %s:%u: %s\n", opt_.bind.c_str(), opt_.port, ec.message().c_str());
      return false;
    }
    if (!opt_.ca.empty()) {
      auto colon = opt_.ca.rfind(':');
      unsigned long port = 0;
      if (colon == std::string::npos || !parse_uint(opt_.ca.substr(colon + 1), 65535, port)) return false;
      auto ca = asio::ip::make_address(opt_.ca.substr(0, colon), ec);
      if (ec) return false;
      ca_ = udp::endpoint(ca, static_cast<std::uint16_t>(port));
      have_ca_ = true;
    }
    sim_.drop_next(opt_.drop);
    if (opt_.fail) sim_.fail_next(opt_.fail, ~0u);
    for (auto [v, code] : opt_.fail_verbs) sim_.fail_verb(v, code);
    std::printf("mg-sim ready address=%s port=%u\n", opt_.bind.c_str(), socket_.local_endpoint().port());
    std::fflush(stdout);
    receive();
    return true;
  }

  void set_iua(IuaSimServer* iua) { iua_ = iua; }

  // One control line -> one answer line.
  std::string control(const std::string& line) {
    std::istringstream in(line);
    std::string cmd;
    in >> cmd;
    std::vector<std::string> args;
    for (std::string a; in >> a;) args.push_back(a);
    unsigned long n = 0, code = 0;
    if (cmd == "drop" && args.size() == 1 && parse_uint(args[0], 1000000, n)) {
      sim_.drop_next(static_cast<unsigned>(n));
      return "ok drop " + args[0];
    }
    if (cmd == "fail" && !args.empty() && parse_uint(args[0], 999, code)) {
      n = 1;
      if (args.size() > 1 && !parse_uint(args[1], 1000000, n)) return "error count";
      sim_.fail_next(static_cast<std::uint16_t>(code), static_cast<unsigned>(n));
      return "ok fail " + args[0];
    }
    if ((cmd == "fail-verb" || cmd == "clear-verb") && !args.empty()) {
      auto v = mgcp::verb_from_string(args[0]);
      if (!v) return "error verb";
      if (cmd == "clear-verb") {
        sim_.fail_verb(*v, std::nullopt);
        return "ok clear-verb " + args[0];
      }
      if (args.size() != 2 || !parse_uint(args[1], 999, code)) return "error code";
      sim_.fail_verb(*v, static_cast<std::uint16_t>(code));
      return "ok fail-verb " + args[0] + " " + args[1];
    }
    if (cmd == "provisional" && args.size() == 1 && parse_uint(args[0], 1000000, n)) {
      sim_.provisional_next(static_cast<unsigned>(n));
      return "ok provisional " + args[0];
    }
    if (cmd == "continuity" && args.size() == 1 && (args[0] == "ok" || args[0] == "fail")) {
      sim_.fail_continuity(args[0] == "fail");
      return "ok continuity " + args[0];
    }
    if (cmd == "rsip" && !args.empty()) {
      auto m = mgcp::restart_method_from_string(args[0]);
      if (!m) return "error restart method";
      std::optional<std::uint32_t> delay;
      if (args.size() > 2) {
        if (!parse_uint(args[2], 999999999, n)) return "error delay";
        delay = static_cast<std::uint32_t>(n);
      }
      auto c = sim_.make_rsip(*m, args.size() > 1 ? args[1] : std::string(), delay);
      return to_ca(mgcp::serialize(c)) ? "ok rsip tid=" + std::to_string(c.transaction_id) : "error no call agent";
    }
    if (cmd == "ntfy" && args.size() == 3) {
      auto c = sim_.make_ntfy(args[0], args[1], args[2]);
      return to_ca(mgcp::serialize(c)) ? "ok ntfy tid=" + std::to_string(c.transaction_id) : "error no call agent";
    }
    if (cmd == "stats") {
      return "ok stats commands=" + std::to_string(sim_.commands_received()) +
             " connections=" + std::to_string(sim_.connection_count()) +
             " duplicates=" + std::to_string(sim_.duplicates_answered()) +
             " dropped=" + std::to_string(sim_.dropped()) + " responses_from_ca=" + std::to_string(responses_from_ca_);
    }
    if (cmd == "t38" && args.size() == 1 && (args[0] == "on" || args[0] == "off")) {
      sim_.set_t38(args[0] == "on");
      return "ok t38 " + args[0];
    }
    if (cmd == "signals") {  // every recorded RQNT signal, "ENDPOINT=SIGNAL" separated by blanks
      std::string out = "ok signals count=" + std::to_string(sim_.signals().size());
      for (const auto& sg : sim_.signals()) out += " " + sg.endpoint + "=" + sg.signal;
      return out;
    }
    if (cmd == "conns") {  // each connection: id endpoint mode t38, its last L: (blanks removed), its own RTP
      // port and the remote SDP's (m=audio; 0: none), so a test sees which connections send to each other
      std::string out = "ok conns count=" + std::to_string(sim_.connection_count());
      for (const auto& [id, cn] : sim_.connections()) {
        std::string lco;
        for (char ch : cn.local_options)
          if (ch != ' ') lco += ch;
        std::string remote_port = "0";
        if (auto m = cn.remote_sdp.find("m=audio "); m != std::string::npos)
          remote_port = cn.remote_sdp.substr(m + 8, cn.remote_sdp.find(' ', m + 8) - (m + 8));
        out += " " + id + "|" + cn.endpoint + "|" + std::string(mgcp::to_string(cn.mode)) +
               "|t38=" + (cn.t38 ? "1" : "0") + "|L=" + lco + "|port=" + std::to_string(cn.media_port) +
               "|rport=" + remote_port;
      }
      return out;
    }
    if (cmd == "iua") return iua_ ? "ok iua " + iua_->status() : "error no iua";
    if (cmd == "quit") {
      io_.stop();
      return "ok quit";
    }
    return "error unknown command";
  }

 private:
  bool to_ca(const std::string& wire) {
    if (!have_ca_) return false;
    boost::system::error_code ec;
    socket_.send_to(asio::buffer(wire), ca_, 0, ec);
    return !ec;
  }

  void receive() {
    socket_.async_receive_from(asio::buffer(buf_), peer_, [this](boost::system::error_code ec, std::size_t n) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) {
        std::span<const std::uint8_t> d(buf_.data(), n);
        auto parsed = mgcp::parse_datagram(d);
        if (parsed && !parsed->empty()) {
          bool any_command = false;
          for (const auto& m : *parsed) {
            if (std::holds_alternative<mgcp::Command>(m))
              any_command = true;
            else
              ++responses_from_ca_;
          }
          if (any_command) {
            ca_ = peer_;  // answers and RSIPs go to whoever commands us
            have_ca_ = true;
          }
        }
        for (const auto& answer : sim_.handle(d)) {
          boost::system::error_code sec;
          socket_.send_to(asio::buffer(answer), peer_, 0, sec);
        }
      }
      receive();
    });
  }

  asio::io_context& io_;
  Options opt_;
  IuaSimServer* iua_ = nullptr;
  SteadyClock clock_;
  MgSimulator sim_;
  udp::socket socket_;
  udp::endpoint peer_, ca_;
  bool have_ca_ = false;
  std::uint64_t responses_from_ca_ = 0;
  std::array<std::uint8_t, 65536> buf_{};
};

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  std::vector<std::string> a(argv + 1, argv + argc);
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto value = [&]() -> const std::string* { return i + 1 < a.size() ? &a[++i] : nullptr; };
    unsigned long n = 0;
    const std::string& k = a[i];
    const std::string* v = value();
    if (v == nullptr) return usage();
    if (k == "--t38" && (*v == "on" || *v == "off"))
      opt.sim.t38 = *v == "on";
    else if (k == "--telephone-event" && (*v == "on" || *v == "off"))
      opt.sim.telephone_event = *v == "on";
    else if (k == "--bind")
      opt.bind = *v;
    else if (k == "--port" && parse_uint(*v, 65535, n))
      opt.port = static_cast<std::uint16_t>(n);
    else if (k == "--ca")
      opt.ca = *v;
    else if (k == "--domain")
      opt.sim.domain = *v;
    else if (k == "--spans" && parse_uint(*v, 1024, n))
      opt.sim.spans = static_cast<std::uint32_t>(n);
    else if (k == "--rtp-endpoints" && parse_uint(*v, 65535, n))
      opt.sim.rtp_endpoints = static_cast<std::uint32_t>(n);
    else if (k == "--media-address")
      opt.sim.media_address = *v;
    else if (k == "--drop" && parse_uint(*v, 1000000, n))
      opt.drop = static_cast<unsigned>(n);
    else if (k == "--fail" && parse_uint(*v, 999, n))
      opt.fail = static_cast<std::uint16_t>(n);
    else if (k == "--fail-verb") {
      auto eq = v->find('=');
      auto verb = mgcp::verb_from_string(v->substr(0, eq == std::string::npos ? v->size() : eq));
      if (!verb || eq == std::string::npos || !parse_uint(v->substr(eq + 1), 999, n)) return usage();
      opt.fail_verbs.emplace_back(*verb, static_cast<std::uint16_t>(n));
    } else if (k == "--iua") {
      auto colon = v->rfind(':');
      if (colon == std::string::npos || !parse_uint(v->substr(colon + 1), 65535, n)) return usage();
      opt.iua.address = v->substr(0, colon);
      opt.iua.port = static_cast<std::uint16_t>(n);
    } else if (k == "--iua-transport" && (*v == "tcp" || *v == "sctp")) {
      opt.iua.sctp = *v == "sctp";
    } else if (k == "--lapd") {
      auto eq = v->find('=');
      if (eq == std::string::npos || eq + 1 == v->size() || !parse_uint(v->substr(0, eq), 0xffffffffUL, n))
        return usage();
      opt.iua.lapd[static_cast<std::uint32_t>(n)] = v->substr(eq + 1);
    } else {
      return usage();
    }
  }
  if (!opt.iua.lapd.empty() && opt.iua.address.empty()) return usage();

  asio::io_context io;
  SimServer server(io, opt);
  if (!server.start()) return 1;
  Logger log{[](std::string_view l) { std::fprintf(stderr, "%.*s\n", static_cast<int>(l.size()), l.data()); }};
  Counters counters;
  std::unique_ptr<IuaSimServer> iua;
  if (!opt.iua.address.empty()) {
    iua = std::make_unique<IuaSimServer>(io, opt.iua, log, counters);
    if (auto err = iua->start()) {
      std::fprintf(stderr, "mg-sim: %s\n", err->c_str());
      return 1;
    }
    server.set_iua(iua.get());
    std::printf("mg-sim iua address=%s port=%u\n", opt.iua.address.c_str(), iua->port());
    std::fflush(stdout);
  }
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { io.stop(); });
  // Control lines from stdin; EOF leaves the simulator running until a signal.
  asio::posix::stream_descriptor input(io, ::dup(STDIN_FILENO));
  asio::streambuf line_buf;
  std::function<void()> read_line = [&] {
    asio::async_read_until(input, line_buf, '\n', [&](boost::system::error_code ec, std::size_t) {
      if (ec) return;
      std::istream is(&line_buf);
      std::string line;
      std::getline(is, line);
      if (!line.empty()) {
        std::printf("%s\n", server.control(line).c_str());
        std::fflush(stdout);
      }
      read_line();
    });
  };
  read_line();
  io.run();
  return 0;
}
