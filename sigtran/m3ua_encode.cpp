// M3UA encoding (RFC 4666 3): a Message value in the RFC's parameter order with
// 4-octet padding, and DATA (3.3.1) from views into a caller's buffer.
#include <cstring>
#include <vector>

#include "sigtran/m3ua_wire.h"

namespace isupgw::sigtran::m3ua {
using namespace wire;
namespace {

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
