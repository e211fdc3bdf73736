#include "media-gw/h248_syntax.h"

#include <array>
#include <cctype>

namespace isupgw::mediagw::h248 {

std::string_view to_string(ParseError e) {
  switch (e) {
    case ParseError::kEmpty: return "empty message";
    case ParseError::kTooLong: return "message too long";
    case ParseError::kTooDeep: return "braces nested too deep";
    case ParseError::kTooManyItems: return "too many items";
    case ParseError::kBadHeader: return "bad message header (MEGACO/version mId)";
    case ParseError::kBadCharacter: return "unexpected character";
    case ParseError::kUnterminated: return "unterminated braces, quotes or brackets";
    case ParseError::kTrailingText: return "text after the message";
    case ParseError::kUnknownToken: return "unknown or misplaced token";
    case ParseError::kMissingValue: return "missing or unexpected value";
    case ParseError::kBadNumber: return "bad number";
    case ParseError::kBadContextId: return "bad context id";
    case ParseError::kBadDescriptor: return "bad descriptor contents";
    case ParseError::kDuplicate: return "descriptor or parameter given twice";
    case ParseError::kUnsupported: return "unsupported H.248 construct";
  }
  return "?";
}

namespace {

// SafeChar (B.2): DIGIT / ALPHA / "+" / "-" / "&" / "!" / "_" / "/" / "'" / "?" / "@" / "^" / "`" / "~" /
// "*" / "$" / "\" / "(" / ")" / "%" / "|" / "." -- a table: every byte of every name and value is tested.
constexpr std::array<bool, 256> kSafe = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = t[static_cast<std::size_t>(c - 'a' + 'A')] = true;
  for (char c : std::string_view("+-&!_/'?@^`~*$\\()%|.")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();
bool safe_char(char c) { return kSafe[static_cast<unsigned char>(c)]; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  auto fold = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; };
  for (std::size_t i = 0; i < a.size(); ++i)
    if (fold(a[i]) != fold(b[i])) return false;
  return true;
}

// Local and Remote hold an octetString, not items (B.2 localDescriptor).
bool is_raw_name(std::string_view n) {
  return iequals(n, "Local") || iequals(n, "L") || iequals(n, "Remote") || iequals(n, "R");
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Result<SyntaxTree, ParseFailure> run() {
    SyntaxTree t;
    tree_ = &t;
    skip();
    if (p_ >= s_.size()) return Err(ParseFailure{ParseError::kEmpty, p_});
    if (!header(t)) return Err(failure_);
    skip();
    if (p_ >= s_.size()) return Err(ParseFailure{ParseError::kEmpty, p_});
    // transactionList = 1*(...): items follow each other without commas.
    while (true) {
      skip();
      if (p_ >= s_.size()) break;
      Node n;
      if (!item(n, 1)) return Err(failure_);
      t.body.push_back(std::move(n));
    }
    tree_ = nullptr;
    return t;
  }

 private:
  bool fail(ParseError e, std::size_t at) {
    failure_ = {e, at};
    return false;
  }
  bool at_end() const { return p_ >= s_.size(); }
  char cur() const { return p_ < s_.size() ? s_[p_] : '\0'; }

  // LWSP = *(WSP / COMMENT / EOL); COMMENT = ";" *(SafeChar / RestChar / WSP / %x22) EOL.
  void skip() {
    while (p_ < s_.size()) {
      char c = s_[p_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++p_;
      } else if (c == ';') {
        while (p_ < s_.size() && s_[p_] != '\r' && s_[p_] != '\n') ++p_;
      } else {
        break;
      }
    }
  }
  std::string_view safe_run() {
    std::size_t b = p_;
    while (p_ < s_.size() && safe_char(s_[p_])) ++p_;
    return s_.substr(b, p_ - b);
  }
  bool digits_run() {
    std::size_t b = p_;
    while (p_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p_]))) ++p_;
    if (p_ == b || p_ - b > 5) return fail(ParseError::kBadNumber, b);
    return true;
  }
  // `built` when it is the input from b on as it stands, else a copy the tree keeps.
  std::string_view keep(std::size_t b, std::string&& built) {
    if (built.size() == p_ - b) return s_.substr(b, p_ - b);
    tree_->owned.push_front(std::move(built));
    return tree_->owned.front();
  }

  // message = MegacopToken SLASH Version SEP mId SEP messageBody
  bool header(SyntaxTree& t) {
    std::size_t b = p_;
    auto tok = safe_run();  // "MEGACO/3" or "!/3" (SLASH is a SafeChar)
    auto slash = tok.find('/');
    if (slash == std::string_view::npos) return fail(ParseError::kBadHeader, b);
    auto name = tok.substr(0, slash);
    auto ver = tok.substr(slash + 1);
    if (!(iequals(name, "MEGACO") || name == "!")) return fail(ParseError::kBadHeader, b);
    if (ver.empty() || ver.size() > 2) return fail(ParseError::kBadHeader, b);
    unsigned v = 0;
    for (char c : ver) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return fail(ParseError::kBadHeader, b);
      v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v == 0) return fail(ParseError::kBadHeader, b);
    t.version = v;
    std::size_t before = p_;
    skip();
    if (p_ == before) return fail(ParseError::kBadHeader, p_);
    if (!mid(t.mid)) return false;
    before = p_;
    skip();
    if (p_ == before && !at_end()) return fail(ParseError::kBadHeader, p_);
    return true;
  }

  // mId = ((domainAddress / domainName) [":" portNumber]) / mtpAddress / deviceName
  bool mid(std::string_view& out) {
    std::size_t b = p_;
    char c = cur();
    if (c == '[' || c == '<') {
      if (!address(out)) return false;
    } else {
      auto dev = safe_run();
      if (dev.empty()) return fail(ParseError::kBadHeader, b);
      if (cur() == '{') return fail(ParseError::kUnsupported, b);  // mtpAddress = MTPToken LBRKT ... RBRKT
      out = dev;
    }
    return true;
  }

  // "[" address "]" or "<" name ">", then an optional ":" port.
  bool address(std::string_view& out) {
    std::size_t b = p_;
    char close = cur() == '[' ? ']' : '>';
    ++p_;
    while (!at_end() && cur() != close) {
      char c = cur();
      bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || (close == ']' && c == ':');
      if (!ok) return fail(ParseError::kBadCharacter, p_);
      ++p_;
    }
    if (at_end()) return fail(ParseError::kUnterminated, b);
    if (p_ == b + 1) return fail(ParseError::kBadCharacter, p_);
    ++p_;
    if (cur() == ':') {
      ++p_;
      if (!digits_run()) return false;
    }
    out = s_.substr(b, p_ - b);
    return true;
  }

  bool quoted(std::string_view& out) {
    std::size_t b = p_;
    ++p_;
    while (!at_end() && cur() != '"') {
      if (cur() == '\0') return fail(ParseError::kBadCharacter, p_);
      ++p_;
    }
    if (at_end()) return fail(ParseError::kUnterminated, b);
    ++p_;
    out = s_.substr(b, p_ - b);
    return true;
  }

  // LSBRKT VALUE *(COMMA VALUE) RSBRKT, LSBRKT VALUE COLON VALUE RSBRKT (ranges),
  // or an IP address: kept without white space.
  bool bracket_value(std::string_view& view) {
    std::size_t b = p_;
    std::string out;
    out.push_back('[');
    ++p_;
    while (true) {
      skip();
      if (at_end()) return fail(ParseError::kUnterminated, b);
      char c = cur();
      if (c == ']') break;
      if (c == '"') {
        std::string_view q;
        if (!quoted(q)) return false;
        out += q;
        continue;
      }
      if (!(safe_char(c) || c == ',' || c == ':')) return fail(ParseError::kBadCharacter, p_);
      out.push_back(c);
      ++p_;
    }
    if (out.size() == 1) return fail(ParseError::kMissingValue, p_);
    out.push_back(']');
    ++p_;
    if (cur() == ':') {
      std::size_t d = p_ + 1;
      ++p_;
      if (!digits_run()) return false;
      out.push_back(':');
      out.append(s_.substr(d, p_ - d));
    }
    view = keep(b, std::move(out));
    return true;
  }

  // LBRKT VALUE *(COMMA VALUE) RBRKT as a value (alternativeValue; NotifyCompletion).
  bool brace_value(std::string_view& view) {
    std::size_t b = p_;
    std::string out;
    out.push_back('{');
    ++p_;
    while (true) {
      skip();
      std::string_view v;
      if (cur() == '"') {
        if (!quoted(v)) return false;
      } else {
        v = safe_run();
      }
      if (v.empty()) return fail(at_end() ? ParseError::kUnterminated : ParseError::kMissingValue, p_);
      out += v;
      skip();
      if (cur() == ',') {
        out.push_back(',');
        ++p_;
        continue;
      }
      if (cur() == '}') break;
      return fail(at_end() ? ParseError::kUnterminated : ParseError::kBadCharacter, at_end() ? b : p_);
    }
    out.push_back('}');
    ++p_;
    view = keep(b, std::move(out));
    return true;
  }

  bool value(std::string_view& out) {
    char c = cur();
    if (c == '"') return quoted(out);
    if (c == '[') return bracket_value(out);
    if (c == '{') return brace_value(out);
    if (c == '<') return address(out);
    auto v = safe_run();
    if (v.empty()) return fail(at_end() ? ParseError::kUnterminated : ParseError::kMissingValue, p_);
    out = v;
    return true;
  }

  // octetString = *(nonEscapeChar); nonEscapeChar = ("\}" / %x01-7C / %x7E-FF)
  bool raw(Node& n) {
    std::size_t b = p_;
    while (!at_end() && cur() != '}') {
      if (cur() == '\0') return fail(ParseError::kBadCharacter, p_);
      if (cur() == '\\' && p_ + 1 < s_.size() && s_[p_ + 1] == '}') ++p_;
      ++p_;
    }
    if (at_end()) return fail(ParseError::kUnterminated, b);
    std::string_view body = s_.substr(b, p_ - b);
    ++p_;
    auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!body.empty() && ws(body.front())) body.remove_prefix(1);
    while (!body.empty() && ws(body.back())) {
      // "\}" ends in '}', never white space: trimming cannot split an escape.
      body.remove_suffix(1);
    }
    n.text = body;
    n.raw = true;
    return true;
  }

  bool item(Node& n, std::size_t depth) {
    skip();
    n.offset = p_;
    if (at_end()) return fail(ParseError::kUnterminated, p_);
    if (++items_ > kMaxItems) return fail(ParseError::kTooManyItems, p_);
    if (cur() == '"') return quoted(n.value);  // errorDescriptor's text
    std::string_view name = safe_run();
    if (name.empty()) return fail(ParseError::kBadCharacter, p_);
    // commandRequestList: ["O-"] ["W-"] commandRequest
    auto prefix = [&](char letter) {
      return name.size() > 2 && (name[0] == letter || name[0] == letter + ('a' - 'A')) && name[1] == '-' &&
             std::isalpha(static_cast<unsigned char>(name[2]));
    };
    if (prefix('O')) {
      n.optional = true;
      name.remove_prefix(2);
    }
    if (prefix('W')) {
      n.wildcard = true;
      name.remove_prefix(2);
    }
    skip();
    if (cur() == ':') {  // observedEvent = [TimeStamp LWSP COLON] LWSP pkgdName
      n.timestamp = name;
      ++p_;
      skip();
      name = safe_run();
      if (name.empty()) return fail(ParseError::kBadCharacter, p_);
      skip();
    }
    n.name = name;
    char c = cur();
    if (c == '=' || c == '>' || c == '<' || c == '#') {
      n.relation = c;
      ++p_;
      skip();
      if (!value(n.value)) return false;
      skip();
    }
    if (cur() == '{') {
      ++p_;
      n.braces = true;
      if (n.relation == 0 && n.timestamp.empty() && is_raw_name(n.name)) return raw(n);
      return group(n.children, depth + 1);
    }
    return true;
  }

  // After LBRKT: items separated by commas, then RBRKT.
  bool group(std::vector<Node>& out, std::size_t depth) {
    if (depth > kMaxDepth) return fail(ParseError::kTooDeep, p_);
    std::size_t b = p_;
    skip();
    if (cur() == '}') {
      ++p_;
      return true;
    }
    out.reserve(4);  // most groups hold 1-4 items: one allocation
    while (true) {
      if (!item(out.emplace_back(), depth)) return false;
      skip();
      if (cur() == ',') {
        ++p_;
        continue;
      }
      if (cur() == '}') {
        ++p_;
        return true;
      }
      if (at_end()) return fail(ParseError::kUnterminated, b);
      return fail(ParseError::kBadCharacter, p_);
    }
  }

  std::string_view s_;
  std::size_t p_ = 0;
  std::size_t items_ = 0;
  ParseFailure failure_{ParseError::kEmpty, 0};
  SyntaxTree* tree_ = nullptr;
};

}  // namespace

Result<SyntaxTree, ParseFailure> parse_syntax(std::string_view text) {
  if (text.size() > kMaxMessageSize) return Err(ParseFailure{ParseError::kTooLong, kMaxMessageSize});
  return Parser(text).run();
}

}  // namespace isupgw::mediagw::h248
