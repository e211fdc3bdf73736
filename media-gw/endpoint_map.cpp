#include "media-gw/endpoint_map.h"

#include <algorithm>
#include <charconv>

#include "media-gw/mgcp_message.h"

namespace isupgw::mediagw {

std::optional<std::string> endpoint_for_cic(const E1EndpointPattern& p, std::uint32_t cic) {
  if (cic < p.first_cic) return std::nullopt;
  const std::uint32_t per_span = p.skip_ts16 ? 30 : 31;
  std::uint32_t index = cic - p.first_cic;
  std::uint32_t span = p.first_span + index / per_span;
  std::uint32_t ts = 1 + index % per_span;
  if (p.skip_ts16 && ts >= 16) ++ts;
  return p.prefix + std::to_string(span) + "/" + std::to_string(ts) + "@" + p.domain;
}

std::string_view to_string(PatternError e) {
  switch (e) {
    case PatternError::kEmpty: return "empty";
    case PatternError::kNoDomain: return "no_domain";
    case PatternError::kUnknownPlaceholder: return "unknown_placeholder";
    case PatternError::kUnterminatedPlaceholder: return "unterminated_placeholder";
    case PatternError::kMissingSpan: return "missing_span";
    case PatternError::kMissingTimeslot: return "missing_timeslot";
    case PatternError::kDuplicatePlaceholder: return "duplicate_placeholder";
    case PatternError::kAdjacentPlaceholders: return "adjacent_placeholders";
    case PatternError::kWildcard: return "wildcard";
    case PatternError::kMixedPlaceholders: return "mixed_placeholders";
    case PatternError::kBadLayout: return "bad_layout";
  }
  return "?";
}

Result<EndpointPattern, PatternError> EndpointPattern::parse(std::string_view pattern, TrunkLayout layout,
                                                             bool require_domain) {
  using E = Err<PatternError>;
  if (pattern.empty()) return E(PatternError::kEmpty);
  auto at = pattern.rfind('@');
  if (!require_domain && at == std::string_view::npos) at = pattern.size();
  if (at == std::string_view::npos || at == 0 || (require_domain && at + 1 == pattern.size()))
    return E(PatternError::kNoDomain);
  if (layout.first_cic == 0) return E(PatternError::kBadLayout);
  EndpointPattern p;
  p.text_ = std::string(pattern);
  p.layout_ = layout;
  bool have_span = false, have_ts = false, have_cic = false;
  std::size_t i = 0;
  while (i < pattern.size()) {
    char c = pattern[i];
    if (c == '}') return E(PatternError::kUnterminatedPlaceholder);
    if (c == '*' || c == '$') return E(PatternError::kWildcard);
    if (c != '{') {
      if (p.pieces_.empty() || p.pieces_.back().kind != Kind::kLiteral) p.pieces_.push_back(Piece{});
      p.pieces_.back().literal += c;
      ++i;
      continue;
    }
    auto close = pattern.find('}', i);
    if (close == std::string_view::npos) return E(PatternError::kUnterminatedPlaceholder);
    std::string_view name = pattern.substr(i + 1, close - i - 1);
    Piece piece;
    if (name.ends_with(":x")) {
      piece.hex = true;
      name.remove_suffix(2);
    }
    if (name == "span" || name == "e1") {
      if (have_span) return E(PatternError::kDuplicatePlaceholder);
      have_span = true;
      piece.kind = Kind::kSpan;
    } else if (name == "timeslot" || name == "ts") {
      if (have_ts) return E(PatternError::kDuplicatePlaceholder);
      have_ts = true;
      piece.kind = Kind::kTimeslot;
    } else if (name == "cic") {
      if (have_cic) return E(PatternError::kDuplicatePlaceholder);
      have_cic = true;
      piece.kind = Kind::kCic;
    } else {
      return E(PatternError::kUnknownPlaceholder);
    }
    if (!p.pieces_.empty() && p.pieces_.back().kind != Kind::kLiteral) return E(PatternError::kAdjacentPlaceholders);
    if (close > at) return E(PatternError::kNoDomain);  // placeholders belong to the local name
    p.pieces_.push_back(std::move(piece));
    i = close + 1;
  }
  for (std::size_t k = 0; k + 1 < p.pieces_.size(); ++k) {
    const auto& cur = p.pieces_[k];
    const char next = p.pieces_[k + 1].literal.empty() ? '\0' : p.pieces_[k + 1].literal.front();
    const bool digit =
        (next >= '0' && next <= '9') || (cur.hex && ((next >= 'a' && next <= 'f') || (next >= 'A' && next <= 'F')));
    if (cur.kind != Kind::kLiteral && digit) return E(PatternError::kAdjacentPlaceholders);
  }
  if (have_cic) {
    if (have_span || have_ts) return E(PatternError::kMixedPlaceholders);
    p.by_cic_ = true;
    return p;
  }
  if (!have_span) return E(PatternError::kMissingSpan);
  if (!have_ts) return E(PatternError::kMissingTimeslot);
  return p;
}

std::string EndpointPattern::render(std::uint32_t span, std::uint32_t ts, std::uint32_t cic) const {
  std::string out;
  for (const auto& piece : pieces_) {
    if (piece.kind == Kind::kLiteral) {
      out += piece.literal;
      continue;
    }
    const std::uint32_t v = piece.kind == Kind::kSpan ? span : piece.kind == Kind::kCic ? cic : ts;
    char buf[16];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, piece.hex ? 16 : 10);
    (void)ec;
    out.append(buf, end);
  }
  return out;
}

