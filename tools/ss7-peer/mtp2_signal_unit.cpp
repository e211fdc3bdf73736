#include "tools/ss7-peer/mtp2_signal_unit.h"

#include <algorithm>

namespace isupgw::tools::ss7peer {

std::string_view to_string(LinkStatus s) {
  switch (s) {
    case LinkStatus::kSio: return "SIO";
    case LinkStatus::kSin: return "SIN";
    case LinkStatus::kSie: return "SIE";
    case LinkStatus::kSios: return "SIOS";
    case LinkStatus::kSipo: return "SIPO";
    case LinkStatus::kSib: return "SIB";
  }
  return "?";
}

std::vector<std::uint8_t> encode(const SignalUnit& su) {
  std::vector<std::uint8_t> f;
  f.reserve(kHeaderOctets + su.msu.size() + 1 + kFcsOctets);
  f.push_back(static_cast<std::uint8_t>((su.bsn & 0x7f) | (su.bib ? 0x80 : 0)));
  f.push_back(static_cast<std::uint8_t>((su.fsn & 0x7f) | (su.fib ? 0x80 : 0)));
  switch (su.kind) {
    case SuKind::kFisu: f.push_back(0); break;
    case SuKind::kLssu:
      f.push_back(1);
      f.push_back(static_cast<std::uint8_t>(su.status));
      break;
    case SuKind::kMsu:
      f.push_back(static_cast<std::uint8_t>(std::min<std::size_t>(su.msu.size(), kLiMax)));
      f.insert(f.end(), su.msu.begin(), su.msu.end());
      break;
  }
  f.insert(f.end(), kFcsOctets, 0);
  return f;
}

std::optional<SignalUnit> decode(std::span<const std::uint8_t> frame) {
  if (frame.size() < kHeaderOctets + kFcsOctets) return std::nullopt;
  const auto body = frame.first(frame.size() - kFcsOctets);
  SignalUnit su;
  su.bsn = body[0] & 0x7f;
  su.bib = (body[0] & 0x80) != 0;
  su.fsn = body[1] & 0x7f;
  su.fib = (body[1] & 0x80) != 0;
  const std::uint8_t li = body[2] & 0x3f;
  const std::size_t rest = body.size() - kHeaderOctets;
  if (li == 0) {
    if (rest != 0) return std::nullopt;
    su.kind = SuKind::kFisu;
  } else if (li <= 2) {
    // Q.703 11.1.2: a one or two octet status field; the second octet is ignored.
    if (rest != li) return std::nullopt;
    su.kind = SuKind::kLssu;
    const std::uint8_t st = body[3] & 0x07;
    if (st > static_cast<std::uint8_t>(LinkStatus::kSib)) return std::nullopt;
    su.status = static_cast<LinkStatus>(st);
  } else {
    if (li < kLiMax ? rest != li : rest < kLiMax) return std::nullopt;
    su.kind = SuKind::kMsu;
    su.msu.assign(body.begin() + kHeaderOctets, body.end());
  }
  return su;
}

}  // namespace isupgw::tools::ss7peer
