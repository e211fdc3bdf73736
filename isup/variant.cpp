#include "isup/variant.h"

namespace isupgw::isup {

std::string_view to_string(Variant v) {
  switch (v) {
    case Variant::kItu: return "itu";
    case Variant::kEtsi: return "etsi";
    case Variant::kAnsi: return "ansi";
  }
  return "?";
}

std::optional<Variant> variant_from_string(std::string_view s) {
  if (s == "itu") return Variant::kItu;
  if (s == "etsi") return Variant::kEtsi;
  if (s == "ansi") return Variant::kAnsi;
  return std::nullopt;
}

}  // namespace isupgw::isup
