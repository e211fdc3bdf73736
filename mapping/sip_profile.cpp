#include "mapping/sip_profile.h"

#include "sip/grammar.h"

namespace isupgw::mapping {

std::string_view to_string(Bearer b) {
  switch (b) {
    case Bearer::kSpeech: return "speech";
    case Bearer::kAudio31: return "3.1khz-audio";
    case Bearer::kUdi64: return "64k-unrestricted";
  }
  return "?";
}

std::string phone_uri(std::string_view user, const SipProfile& profile) {
  std::string out;
  if (profile.tel_uri) {
    out = "tel:";
    out += user;
    // RFC 3966 5.1.5: a local number needs a phone-context.
    if (!user.starts_with('+')) out += ";phone-context=+" + profile.plan.country_code;
    return out;
  }
  out = "sip:";
  out += user;
  out += '@';
  out += profile.host.empty() ? std::string_view("invalid") : std::string_view(profile.host);
  out += ";user=phone";
  return out;
}

std::string sip_user_for(const IsupNumber& n, const SipProfile& profile) {
  return profile.global_numbers ? sip_user_from_isup_number(n, profile.plan)
                                : dialled_from_isup_number(n, profile.prefixes());
}

Result<IsupNumber, NumberError> isup_number_for(std::string_view user, const SipProfile& profile, bool complete) {
  return isup_number_from_dialled(user, profile.plan, profile.prefixes(), complete);
}

std::optional<std::string> phone_user(const sip::Uri& uri) {
  if (uri.scheme == sip::Scheme::kTel) return sip::grammar::unescape(uri.user);
  if (!uri.is_sip() || uri.user.empty()) return std::nullopt;
  std::string user = sip::grammar::unescape(uri.user);
  if (auto u = uri.params.get("user"); u && sip::grammar::iequals(*u, "phone")) return user;
  // RFC 3398 7.2.1: without user=phone a gateway may still treat a numeric user as a number.
  bool digit = false;
  for (std::size_t i = 0; i < user.size(); ++i) {
    char c = user[i];
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (!(c == '+' && i == 0) && c != '-' && c != '.' && c != '(' && c != ')') {
      return std::nullopt;
    }
  }
  if (!digit) return std::nullopt;
  return user;
}

}  // namespace isupgw::mapping
