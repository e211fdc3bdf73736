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
