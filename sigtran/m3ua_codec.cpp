#include "sigtran/m3ua_codec.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

namespace isupgw::sigtran::m3ua {
namespace {

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

constexpr std::array<std::uint16_t, pCount> kTags = {
    tag::kNetworkAppearance,     tag::kRoutingContext,       tag::kInfoString,    tag::kDiagnosticInformation,
    tag::kHeartbeatData,         tag::kTrafficModeType,      tag::kErrorCode,     tag::kStatus,
    tag::kAspIdentifier,         tag::kAffectedPointCode,    tag::kCorrelationId, tag::kUserCause,
    tag::kCongestionIndications, tag::kConcernedDestination, tag::kProtocolData,  tag::kRoutingKey,
    tag::kRegistrationResult,    tag::kDeregistrationResult};

constexpr std::uint32_t bit(P p) { return 1u << p; }

// Tag -> top-level parameter; pCount for tags that only appear nested (Routing Key
// contents, result contents), -1 for tags M3UA does not define.
int param_of(std::uint16_t t) {
  for (std::size_t i = 0; i < kTags.size(); ++i)
    if (kTags[i] == t) return static_cast<int>(i);
  switch (t) {
    case tag::kLocalRkIdentifier:
    case tag::kDestinationPointCode:
    case tag::kServiceIndicators:
    case tag::kOriginatingPointCodeList:
    case tag::kCircuitRange:
    case tag::kRegistrationStatus:
    case tag::kDeregistrationStatus: return pCount;
    default: return -1;
  }
}

struct Rule {
  MessageType type;
  std::string_view name;
  std::array<P, 6> order;  // encoding order = the RFC's figure order; allowed set
  std::uint8_t count;
  std::uint32_t mandatory;
  std::uint32_t repeatable;
};

// RFC 4666: 3.8.1 ERR, 3.8.2 NTFY, 3.3.1 DATA, 3.4 SSNM, 3.5 ASPSM, 3.7 ASPTM, 3.6 RKM.
constexpr std::array<Rule, 23> kRules = {{
    {MessageType::kErr, "ERR", {pErrCode, pRc, pNa, pApc, pDiag}, 5, bit(pErrCode), 0},
    {MessageType::kNtfy, "NTFY", {pStatus, pAspId, pRc, pInfo}, 4, bit(pStatus), 0},
    {MessageType::kData, "DATA", {pNa, pRc, pPd, pCorr}, 4, bit(pPd), 0},
    {MessageType::kDuna, "DUNA", {pNa, pRc, pApc, pInfo}, 4, bit(pApc), 0},
    {MessageType::kDava, "DAVA", {pNa, pRc, pApc, pInfo}, 4, bit(pApc), 0},
    {MessageType::kDaud, "DAUD", {pNa, pRc, pApc, pUserCause, pInfo}, 5, bit(pApc), 0},
    {MessageType::kScon, "SCON", {pNa, pRc, pApc, pConcerned, pCong, pInfo}, 6, bit(pApc), 0},
    {MessageType::kDupu, "DUPU", {pNa, pRc, pApc, pUserCause, pInfo}, 5, bit(pApc) | bit(pUserCause), 0},
    {MessageType::kDrst, "DRST", {pNa, pRc, pApc, pInfo}, 4, bit(pApc), 0},
    {MessageType::kAspUp, "ASPUP", {pAspId, pInfo}, 2, 0, 0},
    {MessageType::kAspDn, "ASPDN", {pInfo}, 1, 0, 0},
    {MessageType::kBeat, "BEAT", {pHb}, 1, 0, 0},
    {MessageType::kAspUpAck, "ASPUP ACK", {pAspId, pInfo}, 2, 0, 0},
    {MessageType::kAspDnAck, "ASPDN ACK", {pInfo}, 1, 0, 0},
    {MessageType::kBeatAck, "BEAT ACK", {pHb}, 1, 0, 0},
    {MessageType::kAspAc, "ASPAC", {pTmt, pRc, pInfo}, 3, 0, 0},
    {MessageType::kAspIa, "ASPIA", {pRc, pInfo}, 2, 0, 0},
    {MessageType::kAspAcAck, "ASPAC ACK", {pTmt, pRc, pInfo}, 3, 0, 0},
    {MessageType::kAspIaAck, "ASPIA ACK", {pRc, pInfo}, 2, 0, 0},
    {MessageType::kRegReq, "REG REQ", {pRk}, 1, bit(pRk), bit(pRk)},
    {MessageType::kRegRsp, "REG RSP", {pRegRes}, 1, bit(pRegRes), bit(pRegRes)},
    {MessageType::kDeregReq, "DEREG REQ", {pRc}, 1, bit(pRc), 0},
    {MessageType::kDeregRsp, "DEREG RSP", {pDeregRes}, 1, bit(pDeregRes), bit(pDeregRes)},
}};

const Rule* rule_for(std::uint8_t cls, std::uint8_t type) {
  for (const auto& r : kRules)
    if (class_of(r.type) == cls && type_of(r.type) == type) return &r;
  return nullptr;
}

std::uint32_t allowed_mask(const Rule& r) {
  std::uint32_t m = 0;
  for (std::size_t i = 0; i < r.count; ++i) m |= bit(r.order[i]);
  return m;
}

bool known_class(std::uint8_t c) { return c <= 4 || c == 9; }

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

CodecError err(Fault f, std::uint16_t t = 0) { return CodecError{f, t}; }

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

std::optional<CodecError> check_header(Span b, std::uint8_t& cls, std::uint8_t& type) {
  if (b.size() < kHeaderSize) return err(Fault::kTruncatedHeader);
  if (b[0] != kVersion) return err(Fault::kInvalidVersion);
  if (be32(&b[4]) != b.size()) return err(Fault::kBadMessageLength);
  cls = b[2];
  type = b[3];
  if (!known_class(cls)) return err(Fault::kUnsupportedClass);
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Parameter value parsers.

std::optional<CodecError> get_u32(Span v, std::uint16_t t, std::uint32_t& out) {
  if (v.size() != 4) return err(Fault::kBadParameterLength, t);
  out = be32(v.data());
  return std::nullopt;
}

std::optional<CodecError> get_u32_list(Span v, std::uint16_t t, std::vector<std::uint32_t>& out) {
  if (v.empty() || v.size() % 4) return err(Fault::kBadParameterLength, t);
  out.clear();
  for (std::size_t i = 0; i < v.size(); i += 4) out.push_back(be32(&v[i]));
  return std::nullopt;
}

std::optional<CodecError> get_pc_list(Span v, std::uint16_t t, std::vector<MaskedPointCode>& out) {
  if (v.empty() || v.size() % 4) return err(Fault::kBadParameterLength, t);
  out.clear();
  for (std::size_t i = 0; i < v.size(); i += 4) out.push_back({v[i], be24(&v[i + 1])});
  return std::nullopt;
}

std::optional<CodecError> get_tmt(Span v, std::uint32_t& out) {
  if (auto e = get_u32(v, tag::kTrafficModeType, out)) return e;
  if (out < 1 || out > 3) return err(Fault::kUnsupportedTrafficMode, tag::kTrafficModeType);
  return std::nullopt;
}

std::optional<CodecError> parse_routing_key(Span body, RoutingKey& rk) {
  bool have_lrk = false;
  RoutingKeyDestination* cur = nullptr;
  auto e = for_each_tlv(body, [&](std::uint16_t t, Span v) -> std::optional<CodecError> {
    switch (t) {
      case tag::kLocalRkIdentifier:
        if (have_lrk) return err(Fault::kUnexpectedParameter, t);
        have_lrk = true;
        return get_u32(v, t, rk.local_rk_identifier);
      case tag::kRoutingContext:
        if (rk.routing_context) return err(Fault::kUnexpectedParameter, t);
        return get_u32_list(v, t, rk.routing_context.emplace());
      case tag::kTrafficModeType:
        if (rk.traffic_mode_type) return err(Fault::kUnexpectedParameter, t);
        return get_tmt(v, rk.traffic_mode_type.emplace());
      case tag::kNetworkAppearance:
        if (rk.network_appearance) return err(Fault::kUnexpectedParameter, t);
        return get_u32(v, t, rk.network_appearance.emplace());
      case tag::kDestinationPointCode: {
        if (v.size() != 4) return err(Fault::kBadParameterLength, t);
        cur = &rk.destinations.emplace_back();
        cur->dpc = {v[0], be24(&v[1])};
        return std::nullopt;
      }
      case tag::kServiceIndicators:
        if (!cur || cur->service_indicators) return err(Fault::kUnexpectedParameter, t);
        if (v.empty()) return err(Fault::kBadParameterLength, t);
        cur->service_indicators.emplace(v.begin(), v.end());
        return std::nullopt;
      case tag::kOriginatingPointCodeList:
        if (!cur || cur->opc_list) return err(Fault::kUnexpectedParameter, t);
        return get_pc_list(v, t, cur->opc_list.emplace());
      case tag::kCircuitRange: {
        if (!cur || cur->circuit_range) return err(Fault::kUnexpectedParameter, t);
        if (v.empty() || v.size() % 8) return err(Fault::kBadParameterLength, t);
        auto& list = cur->circuit_range.emplace();
        for (std::size_t i = 0; i < v.size(); i += 8)
          list.push_back({{v[i], be24(&v[i + 1])}, be16(&v[i + 4]), be16(&v[i + 6])});
        return std::nullopt;
      }
      default:
        if (param_of(t) >= 0) return err(Fault::kUnexpectedParameter, t);
        return std::nullopt;  // undefined tag: skipped
    }
  });
  if (e) return e;
  if (!have_lrk) return err(Fault::kMissingParameter, tag::kLocalRkIdentifier);
  if (rk.destinations.empty()) return err(Fault::kMissingParameter, tag::kDestinationPointCode);
  return std::nullopt;
}

// Registration Result / Deregistration Result: fixed sets of 32-bit fields, all mandatory.
std::optional<CodecError> parse_u32_group(Span body,
                                          std::initializer_list<std::pair<std::uint16_t, std::uint32_t*>> f) {
  std::uint32_t seen = 0;
  auto e = for_each_tlv(body, [&](std::uint16_t t, Span v) -> std::optional<CodecError> {
    std::uint32_t i = 0;
    for (const auto& [ft, dst] : f) {
      if (ft == t) {
        if (seen & (1u << i)) return err(Fault::kUnexpectedParameter, t);
        seen |= 1u << i;
        return get_u32(v, t, *dst);
      }
      ++i;
    }
    if (param_of(t) >= 0) return err(Fault::kUnexpectedParameter, t);
    return std::nullopt;
  });
  if (e) return e;
  std::uint32_t i = 0;
  for (const auto& [ft, dst] : f) {
    if (!(seen & (1u << i))) return err(Fault::kMissingParameter, ft);
    ++i;
  }
  return std::nullopt;
}

std::optional<CodecError> parse_param(P p, std::uint16_t t, Span v, Message& m) {
  switch (p) {
    case pNa: return get_u32(v, t, m.network_appearance.emplace());
    case pRc: return get_u32_list(v, t, m.routing_context.emplace());
    case pInfo:
      if (v.size() > kMaxInfoString) return err(Fault::kInvalidParameterValue, t);
      m.info_string.emplace(v.begin(), v.end());
      return std::nullopt;
    case pDiag: m.diagnostic_information.emplace(v.begin(), v.end()); return std::nullopt;
    case pHb: m.heartbeat_data.emplace(v.begin(), v.end()); return std::nullopt;
    case pTmt: return get_tmt(v, m.traffic_mode_type.emplace());
    case pErrCode: return get_u32(v, t, m.error_code.emplace());
    case pStatus:
      if (v.size() != 4) return err(Fault::kBadParameterLength, t);
      m.status = Status{be16(&v[0]), be16(&v[2])};
      return std::nullopt;
    case pAspId: return get_u32(v, t, m.asp_identifier.emplace());
    case pApc: return get_pc_list(v, t, m.affected_point_code.emplace());
    case pCorr: return get_u32(v, t, m.correlation_id.emplace());
    case pUserCause:
      if (v.size() != 4) return err(Fault::kBadParameterLength, t);
      m.user_cause = UserCause{be16(&v[0]), be16(&v[2])};
      return std::nullopt;
    case pCong:
      if (v.size() != 4) return err(Fault::kBadParameterLength, t);
      m.congestion_level = v[3];
      return std::nullopt;
    case pConcerned:
      if (v.size() != 4) return err(Fault::kBadParameterLength, t);
      m.concerned_destination = be24(&v[1]);
      return std::nullopt;
    case pRk: return parse_routing_key(v, m.routing_keys.emplace_back());
    case pRegRes: {
      auto& r = m.registration_results.emplace_back();
      return parse_u32_group(v, {{tag::kLocalRkIdentifier, &r.local_rk_identifier},
                                 {tag::kRegistrationStatus, &r.registration_status},
                                 {tag::kRoutingContext, &r.routing_context}});
    }
    case pDeregRes: {
      auto& r = m.deregistration_results.emplace_back();
      return parse_u32_group(
          v, {{tag::kRoutingContext, &r.routing_context}, {tag::kDeregistrationStatus, &r.deregistration_status}});
    }
    case pPd:  // DATA goes through decode_data()
    case pCount: break;
  }
  return err(Fault::kUnexpectedParameter, t);
}

// ---------------------------------------------------------------------------
// Encoding.

class Writer {
 public:
  explicit Writer(std::vector<std::uint8_t>& out) : out_(out) {}
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v) {
    u8(static_cast<std::uint8_t>(v >> 8));
    u8(static_cast<std::uint8_t>(v));
  }
  void u24(std::uint32_t v) {
    u8(static_cast<std::uint8_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v));
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v));
  }
  void bytes(Span b) { out_.insert(out_.end(), b.begin(), b.end()); }
  std::size_t begin(std::uint16_t t) {
    std::size_t at = out_.size();
    u16(t);
    u16(0);
    return at;
  }
  // Sets the parameter length (without padding) and pads to 4 octets.
  void end(std::size_t at) {
    if (out_.size() - at > 0xffff) overflow_ = true;
    put16(&out_[at + 2], static_cast<std::uint16_t>(out_.size() - at));
    while (out_.size() % 4) out_.push_back(0);
  }
  void param_u32(std::uint16_t t, std::uint32_t v) {
    auto at = begin(t);
    u32(v);
    end(at);
  }
  void param_bytes(std::uint16_t t, Span b) {
    auto at = begin(t);
    bytes(b);
    end(at);
  }
  void param_u32_list(std::uint16_t t, const std::vector<std::uint32_t>& l) {
    auto at = begin(t);
    for (auto v : l) u32(v);
    end(at);
  }
  void param_pc_list(std::uint16_t t, const std::vector<MaskedPointCode>& l) {
    auto at = begin(t);
    for (auto pc : l) {
      u8(pc.mask);
      u24(pc.pc);
    }
    end(at);
  }
  std::size_t size() const { return out_.size(); }
  bool overflow() const { return overflow_; }

 private:
  std::vector<std::uint8_t>& out_;
  bool overflow_ = false;  // a parameter longer than the 16-bit length field
};

