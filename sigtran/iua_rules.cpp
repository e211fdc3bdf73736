// IUA per-message parameter rules (RFC 4233 3.3), names and error strings.
#include "sigtran/iua_rules.h"

#include <array>

namespace isupgw::sigtran::iua {
namespace rules {
namespace {

using T = MessageType;
constexpr std::uint32_t kHeader = bit(pIidInt) | bit(pIidText) | bit(pDlci);
constexpr std::uint32_t kIids = bit(pIidInt) | bit(pIidText) | bit(pIidRange);

// Allowed/mandatory parameters. Header messages also need exactly one interface
// identifier (integer or text), checked by the decoder (RFC 4233 3.1.3).
constexpr std::array<Rule, 26> kRules = {{
    {T::kErr, "ERR", bit(pErr) | kIids | bit(pDiag), bit(pErr), false},                              // 3.3.3.1
    {T::kNtfy, "NTFY", bit(pStatus) | bit(pAspId) | kIids | bit(pInfo), bit(pStatus), false},        // 3.3.3.2
    {T::kTeiStatusRequest, "TEI_STATUS_REQ", kHeader, bit(pDlci), true},                             // 3.3.3.3
    {T::kTeiStatusConfirm, "TEI_STATUS_CONF", kHeader | bit(pTei), bit(pDlci) | bit(pTei), true},    // 3.3.3.3
    {T::kTeiStatusIndication, "TEI_STATUS_IND", kHeader | bit(pTei), bit(pDlci) | bit(pTei), true},  // 3.3.3.3
    {T::kTeiQueryRequest, "TEI_QUERY_REQ", kHeader, bit(pDlci), true},                               // RFC 5133
    {T::kAspUp, "ASPUP", bit(pAspId) | bit(pInfo), 0, false},                                        // 3.3.2.1
    {T::kAspDn, "ASPDN", bit(pInfo), 0, false},                                                      // 3.3.2.3
    {T::kBeat, "BEAT", bit(pHb), 0, false},                                                          // 3.3.2.5
    {T::kAspUpAck, "ASPUP_ACK", bit(pInfo), 0, false},                                               // 3.3.2.2
    {T::kAspDnAck, "ASPDN_ACK", bit(pInfo), 0, false},                                               // 3.3.2.4
    {T::kBeatAck, "BEAT_ACK", bit(pHb), 0, false},                                                   // 3.3.2.6
    {T::kAspAc, "ASPAC", bit(pTmt) | kIids | bit(pInfo), 0, false},                                  // 3.3.2.7
    {T::kAspIa, "ASPIA", kIids | bit(pInfo), 0, false},                                              // 3.3.2.9
    {T::kAspAcAck, "ASPAC_ACK", bit(pTmt) | kIids | bit(pInfo), 0, false},                           // 3.3.2.8
    {T::kAspIaAck, "ASPIA_ACK", kIids | bit(pInfo), 0, false},                                       // 3.3.2.10
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
