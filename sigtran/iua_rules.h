// IUA codec internals (not an API): the parameters and the per-message rules of
// RFC 4233 3.3, used by iua_codec.cpp.
#pragma once

#include <cstdint>
#include <string_view>

#include "sigtran/iua_message.h"

namespace isupgw::sigtran::iua::rules {

enum P : std::uint8_t {
  pIidInt,
  pIidText,
  pDlci,
  pIidRange,
  pPd,
  pReason,
  pTei,
  pTmt,
  pErr,
  pStatus,
  pAspId,
  pInfo,
  pDiag,
  pHb,
};
constexpr std::uint32_t bit(P p) { return 1u << p; }

struct Rule {
  MessageType type;
  std::string_view name;
  std::uint32_t allowed;
  std::uint32_t mandatory;
  bool header;  // carries the IUA Message Header (one interface identifier + DLCI)
};

const Rule* rule_for(std::uint8_t cls, std::uint8_t type);
int param_of(std::uint16_t tag);  // -1: a tag IUA does not define

}  // namespace isupgw::sigtran::iua::rules
