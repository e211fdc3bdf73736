#include "mapping/colp_map.h"

#include "isup/codes.h"
#include "mapping/identity_map.h"

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

}  // namespace isupgw::mapping
