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
// Big-endian helpers and the TLV walker.

inline std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
inline std::uint32_t be24(const std::uint8_t* p) { return std::uint32_t{p[0]} << 16 | std::uint32_t{p[1]} << 8 | p[2]; }
inline std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
inline void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
inline void put32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}
constexpr std::size_t pad4(std::size_t n) { return (n + 3) & ~std::size_t{3}; }

using Span = std::span<const std::uint8_t>;

inline CodecError err(Fault f, std::uint16_t t = 0) { return CodecError{f, t}; }

// Calls f(tag, value) for each TLV in `body`; stops at the first error f returns.
template <class F>
std::optional<CodecError> for_each_tlv(Span body, F&& f) {
  std::size_t off = 0;
  while (off < body.size()) {
    if (body.size() - off < 4) return err(Fault::kBadParameterLength);
    const std::uint16_t t = be16(&body[off]);
    const std::size_t len = be16(&body[off + 2]);
    if (len < 4 || len > body.size() - off) return err(Fault::kBadParameterLength, t);
    if (auto e = f(t, body.subspan(off + 4, len - 4))) return e;
    off += std::min(pad4(len), body.size() - off);  // RFC 4666 3.2: padding not in the length
  }
  return std::nullopt;
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
