#include "mapping/np_ansi.h"

#include "isup/codes.h"
#include "isup/params.h"
#include "mapping/np_interworking.h"

namespace isupgw::mapping {
namespace {
constexpr std::uint8_t kItuNetworkRoutingNumber = 0x84;  // Q.763 3.90
constexpr std::uint8_t kItuNpForwardInformation = 0x8d;  // Q.763 3.101
constexpr std::uint8_t kItuAdditionalCalling = 0x06;     // Q.763 3.26 number qualifier indicator

// The dialled number moves into the GAP with its indicators; the LRN takes its place, national number.
void put_lrn(isup::SetupRequest& req, const std::string& lrn) {
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
  req.called.digits.assign(lrn + (st ? "F" : ""));
}
}  // namespace

void apply_ansi_lnp(const TelNp& np, const SipProfile& profile, isup::SetupRequest& req) {
  if (profile.variant != isup::Variant::kAnsi || (!np.npdi && np.rn.empty())) return;
  auto lnp = isup_np_from_tel(np, profile.plan);
  // An rn we cannot use as an LRN (foreign, local, malformed) is ignored; npdi alone still marks the dip.
  const bool ported = lnp && !lnp->rn.empty();
  if (!ported && !np.npdi) return;
  req.forward.ported_number_translated = true;
  if (ported) put_lrn(req, lnp->rn);
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

void ansi_lnp_from_itu_form(isup::SetupRequest& req) {
  std::string rn;
  NpStatus status = NpStatus::kNoIndication;
  for (const auto& p : req.optional) {
    if (p.code == kItuNetworkRoutingNumber) {
      if (auto d = decode_network_routing_number(p.value)) rn = *d;
    } else if (p.code == kItuNpForwardInformation) {
      if (auto st = decode_np_forward_information(p.value)) status = *st;
    }
  }
  const bool dipped = status == NpStatus::kPorted || status == NpStatus::kNotPorted;
  // Q.763 3.90 / 3.101 are ITU national-use parameters: T1.113 gives 0x84 and 0x8D no meaning. The ITU
  // generic number "additional calling party number" (Q.763 3.26, qualifier 0x06, from the From header) has
  // the GAP's code 0xC0 in ANSI, where type 0x06 is no such thing: setup_from_invite leaves it out for ANSI.
  std::erase_if(req.optional, [](const isup::OwnedParam& p) {
    return p.code == kItuNetworkRoutingNumber || p.code == kItuNpForwardInformation ||
           (p.code == isup::par::kGenericNumber && !p.value.empty() && p.value[0] == kItuAdditionalCalling);
  });
  if (rn.empty() && !dipped) return;
  req.forward.ported_number_translated = true;
  if (!rn.empty()) put_lrn(req, rn);
}

std::optional<AnsiRouting> ansi_routing_of(const isup::Message& iam, const isup::Number& called) {
  SipProfile ansi;
  ansi.variant = isup::Variant::kAnsi;
  auto lnp = ansi_lnp_from_iam(iam, called, ansi);
  if (!lnp || lnp->np.rn.empty()) return std::nullopt;
  std::string lrn(called.digits.view());
  if (!lrn.empty() && (lrn.back() == 'F' || lrn.back() == 'f')) lrn.pop_back();
  return AnsiRouting{lnp->dialled.digits, std::move(lrn)};
}

}  // namespace isupgw::mapping
