#include "sip/headers.h"

#include <array>
#include <cstring>

namespace isupgw::sip {

namespace g = grammar;

namespace {

struct NameEntry {
  HeaderId id;
  std::string_view name;
  char compact;  // RFC 3261 7.3.3 and extension registrations; 0 = none
  bool single;
  bool list;
};

// Compact forms: RFC 3261 (i m e l c f s k t v), RFC 3265 (o u), RFC 3515 (r),
// RFC 3892 (b), RFC 4028 (x).
constexpr std::array<NameEntry, static_cast<std::size_t>(HeaderId::kCount)> kNames{{
    {HeaderId::kOther, "", 0, false, false},
    {HeaderId::kVia, "Via", 'v', false, true},
    {HeaderId::kFrom, "From", 'f', true, false},
    {HeaderId::kTo, "To", 't', true, false},
    {HeaderId::kCallId, "Call-ID", 'i', true, false},
    {HeaderId::kCSeq, "CSeq", 0, true, false},
    {HeaderId::kContact, "Contact", 'm', false, true},
    {HeaderId::kRoute, "Route", 0, false, true},
    {HeaderId::kRecordRoute, "Record-Route", 0, false, true},
    {HeaderId::kMaxForwards, "Max-Forwards", 0, true, false},
    {HeaderId::kContentType, "Content-Type", 'c', true, false},
    {HeaderId::kContentLength, "Content-Length", 'l', true, false},
    {HeaderId::kContentDisposition, "Content-Disposition", 0, true, false},
    {HeaderId::kContentEncoding, "Content-Encoding", 'e', false, true},
    {HeaderId::kRequire, "Require", 0, false, true},
    {HeaderId::kProxyRequire, "Proxy-Require", 0, false, true},
    {HeaderId::kSupported, "Supported", 'k', false, true},
    {HeaderId::kUnsupported, "Unsupported", 0, false, true},
    {HeaderId::kRSeq, "RSeq", 0, true, false},
    {HeaderId::kRAck, "RAck", 0, true, false},
    {HeaderId::kSessionExpires, "Session-Expires", 'x', true, false},
    {HeaderId::kMinSE, "Min-SE", 0, true, false},
    {HeaderId::kReason, "Reason", 0, false, true},
    {HeaderId::kPAssertedIdentity, "P-Asserted-Identity", 0, false, true},
    {HeaderId::kPPreferredIdentity, "P-Preferred-Identity", 0, false, true},
    {HeaderId::kPrivacy, "Privacy", 0, true, false},
    {HeaderId::kDiversion, "Diversion", 0, false, true},
    {HeaderId::kHistoryInfo, "History-Info", 0, false, true},
    {HeaderId::kAllow, "Allow", 0, false, true},
    {HeaderId::kAccept, "Accept", 0, false, true},
    {HeaderId::kExpires, "Expires", 0, true, false},
    {HeaderId::kSubject, "Subject", 's', false, false},
    {HeaderId::kWarning, "Warning", 0, false, true},
    {HeaderId::kUserAgent, "User-Agent", 0, false, false},
    {HeaderId::kServer, "Server", 0, false, false},
    {HeaderId::kDate, "Date", 0, true, false},
    {HeaderId::kEvent, "Event", 'o', true, false},
    {HeaderId::kReferTo, "Refer-To", 'r', true, false},
    {HeaderId::kReferredBy, "Referred-By", 'b', true, false},
    {HeaderId::kAllowEvents, "Allow-Events", 'u', false, true},
    {HeaderId::kRetryAfter, "Retry-After", 0, true, false},
    {HeaderId::kTimestamp, "Timestamp", 0, true, false},
    {HeaderId::kMimeVersion, "MIME-Version", 0, true, false},
}};

const NameEntry& entry(HeaderId id) { return kNames[static_cast<std::size_t>(id)]; }

// Long names indexed by (lower-case first letter, length): a lookup compares
// against at most two candidates (hot: once per header line).
constexpr std::size_t kMaxNameLength = 24;
struct NameIndex {
  std::array<std::array<std::array<std::uint8_t, 2>, kMaxNameLength + 1>, 26> cell{};
  std::array<std::uint8_t, 26> compact{};  // HeaderId for a one-letter name, 0 = none
  bool overflow = false;
};
constexpr NameIndex make_index() {
  NameIndex x{};
  for (std::size_t i = 1; i < kNames.size(); ++i) {
    char c = kNames[i].name[0];
    auto l = static_cast<std::size_t>((c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) - 'a');
    auto& cell = x.cell[l][kNames[i].name.size()];
    if (cell[0] == 0)
      cell[0] = static_cast<std::uint8_t>(i);
    else if (cell[1] == 0)
      cell[1] = static_cast<std::uint8_t>(i);
    else
      x.overflow = true;
    if (kNames[i].compact) x.compact[static_cast<std::size_t>(kNames[i].compact - 'a')] = static_cast<std::uint8_t>(i);
  }
  return x;
}
constexpr NameIndex kIndex = make_index();
static_assert(!kIndex.overflow, "more than two header names share a first letter and length");

// Exact ASCII case-insensitive compare: octets equal, or a letter pair that
// differs only in bit 0x20. Eight octets at a time while they are equal
// (names usually arrive in their canonical case).
bool name_iequals(std::string_view a, std::string_view b) {
  std::size_t i = 0;
  for (; i + 8 <= b.size(); i += 8) {
    std::uint64_t wa, wb;
    std::memcpy(&wa, a.data() + i, 8);
    std::memcpy(&wb, b.data() + i, 8);
    if (wa != wb) break;
  }
  for (; i < b.size(); ++i) {
    const unsigned x = static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]);
    if (x == 0) continue;
    const unsigned c = static_cast<unsigned char>(a[i]) | 0x20u;
    if (x != 0x20u || c < 'a' || c > 'z') return false;
  }
  return true;
}

}  // namespace

