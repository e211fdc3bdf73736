// ISUP protocol variant, selected per trunk group: ITU-T Q.763, ETSI ETS 300 356
// (ISUP v2/v3) or ANSI T1.113 (14-bit CIC, own parameters).
#pragma once

#include <optional>
#include <string_view>

namespace isupgw::isup {

enum class Variant { kItu, kEtsi, kAnsi };

std::string_view to_string(Variant v);
std::optional<Variant> variant_from_string(std::string_view s);

// Highest CIC value the variant can carry: ITU/ETSI 12 bits, ANSI 14 bits (T1.113.3).
constexpr unsigned max_cic(Variant v) { return v == Variant::kAnsi ? 0x3fff : 0x0fff; }

}  // namespace isupgw::isup
