// The management (MGMT) and ASP maintenance (ASPSM, ASPTM) messages M3UA and
// IUA define alike, with their parameters in the order of the RFCs' figures:
// one table both codecs build their rules from (m3ua_rules.cpp,
// iua_rules.cpp). Where the layers differ the parameter says so: M3UA's ERR
// also names a Network Appearance and Affected Point Codes (RFC 4666 3.8.1) and
// its ASPUP ACK an ASP Identifier (3.5.2), which RFC 4233 does not have; the
// "context" is each layer's own way of naming what the message is about
// (M3UA: Routing Context, RFC 4666 3.5/3.7; IUA: interface identifiers,
// integer, text or range, RFC 4233 3.3.2.7).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "sigtran/sigtran_common.h"

namespace isupgw::sigtran::common::ua_rules {

enum class Param : std::uint8_t { kInfo, kAspId, kHb, kTmt, kErrorCode, kStatus, kDiag, kContext, kNa, kApc };

struct Entry {
  Param param;
  bool mandatory = false;
  bool m3ua_only = false;
};

struct Rule {
  std::uint8_t cls = 0;
  std::uint8_t type = 0;
  std::string_view m3ua_name;
  std::string_view iua_name;
  std::array<Entry, 5> params{};
  std::uint8_t count = 0;
};

using P = Param;
// RFC 4666 3.8.1-3.8.2, 3.5.1-3.5.6, 3.7.1-3.7.4; RFC 4233 3.3.3.1-3.3.3.2, 3.3.2.1-3.3.2.10.
inline constexpr std::array<Rule, 12> kRules = {{
    {cls::kMgmt,
     mgmt::kErr,
     "ERR",
     "ERR",
     {{{P::kErrorCode, true}, {P::kContext}, {P::kNa, false, true}, {P::kApc, false, true}, {P::kDiag}}},
     5},
    {cls::kMgmt, mgmt::kNtfy, "NTFY", "NTFY", {{{P::kStatus, true}, {P::kAspId}, {P::kContext}, {P::kInfo}}}, 4},
    {cls::kAspsm, aspsm::kAspUp, "ASPUP", "ASPUP", {{{P::kAspId}, {P::kInfo}}}, 2},
    {cls::kAspsm, aspsm::kAspDn, "ASPDN", "ASPDN", {{{P::kInfo}}}, 1},
    {cls::kAspsm, aspsm::kBeat, "BEAT", "BEAT", {{{P::kHb}}}, 1},
    {cls::kAspsm, aspsm::kAspUpAck, "ASPUP ACK", "ASPUP_ACK", {{{P::kAspId, false, true}, {P::kInfo}}}, 2},
    {cls::kAspsm, aspsm::kAspDnAck, "ASPDN ACK", "ASPDN_ACK", {{{P::kInfo}}}, 1},
    {cls::kAspsm, aspsm::kBeatAck, "BEAT ACK", "BEAT_ACK", {{{P::kHb}}}, 1},
    {cls::kAsptm, asptm::kAspAc, "ASPAC", "ASPAC", {{{P::kTmt}, {P::kContext}, {P::kInfo}}}, 3},
    {cls::kAsptm, asptm::kAspIa, "ASPIA", "ASPIA", {{{P::kContext}, {P::kInfo}}}, 2},
    {cls::kAsptm, asptm::kAspAcAck, "ASPAC ACK", "ASPAC_ACK", {{{P::kTmt}, {P::kContext}, {P::kInfo}}}, 3},
    {cls::kAsptm, asptm::kAspIaAck, "ASPIA ACK", "ASPIA_ACK", {{{P::kContext}, {P::kInfo}}}, 2},
}};

// The shared rule of a class/type (nullptr: a message of one layer only).
constexpr const Rule* find(std::uint8_t c, std::uint8_t t) {
  for (const auto& r : kRules)
    if (r.cls == c && r.type == t) return &r;
  return nullptr;
}

}  // namespace isupgw::sigtran::common::ua_rules