Span as_span(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

std::uint32_t present_mask(const Message& m) {
  std::uint32_t mask = 0;
  auto set = [&](bool present, P p) { mask |= present ? bit(p) : 0; };
  set(m.network_appearance.has_value(), pNa);
  set(m.routing_context.has_value(), pRc);
  set(m.info_string.has_value(), pInfo);
  set(m.diagnostic_information.has_value(), pDiag);
  set(m.heartbeat_data.has_value(), pHb);
  set(m.traffic_mode_type.has_value(), pTmt);
  set(m.error_code.has_value(), pErrCode);
  set(m.status.has_value(), pStatus);
  set(m.asp_identifier.has_value(), pAspId);
  set(m.affected_point_code.has_value(), pApc);
  set(m.correlation_id.has_value(), pCorr);
  set(m.user_cause.has_value(), pUserCause);
  set(m.congestion_level.has_value(), pCong);
  set(m.concerned_destination.has_value(), pConcerned);
  set(m.protocol_data.has_value(), pPd);
  set(!m.routing_keys.empty(), pRk);
  set(!m.registration_results.empty(), pRegRes);
  set(!m.deregistration_results.empty(), pDeregRes);
  return mask;
}

std::optional<CodecError> validate(const Message& m, const Rule& r) {
  const std::uint32_t present = present_mask(m);
  const std::uint32_t allowed = allowed_mask(r);
  for (std::uint8_t p = 0; p < pCount; ++p) {
    if ((present & bit(P(p))) && !(allowed & bit(P(p)))) return err(Fault::kUnexpectedParameter, kTags[p]);
    if ((r.mandatory & bit(P(p))) && !(present & bit(P(p)))) return err(Fault::kMissingParameter, kTags[p]);
  }
  if (m.routing_context && m.routing_context->empty()) return err(Fault::kInvalidParameterValue, tag::kRoutingContext);
  if (m.affected_point_code && m.affected_point_code->empty())
    return err(Fault::kInvalidParameterValue, tag::kAffectedPointCode);
  if (m.info_string && m.info_string->size() > kMaxInfoString)
    return err(Fault::kInvalidParameterValue, tag::kInfoString);
  if (m.traffic_mode_type && (*m.traffic_mode_type < 1 || *m.traffic_mode_type > 3))
    return err(Fault::kUnsupportedTrafficMode, tag::kTrafficModeType);
  for (const auto& rk : m.routing_keys) {
    if (rk.destinations.empty()) return err(Fault::kMissingParameter, tag::kDestinationPointCode);
    if (rk.routing_context && rk.routing_context->empty())
      return err(Fault::kInvalidParameterValue, tag::kRoutingContext);
    if (rk.traffic_mode_type && (*rk.traffic_mode_type < 1 || *rk.traffic_mode_type > 3))
      return err(Fault::kUnsupportedTrafficMode, tag::kTrafficModeType);
    for (const auto& d : rk.destinations) {
      if (d.service_indicators && d.service_indicators->empty())
        return err(Fault::kInvalidParameterValue, tag::kServiceIndicators);
      if (d.opc_list && d.opc_list->empty()) return err(Fault::kInvalidParameterValue, tag::kOriginatingPointCodeList);
      if (d.circuit_range && d.circuit_range->empty()) return err(Fault::kInvalidParameterValue, tag::kCircuitRange);
    }
  }
  return std::nullopt;
}

void write_routing_key(Writer& w, const RoutingKey& rk) {
  auto at = w.begin(tag::kRoutingKey);
  w.param_u32(tag::kLocalRkIdentifier, rk.local_rk_identifier);
  if (rk.routing_context) w.param_u32_list(tag::kRoutingContext, *rk.routing_context);
  if (rk.traffic_mode_type) w.param_u32(tag::kTrafficModeType, *rk.traffic_mode_type);
  bool first = true;
  for (const auto& d : rk.destinations) {
    w.param_pc_list(tag::kDestinationPointCode, {d.dpc});
    if (first && rk.network_appearance) w.param_u32(tag::kNetworkAppearance, *rk.network_appearance);
    first = false;
    if (d.service_indicators) w.param_bytes(tag::kServiceIndicators, *d.service_indicators);
    if (d.opc_list) w.param_pc_list(tag::kOriginatingPointCodeList, *d.opc_list);
    if (d.circuit_range) {
      auto c = w.begin(tag::kCircuitRange);
      for (const auto& r : *d.circuit_range) {
        w.u8(r.opc.mask);
        w.u24(r.opc.pc);
        w.u16(r.lower_cic);
        w.u16(r.upper_cic);
      }
      w.end(c);
    }
  }
  w.end(at);
}

void write_param(Writer& w, P p, const Message& m) {
  switch (p) {
    case pNa:
      if (m.network_appearance) w.param_u32(tag::kNetworkAppearance, *m.network_appearance);
      break;
    case pRc:
      if (m.routing_context) w.param_u32_list(tag::kRoutingContext, *m.routing_context);
      break;
    case pInfo:
      if (m.info_string) w.param_bytes(tag::kInfoString, as_span(*m.info_string));
      break;
    case pDiag:
      if (m.diagnostic_information) w.param_bytes(tag::kDiagnosticInformation, *m.diagnostic_information);
      break;
    case pHb:
      if (m.heartbeat_data) w.param_bytes(tag::kHeartbeatData, *m.heartbeat_data);
      break;
    case pTmt:
      if (m.traffic_mode_type) w.param_u32(tag::kTrafficModeType, *m.traffic_mode_type);
      break;
    case pErrCode:
      if (m.error_code) w.param_u32(tag::kErrorCode, *m.error_code);
      break;
    case pStatus:
      if (m.status) w.param_u32(tag::kStatus, std::uint32_t{m.status->type} << 16 | m.status->info);
      break;
    case pAspId:
      if (m.asp_identifier) w.param_u32(tag::kAspIdentifier, *m.asp_identifier);
      break;
    case pApc:
      if (m.affected_point_code) w.param_pc_list(tag::kAffectedPointCode, *m.affected_point_code);
      break;
    case pCorr:
      if (m.correlation_id) w.param_u32(tag::kCorrelationId, *m.correlation_id);
      break;
    case pUserCause:
      if (m.user_cause) w.param_u32(tag::kUserCause, std::uint32_t{m.user_cause->cause} << 16 | m.user_cause->user);
      break;
    case pCong:
      if (m.congestion_level) w.param_u32(tag::kCongestionIndications, *m.congestion_level);
      break;
    case pConcerned:
      if (m.concerned_destination) w.param_u32(tag::kConcernedDestination, *m.concerned_destination & 0xffffff);
      break;
    case pRk:
      for (const auto& rk : m.routing_keys) write_routing_key(w, rk);
      break;
    case pRegRes:
      for (const auto& r : m.registration_results) {
        auto at = w.begin(tag::kRegistrationResult);
        w.param_u32(tag::kLocalRkIdentifier, r.local_rk_identifier);
        w.param_u32(tag::kRegistrationStatus, r.registration_status);
        w.param_u32(tag::kRoutingContext, r.routing_context);
        w.end(at);
      }
      break;
    case pDeregRes:
      for (const auto& r : m.deregistration_results) {
        auto at = w.begin(tag::kDeregistrationResult);
        w.param_u32(tag::kRoutingContext, r.routing_context);
        w.param_u32(tag::kDeregistrationStatus, r.deregistration_status);
        w.end(at);
      }
      break;
    case pPd:
    case pCount: break;
  }
}

}  // namespace

