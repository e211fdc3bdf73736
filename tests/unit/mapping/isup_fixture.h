// Test helpers for the rows that map a SIP request to an IAM: the optional parameter of the mapped
// setup request, and an ANSI trunk profile (North American numbering).
#pragma once

#include <cstdint>

#include "isup/isup_cc_user.h"
#include "mapping/interworking.h"

namespace isupgw::mapping::testing_support {

// The first optional parameter with this code in the IAM, or nullptr.
inline const isup::OwnedParam* find(const isup::SetupRequest& r, std::uint8_t code) {
  for (const auto& p : r.optional)
    if (p.code == code) return &p;
  return nullptr;
}

// A SIP trunk whose calls go to an ANSI trunk group (T1.113), country code 1.
inline SipProfile ansi() {
  SipProfile p;
  p.host = "192.0.2.10";
  p.variant = isup::Variant::kAnsi;
  p.plan.country_code = "1";
  return p;
}

}  // namespace isupgw::mapping::testing_support
