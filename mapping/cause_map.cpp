#include "mapping/cause_map.h"

#include <array>

namespace isupgw::mapping {
namespace {

// RFC 3398 8.2.6.1 (ISUP -> SIP). Q.1912.5 uses the same rows here as far as
// we could confirm; "any other" cause -> 500.
constexpr std::array<std::pair<std::uint8_t, int>, 31> kCauseToStatus = {{
    {1, 404},  {2, 404},  {3, 404},  {17, 486}, {18, 408},  {19, 480},  {20, 480},  {21, 403},
    {22, 410}, {23, 410}, {26, 404}, {27, 502}, {28, 484},  {29, 501},  {31, 480},  {34, 503},
    {38, 503}, {41, 503}, {42, 503}, {47, 503}, {55, 403},  {57, 403},  {58, 503},  {65, 488},
    {70, 488}, {79, 501}, {87, 403}, {88, 503}, {102, 504}, {111, 500}, {127, 500},
}};

// RFC 3398 7.2.4.1 (SIP -> ISUP). 488 and 606 map "per Warning header"; without one we use 127.
constexpr std::array<std::pair<int, std::uint8_t>, 36> kRfc3398StatusToCause = {{
    {400, 41}, {401, 21},  {402, 21},  {403, 21},  {404, 1},   {405, 63},  {406, 79},  {407, 21},  {408, 102},
    {410, 22}, {413, 127}, {414, 127}, {415, 79},  {416, 127}, {420, 127}, {421, 127}, {423, 127}, {480, 18},
    {481, 41}, {482, 25},  {483, 25},  {484, 28},  {485, 1},   {486, 17},  {488, 127}, {500, 41},  {501, 79},
    {502, 38}, {503, 41},  {504, 102}, {505, 127}, {513, 127}, {600, 17},  {603, 21},  {604, 1},   {606, 127},
}};

// Q.1912.5 (as TS 29.163 / OpenSIPS sip_i defaults): only these statuses keep a
// specific cause; everything else is 127 interworking with location BI. 480
// becomes 20 subscriber absent (RFC 3398: 18).
constexpr std::array<std::pair<int, std::uint8_t>, 10> kQ1912StatusToCause = {{
    {404, 1},
    {410, 22},
    {480, 20},
    {484, 28},
    {485, 1},
    {486, 17},
    {600, 17},
    {603, 21},
    {604, 1},
    {606, 127},
}};

}  // namespace

std::span<const std::pair<std::uint8_t, int>> cause_to_status_rows() { return kCauseToStatus; }

std::span<const std::pair<int, std::uint8_t>> status_to_cause_rows(CauseTable table) {
  if (table == CauseTable::kRfc3398) return kRfc3398StatusToCause;
  return kQ1912StatusToCause;
}

std::optional<int> sip_status_for_cause(std::uint8_t cause, CauseTable, std::uint8_t location) {
  if (cause == 16) return std::nullopt;
  if (cause == 21 && location == kLocationUser) return 603;
  for (auto [c, s] : kCauseToStatus)
    if (c == cause) return s;
  return 500;
}

std::optional<std::uint8_t> cause_for_sip_status(int status, CauseTable table) {
  if (status == 487) return std::nullopt;
  for (auto [s, c] : status_to_cause_rows(table))
    if (s == status) return c;
  if (table == CauseTable::kQ1912_5) return 127;
  if (status >= 600) return 31;
  if (status >= 500) return 41;
  return 127;
}

}  // namespace isupgw::mapping