HeaderId header_id(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return HeaderId::kOther;
  const char first = g::lower(name[0]);
  if (first < 'a' || first > 'z') return HeaderId::kOther;
  const auto l = static_cast<std::size_t>(first - 'a');
  if (name.size() == 1) return static_cast<HeaderId>(kIndex.compact[l]);
  for (std::uint8_t k : kIndex.cell[l][name.size()]) {
    if (k == 0) break;
    if (name_iequals(name, kNames[k].name)) return kNames[k].id;
  }
  return HeaderId::kOther;
}

std::string_view header_name(HeaderId id) { return entry(id).name; }
bool single_valued(HeaderId id) { return entry(id).single; }
bool list_valued(HeaderId id) { return entry(id).list; }

std::optional<Fault> parse_name_addr_into(std::string_view v, NameAddr& na, bool allow_star) {
  na = NameAddr{};
  na.text = v;
  std::size_t i = g::skip_lws(v, 0);
  if (i >= v.size()) return Fault::kBadNameAddr;
  if (allow_star && g::trim(v) == "*") {
    na.star = true;
    return std::nullopt;
  }
  bool angle = false;
  if (v[i] == '"') {
    std::size_t e = g::scan_quoted(v, i);
    if (e == g::npos) return Fault::kBadQuotedString;
    na.display_name = v.substr(i, e - i);
    i = g::skip_lws(v, e);
    if (i >= v.size() || v[i] != '<') return Fault::kBadNameAddr;
    angle = true;
  } else {
    std::size_t j = i;
    while (j < v.size() && (g::is(v[j], g::kToken) || g::is_lws(v[j]))) ++j;
    if (j < v.size() && v[j] == '<') {
      na.display_name = g::trim(v.substr(i, j - i));
      i = j;
      angle = true;
    }
  }
  std::size_t after;
  if (angle) {
    // LAQUOT = SWS "<" and RAQUOT = ">" SWS: no blanks inside the brackets.
    std::size_t close = v.find('>', i);
    if (close == g::npos) return Fault::kBadNameAddr;
    if (auto f = parse_uri_into(v.substr(i + 1, close - i - 1), na.uri)) return f;
    na.angle_brackets = true;
    after = close + 1;
  } else {
    // addr-spec: RFC 3261 20.10 - a URI with ',', '?' or ';' must be in <>, so
    // ';' starts the header parameters here.
    std::size_t e = i;
    while (e < v.size() && v[e] != ';' && !g::is_lws(v[e])) ++e;
    std::string_view spec = v.substr(i, e - i);
    if (spec.find_first_of("?,<>\"") != std::string_view::npos) return Fault::kBadNameAddr;
    if (auto f = parse_uri_into(spec, na.uri)) return f;
    after = e;
  }
  std::size_t pe = g::scan_header_params(v, after);
  if (pe == g::npos) return Fault::kBadParam;
  if (g::skip_lws(v, pe) != v.size()) return Fault::kBadNameAddr;
  na.params = g::Params(v.substr(after, pe - after), false);
  return std::nullopt;
}