// ---------------------------------------------------------------------------

std::string_view to_string(MessageType t) {
  for (const auto& r : kRules)
    if (r.type == t) return r.name;
  return "?";
}

const std::vector<MessageType>& all_message_types() {
  static const std::vector<MessageType> all = [] {
    std::vector<MessageType> v;
    for (const auto& r : kRules) v.push_back(r.type);
    return v;
  }();
  return all;
}

std::string_view to_string(ErrorCode c) {
  switch (c) {
    case ErrorCode::kInvalidVersion: return "invalid version";
    case ErrorCode::kUnsupportedMessageClass: return "unsupported message class";
    case ErrorCode::kUnsupportedMessageType: return "unsupported message type";
    case ErrorCode::kUnsupportedTrafficModeType: return "unsupported traffic mode type";
    case ErrorCode::kUnexpectedMessage: return "unexpected message";
    case ErrorCode::kProtocolError: return "protocol error";
    case ErrorCode::kInvalidStreamIdentifier: return "invalid stream identifier";
    case ErrorCode::kRefusedManagementBlocking: return "refused - management blocking";
    case ErrorCode::kAspIdentifierRequired: return "ASP identifier required";
    case ErrorCode::kInvalidAspIdentifier: return "invalid ASP identifier";
    case ErrorCode::kInvalidParameterValue: return "invalid parameter value";
    case ErrorCode::kParameterFieldError: return "parameter field error";
    case ErrorCode::kUnexpectedParameter: return "unexpected parameter";
    case ErrorCode::kDestinationStatusUnknown: return "destination status unknown";
    case ErrorCode::kInvalidNetworkAppearance: return "invalid network appearance";
    case ErrorCode::kMissingParameter: return "missing parameter";
    case ErrorCode::kInvalidRoutingContext: return "invalid routing context";
    case ErrorCode::kNoConfiguredAsForAsp: return "no configured AS for ASP";
  }
  return "unknown error code";
}

