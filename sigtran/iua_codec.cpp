// IUA encoding and decoding (RFC 4233 3) on the SIGTRAN common header and TLV
// walker (sigtran_common.h).
#include "sigtran/iua_codec.h"

#include <algorithm>
#include <cstdio>

#include "sigtran/iua_rules.h"
#include "sigtran/sigtran_common.h"

namespace isupgw::sigtran::iua {
namespace {

using namespace rules;
using common::be16;
using common::be32;
using common::put32;
using Span = common::Span;
using Opt = std::optional<CodecError>;

CodecError err(Fault f, std::uint16_t t = 0) { return CodecError{f, t}; }

Opt get_u32(Span v, std::uint16_t t, std::uint32_t& out) {
  if (v.size() != 4) return err(Fault::kBadParameterLength, t);
  out = be32(v.data());
  return std::nullopt;
}

bool known_class(std::uint8_t c) {
  return c == common::cls::kMgmt || c == common::cls::kAspsm || c == common::cls::kAsptm || c == common::cls::kQptm;
}

Opt parse_param(const Rule& r, int p, std::uint16_t t, Span v, Message& m) {
  switch (p) {
    case pIidInt:
      if (v.empty() || v.size() % 4) return err(Fault::kBadParameterLength, t);
      if (r.header) {
        if (v.size() != 4) return err(Fault::kInvalidInterfaceId, t);
        m.interface_id = InterfaceId{be32(v.data())};
      } else {
        for (std::size_t i = 0; i < v.size(); i += 4) m.interface_ids.push_back(be32(&v[i]));
      }
      return std::nullopt;
    case pIidText:
      // RFC 4233 3.1.3: 1 to 255 octets.
      if (v.empty() || v.size() > 255) return err(Fault::kBadParameterLength, t);
      if (r.header)
        m.interface_id = InterfaceId{std::string(v.begin(), v.end())};
      else
        m.interface_names.emplace_back(v.begin(), v.end());
      return std::nullopt;
    case pIidRange:
      if (v.empty() || v.size() % 8) return err(Fault::kBadParameterLength, t);
      for (std::size_t i = 0; i < v.size(); i += 8) {
        InterfaceIdRange range{be32(&v[i]), be32(&v[i + 4])};
        if (range.start > range.end) return err(Fault::kInvalidParameterValue, t);
        m.interface_ranges.push_back(range);
      }
      return std::nullopt;
    case pDlci: {
      if (v.size() != 4) return err(Fault::kBadParameterLength, t);
      // Octet 1: SAPI | spare | 0; octet 2: TEI | 1 (RFC 4233 3.2 DLCI figure).
      if ((v[0] & 0x01) != 0 || (v[1] & 0x01) != 1) return err(Fault::kInvalidParameterValue, t);
      m.dlci = Dlci{static_cast<std::uint8_t>(v[0] >> 2), static_cast<std::uint8_t>(v[1] >> 1), (v[0] & 0x02) != 0};
      return std::nullopt;
    }
    case pPd: m.protocol_data.emplace(v.begin(), v.end()); return std::nullopt;
    case pReason:
      if (auto e = get_u32(v, t, m.release_reason.emplace())) return e;
      return *m.release_reason <= release_reason::kOther ? Opt{} : err(Fault::kInvalidParameterValue, t);
    case pTei:
      if (auto e = get_u32(v, t, m.tei_status.emplace())) return e;
      return *m.tei_status <= tei_status::kUnassigned ? Opt{} : err(Fault::kInvalidParameterValue, t);
    case pTmt:
      if (auto e = get_u32(v, t, m.traffic_mode_type.emplace())) return e;
      return *m.traffic_mode_type >= 1 && *m.traffic_mode_type <= 3 ? Opt{} : err(Fault::kUnsupportedTrafficMode, t);
    case pErr: return get_u32(v, t, m.error_code.emplace());
    case pStatus:
      if (v.size() != 4) return err(Fault::kBadParameterLength, t);
      m.status = Status{be16(v.data()), be16(&v[2])};
      return std::nullopt;
    case pAspId: return get_u32(v, t, m.asp_identifier.emplace());
    case pInfo:
      if (v.size() > common::kMaxInfoString) return err(Fault::kInvalidParameterValue, t);
      m.info_string.emplace(v.begin(), v.end());
      return std::nullopt;
    case pDiag: m.diagnostic_information.emplace(v.begin(), v.end()); return std::nullopt;
    case pHb: m.heartbeat_data.emplace(v.begin(), v.end()); return std::nullopt;
  }
  return std::nullopt;
}

void append_u32(std::vector<std::uint8_t>& out, std::uint16_t t, std::uint32_t v) {
  std::uint8_t b[4];
  put32(b, v);
  common::append_tlv(out, t, b);
}
void append_bytes(std::vector<std::uint8_t>& out, std::uint16_t t, std::string_view s) {
  common::append_tlv(out, t, Span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

// Which parameters `m` sets, as a mask of P.
std::uint32_t present(const Message& m) {
  std::uint32_t p = 0;
  if (m.interface_id) p |= bit(std::holds_alternative<std::uint32_t>(*m.interface_id) ? pIidInt : pIidText);
  if (!m.interface_ids.empty()) p |= bit(pIidInt);
  if (!m.interface_names.empty()) p |= bit(pIidText);
  if (!m.interface_ranges.empty()) p |= bit(pIidRange);
  if (m.dlci) p |= bit(pDlci);
  if (m.protocol_data) p |= bit(pPd);
  if (m.release_reason) p |= bit(pReason);
  if (m.tei_status) p |= bit(pTei);
  if (m.traffic_mode_type) p |= bit(pTmt);
  if (m.error_code) p |= bit(pErr);
  if (m.status) p |= bit(pStatus);
  if (m.asp_identifier) p |= bit(pAspId);
  if (m.info_string) p |= bit(pInfo);
  if (m.diagnostic_information) p |= bit(pDiag);
  if (m.heartbeat_data) p |= bit(pHb);
  return p;
}

constexpr std::uint16_t kTagOf[] = {tag::kInterfaceIdInteger,
                                    tag::kInterfaceIdText,
                                    tag::kDlci,
                                    tag::kInterfaceIdRange,
                                    tag::kProtocolData,
                                    tag::kReleaseReason,
                                    tag::kTeiStatus,
                                    tag::kTrafficModeType,
                                    tag::kErrorCode,
                                    tag::kStatus,
                                    tag::kAspIdentifier,
                                    tag::kInfoString,
                                    tag::kDiagnosticInformation,
                                    tag::kHeartbeatData};

}  // namespace

ErrorCode CodecError::error_code() const {
  switch (fault) {
    case Fault::kInvalidVersion: return ErrorCode::kInvalidVersion;
    case Fault::kUnsupportedClass: return ErrorCode::kUnsupportedMessageClass;
    case Fault::kUnsupportedType: return ErrorCode::kUnsupportedMessageType;
    case Fault::kUnsupportedTrafficMode: return ErrorCode::kUnsupportedTrafficHandlingMode;
    case Fault::kInvalidInterfaceId: return ErrorCode::kInvalidInterfaceIdentifier;
    default: return ErrorCode::kProtocolError;  // RFC 4233 3.3.3.1: any other syntax error
  }
}

std::string CodecError::to_string() const {
  static constexpr std::string_view kNames[] = {
      "truncated header",        "invalid version",          "unsupported message class",   "unsupported message type",
      "bad message length",      "bad parameter length",     "unexpected parameter",        "missing parameter",
      "invalid parameter value", "unsupported traffic mode", "invalid interface identifier"};
  std::string s(kNames[static_cast<int>(fault)]);
  if (tag) {
    char buf[16];
    std::snprintf(buf, sizeof buf, " 0x%04x", tag);
    s += buf;
  }
  s += " (";
  s += iua::to_string(error_code());
  s += ")";
  return s;
}

Result<Message, CodecError> decode(std::span<const std::uint8_t> b) {
  if (b.size() < common::kHeaderSize) return Err(err(Fault::kTruncatedHeader));
  if (b[0] != common::kVersion) return Err(err(Fault::kInvalidVersion));
  if (be32(&b[4]) != b.size()) return Err(err(Fault::kBadMessageLength));
  if (!known_class(b[2])) return Err(err(Fault::kUnsupportedClass));
  const Rule* r = rule_for(b[2], b[3]);
  if (!r) return Err(err(Fault::kUnsupportedType));
  Message m;
  m.type = r->type;
  std::uint32_t seen = 0;
  auto e = common::for_each_tlv(
      b.subspan(common::kHeaderSize),
      [&](std::uint16_t t, Span v) -> Opt {
        const int p = param_of(t);
        if (p < 0) return std::nullopt;  // not IUA's: skipped (RFC 4233 3.2)
        const auto pb = bit(static_cast<P>(p));
        if (!(r->allowed & pb)) return err(Fault::kUnexpectedParameter, t);
        // Repeats: text identifiers are one per parameter in a list (RFC 4233 3.3.2.7).
        const bool repeatable = !r->header && p == pIidText;
        if ((seen & pb) && !repeatable) return err(Fault::kUnexpectedParameter, t);
        seen |= pb;
        return parse_param(*r, p, t, v, m);
      },
      [](std::uint16_t t) -> Opt { return err(Fault::kBadParameterLength, t); });
  if (e) return Err(*e);
  for (int p = 0; p <= pHb; ++p)
    if ((r->mandatory & bit(static_cast<P>(p))) && !(seen & bit(static_cast<P>(p))))
      return Err(err(Fault::kMissingParameter, kTagOf[p]));
  if (r->header) {
    const bool i = seen & bit(pIidInt), x = seen & bit(pIidText);
    if (!i && !x) return Err(err(Fault::kMissingParameter, tag::kInterfaceIdInteger));
    if (i && x) return Err(err(Fault::kInvalidInterfaceId, tag::kInterfaceIdText));
  }
  return m;
}

Result<std::vector<std::uint8_t>, CodecError> encode(const Message& m) {
  const Rule* r = rule_for(class_of(m.type), type_of(m.type));
  if (!r) return Err(err(Fault::kUnsupportedType));
  const std::uint32_t p = present(m);
  for (int i = 0; i <= pHb; ++i) {
    const auto pb = bit(static_cast<P>(i));
    if ((p & pb) && !(r->allowed & pb)) return Err(err(Fault::kUnexpectedParameter, kTagOf[i]));
    if ((r->mandatory & pb) && !(p & pb)) return Err(err(Fault::kMissingParameter, kTagOf[i]));
  }
  if (r->header) {
    if (!m.interface_id) return Err(err(Fault::kMissingParameter, tag::kInterfaceIdInteger));
    if (!m.interface_ids.empty() || !m.interface_names.empty())
      return Err(err(Fault::kInvalidInterfaceId, tag::kInterfaceIdInteger));
  } else if (m.interface_id) {
    return Err(err(Fault::kUnexpectedParameter, tag::kInterfaceIdInteger));
  }
  if (m.info_string && m.info_string->size() > common::kMaxInfoString)
    return Err(err(Fault::kInvalidParameterValue, tag::kInfoString));
  if (m.interface_id)
    if (const auto* s = std::get_if<std::string>(&*m.interface_id); s && (s->empty() || s->size() > 255))
      return Err(err(Fault::kInvalidParameterValue, tag::kInterfaceIdText));
  for (const auto& n : m.interface_names)
    if (n.empty() || n.size() > 255) return Err(err(Fault::kInvalidParameterValue, tag::kInterfaceIdText));
  if (m.dlci && (m.dlci->sapi > 63 || m.dlci->tei > 127)) return Err(err(Fault::kInvalidParameterValue, tag::kDlci));
  if (m.traffic_mode_type && (*m.traffic_mode_type < 1 || *m.traffic_mode_type > 3))
    return Err(err(Fault::kUnsupportedTrafficMode, tag::kTrafficModeType));
  if (m.release_reason && *m.release_reason > release_reason::kOther)
    return Err(err(Fault::kInvalidParameterValue, tag::kReleaseReason));
  if (m.tei_status && *m.tei_status > tei_status::kUnassigned)
    return Err(err(Fault::kInvalidParameterValue, tag::kTeiStatus));
  for (const auto& range : m.interface_ranges)
    if (range.start > range.end) return Err(err(Fault::kInvalidParameterValue, tag::kInterfaceIdRange));

  std::vector<std::uint8_t> out;
  const auto at = common::begin_message(out, class_of(m.type), type_of(m.type));
  // The IUA Message Header first: interface identifier, then DLCI (RFC 4233 3.1.3).
  if (m.interface_id) {
    if (const auto* n = std::get_if<std::uint32_t>(&*m.interface_id))
      append_u32(out, tag::kInterfaceIdInteger, *n);
    else
      append_bytes(out, tag::kInterfaceIdText, std::get<std::string>(*m.interface_id));
  }
  if (m.dlci) {
    const std::uint8_t v[4] = {static_cast<std::uint8_t>(m.dlci->sapi << 2 | (m.dlci->spare ? 0x02 : 0)),
                               static_cast<std::uint8_t>(m.dlci->tei << 1 | 0x01), 0, 0};
    common::append_tlv(out, tag::kDlci, v);
  }
  // The others in the RFC's figure order.
  if (m.status) {
    std::uint8_t v[4];
    common::put16(v, m.status->type);
    common::put16(v + 2, m.status->info);
    common::append_tlv(out, tag::kStatus, v);
  }
  if (m.error_code) append_u32(out, tag::kErrorCode, *m.error_code);
  if (m.asp_identifier) append_u32(out, tag::kAspIdentifier, *m.asp_identifier);
  if (m.traffic_mode_type) append_u32(out, tag::kTrafficModeType, *m.traffic_mode_type);
  if (!m.interface_ids.empty()) {
    std::vector<std::uint8_t> v(4 * m.interface_ids.size());
    for (std::size_t i = 0; i < m.interface_ids.size(); ++i) put32(&v[4 * i], m.interface_ids[i]);
    common::append_tlv(out, tag::kInterfaceIdInteger, v);
  }
  if (!m.interface_ranges.empty()) {
    std::vector<std::uint8_t> v(8 * m.interface_ranges.size());
    for (std::size_t i = 0; i < m.interface_ranges.size(); ++i) {
      put32(&v[8 * i], m.interface_ranges[i].start);
      put32(&v[8 * i + 4], m.interface_ranges[i].end);
    }
    common::append_tlv(out, tag::kInterfaceIdRange, v);
  }
  for (const auto& n : m.interface_names) append_bytes(out, tag::kInterfaceIdText, n);
  if (m.protocol_data) common::append_tlv(out, tag::kProtocolData, *m.protocol_data);
  if (m.release_reason) append_u32(out, tag::kReleaseReason, *m.release_reason);
  if (m.tei_status) append_u32(out, tag::kTeiStatus, *m.tei_status);
  if (m.heartbeat_data) common::append_tlv(out, tag::kHeartbeatData, *m.heartbeat_data);
  if (m.info_string) append_bytes(out, tag::kInfoString, *m.info_string);
  if (m.diagnostic_information) common::append_tlv(out, tag::kDiagnosticInformation, *m.diagnostic_information);
  common::finish_message(out, at);
  return out;
}

Message make_data(MessageType type, std::uint32_t interface_id, std::vector<std::uint8_t> q931) {
  Message m;
  m.type = type;
  m.interface_id = InterfaceId{interface_id};
  m.dlci = Dlci{};
  m.protocol_data = std::move(q931);
  return m;
}

Message make_error(ErrorCode code, std::span<const std::uint8_t> offending) {
  Message m;
  m.type = MessageType::kErr;
  m.error_code = static_cast<std::uint32_t>(code);
  if (!offending.empty())
    m.diagnostic_information.emplace(offending.begin(),
                                     offending.begin() + std::min<std::size_t>(offending.size(), 40));
  return m;
}

}  // namespace isupgw::sigtran::iua
