#include "mapping/cause_map.h"

#include <array>
#include <utility>

namespace isupgw::mapping {
namespace {

// RFC 3398 8.2.6.1.
constexpr std::array<std::pair<std::uint8_t, int>, 30> kCauseToStatus = {{
    {1, 404},  {2, 404},  {3, 404},  {17, 486}, {18, 408}, {19, 480}, {20, 480}, {21, 403}, {22, 410},  {23, 410},
    {26, 404}, {27, 502}, {28, 484}, {29, 501}, {31, 480}, {34, 503}, {38, 503}, {41, 503}, {42, 503},  {47, 503},
    {55, 403}, {57, 403}, {58, 503}, {65, 488}, {70, 488}, {79, 501}, {87, 403}, {88, 503}, {102, 504}, {111, 500},
}};

// RFC 3398 7.2.4.1. 488 and 606 map "per Warning header"; without one we use 127.
constexpr std::array<std::pair<int, std::uint8_t>, 36> kStatusToCause = {{
    {400, 41}, {401, 21},  {402, 21},  {403, 21},  {404, 1},   {405, 63},  {406, 79},  {407, 21},  {408, 102},
    {410, 22}, {413, 127}, {414, 127}, {415, 79},  {416, 127}, {420, 127}, {421, 127}, {423, 127}, {480, 18},
    {481, 41}, {482, 25},  {483, 25},  {484, 28},  {485, 1},   {486, 17},  {488, 127}, {500, 41},  {501, 79},
    {502, 38}, {503, 41},  {504, 102}, {505, 127}, {513, 127}, {600, 17},  {603, 21},  {604, 1},   {606, 127},
}};

}  // namespace

std::optional<int> sip_status_for_cause(std::uint8_t cause) {
  if (cause == 16) return std::nullopt;
  for (auto [c, s] : kCauseToStatus)
    if (c == cause) return s;
  return 500;
}

std::optional<std::uint8_t> cause_for_sip_status(int status) {
  if (status == 487) return std::nullopt;
  for (auto [s, c] : kStatusToCause)
    if (s == status) return c;
  if (status >= 600) return 31;
  if (status >= 500) return 41;
  return 127;
}

}  // namespace isupgw::mapping
