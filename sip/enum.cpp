#include "sip/enum.h"

#include <algorithm>
#include <array>
#include <bitset>
#include <cctype>
#include <optional>

#include "sip/grammar.h"

namespace isupgw::sip::enum_ {

std::string domain_of(std::string_view e164, std::string_view suffix) {
  std::string out;
  for (auto it = e164.rbegin(); it != e164.rend(); ++it)
    if (*it >= '0' && *it <= '9') {
      out += *it;
      out += '.';
    }
  out += suffix;
  return out;
}

namespace {

// One element of a compiled expression.
struct Node {
  enum class Kind { kChar, kAny, kClass, kGroup, kBol, kEol } kind = Kind::kChar;
  std::bitset<256> set;   // kChar (one bit), kAny (all), kClass
  std::vector<Node> seq;  // kGroup
  int group = 0;          // kGroup: capture number 1..9 (0: beyond 9, not captured)
  unsigned min = 1, max = 1;
};

constexpr unsigned kUnbounded = ~0u;

class Compiler {
 public:
  Compiler(std::string_view re, bool icase) : re_(re), icase_(icase) {}
  Result<std::vector<Node>, std::string> run() {
    auto seq = sequence(0);
    if (!seq) return seq;
    if (pos_ != re_.size()) return Err(std::string("unbalanced ')'"));
    return seq;
  }

 private:
  std::bitset<256> one(unsigned char c) const {
    std::bitset<256> s;
    s.set(c);
    if (icase_) {
      s.set(static_cast<unsigned char>(std::tolower(c)));
      s.set(static_cast<unsigned char>(std::toupper(c)));
    }
    return s;
  }

  Result<std::vector<Node>, std::string> sequence(int depth) {
    if (depth > 16) return Err(std::string("groups nested too deep"));
    std::vector<Node> out;
    while (pos_ < re_.size() && re_[pos_] != ')') {
      const char c = re_[pos_++];
      Node n;
      switch (c) {
        case '|': return Err(std::string("alternation '|' is not supported"));
        case '^': n.kind = Node::Kind::kBol; break;
        case '$': n.kind = Node::Kind::kEol; break;
        case '.':
          n.kind = Node::Kind::kAny;
          n.set.set();
          break;
        case '(': {
          n.kind = Node::Kind::kGroup;
          n.group = ++groups_ <= 9 ? groups_ : 0;
          auto inner = sequence(depth + 1);
          if (!inner) return inner;
          if (pos_ >= re_.size() || re_[pos_] != ')') return Err(std::string("unbalanced '('"));
          ++pos_;
          n.seq = std::move(*inner);
          break;
        }
        case '[': {
          n.kind = Node::Kind::kClass;
          bool negate = pos_ < re_.size() && re_[pos_] == '^';
          if (negate) ++pos_;
          bool first = true;
          while (pos_ < re_.size() && (re_[pos_] != ']' || first)) {
            first = false;
            unsigned char lo = static_cast<unsigned char>(re_[pos_++]);
            unsigned char hi = lo;
            if (pos_ + 1 < re_.size() && re_[pos_] == '-' && re_[pos_ + 1] != ']') {
              hi = static_cast<unsigned char>(re_[pos_ + 1]);
              pos_ += 2;
              if (hi < lo) return Err(std::string("bracket range out of order"));
            }
            for (unsigned v = lo; v <= hi; ++v) n.set |= one(static_cast<unsigned char>(v));
          }
          if (pos_ >= re_.size()) return Err(std::string("unterminated '['"));
          ++pos_;
          if (negate) n.set.flip();
          break;
        }
        case '\\':
          if (pos_ >= re_.size()) return Err(std::string("trailing '\\'"));
          n.set = one(static_cast<unsigned char>(re_[pos_++]));
          break;
        case '*':
        case '+':
        case '?':
        case '{': return Err(std::string("quantifier with nothing before it"));
        default: n.set = one(static_cast<unsigned char>(c));
      }
      if (n.kind != Node::Kind::kBol && n.kind != Node::Kind::kEol && !quantifier(n)) return Err(error_);
      out.push_back(std::move(n));
    }
    return out;
  }

