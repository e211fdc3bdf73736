// IUA per-message parameter rules (RFC 4233 3.3), names and error strings.
#include "sigtran/iua_rules.h"

#include <array>

#include "sigtran/ua_rules.h"

namespace isupgw::sigtran::iua {
namespace rules {
namespace {

using T = MessageType;
constexpr std::uint32_t kHeader = bit(pIidInt) | bit(pIidText) | bit(pDlci);
constexpr std::uint32_t kIids = bit(pIidInt) | bit(pIidText) | bit(pIidRange);

// The bits of a parameter of the table IUA shares with M3UA (ua_rules.h).
constexpr std::uint32_t bits(common::ua_rules::Param p) {
  using S = common::ua_rules::Param;
  switch (p) {
    case S::kInfo: return bit(pInfo);
    case S::kAspId: return bit(pAspId);
    case S::kHb: return bit(pHb);
    case S::kTmt: return bit(pTmt);
    case S::kErrorCode: return bit(pErr);
    case S::kStatus: return bit(pStatus);
    case S::kDiag: return bit(pDiag);
    case S::kContext: return kIids;  // RFC 4233: interface identifiers, integer, text or range
    case S::kNa:
    case S::kApc: return 0;  // M3UA only
  }
  return 0;
}
constexpr Rule shared(T t) {
  const auto* s = common::ua_rules::find(class_of(t), type_of(t));
  Rule r{t, s->iua_name, 0, 0, false};
  for (std::size_t i = 0; i < s->count; ++i) {
    if (s->params[i].m3ua_only) continue;
    r.allowed |= bits(s->params[i].param);
    if (s->params[i].mandatory) r.mandatory |= bits(s->params[i].param);
  }
  return r;
}

// Allowed/mandatory parameters. Header messages also need exactly one interface
// identifier (integer or text), checked by the decoder (RFC 4233 3.1.3).
constexpr std::array<Rule, 26> kRules = {{
    shared(T::kErr),                                                                                 // 3.3.3.1
    shared(T::kNtfy),                                                                                // 3.3.3.2
    {T::kTeiStatusRequest, "TEI_STATUS_REQ", kHeader, bit(pDlci), true},                             // 3.3.3.3
    {T::kTeiStatusConfirm, "TEI_STATUS_CONF", kHeader | bit(pTei), bit(pDlci) | bit(pTei), true},    // 3.3.3.3
    {T::kTeiStatusIndication, "TEI_STATUS_IND", kHeader | bit(pTei), bit(pDlci) | bit(pTei), true},  // 3.3.3.3
    {T::kTeiQueryRequest, "TEI_QUERY_REQ", kHeader, bit(pDlci), true},                               // RFC 5133
    shared(T::kAspUp),                                                                               // 3.3.2.1
    shared(T::kAspDn),                                                                               // 3.3.2.3
    shared(T::kBeat),                                                                                // 3.3.2.5
    shared(T::kAspUpAck),                                                                            // 3.3.2.2
    shared(T::kAspDnAck),                                                                            // 3.3.2.4
    shared(T::kBeatAck),                                                                             // 3.3.2.6
    shared(T::kAspAc),                                                                               // 3.3.2.7
    shared(T::kAspIa),                                                                               // 3.3.2.9
    shared(T::kAspAcAck),                                                                            // 3.3.2.8
    shared(T::kAspIaAck),                                                                            // 3.3.2.10
    {T::kDataRequest, "DATA_REQ", kHeader | bit(pPd), bit(pDlci) | bit(pPd), true},                  // 3.3.1.1
    {T::kDataIndication, "DATA_IND", kHeader | bit(pPd), bit(pDlci) | bit(pPd), true},               // 3.3.1.1
    {T::kUnitDataRequest, "UDATA_REQ", kHeader | bit(pPd), bit(pDlci) | bit(pPd), true},             // 3.3.1.2
    {T::kUnitDataIndication, "UDATA_IND", kHeader | bit(pPd), bit(pDlci) | bit(pPd), true},          // 3.3.1.2
    {T::kEstablishRequest, "EST_REQ", kHeader, bit(pDlci), true},                                    // 3.3.1.3
    {T::kEstablishConfirm, "EST_CONF", kHeader, bit(pDlci), true},                                   // 3.3.1.3
    {T::kEstablishIndication, "EST_IND", kHeader, bit(pDlci), true},                                 // 3.3.1.3
    {T::kReleaseRequest, "REL_REQ", kHeader | bit(pReason), bit(pDlci) | bit(pReason), true},        // 3.3.1.4
    {T::kReleaseConfirm, "REL_CONF", kHeader, bit(pDlci), true},                                     // 3.3.1.4
    {T::kReleaseIndication, "REL_IND", kHeader | bit(pReason), bit(pDlci) | bit(pReason), true},     // 3.3.1.4
}};

}  // namespace

const Rule* rule_for(std::uint8_t cls, std::uint8_t type) {
  const auto code = common::type_code(cls, type);
  for (const auto& r : kRules)
    if (static_cast<std::uint16_t>(r.type) == code) return &r;
  return nullptr;
}

int param_of(std::uint16_t t) {
  switch (t) {
    case tag::kInterfaceIdInteger: return pIidInt;
    case tag::kInterfaceIdText: return pIidText;
    case tag::kInfoString: return pInfo;
    case tag::kDlci: return pDlci;
    case tag::kDiagnosticInformation: return pDiag;
    case tag::kInterfaceIdRange: return pIidRange;
    case tag::kHeartbeatData: return pHb;
    case tag::kTrafficModeType: return pTmt;
    case tag::kErrorCode: return pErr;
    case tag::kStatus: return pStatus;
    case tag::kProtocolData: return pPd;
    case tag::kReleaseReason: return pReason;
    case tag::kTeiStatus: return pTei;
    case tag::kAspIdentifier: return pAspId;
    default: return -1;
  }
}

}  // namespace rules

std::string_view to_string(MessageType t) {
  const auto* r = rules::rule_for(class_of(t), type_of(t));
  return r ? r->name : "?";
}

const std::vector<MessageType>& all_message_types() {
  static const std::vector<MessageType> all = [] {
    std::vector<MessageType> v;
    for (int c : {0, 3, 4, 5})
      for (int t = 0; t < 16; ++t)
        if (const auto* r = rules::rule_for(static_cast<std::uint8_t>(c), static_cast<std::uint8_t>(t)))
          v.push_back(r->type);
    return v;
  }();
  return all;
}

std::optional<MessageType> message_type_from_string(std::string_view s) {
  for (auto t : all_message_types())
    if (to_string(t) == s) return t;
  return std::nullopt;
}

std::string_view to_string(ErrorCode c) {
  switch (c) {
    case ErrorCode::kInvalidVersion: return "invalid version";
    case ErrorCode::kInvalidInterfaceIdentifier: return "invalid interface identifier";
    case ErrorCode::kUnsupportedMessageClass: return "unsupported message class";
    case ErrorCode::kUnsupportedMessageType: return "unsupported message type";
    case ErrorCode::kUnsupportedTrafficHandlingMode: return "unsupported traffic handling mode";
    case ErrorCode::kUnexpectedMessage: return "unexpected message";
    case ErrorCode::kProtocolError: return "protocol error";
    case ErrorCode::kUnsupportedInterfaceIdentifierType: return "unsupported interface identifier type";
    case ErrorCode::kInvalidStreamIdentifier: return "invalid stream identifier";
    case ErrorCode::kUnassignedTei: return "unassigned TEI";
    case ErrorCode::kUnrecognizedSapi: return "unrecognized SAPI";
    case ErrorCode::kInvalidTeiSapiCombination: return "invalid TEI, SAPI combination";
    case ErrorCode::kRefusedManagementBlocking: return "refused - management blocking";
    case ErrorCode::kAspIdentifierRequired: return "ASP identifier required";
    case ErrorCode::kInvalidAspIdentifier: return "invalid ASP identifier";
  }
  return "?";
}

}  // namespace isupgw::sigtran::iua
