#include "mapping/identity_map.h"

#include "sip/headers.h"

namespace isupgw::mapping {
namespace {

std::string name_addr(std::string_view uri) { return "<" + std::string(uri) + ">"; }

// A network-asserted number: screening "network provided" or "user provided,
// verified and passed" (Q.1912.5 / TS 29.163 CLIP: only those go into PAI).
bool asserted(const isup::Number& n) {
  return n.screening == kScreenNetworkProvided || n.screening == kScreenUserVerifiedPassed;
}

// First telephone number among the values of a header holding name-addrs.
std::optional<std::string> first_phone(const sip::Message& m, sip::HeaderId id) {
  for (std::string_view v : m.values(id)) {
    auto na = sip::parse_name_addr(v);
    if (!na) continue;
    if (auto u = phone_user(na->uri)) return u;
  }
  return std::nullopt;
}

std::optional<isup::Number> number_from(std::string_view user, const SipProfile& profile, isup::NumberKind kind) {
  auto n = isup_number_for(user, profile, false);
  if (!n) return std::nullopt;
  return to_isup(*n, kind);
}

}  // namespace

SipIdentity sip_identity_from_isup(const std::optional<isup::Number>& calling,
                                   const std::optional<isup::Number>& additional_calling, const SipProfile& profile) {
  SipIdentity out;
  out.from = std::string(kAnonymousFrom);
  const bool have = calling && calling->digits.size > 0 && calling->apri != kApriNotAvailable && calling->apri != 3;
  const bool additional =
      additional_calling && additional_calling->digits.size > 0 && additional_calling->apri == kApriAllowed;
  if (!have) {
    // No usable calling party number: the caller's own (additional calling
    // party) number, presentation allowed, is still the From; never a PAI.
    if (additional) out.from = name_addr(phone_uri(sip_user_for(from_isup(*additional_calling), profile), profile));
    return out;
  }
  const bool restricted = calling->apri == kApriRestricted;
  const std::string uri = phone_uri(sip_user_for(from_isup(*calling), profile), profile);
  if (profile.trust_pai && asserted(*calling)) {
    out.headers.emplace_back("P-Asserted-Identity", name_addr(uri));
    // RFC 3323 / RFC 3325 9.3: the trust domain removes PAI before a user who asked for privacy.
    if (restricted) out.headers.emplace_back("Privacy", "id");
  }
  if (restricted) return out;
  std::string from_uri = uri;
  if (additional) from_uri = phone_uri(sip_user_for(from_isup(*additional_calling), profile), profile);
  out.from = name_addr(from_uri);
  return out;
}

IsupIdentity isup_identity_from_sip(const sip::Message& invite, const SipProfile& profile) {
  IsupIdentity out;
  bool id_private = false, user_private = false;
  for (std::string_view v : invite.values(sip::HeaderId::kPrivacy)) {
    if (sip::privacy_has(v, "id") || sip::privacy_has(v, "header") || sip::privacy_has(v, "user")) id_private = true;
    if (sip::privacy_has(v, "user") || sip::privacy_has(v, "header")) user_private = true;
  }
  std::optional<std::string> from_user = phone_user(invite.from.uri);
  if (from_user && (*from_user == "anonymous")) from_user.reset();
  std::optional<std::string> pai =
      profile.trust_pai ? first_phone(invite, sip::HeaderId::kPAssertedIdentity) : std::nullopt;
  if (pai) {
    out.calling = number_from(*pai, profile, isup::NumberKind::kCalling);
    if (out.calling) {
      out.calling->screening = kScreenNetworkProvided;
      out.calling->apri = id_private ? kApriRestricted : kApriAllowed;
      out.calling->inn_ni = false;  // NI: number complete
    }
    if (from_user && out.calling) {
      auto g = number_from(*from_user, profile, isup::NumberKind::kGeneric);
      if (g && g->digits.view() != out.calling->digits.view()) {
        g->qualifier = kQualifierAdditionalCalling;
        g->screening = kScreenUserNotVerified;
        g->apri = user_private ? kApriRestricted : kApriAllowed;
        out.additional_calling = g;
      }
    }
    return out;
  }
  // No trusted PAI: nothing network-asserted, so no calling party number (Q.763
  // 3.10 has no "user provided, not verified" for it: 00 is reserved). The From
  // number goes as what the caller gave: the generic number "additional calling
  // party number", user provided not verified (Q.763 3.26; Q.1912.5 From ->
  // additional calling party number). ANSI has no such qualifier: nothing.
  if (profile.calling_from_from && from_user && profile.variant != isup::Variant::kAnsi) {
    auto g = number_from(*from_user, profile, isup::NumberKind::kGeneric);
    if (g) {
      g->qualifier = kQualifierAdditionalCalling;
      g->screening = kScreenUserNotVerified;
      g->apri = user_private ? kApriRestricted : kApriAllowed;  // RFC 3323 4.2: "user" hides the From
      out.additional_calling = g;
    }
  }
  return out;
}

}  // namespace isupgw::mapping
