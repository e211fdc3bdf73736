// libFuzzer target: the ISUP codec. Octet 0 selects the variant and form
// (ITU/ETSI/ANSI x with CIC / RFC 3204 body); the rest is the message.
// Properties: decode never reads out of bounds; decode -> encode -> decode gives
// an equal message; typed parameters that keep every bit re-encode identically;
// the CLI's JSON form round-trips to the same octets.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "base/hex.h"
#include "cli/codec_isup.h"
#include "isup/codes.h"
#include "isup/message.h"
#include "isup/number.h"
#include "isup/params.h"

namespace isup = isupgw::isup;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "isup_fuzz: %s\n", what);
  std::abort();
}

template <class T>
void exact(std::span<const std::uint8_t> in) {
  auto r = T::decode(in);
  if (!r) return;
  isup::ParamBytes b;
  r->encode(b);
  if (!std::ranges::equal(b, in)) fail("typed parameter does not re-encode identically");
}

void typed(const isup::Param& p, isup::Variant v) {
  namespace par = isup::par;
  if (auto kind = isup::number_kind(p.code, v)) {
    auto n = isup::Number::decode(*kind, p.value);
    if (n) {
      isup::ParamBytes b;
      n->encode(b);
      if (!std::ranges::equal(b, p.value)) fail("number does not re-encode identically");
    }
    return;
  }
  switch (p.code) {
    case par::kNatureOfConnectionIndicators: exact<isup::NatureOfConnectionIndicators>(p.value); break;
    case par::kForwardCallIndicators: exact<isup::ForwardCallIndicators>(p.value); break;
    case par::kBackwardCallIndicators: exact<isup::BackwardCallIndicators>(p.value); break;
    case par::kOptionalForwardCallIndicators: exact<isup::OptionalForwardCallIndicators>(p.value); break;
    case par::kOptionalBackwardCallIndicators: exact<isup::OptionalBackwardCallIndicators>(p.value); break;
    case par::kEventInformation: exact<isup::EventInformation>(p.value); break;
    case par::kHopCounter: exact<isup::HopCounter>(p.value); break;
    case par::kSuspendResumeIndicators:
    case par::kContinuityIndicators: exact<isup::FlagOctet>(p.value); break;
    case par::kCircuitGroupSupervisionMessageType: exact<isup::CircuitGroupSupervisionMessageType>(p.value); break;
    case par::kInformationRequestIndicators: exact<isup::InformationRequestIndicators>(p.value); break;
    case par::kInformationIndicators: exact<isup::InformationIndicators>(p.value); break;
    case par::kRedirectionInformation: exact<isup::RedirectionInformation>(p.value); break;
    case par::kCauseIndicators: exact<isup::CauseIndicators>(p.value); break;
    case par::kRangeAndStatus: exact<isup::RangeAndStatus>(p.value); break;
    case par::kPropagationDelayCounter: exact<isup::PropagationDelayCounter>(p.value); break;
    case par::kClosedUserGroupInterlockCode: exact<isup::ClosedUserGroupInterlockCode>(p.value); break;
    case par::kCallReference: exact<isup::CallReference>(p.value); break;
    case par::kMessageCompatibilityInformation: exact<isup::MessageCompatibilityInformation>(p.value); break;
    case par::kParameterCompatibilityInformation: exact<isup::ParameterCompatibilityInformation>(p.value); break;
    case par::kUserServiceInformation:
    case par::kUserServiceInformationPrime: (void)isup::UserServiceInformation::decode(p.value); break;
    default: break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const auto v = static_cast<isup::Variant>(data[0] % 3);
  const auto form = (data[0] / 3) % 2 ? isup::Form::kBody : isup::Form::kWithCic;
  std::span<const std::uint8_t> in(data + 1, size - 1);
  auto m = isup::decode(in, v, {.form = form});
  if (!m) return 0;
  for (const auto& p : m->fixed) typed(p, v);
  for (const auto& p : m->variable) typed(p, v);
  for (const auto& p : m->optional) typed(p, v);
  auto enc = isup::encode(*m, v, form);
  if (!enc) {
    // Legal input whose variable part sits after the optional part can need a
    // pointer > 255 once laid out canonically; anything else is a bug.
    if (enc.error() == isup::EncodeError::kPointerOverflow) return 0;
    fail("decoded message does not encode");
  }
  auto again = isup::decode(*enc, v, {.form = form});
  if (!again) fail("encoded message does not decode");
  if (!(*again == *m)) fail("decode -> encode -> decode differs");
  auto enc2 = isup::encode(*again, v, form);
  if (!enc2 || *enc2 != *enc) fail("encoding is not stable");
  // The CLI's JSON form carries the same octets (repeated names that are not
  // adjacent are grouped, which reorders the optional part: compare only then).
  const std::string text = isupgw::cli::isup_to_json(*m, v, form);
  auto back = isupgw::cli::isup_json_to_bytes(text, v, form);
  if (!back) {
    std::fprintf(stderr, "%s\n%s\n", text.c_str(), back.error().c_str());
    fail("JSON does not encode");
  }
  if (*back != *enc) {
    auto d = isup::decode(*back, v, {.form = form});
    if (!d || d->optional.size() != m->optional.size()) fail("JSON round trip differs");
  }
  return 0;
}
