#include "mapping/np_interworking.h"

#include "sip/grammar.h"

namespace isupgw::mapping {
namespace {
constexpr std::uint8_t kNetworkRoutingNumber = 0x84;  // Q.763 3.90 (national use)
constexpr std::uint8_t kNpForwardInformation = 0x8d;  // Q.763 3.101
}  // namespace

PhoneNp phone_np(const sip::Uri& uri) {
  PhoneNp out;
  out.number = phone_user(uri);
  if (!out.number) return out;
  // tel: the parameters follow the number in the URI text; sip: they are part of the user.
  std::string with_params;
  if (uri.scheme == sip::Scheme::kTel) {
    std::string_view t = uri.text;
    const auto colon = t.find(':');
    with_params = std::string(t.substr(colon == std::string_view::npos ? 0 : colon + 1));
  } else {
    with_params = *out.number;
  }
  const auto semi = with_params.find(';');
  if (semi == std::string::npos) return out;
  if (uri.scheme != sip::Scheme::kTel) out.number = with_params.substr(0, semi);
  auto np = tel_np_from_user(with_params);
  if (np)
    out.np = *np;
  else
    out.np_error = true;
  return out;
}

std::vector<isup::OwnedParam> np_params_for_iam(const TelNp& np, const SipProfile& profile) {
  std::vector<isup::OwnedParam> out;
  if (profile.variant == isup::Variant::kAnsi || (!np.npdi && np.rn.empty())) return out;
  auto isup_np = isup_np_from_tel(np, profile.plan);
  if (!isup_np) {
    if (!np.npdi) return out;
    isup_np = IsupNp{NpStatus::kNotPorted, {}};  // the rn is not usable here; the dip was still done
  }
  if (isup_np->status != NpStatus::kNoIndication)
    out.emplace_back(kNpForwardInformation, encode_np_forward_information(isup_np->status));
  if (!isup_np->rn.empty()) out.emplace_back(kNetworkRoutingNumber, encode_network_routing_number(isup_np->rn));
  return out;
}

IsupNp np_from_iam(const isup::Message& iam, const SipProfile& profile) {
  IsupNp out;
  if (profile.variant == isup::Variant::kAnsi) return out;
  if (const isup::Param* p = iam.find(kNpForwardInformation))
    if (auto s = decode_np_forward_information(p->value)) out.status = *s;
  if (const isup::Param* p = iam.find(kNetworkRoutingNumber))
    if (auto rn = decode_network_routing_number(p->value)) out.rn = *rn;
  return out;
}

std::string routing_number_of(const std::vector<isup::OwnedParam>& optional) {
  for (const auto& p : optional)
    if (p.code == kNetworkRoutingNumber) {
      auto rn = decode_network_routing_number(p.value);
      return rn ? *rn : std::string();
    }
  return {};
}

std::string routing_number_of(const isup::Message& iam) {
  if (const isup::Param* p = iam.find(kNetworkRoutingNumber))
    if (auto rn = decode_network_routing_number(p->value)) return *rn;
  return {};
}

}  // namespace isupgw::mapping
