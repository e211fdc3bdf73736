#include "mapping/number_map.h"

namespace isupgw::mapping {
namespace {
// Q.763 3.9: an address signal is one BCD nibble; 30 digits is far beyond any
// E.164 number (15) and keeps the parameter well under its length limit.
constexpr std::size_t kMaxDigits = 30;

bool is_visual_separator(char c) { return c == '-' || c == '.' || c == '(' || c == ')' || c == ' '; }
}  // namespace

std::string_view to_string(NumberError e) {
  switch (e) {
    case NumberError::kEmpty: return "no digits";
    case NumberError::kBadCharacter: return "character not allowed in a telephone number";
    case NumberError::kTooLong: return "more than 30 digits";
  }
  return "?";
}

Result<IsupNumber, NumberError> isup_number_from_sip_user(std::string_view user, const NumberPlan& plan,
                                                          bool complete) {
  IsupNumber n;
  n.complete = complete;
  const bool global = !user.empty() && user.front() == '+';
  if (global) user.remove_prefix(1);
  // RFC 3966: parameters (";phone-context=...") follow the number.
  if (auto semi = user.find(';'); semi != std::string_view::npos) user = user.substr(0, semi);
  for (char c : user) {
    if (c >= '0' && c <= '9') {
      n.digits += c;
    } else if (is_visual_separator(c)) {
      continue;
    } else if (plan.allow_star_hash && (c == '*' || c == '#')) {
      n.digits += c == '*' ? 'B' : 'C';  // codes 11 and 12
    } else {
      return Err(NumberError::kBadCharacter);
    }
  }
  if (n.digits.empty()) return Err(NumberError::kEmpty);
  if (n.digits.size() > kMaxDigits) return Err(NumberError::kTooLong);
  if (!global) {
    n.nai = Nai::kUnknown;
  } else if (!plan.country_code.empty() && n.digits.starts_with(plan.country_code) &&
             n.digits.size() > plan.country_code.size()) {
    n.nai = Nai::kNational;
    n.digits.erase(0, plan.country_code.size());
  } else {
    n.nai = Nai::kInternational;
  }
  return n;
}

std::string sip_user_from_isup_number(const IsupNumber& n, const NumberPlan& plan) {
  std::string digits;
  digits.reserve(n.digits.size());
  for (char c : n.digits) digits += c == 'B' ? '*' : c == 'C' ? '#' : c;
  switch (n.nai) {
    case Nai::kInternational: return "+" + digits;
    case Nai::kNational: return "+" + plan.country_code + digits;
    case Nai::kSubscriber: return plan.area_code.empty() ? digits : "+" + plan.country_code + plan.area_code + digits;
    case Nai::kUnknown: break;
  }
  return digits;
}

}  // namespace isupgw::mapping

namespace isupgw::mapping {

Result<IsupNumber, NumberError> isup_number_from_dialled(std::string_view user, const NumberPlan& plan,
                                                         const DialPrefixes& prefixes, bool complete) {
  auto n = isup_number_from_sip_user(user, plan, complete);
  if (!n || n->nai != Nai::kUnknown) return n;
  // Longest prefix first: "00" before "0".
  if (!prefixes.international.empty() && n->digits.starts_with(prefixes.international) &&
      n->digits.size() > prefixes.international.size()) {
    n->digits.erase(0, prefixes.international.size());
    n->nai = Nai::kInternational;
  } else if (!prefixes.national.empty() && n->digits.starts_with(prefixes.national) &&
             n->digits.size() > prefixes.national.size()) {
    n->digits.erase(0, prefixes.national.size());
    n->nai = Nai::kNational;
  }
  return n;
}

std::string dialled_from_isup_number(const IsupNumber& n, const DialPrefixes& prefixes) {
  std::string digits;
  for (char c : n.digits) digits += c == 'B' ? '*' : c == 'C' ? '#' : c;
  switch (n.nai) {
    case Nai::kInternational: return prefixes.international + digits;
    case Nai::kNational: return prefixes.national + digits;
    default: return digits;
  }
}

IsupNumber from_isup(const isup::Number& n) {
  IsupNumber out;
  for (char c : n.digits.view()) {
    if (c == 'F') {
      out.complete = true;
      break;
    }
    out.digits += c;
  }
  out.nai = (n.nai >= 1 && n.nai <= 4) ? static_cast<Nai>(n.nai) : Nai::kUnknown;
  out.npi = n.npi;
  return out;
}

isup::Number to_isup(const IsupNumber& n, isup::NumberKind kind) {
  isup::Number out;
  out.kind = kind;
  out.nai = static_cast<std::uint8_t>(n.nai);
  out.npi = n.npi;
  out.digits.assign(std::string_view(n.digits).substr(0, isup::kMaxDigits - 1));
  if (n.complete) out.digits.push_back('F');
  return out;
}

}  // namespace isupgw::mapping
