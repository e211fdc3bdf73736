// RFC 4666 3.3-3.8: which parameters each M3UA message carries, in the order of
// the RFC's figures (the encoding order), which are mandatory or repeatable.
#include "sigtran/m3ua_wire.h"
#include "sigtran/ua_rules.h"

#include <vector>

namespace isupgw::sigtran::m3ua {
namespace wire {
namespace {

// The management and ASP maintenance messages come from the table M3UA shares with IUA (ua_rules.h).
constexpr P param(common::ua_rules::Param p) {
  using S = common::ua_rules::Param;
  switch (p) {
    case S::kInfo: return pInfo;
    case S::kAspId: return pAspId;
    case S::kHb: return pHb;
    case S::kTmt: return pTmt;
    case S::kErrorCode: return pErrCode;
    case S::kStatus: return pStatus;
    case S::kDiag: return pDiag;
    case S::kContext: return pRc;  // RFC 4666: the Routing Context
    case S::kNa: return pNa;
    case S::kApc: return pApc;
  }
  return pCount;
}
constexpr Rule shared(std::uint8_t c, std::uint8_t t) {
  const auto* s = common::ua_rules::find(c, t);
  Rule r{static_cast<MessageType>(common::type_code(c, t)), s->m3ua_name, {}, 0, 0, 0};
  for (std::size_t i = 0; i < s->count; ++i) {
    const P p = param(s->params[i].param);
    r.order[r.count++] = p;
    if (s->params[i].mandatory) r.mandatory |= bit(p);
  }
  return r;
}
namespace c = common::cls;

// RFC 4666: 3.8.1 ERR, 3.8.2 NTFY, 3.3.1 DATA, 3.4 SSNM, 3.5 ASPSM, 3.7 ASPTM, 3.6 RKM.
constexpr std::array<Rule, 23> kRules = {{
    shared(c::kMgmt, common::mgmt::kErr),
    shared(c::kMgmt, common::mgmt::kNtfy),
    {MessageType::kData, "DATA", {pNa, pRc, pPd, pCorr}, 4, bit(pPd), 0},
    {MessageType::kDuna, "DUNA", {pNa, pRc, pApc, pInfo}, 4, bit(pApc), 0},
    {MessageType::kDava, "DAVA", {pNa, pRc, pApc, pInfo}, 4, bit(pApc), 0},
    {MessageType::kDaud, "DAUD", {pNa, pRc, pApc, pUserCause, pInfo}, 5, bit(pApc), 0},
    {MessageType::kScon, "SCON", {pNa, pRc, pApc, pConcerned, pCong, pInfo}, 6, bit(pApc), 0},
    {MessageType::kDupu, "DUPU", {pNa, pRc, pApc, pUserCause, pInfo}, 5, bit(pApc) | bit(pUserCause), 0},
    {MessageType::kDrst, "DRST", {pNa, pRc, pApc, pInfo}, 4, bit(pApc), 0},
    shared(c::kAspsm, common::aspsm::kAspUp),
    shared(c::kAspsm, common::aspsm::kAspDn),
    shared(c::kAspsm, common::aspsm::kBeat),
    shared(c::kAspsm, common::aspsm::kAspUpAck),
    shared(c::kAspsm, common::aspsm::kAspDnAck),
    shared(c::kAspsm, common::aspsm::kBeatAck),
    shared(c::kAsptm, common::asptm::kAspAc),
    shared(c::kAsptm, common::asptm::kAspIa),
    shared(c::kAsptm, common::asptm::kAspAcAck),
    shared(c::kAsptm, common::asptm::kAspIaAck),
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