ErrorCode CodecError::error_code() const {
  switch (fault) {
    case Fault::kInvalidVersion: return ErrorCode::kInvalidVersion;
    case Fault::kUnsupportedClass: return ErrorCode::kUnsupportedMessageClass;
    case Fault::kUnsupportedType: return ErrorCode::kUnsupportedMessageType;
    case Fault::kBadParameterLength: return ErrorCode::kParameterFieldError;
    case Fault::kUnexpectedParameter: return ErrorCode::kUnexpectedParameter;
    case Fault::kMissingParameter: return ErrorCode::kMissingParameter;
    case Fault::kInvalidParameterValue: return ErrorCode::kInvalidParameterValue;
    case Fault::kUnsupportedTrafficMode: return ErrorCode::kUnsupportedTrafficModeType;
    case Fault::kTruncatedHeader:
    case Fault::kBadMessageLength:
    case Fault::kBufferTooSmall: break;
  }
  return ErrorCode::kProtocolError;
}

std::string CodecError::to_string() const {
  std::string s;
  switch (fault) {
    case Fault::kTruncatedHeader: s = "message shorter than the 8-octet header"; break;
    case Fault::kInvalidVersion: s = "invalid version"; break;
    case Fault::kUnsupportedClass: s = "unsupported message class"; break;
    case Fault::kUnsupportedType: s = "unsupported message type"; break;
    case Fault::kBadMessageLength: s = "message length field does not match the message"; break;
    case Fault::kBadParameterLength: s = "bad parameter length"; break;
    case Fault::kUnexpectedParameter: s = "unexpected parameter"; break;
    case Fault::kMissingParameter: s = "missing parameter"; break;
    case Fault::kInvalidParameterValue: s = "invalid parameter value"; break;
    case Fault::kUnsupportedTrafficMode: s = "unsupported traffic mode type"; break;
    case Fault::kBufferTooSmall: s = "output buffer too small"; break;
  }
  if (tag != 0) {
    char buf[16];
    std::snprintf(buf, sizeof buf, " 0x%04x", tag);
    s += buf;
  }
  return s + " (ERR " + std::string(m3ua::to_string(error_code())) + ")";
}

