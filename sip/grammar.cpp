#include "sip/grammar.h"

namespace isupgw::sip::grammar {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i] && lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && is_lws(s[b])) ++b;
  while (e > b && is_lws(s[e - 1])) --e;
  return s.substr(b, e - b);
}

std::size_t scan_quoted(std::string_view s, std::size_t i) {
  if (i >= s.size() || s[i] != '"') return npos;
  for (++i; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') return i + 1;
    if (c == '\\') {
      if (i + 1 >= s.size()) return npos;
      char n = s[i + 1];
      if (n == '\r' || n == '\n' || static_cast<unsigned char>(n) > 0x7f) return npos;
      ++i;
    }
  }
  return npos;
}

std::string_view unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

bool valid_escapes(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') continue;
    if (i + 2 >= s.size()) return false;
    if (!is(s[i + 1], kHex) || !is(s[i + 2], kHex)) return false;
    i += 2;
  }
  return true;
}

std::string unescape(std::string_view s) {
  auto hexval = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    return lower(c) - 'a' + 10;
  };
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && is(s[i + 1], kHex) && is(s[i + 2], kHex)) {
      out.push_back(static_cast<char>(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::optional<std::uint64_t> parse_uint(std::string_view s, std::uint64_t max) {
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (max - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

bool CommaSplitter::next(std::string_view& item) {
  if (done_) return false;
  if (first_) {
    first_ = false;
    if (trim(rest_).empty()) {
      done_ = true;
      return false;
    }
  }
  std::size_t i = 0;
  while (i < rest_.size()) {
    char c = rest_[i];
    if (c == '"') {
      std::size_t e = scan_quoted(rest_, i);
      if (e == npos) {
        broken_ = true;
        break;
      }
      i = e;
      continue;
    }
    if (c == '<') {
      std::size_t e = rest_.find('>', i);
      if (e == npos) {
        broken_ = true;
        break;
      }
      i = e + 1;
      continue;
    }
    if (c == ',') {
      item = trim(rest_.substr(0, i));
      rest_ = rest_.substr(i + 1);
      return true;
    }
    ++i;
  }
  item = trim(rest_);
  rest_ = {};
  done_ = true;
  return true;
}

namespace {

bool is_paramchar(char c) { return is(c, kUnreserved | kParamUnreserved) || c == '%'; }

// gen-value = token / host / quoted-string; returns end or npos.
std::size_t scan_gen_value(std::string_view s, std::size_t i) {
  if (i >= s.size()) return npos;
  if (s[i] == '"') return scan_quoted(s, i);
  if (s[i] == '[') {
    std::size_t e = scan(s, i + 1, kIpv6);
    if (e >= s.size() || s[e] != ']' || e == i + 1) return npos;
    return e + 1;
  }
  std::size_t e = scan(s, i, kToken);
  return e == i ? npos : e;
}

}  // namespace

std::size_t scan_header_params(std::string_view s, std::size_t i) {
  for (;;) {
    std::size_t j = skip_lws(s, i);
    if (j >= s.size() || s[j] != ';') return j;
    j = skip_lws(s, j + 1);
    std::size_t e = scan(s, j, kToken);
    if (e == j) return npos;
    j = skip_lws(s, e);
    if (j < s.size() && s[j] == '=') {
      j = skip_lws(s, j + 1);
      e = scan_gen_value(s, j);
      if (e == npos) return npos;
    }
    i = e;
  }
}

std::size_t scan_uri_params(std::string_view s, std::size_t i) {
  const std::size_t start = i;
  bool pct = false;
  while (i < s.size() && s[i] == ';') {
    std::size_t b = ++i;
    for (; i < s.size() && is_paramchar(s[i]); ++i) pct |= s[i] == '%';
    if (i == b) return npos;
    if (i < s.size() && s[i] == '=') {
      b = ++i;
      for (; i < s.size() && is_paramchar(s[i]); ++i) pct |= s[i] == '%';
      if (i == b) return npos;
    }
  }
  if (pct && !valid_escapes(s.substr(start, i - start))) return npos;
  return i;
}

void Params::Iterator::advance() {
  std::size_t i = skip_lws(rest_, 0);
  if (i >= rest_.size() || rest_[i] != ';') {
    at_end_ = true;
    rest_ = {};
    return;
  }
  i = skip_lws(rest_, i + 1);
  std::size_t b = i;
  while (i < rest_.size() && rest_[i] != '=' && rest_[i] != ';' && !is_lws(rest_[i])) ++i;
  cur_ = Param{rest_.substr(b, i - b), {}, false};
  std::size_t j = skip_lws(rest_, i);
  if (j < rest_.size() && rest_[j] == '=') {
    j = skip_lws(rest_, j + 1);
    std::size_t e = j;
    if (e < rest_.size() && rest_[e] == '"') {
      e = scan_quoted(rest_, e);
      if (e == npos) e = rest_.size();
    } else {
      while (e < rest_.size() && rest_[e] != ';' && !is_lws(rest_[e])) ++e;
    }
    cur_.value = rest_.substr(j, e - j);
    cur_.has_value = true;
    i = e;
  }
  rest_ = rest_.substr(i);
}

std::optional<std::string_view> Params::get(std::string_view name) const {
  for (const Param& p : *this)
    if (iequals(p.name, name)) return p.value;
  return std::nullopt;
}

std::size_t Params::size() const {
  std::size_t n = 0;
  for (auto it = begin(); it != end(); ++it) ++n;
  return n;
}

}  // namespace isupgw::sip::grammar
