#include "media-gw/h248_syntax.h"

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
// "*" / "$" / "\" / "(" / ")" / "%" / "|" / "."
bool safe_char(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '+':
    case '-':
    case '&':
    case '!':
    case '_':
    case '/':
    case '\'':
    case '?':
    case '@':
    case '^':
    case '`':
    case '~':
    case '*':
    case '$':
    case '\\':
    case '(':
    case ')':
    case '%':
    case '|':
    case '.': return true;
    default: return false;
  }
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
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
  bool digits_run(std::string& out) {
    std::size_t b = p_;
    while (p_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p_]))) ++p_;
    if (p_ == b || p_ - b > 5) return fail(ParseError::kBadNumber, b);
    out.append(s_.substr(b, p_ - b));
    return true;
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
  bool mid(std::string& out) {
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
  bool address(std::string& out) {
    std::size_t b = p_;
    char close = cur() == '[' ? ']' : '>';
    out.push_back(cur());
    ++p_;
    while (!at_end() && cur() != close) {
      char c = cur();
      bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || (close == ']' && c == ':');
      if (!ok) return fail(ParseError::kBadCharacter, p_);
      out.push_back(c);
      ++p_;
    }
    if (at_end()) return fail(ParseError::kUnterminated, b);
    if (out.size() == 1) return fail(ParseError::kBadCharacter, p_);
    out.push_back(close);
    ++p_;
    if (cur() == ':') {
      out.push_back(':');
      ++p_;
      if (!digits_run(out)) return false;
    }
    return true;
  }

  bool quoted(std::string& out) {
    std::size_t b = p_;
    ++p_;
    while (!at_end() && cur() != '"') {
      if (cur() == '\0') return fail(ParseError::kBadCharacter, p_);
      ++p_;
    }
    if (at_end()) return fail(ParseError::kUnterminated, b);
    ++p_;
    out.assign(s_.substr(b, p_ - b));
    return true;
  }

  // LSBRKT VALUE *(COMMA VALUE) RSBRKT, LSBRKT VALUE COLON VALUE RSBRKT (ranges),
  // or an IP address: kept without white space.
  bool bracket_value(std::string& out) {
    std::size_t b = p_;
    out.push_back('[');
    ++p_;
    while (true) {
      skip();
      if (at_end()) return fail(ParseError::kUnterminated, b);
      char c = cur();
      if (c == ']') break;
      if (c == '"') {
        std::string q;
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
      out.push_back(':');
      ++p_;
      if (!digits_run(out)) return false;
    }
    return true;
  }

  // LBRKT VALUE *(COMMA VALUE) RBRKT as a value (alternativeValue; NotifyCompletion).
  bool brace_value(std::string& out) {
    std::size_t b = p_;
    out.push_back('{');
    ++p_;
    while (true) {
      skip();
      std::string v;
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
    return true;
  }

  bool value(std::string& out) {
    char c = cur();
    if (c == '"') return quoted(out);
    if (c == '[') return bracket_value(out);
    if (c == '{') return brace_value(out);
    if (c == '<') return address(out);
    auto v = safe_run();
    if (v.empty()) return fail(at_end() ? ParseError::kUnterminated : ParseError::kMissingValue, p_);
    out.assign(v);
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
    n.text.assign(body);
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
      n.timestamp.assign(name);
      ++p_;
      skip();
      name = safe_run();
      if (name.empty()) return fail(ParseError::kBadCharacter, p_);
      skip();
    }
    n.name.assign(name);
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
    while (true) {
      Node c;
      if (!item(c, depth)) return false;
      out.push_back(std::move(c));
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
};

void indent(std::string& out, std::size_t n) { out.append(2 * n, ' '); }

void write_node(std::string& out, const Node& n, std::size_t depth, bool compact) {
  if (n.name.empty()) {
    out += n.value;
    return;
  }
  if (n.optional) out += "O-";
  if (n.wildcard) out += "W-";
  if (!n.timestamp.empty()) {
    out += n.timestamp;
    out += ':';
  }
  out += n.name;
  if (n.relation != 0) {
    if (!compact) out += ' ';
    out += n.relation;
    if (!compact) out += ' ';
    out += n.value;
  }
  if (!n.braces) return;
  out += compact ? "{" : " {";
  if (n.raw) {
    // The octet string on lines of its own: SDP reads as SDP in a trace.
    // The closing brace at the start of a line: Wireshark hands everything up to it to its SDP
    // dissector, which calls an indented "}" line an invalid SDP line.
    out += '\n';
    out += n.text;
    out += "\n}";
    return;
  }
  if (n.children.empty()) {
    out += '}';
    return;
  }
  if (!compact) out += '\n';
  for (std::size_t i = 0; i < n.children.size(); ++i) {
    if (!compact) indent(out, depth + 1);
    write_node(out, n.children[i], depth + 1, compact);
    if (i + 1 < n.children.size()) out += ',';
    if (!compact) out += '\n';
  }
  if (!compact) indent(out, depth);
  out += '}';
}

}  // namespace

Result<SyntaxTree, ParseFailure> parse_syntax(std::string_view text) {
  if (text.size() > kMaxMessageSize) return Err(ParseFailure{ParseError::kTooLong, kMaxMessageSize});
  return Parser(text).run();
}

std::string write_syntax(const SyntaxTree& t, bool compact) {
  std::string out;
  out.reserve(256);
  out += compact ? "!/" : "MEGACO/";
  out += std::to_string(t.version);
  out += ' ';
  out += t.mid;
  out += '\n';
  for (const auto& n : t.body) {
    write_node(out, n, 0, compact);
    out += '\n';
  }
  return out;
}

}  // namespace isupgw::mediagw::h248
