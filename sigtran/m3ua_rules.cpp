// RFC 4666 3.3-3.8: which parameters each M3UA message carries, in the order of
// the RFC's figures (the encoding order), which are mandatory or repeatable.
#include "sigtran/m3ua_wire.h"

#include <vector>

namespace isupgw::sigtran::m3ua {
namespace wire {
namespace {

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

}  // namespace

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

}  // namespace wire

std::string_view to_string(MessageType t) {
  for (const auto& r : wire::kRules)
    if (r.type == t) return r.name;
  return "?";
}

const std::vector<MessageType>& all_message_types() {
  static const std::vector<MessageType> all = [] {
    std::vector<MessageType> v;
    for (const auto& r : wire::kRules) v.push_back(r.type);
    return v;
  }();
  return all;
}

}  // namespace isupgw::sigtran::m3ua