Result<NameAddr, Fault> parse_name_addr(std::string_view v, bool allow_star) {
  NameAddr na;
  if (auto f = parse_name_addr_into(v, na, allow_star)) return Err(*f);
  return na;
}

std::optional<Fault> parse_via_into(std::string_view v, Via& via) {
  via = Via{};
  via.text = v;
  std::size_t i = g::skip_lws(v, 0);
  auto token = [&](std::string_view& out) {
    std::size_t e = g::scan(v, i, g::kToken);
    if (e == i) return false;
    out = v.substr(i, e - i);
    i = g::skip_lws(v, e);
    return true;
  };
  auto slash = [&]() {
    if (i >= v.size() || v[i] != '/') return false;
    i = g::skip_lws(v, i + 1);
    return true;
  };
  if (!token(via.protocol) || !slash() || !token(via.version) || !slash()) return Fault::kBadVia;
  std::size_t b = i;
  std::size_t e = g::scan(v, i, g::kToken);
  if (e == b || e >= v.size() || !g::is_lws(v[e])) return Fault::kBadVia;
  via.transport = v.substr(b, e - b);
  i = g::skip_lws(v, e);
  e = scan_host(v, i);
  if (e == g::npos) return Fault::kBadVia;
  via.host = v.substr(i, e - i);
  i = g::skip_lws(v, e);
  if (i < v.size() && v[i] == ':') {
    i = g::skip_lws(v, i + 1);
    e = g::scan(v, i, g::kDigit);
    auto port = g::parse_uint(v.substr(i, e - i), 65535);
    if (!port) return Fault::kBadVia;
    via.port = static_cast<std::uint16_t>(*port);
    i = e;
  }
  std::size_t pe = g::scan_header_params(v, i);
  if (pe == g::npos) return Fault::kBadParam;
  if (pe != v.size()) return Fault::kBadVia;
  via.params = g::Params(v.substr(i, pe - i), false);
  return std::nullopt;
}

Result<Via, Fault> parse_via(std::string_view v) {
  Via via;
  if (auto f = parse_via_into(v, via)) return Err(*f);
  return via;
}

Result<CSeq, Fault> parse_cseq(std::string_view v) {
  std::size_t i = g::skip_lws(v, 0);
  std::size_t e = g::scan(v, i, g::kDigit);
  // RFC 3261 8.1.1.5: the sequence number MUST be less than 2**31.
  auto n = g::parse_uint(v.substr(i, e - i), 0x7fffffffu);
  if (!n || e >= v.size() || !g::is_lws(v[e])) return Err(Fault::kBadCSeq);
  i = g::skip_lws(v, e);
  e = g::scan(v, i, g::kToken);
  if (e == i || g::skip_lws(v, e) != v.size()) return Err(Fault::kBadCSeq);
  return CSeq{static_cast<std::uint32_t>(*n), v.substr(i, e - i)};
}

Result<RAck, Fault> parse_rack(std::string_view v) {
  RAck r;
  std::size_t i = g::skip_lws(v, 0);
  for (std::uint32_t* out : {&r.rseq, &r.cseq}) {
    std::size_t e = g::scan(v, i, g::kDigit);
    auto n = g::parse_uint(v.substr(i, e - i), 0xffffffffu);
    if (!n || e >= v.size() || !g::is_lws(v[e])) return Err(Fault::kBadRAck);
    *out = static_cast<std::uint32_t>(*n);
    i = g::skip_lws(v, e);
  }
  std::size_t e = g::scan(v, i, g::kToken);
  if (e == i || g::skip_lws(v, e) != v.size()) return Err(Fault::kBadRAck);
  r.method = v.substr(i, e - i);
  return r;
}

Result<std::uint32_t, Fault> parse_number(std::string_view v, std::uint32_t max) {
  auto n = g::parse_uint(g::trim(v), max);
  if (!n) return Err(Fault::kBadNumber);
  return static_cast<std::uint32_t>(*n);
}