std::optional<std::string> EndpointPattern::endpoint_for_cic(std::uint32_t cic) const {
  if (cic < layout_.first_cic) return std::nullopt;
  if (by_cic_) return render(0, 0, cic);
  const std::uint32_t index = cic - layout_.first_cic;
  std::uint32_t span_index = 0, ts = 0;
  if (layout_.numbering == CicNumbering::kPacked) {
    const std::uint32_t per_span = layout_.skip_ts16 ? 30 : 31;
    span_index = index / per_span;
    ts = 1 + index % per_span;
    if (layout_.skip_ts16 && ts >= 16) ++ts;
  } else {
    span_index = index / 32;
    ts = index % 32;
    if (ts == 0 || (layout_.skip_ts16 && ts == 16)) return std::nullopt;  // framing / signalling timeslot
  }
  if (layout_.spans != 0 && span_index >= layout_.spans) return std::nullopt;
  if (span_index > 0xffffff) return std::nullopt;
  return render(layout_.first_span + span_index, ts);
}

std::optional<std::uint32_t> EndpointPattern::cic_for_endpoint(std::string_view endpoint) const {
  std::uint32_t span = 0, ts = 0, cic_value = 0;
  std::string_view rest = endpoint;
  for (std::size_t k = 0; k < pieces_.size(); ++k) {
    const auto& piece = pieces_[k];
    if (piece.kind == Kind::kLiteral) {
      if (rest.size() < piece.literal.size() || !mgcp::iequals(rest.substr(0, piece.literal.size()), piece.literal))
        return std::nullopt;
      rest.remove_prefix(piece.literal.size());
      continue;
    }
    // A number runs until the next literal's first character (patterns never have adjacent placeholders).
    std::size_t n = 0;
    while (n < rest.size() && n < 8) {
      char c = rest[n];
      bool digit = (c >= '0' && c <= '9') || (piece.hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
      if (!digit) break;
      ++n;
    }
    if (n == 0) return std::nullopt;
    std::uint32_t v = 0;
    auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + n, v, piece.hex ? 16 : 10);
    if (ec != std::errc() || ptr != rest.data() + n) return std::nullopt;
    (piece.kind == Kind::kSpan ? span : piece.kind == Kind::kCic ? cic_value : ts) = v;
    rest.remove_prefix(n);
  }
  if (!rest.empty()) return std::nullopt;
  if (by_cic_) {
    auto canonical = endpoint_for_cic(cic_value);
    if (!canonical || !mgcp::iequals(*canonical, endpoint)) return std::nullopt;
    return cic_value;
  }
  if (span < layout_.first_span || ts == 0 || ts > 31 || (layout_.skip_ts16 && ts == 16)) return std::nullopt;
  const std::uint64_t span_index = span - layout_.first_span;
  std::uint64_t index = 0;
  if (layout_.numbering == CicNumbering::kPacked) {
    const std::uint32_t per_span = layout_.skip_ts16 ? 30 : 31;
    const std::uint32_t slot = layout_.skip_ts16 && ts > 16 ? ts - 2 : ts - 1;
    index = span_index * per_span + slot;
  } else {
    index = span_index * 32 + ts;
  }
  const std::uint64_t cic = layout_.first_cic + index;
  if (cic > 0xffffffffu) return std::nullopt;
  // Only the canonical spelling maps back (rejects "01", mixed hex case is fine).
  auto canonical = endpoint_for_cic(static_cast<std::uint32_t>(cic));
  if (!canonical || !mgcp::iequals(*canonical, endpoint)) return std::nullopt;
  return static_cast<std::uint32_t>(cic);
}

