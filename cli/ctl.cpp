#include "cli/ctl.h"

#include "base/asio.h"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

namespace isupgw::cli {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

void usage(FILE* out) {
  std::fprintf(out,
               "usage: isupgw ctl [--url URL] [--token-file FILE] [--cacert FILE] COMMAND\n"
               "  URL: default $ISUPGW_URL, else http://127.0.0.1:9180 (the embedded default)\n"
               "  FILE: the bearer token (first line); default $ISUPGW_TOKEN_FILE\n"
               "\n"
               "commands (the REST routes of mgmt/openapi.yaml):\n"
               "  show calls | call ID | trunk-groups | circuits GROUP | m3ua-links | linksets\n"
               "       | sip-trunks | media-gateways | counters | metrics\n"
               "  block GROUP [CIC[-CIC]]       BLO (one CIC) or CGB (a range; none: the group)\n"
               "  unblock GROUP [CIC[-CIC]]     UBL or CGU\n"
               "  reset GROUP [CIC[-CIC]]       RSC (one CIC) or GRS\n"
               "  query GROUP [CIC[-CIC]]       CQM; the CQR per CIC\n"
               "  trunk-group GROUP in|out      take an ISUP trunk group out of service (drain) or back\n"
               "  sip-trunk TRUNK in|out [SECONDS]  the same for a SIP trunk; SECONDS: the 503s' Retry-After\n"
               "  release CALL [CAUSE]          release a call with a Q.850 cause (default 16)\n"
               "  reload                        re-read the configuration\n"
               "  get PATH | post PATH [JSON]   any route\n");
}

struct Url {
  bool tls = false;
  std::string host, port, base;
};

std::optional<Url> parse_url(std::string_view s) {
  Url u;
  if (s.starts_with("http://")) {
    s.remove_prefix(7);
  } else if (s.starts_with("https://")) {
    u.tls = true;
    s.remove_prefix(8);
  } else {
    return std::nullopt;
  }
  const auto slash = s.find('/');
  std::string_view hostport = s.substr(0, slash);
  if (slash != std::string_view::npos) u.base = std::string(s.substr(slash));
  while (!u.base.empty() && u.base.back() == '/') u.base.pop_back();
  if (hostport.starts_with("[")) {
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    u.host = std::string(hostport.substr(1, close - 1));
    hostport.remove_prefix(close + 1);
    if (hostport.starts_with(":")) u.port = std::string(hostport.substr(1));
  } else {
    const auto colon = hostport.rfind(':');
    u.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) u.port = std::string(hostport.substr(colon + 1));
  }
  if (u.port.empty()) u.port = u.tls ? "443" : "80";
  if (u.host.empty()) return std::nullopt;
  return u;
}

// "5" -> {"cic":5}; "1-8" -> {"first":1,"last":8}; none -> {}.
std::optional<std::string> range_body(const std::vector<std::string_view>& a, std::size_t i) {
  if (i >= a.size()) return std::string("{}");
  const std::string_view r = a[i];
  auto num = [](std::string_view s) -> std::optional<unsigned> {
    if (s.empty() || s.size() > 5) return std::nullopt;
    unsigned v = 0;
    for (const char c : s) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + static_cast<unsigned>(c - '0');
    }
    return v;
  };
  const auto dash = r.find('-');
  if (dash == std::string_view::npos) {
    auto c = num(r);
    if (!c) return std::nullopt;
    return "{\"cic\":" + std::to_string(*c) + "}";
  }
  auto f = num(r.substr(0, dash)), l = num(r.substr(dash + 1));
  if (!f || !l) return std::nullopt;
  return "{\"first\":" + std::to_string(*f) + ",\"last\":" + std::to_string(*l) + "}";
}

