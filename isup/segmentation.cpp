#include "isup/segmentation.h"

#include <array>

#include "isup/codes.h"

namespace isupgw::isup {
namespace {

constexpr std::uint8_t kSimpleSegmentation = 0x04;  // bit C (Q.763 3.37, 3.38)

std::uint8_t indicator_code(std::uint8_t type) {
  return type == msg::kIam ? par::kOptionalForwardCallIndicators : par::kOptionalBackwardCallIndicators;
}

// Copies `m`'s optional part into `out` with the indicator octet replaced by
// `octet` (its storage must outlive `out`); adds the parameter when absent.
bool set_indicator(Message& out, const Message& m, const std::array<std::uint8_t, 1>& octet) {
  const std::uint8_t code = indicator_code(m.type);
  bool found = false;
  out.optional.clear();
  for (const auto& p : m.optional) {
    if (p.code == code && !p.value.empty() && !found) {
      found = true;
      if (!out.optional.push_back(Param{code, octet})) return false;
    } else if (!out.optional.push_back(p)) {
      return false;
    }
  }
  return found || out.optional.push_back(Param{code, octet});
}

std::uint8_t first_octet(const Message& m) {
  for (const auto& p : m.optional)
    if (p.code == indicator_code(m.type) && !p.value.empty()) return p.value[0];
  return 0;
}

}  // namespace

std::size_t max_message_length(Variant v) { return kMaxSif - (v == Variant::kAnsi ? 7 : 4); }

bool segmentable(std::uint8_t type, Variant v) {
  if (v == Variant::kAnsi) return false;
  switch (type) {
    case msg::kIam:
    case msg::kAcm:
    case msg::kCpg:
    case msg::kAnm:
    case msg::kCon: return true;
    default: return false;
  }
}

bool sgm_parameter(std::uint8_t code) {
  switch (code) {
    case par::kAccessTransport:
    case par::kUserToUserInformation:
    case par::kMessageCompatibilityInformation:
    case par::kGenericDigits:
    case par::kGenericNotificationIndicator:
    case par::kGenericNumber: return true;
    default: return false;
  }
}

bool segmentation_indicated(const Message& m) {
  for (const auto& p : m.optional)
    if (p.code == indicator_code(m.type) && !p.value.empty()) return (p.value[0] & kSimpleSegmentation) != 0;
  return false;
}

Result<Segments, EncodeError> segment(const Message& m, Variant v, std::size_t limit) {
  const std::array<std::uint8_t, 1> octet{static_cast<std::uint8_t>(first_octet(m) | kSimpleSegmentation)};
  Message first = m;
  if (!set_indicator(first, m, octet)) return Err(EncodeError::kTooManyParameters);
  Message sgm;
  sgm.type = msg::kSgm;
  sgm.cic = m.cic;
  // Q.764 2.1.12: as many optional parameters as possible stay in the first
  // segment: move the SGM's kind from the end of the list until it fits.
  std::vector<Param> moved;  // in reverse wire order
  while (encoded_size(first) > limit) {
    std::size_t i = first.optional.size();
    while (i > 0 && !sgm_parameter(first.optional[i - 1].code)) --i;
    if (i == 0) return Err(EncodeError::kBufferTooSmall);
    moved.push_back(first.optional[i - 1]);
    Message rest = first;
    rest.optional.clear();
    for (std::size_t j = 0; j < first.optional.size(); ++j)
      if (j != i - 1) rest.optional.push_back(first.optional[j]);
    first = rest;
  }
  for (auto it = moved.rbegin(); it != moved.rend(); ++it) sgm.optional.push_back(*it);
  if (encoded_size(sgm) > limit) return Err(EncodeError::kBufferTooSmall);
  auto a = encode(first, v);
  if (!a) return Err(a.error());
  auto b = encode(sgm, v);
  if (!b) return Err(b.error());
  return Segments{std::move(*a), std::move(*b)};
}

Result<std::vector<std::uint8_t>, EncodeError> reassemble(const Message& first, const Message& sgm, Variant v) {
  const std::array<std::uint8_t, 1> octet{static_cast<std::uint8_t>(first_octet(first) & ~kSimpleSegmentation)};
  Message whole = first;
  if (!set_indicator(whole, first, octet)) return Err(EncodeError::kTooManyParameters);
  for (const auto& p : sgm.optional)
    if (!whole.optional.push_back(p)) return Err(EncodeError::kTooManyParameters);
  return encode(whole, v);
}

}  // namespace isupgw::isup
