#include "mapping/colp_map.h"

#include "isup/codes.h"
#include "isup/params.h"
#include "mapping/identity_map.h"
#include "mapping/number_map.h"
#include "sip/grammar.h"

namespace isupgw::mapping {

sip::HeaderList colp_headers(const isup::Message* anm_or_con, const SipProfile& profile) {
  if (anm_or_con == nullptr || !profile.trust_pai) return {};
  const isup::Param* p = anm_or_con->find(isup::par::kConnectedNumber);
  if (p == nullptr) return {};
  auto n = isup::Number::decode(isup::NumberKind::kConnected, p->value);
  if (!n) return {};
  // The connected number has the calling number's indicators (Q.763 3.16 / 3.10): the same rows apply.
  n->kind = isup::NumberKind::kCalling;
  return sip_identity_from_isup(*n, std::nullopt, profile).headers;
}

std::optional<isup::Number> connected_from_answer(const sip::Message& ok, const SipProfile& profile) {
  IsupIdentity id = isup_identity_from_sip(ok, profile);  // trusted PAI and Privacy only (From is the caller)
  if (!id.calling) return std::nullopt;
  isup::Number n = *id.calling;
  n.kind = isup::NumberKind::kConnected;
  n.inn_ni = false;  // spare in the connected number
  return n;
}

bool colp_requested(const isup::Message& iam) {
  const isup::Param* p = iam.find(isup::par::kOptionalForwardCallIndicators);
  if (p == nullptr) return false;
  auto o = isup::OptionalForwardCallIndicators::decode(p->value);
  return o && o->connected_line_identity_request;
}

bool supports_from_change(const sip::Message& invite) {
  for (std::string_view v : invite.values(sip::HeaderId::kSupported))
    if (sip::grammar::iequals(sip::grammar::trim(v), "from-change")) return true;
  return false;
}

bool colp_requested(const sip::Message& invite, const SipProfile& profile) {
  return profile.request_colp || supports_from_change(invite);
}

std::optional<IdentityUpdate> identity_update(const isup::Message* anm_or_con, const isup::Number& called,
                                              const SipProfile& profile) {
  IdentityUpdate u;
  u.headers = colp_headers(anm_or_con, profile);
  if (u.headers.empty()) return std::nullopt;
  auto n = isup::Number::decode(isup::NumberKind::kConnected, anm_or_con->find(isup::par::kConnectedNumber)->value);
  if (!n) return std::nullopt;
  // Compared as national (significant) digits: an international number of our country loses its country
  // code, so the international 4930222, the national 30222 and an unknown-NAI 30222 name one party.
  const auto national = [&](const isup::Number& x) {
    IsupNumber i = from_isup(x);
    if (i.nai == Nai::kInternational && i.digits.starts_with(profile.plan.country_code))
      return i.digits.substr(profile.plan.country_code.size());
    return i.digits;
  };
  if (national(*n) == national(called)) return std::nullopt;
  const std::string connected_user = sip_user_for(from_isup(*n), profile);
  bool restricted = false;
  for (const auto& [name, value] : u.headers)
    if (name == "Privacy") restricted = true;
  u.from_uri = restricted ? "sip:anonymous@anonymous.invalid" : phone_uri(connected_user, profile);
  return u;
}

void request_colp(std::vector<isup::OwnedParam>& optional) {
  for (auto& p : optional) {
    if (p.code != isup::par::kOptionalForwardCallIndicators) continue;
    if (p.value.size() == 1) p.value[0] |= 0x80;  // bit H (Q.763 3.38)
    return;
  }
  isup::OptionalForwardCallIndicators o;
  o.connected_line_identity_request = true;
  isup::ParamBytes b;
  o.encode(b);
  optional.emplace_back(isup::par::kOptionalForwardCallIndicators, std::vector<std::uint8_t>(b.begin(), b.end()));
}

}  // namespace isupgw::mapping