std::optional<Header> peek_header(Span b) {
  if (b.size() < kHeaderSize) return std::nullopt;
  return Header{b[0], b[2], b[3], be32(&b[4])};
}

Result<DataView, CodecError> decode_data(Span b) {
  // Hand-rolled TLV walk: this is the per-message hot path (no allocation, views into `b`).
  std::uint8_t cls = 0, type = 0;
  if (auto e = check_header(b, cls, type)) return Err(*e);
  if (cls != 1 || type != 1) return Err(err(Fault::kUnsupportedType));
  const std::uint8_t* p = b.data();
  const std::size_t size = b.size();
  DataView d;
  bool have_pd = false;
  for (std::size_t off = kHeaderSize; off < size;) {
    if (size - off < 4) return Err(err(Fault::kBadParameterLength));
    const std::uint16_t t = be16(p + off);
    const std::size_t len = be16(p + off + 2);
    if (len < 4 || len > size - off) return Err(err(Fault::kBadParameterLength, t));
    const std::uint8_t* v = p + off + 4;
    const std::size_t vlen = len - 4;
    switch (t) {
      case tag::kProtocolData:
        if (have_pd) return Err(err(Fault::kUnexpectedParameter, t));
        if (vlen < 12) return Err(err(Fault::kBadParameterLength, t));
        have_pd = true;
        d.opc = be32(v);
        d.dpc = be32(v + 4);
        d.si = v[8];
        d.ni = v[9];
        d.mp = v[10];
        d.sls = v[11];
        d.user_data = Span(v + 12, vlen - 12);
        break;
      case tag::kRoutingContext:
        if (d.routing_context) return Err(err(Fault::kUnexpectedParameter, t));
        // RFC 4666 3.3.1: the RC of the one AS this DATA belongs to.
        if (vlen > 4 && vlen % 4 == 0) return Err(err(Fault::kInvalidParameterValue, t));
        if (vlen != 4) return Err(err(Fault::kBadParameterLength, t));
        d.routing_context = be32(v);
        break;
      case tag::kNetworkAppearance:
        if (d.network_appearance) return Err(err(Fault::kUnexpectedParameter, t));
        if (vlen != 4) return Err(err(Fault::kBadParameterLength, t));
        d.network_appearance = be32(v);
        break;
      case tag::kCorrelationId:
        if (d.correlation_id) return Err(err(Fault::kUnexpectedParameter, t));
        if (vlen != 4) return Err(err(Fault::kBadParameterLength, t));
        d.correlation_id = be32(v);
        break;
      default:
        if (param_of(t) >= 0) return Err(err(Fault::kUnexpectedParameter, t));
        break;  // undefined tag: skipped
    }
    off += std::min(pad4(len), size - off);
  }
  if (!have_pd) return Err(err(Fault::kMissingParameter, tag::kProtocolData));
  return d;
}