  bool quantifier(Node& n) {
    if (pos_ >= re_.size()) return true;
    switch (re_[pos_]) {
      case '*': n.min = 0, n.max = kUnbounded; break;
      case '+': n.min = 1, n.max = kUnbounded; break;
      case '?': n.min = 0, n.max = 1; break;
      case '{': {
        auto number = [&](unsigned& v) {
          std::size_t start = pos_;
          v = 0;
          while (pos_ < re_.size() && std::isdigit(static_cast<unsigned char>(re_[pos_])) && v < 1000)
            v = v * 10 + static_cast<unsigned>(re_[pos_++] - '0');
          return pos_ > start;
        };
        ++pos_;
        if (!number(n.min)) return error("malformed {n,m}");
        n.max = n.min;
        if (pos_ < re_.size() && re_[pos_] == ',') {
          ++pos_;
          if (!number(n.max)) n.max = kUnbounded;
        }
        if (pos_ >= re_.size() || re_[pos_] != '}' || n.max < n.min || n.min > 255) return error("malformed {n,m}");
        break;
      }
      default: return true;
    }
    ++pos_;
    if (pos_ < re_.size() && (re_[pos_] == '*' || re_[pos_] == '+' || re_[pos_] == '?' || re_[pos_] == '{'))
      return error("two quantifiers in a row");
    return true;
  }
  bool error(const char* why) {
    error_ = why;
    return false;
  }

  std::string_view re_;
  bool icase_;
  std::size_t pos_ = 0;
  int groups_ = 0;
  std::string error_;
};

// Backtracking over the compiled nodes with continuations; every call counts against the budget.
class Matcher {
 public:
  explicit Matcher(std::string_view s) : s_(s) {}
  using Cont = std::function<bool(std::size_t)>;

  bool seq(const std::vector<Node>& nodes, std::size_t i, std::size_t pos, const Cont& k) {
    if (++steps_ > kRegexSteps) return false;
    if (i == nodes.size()) return k(pos);
    const Node& n = nodes[i];
    if (n.kind == Node::Kind::kBol) return pos == 0 && seq(nodes, i + 1, pos, k);
    if (n.kind == Node::Kind::kEol) return pos == s_.size() && seq(nodes, i + 1, pos, k);
    return rep(n, 0, pos, [&](std::size_t p) { return seq(nodes, i + 1, p, k); });
  }

  // Greedy: one more repetition first, then stop (if at least min).
  bool rep(const Node& n, unsigned count, std::size_t pos, const Cont& k) {
    if (++steps_ > kRegexSteps) return false;
    if (count < n.max) {
      bool more = once(n, pos, [&](std::size_t p) { return p != pos && rep(n, count + 1, p, k); });
      if (more) return true;
      if (exhausted()) return false;
    }
    return count >= n.min && k(pos);
  }

  bool once(const Node& n, std::size_t pos, const Cont& k) {
    if (n.kind == Node::Kind::kGroup) {
      return seq(n.seq, 0, pos, [&](std::size_t p) {
        if (n.group == 0) return k(p);
        const auto saved = caps_[n.group];
        caps_[n.group] = {pos, p};
        if (k(p)) return true;
        caps_[n.group] = saved;
        return false;
      });
    }
    if (pos >= s_.size() || !n.set.test(static_cast<unsigned char>(s_[pos]))) return false;
    return k(pos + 1);
  }

  bool exhausted() const { return steps_ > kRegexSteps; }
  std::array<std::optional<std::pair<std::size_t, std::size_t>>, 10> caps_;

