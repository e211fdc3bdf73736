#include "http/router.h"

#include <algorithm>

namespace isupgw::http {

namespace {

std::vector<std::string_view> split_path(std::string_view p) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < p.size()) {
    if (p[i] == '/') {
      ++i;
      continue;
    }
    const auto j = std::min(p.find('/', i), p.size());
    out.push_back(p.substr(i, j - i));
    i = j;
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The token compare takes the same time whatever prefix matches.
bool same_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || b.empty()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

bool percent_decode(std::string_view in, std::string& out, bool plus_is_space) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

std::string json_quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
  return out;
}

Response json_error(unsigned status, std::string_view code, std::string_view message) {
  Response r;
  r.status = status;
  r.body = "{\"error\":{\"code\":" + json_quote(code) + ",\"message\":" + json_quote(message) + "}}\n";
  return r;
}

void Router::add(Verb method, std::string_view pattern, Handler handler) {
  std::vector<std::string> segs;
  for (auto s : split_path(pattern)) segs.emplace_back(s);
  for (auto& r : routes_) {
    if (r.method == method && r.pattern == pattern) {
      r.handler = std::move(handler);
      return;
    }
  }
  routes_.push_back(Route{method, std::string(pattern), std::move(segs), std::move(handler)});
}

std::vector<std::pair<Verb, std::string>> Router::routes() const {
  std::vector<std::pair<Verb, std::string>> out;
  for (const auto& r : routes_) out.emplace_back(r.method, r.pattern);
  return out;
}

void Router::dispatch(Verb method, std::string_view target, std::string_view authorization, std::string body,
                      const Reply& reply) const {
  if (!token_.empty()) {
    // RFC 6750 2.1: "Bearer" is case-insensitive, the token is not.
    constexpr std::string_view kScheme = "bearer ";
    const bool bearer =
        authorization.size() > kScheme.size() && std::equal(kScheme.begin(), kScheme.end(), authorization.begin(),
                                                            [](char a, char b) { return a == (b | 0x20); });
    if (!bearer || !same_secret(authorization.substr(kScheme.size()), token_)) {
      auto r = json_error(401, "unauthorized", bearer ? "wrong token" : "a bearer token is required");
      r.headers.emplace_back("WWW-Authenticate", bearer ? "Bearer error=\"invalid_token\"" : "Bearer");
      reply(std::move(r));
      return;
    }
  }
  if (target.empty() || target.front() != '/') {
    reply(json_error(400, "bad_request", "the request target must be an absolute path"));
    return;
  }
  Request req;
  req.method = method;
  const auto q = target.find('?');
  if (!percent_decode(target.substr(0, q), req.path, false)) {
    reply(json_error(400, "bad_request", "malformed percent-encoding in the path"));
    return;
  }
  if (q != std::string_view::npos) {
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
      const auto amp = std::min(rest.find('&'), rest.size());
      const std::string_view kv = rest.substr(0, amp);
      rest = amp < rest.size() ? rest.substr(amp + 1) : std::string_view{};
      if (kv.empty()) continue;
      const auto eq = kv.find('=');
      std::string k, v;
      if (!percent_decode(kv.substr(0, eq), k, true) ||
          !percent_decode(eq == std::string_view::npos ? std::string_view{} : kv.substr(eq + 1), v, true)) {
        reply(json_error(400, "bad_request", "malformed percent-encoding in the query"));
        return;
      }
      req.query[std::move(k)] = std::move(v);
    }
  }
  const auto segs = split_path(req.path);
  bool path_known = false;
  std::string allow;
  for (const auto& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    std::map<std::string, std::string, std::less<>> params;
    bool match = true;
    for (std::size_t i = 0; i < segs.size() && match; ++i) {
      const auto& p = r.segments[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}')
        params[p.substr(1, p.size() - 2)] = std::string(segs[i]);
      else
        match = p == segs[i];
    }
    if (!match) continue;
    path_known = true;
    if (r.method != method) {
      if (!allow.empty()) allow += ", ";
      allow += std::string(boost::beast::http::to_string(r.method));
      continue;
    }
    req.params = std::move(params);
    req.body = std::move(body);
    r.handler(req, reply);
    return;
  }
  if (path_known) {
    auto r = json_error(405, "method_not_allowed",
                        "method " + std::string(boost::beast::http::to_string(method)) + " is not allowed here");
    r.headers.emplace_back("Allow", allow);
    reply(std::move(r));
    return;
  }
  reply(json_error(404, "not_found", "no such resource: " + req.path));
}

}  // namespace isupgw::http