std::size_t encoded_size(const DataView& d) {
  std::size_t n = kHeaderSize + 16 + pad4(d.user_data.size());
  if (d.network_appearance) n += 8;
  if (d.routing_context) n += 8;
  if (d.correlation_id) n += 8;
  return n;
}

Result<std::size_t, CodecError> encode_data(const DataView& d, std::span<std::uint8_t> out) {
  const std::size_t n = encoded_size(d);
  if (out.size() < n || 16 + d.user_data.size() > 0xffff) return Err(err(Fault::kBufferTooSmall));
  std::uint8_t* p = out.data();
  p[0] = kVersion;
  p[1] = 0;
  p[2] = 1;
  p[3] = 1;
  put32(p + 4, static_cast<std::uint32_t>(n));
  p += 8;
  auto u32_param = [&p](std::uint16_t t, std::uint32_t v) {
    put16(p, t);
    put16(p + 2, 8);
    put32(p + 4, v);
    p += 8;
  };
  if (d.network_appearance) u32_param(tag::kNetworkAppearance, *d.network_appearance);
  if (d.routing_context) u32_param(tag::kRoutingContext, *d.routing_context);
  put16(p, tag::kProtocolData);
  put16(p + 2, static_cast<std::uint16_t>(16 + d.user_data.size()));
  put32(p + 4, d.opc);
  put32(p + 8, d.dpc);
  p[12] = d.si;
  p[13] = d.ni;
  p[14] = d.mp;
  p[15] = d.sls;
  if (!d.user_data.empty()) std::memcpy(p + 16, d.user_data.data(), d.user_data.size());
  p += 16 + d.user_data.size();
  for (std::size_t i = d.user_data.size(); i % 4; ++i) *p++ = 0;
  if (d.correlation_id) u32_param(tag::kCorrelationId, *d.correlation_id);
  return n;
}

