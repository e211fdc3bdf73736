// Lexical building blocks of the RFC 3261 25.1 grammar, shared by the URI,
// header and message parsers. Everything works on std::string_view into the
// receive buffer and never allocates (except unescape()).
//
// Header values reach these helpers raw: folded lines (CRLF followed by SP/HT,
// RFC 3261 7.3.1) are left in place, so "LWS" here means SP, HT, CR and LF.
// The message parser has already rejected any CR/LF that is not a fold.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace isupgw::sip::grammar {

inline constexpr std::size_t npos = std::string_view::npos;

enum CharClass : std::uint16_t {
  kAlnum = 1 << 0,
  kToken = 1 << 1,            // token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"
  kUnreserved = 1 << 2,       // alphanum / mark ("-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")")
  kUserUnreserved = 1 << 3,   // "&" / "=" / "+" / "$" / "," / ";" / "?" / "/"
  kPassword = 1 << 4,         // "&" / "=" / "+" / "$" / ","
  kParamUnreserved = 1 << 5,  // "[" / "]" / "/" / ":" / "&" / "+" / "$"
  kHnvUnreserved = 1 << 6,    // "[" / "]" / "/" / "?" / ":" / "+" / "$"
  kHost = 1 << 7,             // alphanum / "-" / "." (hostname, IPv4address)
  kDigit = 1 << 8,
  kHex = 1 << 9,
  kWord = 1 << 10,  // word (Call-ID): token chars plus ( ) < > : \ " / [ ] ? { }
  kIpv6 = 1 << 11,  // hex / ":" / "."
};

namespace detail {
constexpr std::array<std::uint16_t, 256> make_table() {
  std::array<std::uint16_t, 256> t{};
  auto add = [&t](std::string_view chars, std::uint16_t cls) {
    for (char c : chars) t[static_cast<unsigned char>(c)] |= cls;
  };
  for (int c = 0; c < 256; ++c) {
    bool digit = c >= '0' && c <= '9';
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool hex = digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    std::uint16_t v = 0;
    if (digit || alpha) v |= kAlnum | kToken | kUnreserved | kHost | kWord;
    if (digit) v |= kDigit;
    if (hex) v |= kHex | kIpv6;
    t[static_cast<std::size_t>(c)] = v;
  }
  add("-.!%*_+`'~", kToken | kWord);
  add("-_.!~*'()", kUnreserved);
  add("&=+$,;?/", kUserUnreserved);
  add("&=+$,", kPassword);
  add("[]/:&+$", kParamUnreserved);
  add("[]/?:+$", kHnvUnreserved);
  add("-.", kHost);
  add("()<>:\\\"/[]?{}", kWord);
  add(":.", kIpv6);
  return t;
}
inline constexpr std::array<std::uint16_t, 256> kTable = make_table();
}  // namespace detail

inline bool is(char c, std::uint16_t cls) { return (detail::kTable[static_cast<unsigned char>(c)] & cls) != 0; }
inline bool is_lws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b);

// Index of the first non-LWS character at or after i (s.size() if none).
inline std::size_t skip_lws(std::string_view s, std::size_t i) {
  while (i < s.size() && is_lws(s[i])) ++i;
  return i;
}
std::string_view trim(std::string_view s);

// End of a run of characters of class `cls` starting at i.
inline std::size_t scan(std::string_view s, std::size_t i, std::uint16_t cls) {
  while (i < s.size() && is(s[i], cls)) ++i;
  return i;
}

// s[i] must be '"'. Returns the index just past the closing quote, or npos when
// the string is unterminated or holds a CR/LF in a quoted-pair (RFC 3261 25.1:
// quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)).
std::size_t scan_quoted(std::string_view s, std::size_t i);
// Inner text of a quoted string ("a\"b" -> a\"b, escapes kept); other text unchanged.
std::string_view unquote(std::string_view s);

// True if every '%' is followed by two hex digits (RFC 3261 25.1 escaped).
bool valid_escapes(std::string_view s);
// %XX decoding (for comparison and display; the model keeps the escaped text).
std::string unescape(std::string_view s);

// 1*DIGIT with no sign or blanks, value <= max. Leading zeros allowed (RFC 4475 wsinv).
std::optional<std::uint64_t> parse_uint(std::string_view s, std::uint64_t max);

// Splits a header value into its comma-separated elements (RFC 3261 7.3.1),
// ignoring commas inside quoted strings and <...>. Elements are trimmed.
// Returns false at the end of the value.
class CommaSplitter {
 public:
  explicit CommaSplitter(std::string_view value) : rest_(value) {}
  bool next(std::string_view& item);
  // True if an element was malformed (unterminated quote or '<').
  bool broken() const { return broken_; }

 private:
  std::string_view rest_;
  bool first_ = true;
  bool done_ = false;
  bool broken_ = false;
};

// A validated ";name[=value]" list kept as text; lookups scan it (no arrays,
// no allocation). Two flavours: header generic-params (LWS allowed around ';'
// and '=', values token / host / quoted-string) and URI params (no LWS,
// paramchar values).
struct Param {
  std::string_view name;
  std::string_view value;  // raw (quotes kept); empty for a flag
  bool has_value = false;
};

class Params {
 public:
  Params() = default;
  explicit Params(std::string_view text, bool uri) : text_(text), uri_(uri) {}
  std::string_view text() const { return text_; }
  bool empty() const { return text_.empty(); }
  // Present: its value (empty for a flag parameter). Names compare case-insensitively.
  std::optional<std::string_view> get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  std::size_t size() const;

  class Iterator {
   public:
    // URI and header params iterate alike once validated.
    Iterator(std::string_view rest, bool /*uri*/) : rest_(rest) { advance(); }
    const Param& operator*() const { return cur_; }
    const Param* operator->() const { return &cur_; }
    Iterator& operator++() {
      advance();
      return *this;
    }
    bool operator==(const Iterator& o) const {
      return at_end_ == o.at_end_ && (at_end_ || rest_.data() == o.rest_.data());
    }

   private:
    void advance();
    std::string_view rest_;
    bool at_end_ = false;
    Param cur_;
  };
  Iterator begin() const { return Iterator(text_, uri_); }
  Iterator end() const { return Iterator({}, uri_); }

 private:
  std::string_view text_;  // starts at the first ';' (or empty)
  bool uri_ = false;
};

// Scans header generic-params starting at s[i] (which is ';' or LWS before
// it). Returns the end index (first character that is not part of the list:
// end of string, ',' or similar), or npos when a parameter is malformed.
std::size_t scan_header_params(std::string_view s, std::size_t i);
// Scans URI params at s[i] == ';' (or nothing). Returns end or npos.
std::size_t scan_uri_params(std::string_view s, std::size_t i);

}  // namespace isupgw::sip::grammar