namespace {
// delta-seconds followed by generic params; returns the params start.
Result<std::uint32_t, Fault> delta_with_params(std::string_view v, grammar::Params& params) {
  std::size_t i = g::skip_lws(v, 0);
  std::size_t e = g::scan(v, i, g::kDigit);
  auto n = g::parse_uint(v.substr(i, e - i), 0xffffffffu);
  if (!n) return Err(Fault::kBadSessionExpires);
  std::size_t pe = g::scan_header_params(v, e);
  if (pe == g::npos) return Err(Fault::kBadParam);
  if (pe != v.size()) return Err(Fault::kBadSessionExpires);
  params = g::Params(v.substr(e, pe - e), false);
  return static_cast<std::uint32_t>(*n);
}
}  // namespace

Result<SessionExpires, Fault> parse_session_expires(std::string_view v) {
  SessionExpires se;
  auto n = delta_with_params(v, se.params);
  if (!n) return Err(n.error());
  se.delta = *n;
  se.refresher = se.params.get("refresher").value_or(std::string_view{});
  if (!se.refresher.empty() && !g::iequals(se.refresher, "uac") && !g::iequals(se.refresher, "uas"))
    return Err(Fault::kBadSessionExpires);
  return se;
}

Result<std::uint32_t, Fault> parse_min_se(std::string_view v) {
  grammar::Params p;
  return delta_with_params(v, p);
}

Result<Reason, Fault> parse_reason(std::string_view v) {
  Reason r;
  std::size_t i = g::skip_lws(v, 0);
  std::size_t e = g::scan(v, i, g::kToken);
  if (e == i) return Err(Fault::kBadReason);
  r.protocol = v.substr(i, e - i);
  std::size_t pe = g::scan_header_params(v, e);
  if (pe == g::npos) return Err(Fault::kBadParam);
  if (pe != v.size()) return Err(Fault::kBadReason);
  r.params = g::Params(v.substr(e, pe - e), false);
  if (auto c = r.params.get("cause")) {
    auto n = g::parse_uint(*c, 0xffffffffu);
    if (!n) return Err(Fault::kBadReason);
    r.cause = static_cast<std::uint32_t>(*n);
  }
  r.text = g::unquote(r.params.get("text").value_or(std::string_view{}));
  return r;
}

Result<MediaType, Fault> parse_media_type(std::string_view v) {
  MediaType m;
  std::size_t i = g::skip_lws(v, 0);
  std::size_t e = g::scan(v, i, g::kToken);
  if (e == i) return Err(Fault::kBadMediaType);
  m.type = v.substr(i, e - i);
  i = g::skip_lws(v, e);
  if (i >= v.size() || v[i] != '/') return Err(Fault::kBadMediaType);
  i = g::skip_lws(v, i + 1);
  e = g::scan(v, i, g::kToken);
  if (e == i) return Err(Fault::kBadMediaType);
  m.subtype = v.substr(i, e - i);
  std::size_t pe = g::scan_header_params(v, e);
  if (pe == g::npos) return Err(Fault::kBadParam);
  if (pe != v.size()) return Err(Fault::kBadMediaType);
  m.params = g::Params(v.substr(e, pe - e), false);
  return m;
}

Result<ContentDisposition, Fault> parse_content_disposition(std::string_view v) {
  ContentDisposition d;
  std::size_t i = g::skip_lws(v, 0);
  std::size_t e = g::scan(v, i, g::kToken);
  if (e == i) return Err(Fault::kBadToken);
  d.type = v.substr(i, e - i);
  std::size_t pe = g::scan_header_params(v, e);
  if (pe == g::npos) return Err(Fault::kBadParam);
  if (pe != v.size()) return Err(Fault::kBadToken);
  d.params = g::Params(v.substr(e, pe - e), false);
  return d;
}

Result<std::string_view, Fault> parse_token(std::string_view element) {
  std::string_view t = g::trim(element);
  if (t.empty() || g::scan(t, 0, g::kToken) != t.size()) return Err(Fault::kBadToken);
  return t;
}

bool valid_privacy(std::string_view value) {
  std::string_view rest = value;
  for (;;) {
    std::size_t semi = rest.find(';');
    if (!parse_token(rest.substr(0, semi))) return false;
    if (semi == std::string_view::npos) return true;
    rest = rest.substr(semi + 1);
  }
}

bool privacy_has(std::string_view value, std::string_view token) {
  std::string_view rest = value;
  for (;;) {
    std::size_t semi = rest.find(';');
    if (g::iequals(g::trim(rest.substr(0, semi)), token)) return true;
    if (semi == std::string_view::npos) return false;
    rest = rest.substr(semi + 1);
  }
}

}  // namespace isupgw::sip