// Path segments from the command line are percent-encoded (RFC 3986 3.3).
std::string seg(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

struct Call {
  bhttp::verb verb = bhttp::verb::get;
  std::string path;
  std::string body;
};

std::optional<Call> command(const std::vector<std::string_view>& a) {
  if (a.empty()) return std::nullopt;
  const auto cmd = a[0];
  const auto n = a.size();
  if (cmd == "show" && n >= 2) {
    const auto what = a[1];
    if (what == "circuits" && n == 3) return Call{bhttp::verb::get, "/trunk-groups/" + seg(a[2]) + "/circuits", {}};
    if (what == "call" && n == 3) return Call{bhttp::verb::get, "/calls/" + seg(a[2]), {}};
    for (const char* v :
         {"calls", "trunk-groups", "m3ua-links", "linksets", "sip-trunks", "media-gateways", "counters", "metrics"})
      if (what == v && n == 2) return Call{bhttp::verb::get, "/" + std::string(v), {}};
    return std::nullopt;
  }
  if ((cmd == "block" || cmd == "unblock" || cmd == "reset" || cmd == "query") && (n == 2 || n == 3)) {
    auto body = range_body(a, 2);
    if (!body) return std::nullopt;
    return Call{bhttp::verb::post, "/trunk-groups/" + seg(a[1]) + "/" + std::string(cmd), *body};
  }
  if (cmd == "trunk-group" && n == 3 && (a[2] == "in" || a[2] == "out"))
    return Call{bhttp::verb::post, "/trunk-groups/" + seg(a[1]) + "/service",
                std::string("{\"in_service\":") + (a[2] == "in" ? "true" : "false") + "}"};
  if (cmd == "sip-trunk" && (n == 3 || n == 4) && (a[2] == "in" || a[2] == "out")) {
    std::string body = std::string("{\"in_service\":") + (a[2] == "in" ? "true" : "false");
    if (n == 4) {
      for (const char c : a[3])
        if (c < '0' || c > '9') return std::nullopt;
      if (a[3].empty() || a[3].size() > 6) return std::nullopt;
      body += ",\"retry_after\":" + std::string(a[3]);
    }
    return Call{bhttp::verb::post, "/sip-trunks/" + seg(a[1]) + "/service", body + "}"};
  }
  if (cmd == "release" && (n == 2 || n == 3)) {
    std::string body = "{}";
    if (n == 3) {
      for (const char c : a[2])
        if (c < '0' || c > '9') return std::nullopt;
      if (a[2].empty() || a[2].size() > 3) return std::nullopt;
      body = "{\"cause\":" + std::string(a[2]) + "}";
    }
    return Call{bhttp::verb::post, "/calls/" + seg(a[1]) + "/release", body};
  }
  if (cmd == "reload" && n == 1) return Call{bhttp::verb::post, "/reload", {}};
  if (cmd == "get" && n == 2 && a[1].starts_with("/")) return Call{bhttp::verb::get, std::string(a[1]), {}};
  if (cmd == "post" && (n == 2 || n == 3) && a[1].starts_with("/"))
    return Call{bhttp::verb::post, std::string(a[1]), n == 3 ? std::string(a[2]) : std::string()};
  return std::nullopt;
}

template <class Stream>
int exchange(Stream& stream, const Url& u, const Call& c, const std::string& token) {
  bhttp::request<bhttp::string_body> req{c.verb, u.base + c.path, 11};
  req.set(bhttp::field::host, u.host);
  req.set(bhttp::field::user_agent, "isupgw-ctl");
  if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + token);
  if (c.verb == bhttp::verb::post) req.set(bhttp::field::content_type, "application/json");
  req.body() = c.body;
  req.prepare_payload();
  bhttp::write(stream, req);
  beast::flat_buffer buf;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  bhttp::read(stream, buf, parser);
  const auto& res = parser.get();
  const auto status = res.result_int();
  FILE* out = status >= 200 && status < 300 ? stdout : stderr;
  std::fwrite(res.body().data(), 1, res.body().size(), out);
  if (!res.body().empty() && res.body().back() != '\n') std::fputc('\n', out);
  if (out == stderr) std::fprintf(stderr, "isupgw ctl: HTTP %u\n", status);
  return out == stdout ? kOk : kFailed;
}

}  // namespace

int ctl_main(const std::vector<std::string_view>& args) {
  std::string url_text = std::getenv("ISUPGW_URL") ? std::getenv("ISUPGW_URL") : "http://127.0.0.1:9180";
  std::string token_file = std::getenv("ISUPGW_TOKEN_FILE") ? std::getenv("ISUPGW_TOKEN_FILE") : "";
  std::string cacert;
  std::size_t i = 0;
  for (; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      usage(stdout);
      return kOk;
    }
    if (i + 1 < args.size() && (args[i] == "--url" || args[i] == "--token-file" || args[i] == "--cacert")) {
      (args[i] == "--url" ? url_text : args[i] == "--token-file" ? token_file : cacert) = std::string(args[i + 1]);
      ++i;
      continue;
    }
    break;
  }
  const std::vector<std::string_view> rest(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  auto call = command(rest);
  auto url = parse_url(url_text);
  if (!call || !url) {
    if (!url) std::fprintf(stderr, "isupgw ctl: bad URL '%s' (http://HOST:PORT or https://...)\n", url_text.c_str());
    usage(stderr);
    return kUsage;
  }
  std::string token;
  if (!token_file.empty()) {
    std::ifstream f(token_file);
    if (!f || !std::getline(f, token)) {
      std::fprintf(stderr, "isupgw ctl: cannot read the token file '%s'\n", token_file.c_str());
      return kFailed;
    }
    while (!token.empty() && (token.back() == '\r' || token.back() == ' ' || token.back() == '\t')) token.pop_back();
  }
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve(url->host, url->port);
    if (!url->tls) {
      beast::tcp_stream stream(io);
      stream.expires_after(std::chrono::seconds(30));
      stream.connect(endpoints);
      return exchange(stream, *url, *call, token);
    }
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_verify_mode(asio::ssl::verify_peer);
    if (!cacert.empty())
      ctx.load_verify_file(cacert);
    else
      ctx.set_default_verify_paths();
    beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
    SSL_set_tlsext_host_name(stream.native_handle(), url->host.c_str());
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
    beast::get_lowest_layer(stream).connect(endpoints);
    stream.handshake(asio::ssl::stream_base::client);
    return exchange(stream, *url, *call, token);
  } catch (const boost::system::system_error& e) {
    std::fprintf(stderr, "isupgw ctl: %s: %s\n", url_text.c_str(), e.what());
    return kFailed;
  }
}

}  // namespace isupgw::cli