Result<Message, CodecError> decode(Span b) {
  std::uint8_t cls = 0, type = 0;
  if (auto e = check_header(b, cls, type)) return Err(*e);
  const Rule* rule = rule_for(cls, type);
  if (!rule) return Err(err(Fault::kUnsupportedType));
  Message m;
  m.type = rule->type;
  if (m.type == MessageType::kData) {
    auto d = decode_data(b);
    if (!d) return Err(d.error());
    m.network_appearance = d->network_appearance;
    if (d->routing_context) m.routing_context = std::vector<std::uint32_t>{*d->routing_context};
    m.protocol_data = ProtocolData{d->opc,
                                   d->dpc,
                                   d->si,
                                   d->ni,
                                   d->mp,
                                   d->sls,
                                   std::vector<std::uint8_t>(d->user_data.begin(), d->user_data.end())};
    m.correlation_id = d->correlation_id;
    return m;
  }
  const std::uint32_t allowed = allowed_mask(*rule);
  std::uint32_t seen = 0;
  auto e = for_each_tlv(b.subspan(kHeaderSize), [&](std::uint16_t t, Span v) -> std::optional<CodecError> {
    const int p = param_of(t);
    if (p < 0) return std::nullopt;  // undefined tag: skipped (RFC 4666 3.2 leaves order free, tags open)
    if (p == pCount || !(allowed & bit(P(p)))) return err(Fault::kUnexpectedParameter, t);
    if ((seen & bit(P(p))) && !(rule->repeatable & bit(P(p)))) return err(Fault::kUnexpectedParameter, t);
    seen |= bit(P(p));
    return parse_param(P(p), t, v, m);
  });
  if (e) return Err(*e);
  for (std::uint8_t p = 0; p < pCount; ++p)
    if ((rule->mandatory & bit(P(p))) && !(seen & bit(P(p)))) return Err(err(Fault::kMissingParameter, kTags[p]));
  return m;
}

