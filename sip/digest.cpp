#include "sip/digest.h"

#include <openssl/evp.h>

#include <map>

#include "sip/grammar.h"

namespace isupgw::sip {

namespace {

using Params = std::map<std::string, std::string>;

// RFC 7616 3.3 / RFC 7235 2.1: "Digest" 1*SP auth-param *("," auth-param), auth-param = token BWS "=" BWS
// (token / quoted-string). Names lower-cased, quoted values unescaped; a repeated directive is an error.
Result<Params, std::string> parse_params(std::string_view v) {
  v = grammar::trim(v);
  std::size_t i = 0;
  while (i < v.size() && v[i] != ' ' && v[i] != '\t' && v[i] != '\r' && v[i] != '\n') ++i;
  if (!grammar::iequals(v.substr(0, i), "Digest")) return Err(std::string("not Digest"));
  Params out;
  bool need_param = true;
  while (true) {
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n')) ++i;
    if (i >= v.size()) break;
    if (v[i] == ',') {
      ++i;
      need_param = true;
      continue;
    }
    if (!need_param) return Err(std::string("missing ',' between directives"));
    const std::size_t ns = i;
    while (i < v.size() && grammar::is(v[i], grammar::kToken)) ++i;
    if (i == ns) return Err(std::string("malformed directive name"));
    std::string name(v.substr(ns, i - ns));
    for (char& ch : name) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n')) ++i;
    if (i >= v.size() || v[i] != '=') return Err("directive '" + name + "' has no value");
    ++i;
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n')) ++i;
    std::string value;
    if (i < v.size() && v[i] == '"') {
      const std::size_t end = grammar::scan_quoted(v, i);
      if (end == std::string_view::npos) return Err("unterminated quoted value of '" + name + "'");
      for (std::size_t k = i + 1; k + 1 < end; ++k) {
        if (v[k] == '\\' && k + 2 < end) ++k;  // quoted-pair
        value += v[k];
      }
      i = end;
    } else {
      const std::size_t vs = i;
      while (i < v.size() && grammar::is(v[i], grammar::kToken)) ++i;
      if (i == vs) return Err("directive '" + name + "' has no value");
      value = std::string(v.substr(vs, i - vs));
    }
    if (!out.emplace(std::move(name), std::move(value)).second) return Err(std::string("repeated directive"));
    need_param = false;
  }
  return out;
}

std::string get(const Params& p, const char* k) {
  auto it = p.find(k);
  return it == p.end() ? std::string() : it->second;
}

Result<DigestAlgorithm, std::string> algorithm_of(const Params& p) {
  auto it = p.find("algorithm");
  if (it == p.end()) return DigestAlgorithm::kMd5;
  if (auto a = digest_algorithm(it->second)) return *a;
  return Err("unknown algorithm '" + it->second + "'");
}

// quoted-string with '"' and '\' escaped (RFC 3261 25.1).
std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

std::string_view to_string(DigestAlgorithm a) { return a == DigestAlgorithm::kSha256 ? "SHA-256" : "MD5"; }

std::optional<DigestAlgorithm> digest_algorithm(std::string_view name) {
  if (grammar::iequals(name, "MD5")) return DigestAlgorithm::kMd5;
  if (grammar::iequals(name, "SHA-256")) return DigestAlgorithm::kSha256;
  return std::nullopt;
}

Result<DigestChallenge, std::string> parse_digest_challenge(std::string_view value) {
  auto p = parse_params(value);
  if (!p) return Err(p.error());
  DigestChallenge c;
  c.realm = get(*p, "realm");
  c.nonce = get(*p, "nonce");
  c.opaque = get(*p, "opaque");
  if (!p->count("realm")) return Err(std::string("missing realm"));
  if (c.nonce.empty()) return Err(std::string("missing nonce"));
  auto a = algorithm_of(*p);
  if (!a) return Err(a.error());
  c.algorithm = *a;
  if (auto it = p->find("qop"); it != p->end()) {
    c.qop_given = true;
    grammar::CommaSplitter split(it->second);
    for (std::string_view q; split.next(q);)
      if (grammar::iequals(q, "auth")) c.qop_auth = true;
    if (!c.qop_auth) return Err(std::string("qop offers no 'auth'"));
  }
  c.stale = grammar::iequals(get(*p, "stale"), "true");
  return c;
}

Result<DigestCredentials, std::string> parse_digest_credentials(std::string_view value) {
  auto p = parse_params(value);
  if (!p) return Err(p.error());
  DigestCredentials c;
  c.username = get(*p, "username");
  c.realm = get(*p, "realm");
  c.nonce = get(*p, "nonce");
  c.uri = get(*p, "uri");
  c.response = get(*p, "response");
  c.cnonce = get(*p, "cnonce");
  c.nc = get(*p, "nc");
  c.qop = get(*p, "qop");
  c.opaque = get(*p, "opaque");
  for (const char* k : {"username", "realm", "nonce", "uri", "response"})
    if (!p->count(k)) return Err(std::string("missing ") + k);
  auto a = algorithm_of(*p);
  if (!a) return Err(a.error());
  c.algorithm = *a;
  if (!c.qop.empty()) {
    // RFC 7616 3.4: with qop, cnonce and an 8-hex-digit nc are required.
    if (!grammar::iequals(c.qop, "auth")) return Err("unsupported qop '" + c.qop + "'");
    if (c.cnonce.empty()) return Err(std::string("qop without cnonce"));
    if (c.nc.size() != 8 || c.nc.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
      return Err(std::string("nc must be 8 hex digits"));
  }
  return c;
}

std::string format_challenge(const DigestChallenge& c) {
  std::string out = "Digest realm=" + quoted(c.realm) + ", nonce=" + quoted(c.nonce);
  if (!c.opaque.empty()) out += ", opaque=" + quoted(c.opaque);
  if (c.stale) out += ", stale=true";
  out += ", algorithm=" + std::string(to_string(c.algorithm));
  if (c.qop_auth) out += ", qop=\"auth\"";
  return out;
}

std::string format_credentials(const DigestCredentials& c) {
  std::string out = "Digest username=" + quoted(c.username) + ", realm=" + quoted(c.realm) +
                    ", nonce=" + quoted(c.nonce) + ", uri=" + quoted(c.uri) + ", response=" + quoted(c.response) +
                    ", algorithm=" + std::string(to_string(c.algorithm));
  if (!c.qop.empty()) out += ", qop=" + c.qop + ", nc=" + c.nc + ", cnonce=" + quoted(c.cnonce);
  if (!c.opaque.empty()) out += ", opaque=" + quoted(c.opaque);
  return out;
}

std::string digest_hash(DigestAlgorithm a, std::string_view text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(text.data(), text.size(), md, &n, a == DigestAlgorithm::kSha256 ? EVP_sha256() : EVP_md5(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (unsigned int i = 0; i < n; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

std::string digest_response(DigestAlgorithm a, std::string_view username, std::string_view realm,
                            std::string_view password, std::string_view method, std::string_view uri,
                            std::string_view nonce, std::string_view nc, std::string_view cnonce,
                            std::string_view qop) {
  auto cat = [](std::initializer_list<std::string_view> parts) {
    std::string s;
    bool first = true;
    for (auto p : parts) {
      if (!first) s += ':';
      s += p;
      first = false;
    }
    return s;
  };
  const std::string ha1 = digest_hash(a, cat({username, realm, password}));
  const std::string ha2 = digest_hash(a, cat({method, uri}));
  if (qop.empty()) return digest_hash(a, cat({ha1, nonce, ha2}));
  return digest_hash(a, cat({ha1, nonce, nc, cnonce, qop, ha2}));
}

DigestCredentials answer_challenge(const DigestChallenge& c, std::string_view username, std::string_view password,
                                   std::string_view method, std::string_view uri, std::string_view cnonce) {
  DigestCredentials r;
  r.username = username;
  r.realm = c.realm;
  r.nonce = c.nonce;
  r.uri = uri;
  r.opaque = c.opaque;
  r.algorithm = c.algorithm;
  if (c.qop_auth) {
    r.qop = "auth";
    r.nc = "00000001";
    r.cnonce = cnonce;
  }
  r.response = digest_response(c.algorithm, username, c.realm, password, method, uri, c.nonce, r.nc, r.cnonce, r.qop);
  return r;
}

}  // namespace isupgw::sip
