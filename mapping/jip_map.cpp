#include "mapping/jip_map.h"

#include <algorithm>

#include "isup/codes.h"
#include "isup/number.h"
#include "sip/headers.h"

namespace isupgw::mapping {
namespace {

bool six_digits(std::string_view d) {
  return d.size() == 6 && std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

// The value of parameter `name` among ";a=b;c" (the text after a number or a URI's host part).
std::optional<std::string_view> param(std::string_view params, std::string_view name) {
  while (!params.empty()) {
    const auto semi = params.find(';');
    if (semi == std::string_view::npos) return std::nullopt;
    params.remove_prefix(semi + 1);
    const auto end = params.find_first_of(";?>");
    std::string_view p = params.substr(0, end);
    const auto eq = p.find('=');
    if (eq != std::string_view::npos && iequals(p.substr(0, eq), name)) return p.substr(eq + 1);
    if (end == std::string_view::npos || params[end] != ';') return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> jip_of_iam(const isup::Message& iam) {
  const isup::Param* p = iam.find(isup::par::kAnsiJurisdiction);
  if (p == nullptr) return std::nullopt;
  auto n = isup::Number::decode(isup::NumberKind::kDigitsOnly, p->value);
  if (!n) return std::nullopt;
  std::string d(n->digits.view());
  if (!six_digits(d)) return std::nullopt;
  return d;
}

std::optional<std::vector<std::uint8_t>> encode_jip(std::string_view digits) {
  if (!six_digits(digits)) return std::nullopt;
  isup::Number n;
  n.kind = isup::NumberKind::kDigitsOnly;
  n.digits.assign(digits);
  isup::ParamBytes b;
  n.encode(b);
  return std::vector<std::uint8_t>(b.begin(), b.end());
}

std::optional<std::string> jip_from_pai(const sip::Message& invite) {
  for (std::string_view v : invite.values(sip::HeaderId::kPAssertedIdentity)) {
    auto na = sip::parse_name_addr(v);
    if (!na) continue;
    if (na->uri.scheme != sip::Scheme::kTel && !na->uri.is_sip()) continue;
    // sip: the user part ("+1...;jip=...") then the URI parameters; tel: its parameters.
    std::optional<std::string_view> j = param(na->uri.user, "jip");
    if (!j) j = param(na->uri.text.substr(std::min(na->uri.text.size(), na->uri.text.find('@') + 1)), "jip");
    if (!j && na->uri.scheme == sip::Scheme::kTel) j = param(na->uri.text, "jip");
    if (!j) return std::nullopt;  // only the first telephone identity counts
    std::string d;
    for (char c : *j)
      if (c != '-' && c != '.' && c != '(' && c != ')') d.push_back(c);  // RFC 3966 visual separators
    if (!six_digits(d)) return std::nullopt;
    return d;
  }
  return std::nullopt;
}

std::string pai_with_jip(std::string_view pai, std::string_view jip) {
  std::string out(pai);
  const std::string add = ";jip=" + std::string(jip);
  if (const auto at = out.find('@'); at != std::string::npos) return out.insert(at, add);
  // tel: the parameter follows the number (RFC 3966), before any other parameter or the '>'.
  const auto colon = out.find(':');
  const auto end = out.find_first_of(";>", colon == std::string::npos ? 0 : colon);
  return out.insert(end == std::string::npos ? out.size() : end, add);
}

}  // namespace isupgw::mapping