 private:
  std::string_view s_;
  std::size_t steps_ = 0;
};

}  // namespace

Result<std::string, std::string> apply_rule(std::string_view rule, std::string_view aus) {
  if (rule.size() < 3) return Err(std::string("rule too short"));
  // A NAPTR regexp is one <character-string> (<= 255 octets); an AUS an E.164 number (<= 15 digits and '+').
  // Both bounds keep the matcher's recursion shallow.
  if (rule.size() > 255 || aus.size() > 32) return Err(std::string("rule or number too long"));
  // RFC 3402 3.2: the delimiter is any non-digit, non-flag character; "\" and digits are not delimiters.
  const char d = rule[0];
  if (d == '\\' || d == 'i' || (d >= '0' && d <= '9')) return Err(std::string("bad delimiter"));
  // Split at unescaped delimiters.
  std::vector<std::string> parts(1);
  for (std::size_t i = 1; i < rule.size(); ++i) {
    if (rule[i] == '\\' && i + 1 < rule.size() && rule[i + 1] == d) {
      parts.back() += d;
      ++i;
    } else if (rule[i] == '\\' && i + 1 < rule.size()) {
      parts.back() += rule[i];
      parts.back() += rule[++i];
    } else if (rule[i] == d) {
      parts.emplace_back();
    } else {
      parts.back() += rule[i];
    }
  }
  if (parts.size() != 3) return Err(std::string("not delim-ERE-delim-replacement-delim-flags"));
  const std::string& flags = parts[2];
  if (!flags.empty() && flags != "i") return Err(std::string("unknown flags '") + flags + "'");
  auto nodes = Compiler(parts[0], flags == "i").run();
  if (!nodes) return Err("ERE: " + nodes.error());
  // Leftmost match (POSIX): try each start.
  for (std::size_t start = 0; start <= aus.size(); ++start) {
    Matcher m(aus);
    std::size_t end = 0;
    if (!m.seq(*nodes, 0, start, [&](std::size_t p) {
          end = p;
          return true;
        })) {
      if (m.exhausted()) return Err(std::string("ERE needs more than the step budget"));
      continue;
    }
    m.caps_[0] = {start, end};
    // The replacement: \1..\9 back-references, \x a literal x; the matched part of the string is replaced.
    std::string out(aus.substr(0, start));
    const std::string& repl = parts[1];
    for (std::size_t i = 0; i < repl.size(); ++i) {
      if (repl[i] == '\\' && i + 1 < repl.size()) {
        const char n = repl[++i];
        if (n >= '0' && n <= '9') {
          if (const auto& c = m.caps_[static_cast<std::size_t>(n - '0')])
            out += aus.substr(c->first, c->second - c->first);
        } else {
          out += n;
        }
      } else {
        out += repl[i];
      }
    }
    out += aus.substr(end);
    return out;
  }
  return Err(std::string("ERE does not match"));
}

Result<std::string, std::string> select_uri(const std::vector<dns::Record>& naptr, std::string_view aus) {
  std::vector<const dns::Record*> rs;
  for (const auto& r : naptr) {
    if (r.type != dns::RrType::kNaptr || !grammar::iequals(r.flags, "u")) continue;
    const std::string_view s = r.services;
    // RFC 6116 3.4.3: "E2U+sip" (also with a subtype after ':'); RFC 2916's "sip+E2U" still seen.
    const bool sip = grammar::iequals(s, "E2U+sip") || grammar::iequals(s, "sip+E2U") ||
                     (s.size() > 8 && grammar::iequals(s.substr(0, 8), "E2U+sip:"));
    if (sip) rs.push_back(&r);
  }
  std::stable_sort(rs.begin(), rs.end(), [](const dns::Record* a, const dns::Record* b) {
    return a->order != b->order ? a->order < b->order : a->preference < b->preference;
  });
  std::string why = "no E2U+sip NAPTR record";
  for (const auto* r : rs) {
    auto uri = apply_rule(r->regexp, aus);
    if (!uri) {
      why = uri.error();
      continue;
    }
    if (!(uri->size() > 4 && grammar::iequals(std::string_view(*uri).substr(0, 4), "sip:")) &&
        !(uri->size() > 5 && grammar::iequals(std::string_view(*uri).substr(0, 5), "sips:"))) {
      why = "not a sip: URI: " + *uri;
      continue;
    }
    return std::move(*uri);
  }
  return Err(why);
}

void lookup(dns::Client& dns, std::string_view e164, std::string_view suffix,
            std::function<void(Result<std::string, std::string>)> done) {
  std::string aus = "+";
  for (char c : e164)
    if (c >= '0' && c <= '9') aus += c;
  dns.query(domain_of(aus, suffix), dns::RrType::kNaptr,
            [aus, done = std::move(done)](Result<dns::Answer, std::string> a) {
              if (!a) return done(Err("NAPTR: " + a.error()));
              if (a->rcode != 0) return done(Err("NAPTR: rcode " + std::to_string(a->rcode)));
              done(select_uri(a->records, aus));
            });
}

}  // namespace isupgw::sip::enum_
