// M3UA codec internals shared by its parts (not an API): the top-level
// parameters and the per-message rules of RFC 4666 3.3-3.8 (m3ua_rules.cpp),
// big-endian helpers, the TLV walker and the header check. m3ua_decode.cpp and
// m3ua_encode.cpp implement m3ua_codec.h on top of them.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "sigtran/m3ua_codec.h"
#include "sigtran/sigtran_common.h"

namespace isupgw::sigtran::m3ua::wire {

// ---------------------------------------------------------------------------
// Top-level parameters and the per-message rules (RFC 4666 3.3-3.8).

enum P : std::uint8_t {
  pNa,
  pRc,
  pInfo,
  pDiag,
  pHb,
  pTmt,
  pErrCode,
  pStatus,
  pAspId,
  pApc,
  pCorr,
  pUserCause,
  pCong,
  pConcerned,
  pPd,
  pRk,
  pRegRes,
  pDeregRes,
  pCount
};

inline constexpr std::array<std::uint16_t, pCount> kTags = {
    tag::kNetworkAppearance,     tag::kRoutingContext,       tag::kInfoString,    tag::kDiagnosticInformation,
    tag::kHeartbeatData,         tag::kTrafficModeType,      tag::kErrorCode,     tag::kStatus,
    tag::kAspIdentifier,         tag::kAffectedPointCode,    tag::kCorrelationId, tag::kUserCause,
    tag::kCongestionIndications, tag::kConcernedDestination, tag::kProtocolData,  tag::kRoutingKey,
    tag::kRegistrationResult,    tag::kDeregistrationResult};

constexpr std::uint32_t bit(P p) { return 1u << p; }

// Tag -> top-level parameter; pCount for tags that only appear nested (Routing Key
// contents, result contents), -1 for tags M3UA does not define.
int param_of(std::uint16_t t);

struct Rule {
  MessageType type;
  std::string_view name;
  std::array<P, 6> order;  // encoding order = the RFC's figure order; allowed set
  std::uint8_t count;
  std::uint32_t mandatory;
  std::uint32_t repeatable;
};

// The rule of a message (nullptr: not an M3UA message).
const Rule* rule_for(std::uint8_t cls, std::uint8_t type);
std::uint32_t allowed_mask(const Rule& r);
inline bool known_class(std::uint8_t c) { return c <= 4 || c == 9; }

// ---------------------------------------------------------------------------
// Big-endian helpers and the TLV walker: the SIGTRAN common ones (sigtran_common.h).

using common::be16;
using common::be24;
using common::be32;
using common::pad4;
using common::put16;
using common::put32;
using Span = common::Span;

inline CodecError err(Fault f, std::uint16_t t = 0) { return CodecError{f, t}; }

// Calls f(tag, value) for each TLV in `body`; stops at the first error f returns.
template <class F>
std::optional<CodecError> for_each_tlv(Span body, F&& f) {
  return common::for_each_tlv(body, std::forward<F>(f), [](std::uint16_t t) -> std::optional<CodecError> {
    return err(Fault::kBadParameterLength, t);
  });
}

inline std::optional<CodecError> check_header(Span b, std::uint8_t& cls, std::uint8_t& type) {
  if (b.size() < kHeaderSize) return err(Fault::kTruncatedHeader);
  if (b[0] != kVersion) return err(Fault::kInvalidVersion);
  if (be32(&b[4]) != b.size()) return err(Fault::kBadMessageLength);
  cls = b[2];
  type = b[3];
  if (!known_class(cls)) return err(Fault::kUnsupportedClass);
  return std::nullopt;
}

}  // namespace isupgw::sigtran::m3ua::wire
