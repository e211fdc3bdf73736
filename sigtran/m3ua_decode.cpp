// M3UA decoding (RFC 4666 3): any message into an owning Message value, and
// DATA (3.3.1) as views into the input for the hot path.
#include "sigtran/m3ua_wire.h"

namespace isupgw::sigtran::m3ua {
using namespace wire;
namespace {

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

}  // namespace

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

}  // namespace isupgw::sigtran::m3ua
