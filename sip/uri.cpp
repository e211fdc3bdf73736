#include "sip/uri.h"

namespace isupgw::sip {

namespace g = grammar;

namespace {

bool is_user_char(char c) { return g::is(c, g::kUnreserved | g::kUserUnreserved) || c == '%'; }
bool is_password_char(char c) { return g::is(c, g::kUnreserved | g::kPassword) || c == '%'; }
bool is_hnv_char(char c) { return g::is(c, g::kUnreserved | g::kHnvUnreserved) || c == '%'; }

std::optional<Fault> parse_sip(Uri& u, std::string_view rest) {
  // userinfo: everything up to the first '@' (user may hold ';' '?' '/' ',' unescaped).
  std::size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    std::size_t colon = userinfo.find(':');
    u.user = userinfo.substr(0, colon);
    if (colon != std::string_view::npos) u.password = userinfo.substr(colon + 1);
    if (u.user.empty()) return Fault::kBadUriUser;
    bool pct = false;
    for (char c : u.user) {
      if (!is_user_char(c)) return Fault::kBadUriUser;
      pct |= c == '%';
    }
    for (char c : u.password) {
      if (!is_password_char(c)) return Fault::kBadUriUser;
      pct |= c == '%';
    }
    if (pct && (!g::valid_escapes(u.user) || !g::valid_escapes(u.password))) return Fault::kBadEscape;
    rest = rest.substr(at + 1);
  }
  std::size_t e = scan_host(rest, 0);
  if (e == g::npos) return Fault::kBadUriHost;
  u.host = rest.substr(0, e);
  std::size_t i = e;
  if (i < rest.size() && rest[i] == ':') {
    std::size_t pe = g::scan(rest, i + 1, g::kDigit);
    auto port = g::parse_uint(rest.substr(i + 1, pe - i - 1), 65535);
    if (!port || *port == 0) return Fault::kBadUriPort;
    u.port = static_cast<std::uint16_t>(*port);
    i = pe;
  }
  std::size_t pe = g::scan_uri_params(rest, i);
  if (pe == g::npos) return Fault::kBadUriParam;
  u.params = g::Params(rest.substr(i, pe - i), true);
  i = pe;
  if (i < rest.size() && rest[i] == '?') {
    // headers = hname "=" hvalue *( "&" hname "=" hvalue ); hvalue may be empty.
    u.headers = rest.substr(i + 1);
    std::string_view h = u.headers;
    if (h.empty()) return Fault::kBadUriHeaders;
    while (!h.empty()) {
      std::size_t amp = h.find('&');
      std::string_view pair = h.substr(0, amp);
      std::size_t eq = pair.find('=');
      if (eq == 0 || eq == std::string_view::npos) return Fault::kBadUriHeaders;
      for (std::size_t k = 0; k < pair.size(); ++k)
        if (k != eq && !is_hnv_char(pair[k])) return Fault::kBadUriHeaders;
      if (!g::valid_escapes(pair)) return Fault::kBadEscape;
      if (amp == std::string_view::npos) break;
      h = h.substr(amp + 1);
      if (h.empty()) return Fault::kBadUriHeaders;
    }
    i = rest.size();
  }
  if (i != rest.size()) return Fault::kBadUriParam;
  return std::nullopt;
}

// RFC 3966: telephone-subscriber *par. Number characters: digits, hex (local),
// '*' '#' and visual separators "-.()"; a global number starts with '+'.
std::optional<Fault> parse_tel(Uri& u, std::string_view rest) {
  std::size_t i = 0;
  if (i < rest.size() && rest[i] == '+') ++i;
  while (i < rest.size()) {
    char c = rest[i];
    if (g::is(c, g::kHex) || c == '*' || c == '#' || c == '-' || c == '.' || c == '(' || c == ')' || c == 'p' ||
        c == 'w' || c == 'P' || c == 'W')
      ++i;
    else
      break;
  }
  u.user = rest.substr(0, i);
  if (u.user.empty() || u.user == "+") return Fault::kBadUriUser;
  std::size_t pe = g::scan_uri_params(rest, i);
  if (pe == g::npos) return Fault::kBadUriParam;
  u.params = g::Params(rest.substr(i, pe - i), true);
  if (pe != rest.size()) return Fault::kBadUriParam;
  return std::nullopt;
}

}  // namespace

// host = hostname / IPv4address / IPv6reference. Returns the end index or npos.
std::size_t scan_host(std::string_view s, std::size_t i) {
  if (i < s.size() && s[i] == '[') {
    std::size_t e = g::scan(s, i + 1, g::kIpv6);
    if (e >= s.size() || s[e] != ']') return g::npos;
    std::string_view inner = s.substr(i + 1, e - i - 1);
    if (inner.find(':') == std::string_view::npos) return g::npos;
    return e + 1;
  }
  std::size_t e = g::scan(s, i, g::kHost);
  if (e == i || s[i] == '-' || s[i] == '.') return g::npos;
  return e;
}

std::optional<Fault> parse_uri_into(std::string_view text, Uri& u) {
  u = Uri{};
  u.text = text;
  std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || !g::is(text[0], g::kAlnum) || g::is(text[0], g::kDigit))
    return Fault::kBadUriScheme;
  u.scheme_text = text.substr(0, colon);
  for (char c : u.scheme_text)
    if (!g::is(c, g::kAlnum) && c != '+' && c != '-' && c != '.') return Fault::kBadUriScheme;
  std::string_view rest = text.substr(colon + 1);
  if (g::iequals(u.scheme_text, "sip")) {
    u.scheme = Scheme::kSip;
    return parse_sip(u, rest);
  }
  if (g::iequals(u.scheme_text, "sips")) {
    u.scheme = Scheme::kSips;
    return parse_sip(u, rest);
  }
  if (g::iequals(u.scheme_text, "tel")) {
    u.scheme = Scheme::kTel;
    return parse_tel(u, rest);
  }
  // absoluteURI (RFC 3261 25.1): opaque, but printable and without delimiters.
  if (rest.empty()) return Fault::kBadUriScheme;
  for (char c : rest) {
    auto uc = static_cast<unsigned char>(c);
    if (uc <= 0x20 || uc >= 0x7f || c == '<' || c == '>' || c == '"') return Fault::kBadUriScheme;
  }
  u.scheme = Scheme::kOther;
  return std::nullopt;
}

Result<Uri, Fault> parse_uri(std::string_view text) {
  Uri u;
  if (auto f = parse_uri_into(text, u)) return Err(*f);
  return u;
}

}  // namespace isupgw::sip
