#include "mapping/np_ansi.h"

#include "isup/codes.h"
#include "isup/params.h"

namespace isupgw::mapping {

void apply_ansi_lnp(const TelNp& np, const SipProfile& profile, isup::SetupRequest& req) {
  if (profile.variant != isup::Variant::kAnsi || (!np.npdi && np.rn.empty())) return;
  auto lnp = isup_np_from_tel(np, profile.plan);
  // An rn we cannot use as an LRN (foreign, local, malformed) is ignored; npdi alone still marks the dip.
  const bool ported = lnp && !lnp->rn.empty();
  if (!ported && !np.npdi) return;
  req.forward.ported_number_translated = true;
  if (!ported) return;
  // The dialled number moves into the GAP with its indicators; the LRN takes its place, national number.
  isup::Number gap = req.called;
  gap.kind = isup::NumberKind::kGeneric;
  gap.qualifier = kGapPortedNumber;
  gap.inn_ni = false;
  gap.apri = 0;
  gap.screening = 0;
  gap.spare = 0;
  const bool st = gap.has_st();
  if (st) {  // ST belongs to the CdPN
    const std::string dialled(gap.digits.view().substr(0, gap.digits.size - 1));
    gap.digits.assign(dialled);
  }
  std::erase_if(req.optional, [](const isup::OwnedParam& p) {  // a SIP-I body's own GAP "ported number"
    return p.code == isup::par::kAnsiGenericAddress && !p.value.empty() && p.value[0] == kGapPortedNumber;
  });
  isup::ParamBytes b;
  gap.encode(b);
  req.optional.emplace_back(isup::par::kAnsiGenericAddress, std::vector<std::uint8_t>(b.begin(), b.end()));
  req.called.nai = static_cast<std::uint8_t>(Nai::kNational);
  req.called.npi = 1;
  req.called.digits.assign(lnp->rn + (st ? "F" : ""));
}

std::optional<AnsiLnp> ansi_lnp_from_iam(const isup::Message& iam, const isup::Number& called,
                                         const SipProfile& profile) {
  if (profile.variant != isup::Variant::kAnsi) return std::nullopt;
  const isup::Param* fci = iam.find(isup::par::kForwardCallIndicators);
  if (fci == nullptr) return std::nullopt;
  auto f = isup::ForwardCallIndicators::decode(fci->value);
  if (!f || !f->ported_number_translated) return std::nullopt;
  AnsiLnp out;
  out.np.npdi = true;
  out.dialled = from_isup(called);
  for (const auto& p : iam.optional) {
    if (p.code != isup::par::kAnsiGenericAddress) continue;
    auto gap = isup::Number::decode(isup::NumberKind::kGeneric, p.value);
    if (!gap || gap->qualifier != kGapPortedNumber || gap->digits.size == 0) continue;
    const IsupNumber lrn = from_isup(called);
    IsupNumber dialled = from_isup(*gap);
    dialled.complete = lrn.complete;
    out.np.rn = "+" + profile.plan.country_code + lrn.digits;
    out.dialled = std::move(dialled);
    break;
  }
  return out;
}

}  // namespace isupgw::mapping