std::vector<std::uint32_t> EndpointPattern::cics_covered_by(std::string_view endpoint, std::uint32_t max_cics) const {
  std::vector<std::uint32_t> out;
  if (!is_wildcard(endpoint)) {
    if (auto cic = cic_for_endpoint(endpoint)) out.push_back(*cic);
    return out;
  }
  if (by_cic_) {
    // One endpoint per CIC: every CIC from first_cic (at most max_cics of them) the name covers.
    std::uint64_t last = layout_.first_cic + std::uint64_t{max_cics} - 1;
    for (std::uint64_t cic = layout_.first_cic; cic <= std::min<std::uint64_t>(last, 0xffffffffu); ++cic)
      if (endpoint_matches(endpoint, render(0, 0, static_cast<std::uint32_t>(cic))))
        out.push_back(static_cast<std::uint32_t>(cic));
    return out;
  }
  const std::uint64_t per_span = layout_.numbering == CicNumbering::kPacked ? (layout_.skip_ts16 ? 30 : 31) : 32;
  std::uint64_t count = layout_.spans != 0 ? per_span * layout_.spans : max_cics;
  count = std::min<std::uint64_t>(count, max_cics);
  for (std::uint64_t i = 0; i < count && layout_.first_cic + i <= 0xffffffffu; ++i) {
    const auto cic = static_cast<std::uint32_t>(layout_.first_cic + i);
    auto ep = endpoint_for_cic(cic);
    if (ep && endpoint_matches(endpoint, *ep)) out.push_back(cic);
  }
  return out;
}

namespace {
std::vector<std::string_view> split_terms(std::string_view local) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    auto slash = local.find('/', start);
    out.push_back(local.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}
}  // namespace

bool endpoint_matches(std::string_view name, std::string_view endpoint) {
  auto na = name.rfind('@'), ea = endpoint.rfind('@');
  if (na == std::string_view::npos || ea == std::string_view::npos) return false;
  if (!mgcp::iequals(name.substr(na + 1), endpoint.substr(ea + 1))) return false;
  std::string_view nl = name.substr(0, na);
  if (nl == "*" || nl == "$") return true;
  auto nt = split_terms(nl), et = split_terms(endpoint.substr(0, ea));
  for (std::size_t i = 0; i < nt.size(); ++i) {
    // A final "*" stands for all values of its term and everything below it.
    if (nt[i] == "*" && i + 1 == nt.size()) return et.size() >= nt.size();
    if (i >= et.size()) return false;
    if (nt[i] != "*" && nt[i] != "$" && !mgcp::iequals(nt[i], et[i])) return false;
  }
  return nt.size() == et.size();
}

bool is_wildcard(std::string_view endpoint) {
  auto at = endpoint.rfind('@');
  std::string_view local = endpoint.substr(0, at);
  std::size_t start = 0;
  while (start <= local.size()) {
    auto slash = local.find('/', start);
    std::string_view term =
        local.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (term == "*" || term == "$") return true;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return false;
}

std::string_view endpoint_domain(std::string_view endpoint) {
  auto at = endpoint.rfind('@');
  return at == std::string_view::npos ? std::string_view() : endpoint.substr(at + 1);
}

}  // namespace isupgw::mediagw