Result<std::size_t, CodecError> encode(const Message& m, std::vector<std::uint8_t>& out) {
  const Rule* rule = rule_for(class_of(m.type), type_of(m.type));
  if (!rule) return Err(err(Fault::kUnsupportedType));
  if (auto e = validate(m, *rule)) return Err(*e);
  const std::size_t start = out.size();
  if (m.type == MessageType::kData) {
    if (m.routing_context && m.routing_context->size() != 1)
      return Err(err(Fault::kInvalidParameterValue, tag::kRoutingContext));
    const auto& pd = *m.protocol_data;
    DataView d{m.network_appearance,
               m.routing_context ? std::optional<std::uint32_t>((*m.routing_context)[0]) : std::nullopt,
               pd.opc,
               pd.dpc,
               pd.si,
               pd.ni,
               pd.mp,
               pd.sls,
               pd.data,
               m.correlation_id};
    out.resize(start + encoded_size(d));
    auto n = encode_data(d, std::span(out).subspan(start));
    if (!n) {
      out.resize(start);
      return Err(n.error());
    }
    return *n;
  }
  Writer w(out);
  w.u8(kVersion);
  w.u8(0);
  w.u8(class_of(m.type));
  w.u8(type_of(m.type));
  w.u32(0);
  for (std::size_t i = 0; i < rule->count; ++i) write_param(w, rule->order[i], m);
  if (w.overflow()) {
    out.resize(start);
    return Err(err(Fault::kInvalidParameterValue));
  }
  const std::size_t n = out.size() - start;
  put32(&out[start + 4], static_cast<std::uint32_t>(n));
  return n;
}

Result<std::vector<std::uint8_t>, CodecError> encode(const Message& m) {
  std::vector<std::uint8_t> out;
  auto r = encode(m, out);
  if (!r) return Err(r.error());
  return out;
}

Message make_error(ErrorCode code, Span offending) {
  Message m;
  m.type = MessageType::kErr;
  m.error_code = static_cast<std::uint32_t>(code);
  // RFC 4666 3.8.1: Diagnostic Information, e.g. the first octets of the offending message.
  if (!offending.empty())
    m.diagnostic_information.emplace(offending.begin(),
                                     offending.begin() + std::min<std::size_t>(offending.size(), 40));
  return m;
}

}  // namespace isupgw::sigtran::m3ua
