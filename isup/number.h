// Address parameters (Q.763 3.9 called, 3.10 calling, 3.26 generic, 3.30 location,
// 3.39 original called, 3.44 redirecting, 3.45 redirection, 3.51 subsequent,
// 3.16 connected; ANSI T1.113.3 charge number, generic address, jurisdiction).
//
// Digits are a string of nibble values written as hex characters: '0'-'9', 'B'
// (code 11), 'C' (code 12), 'F' (ST, end of pulsing; counts as a signal for the
// odd/even indicator), 'A'/'D'/'E' spare codes kept for transparency.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "base/result.h"
#include "isup/fixed_vector.h"
#include "isup/message.h"
#include "isup/variant.h"

namespace isupgw::isup {

inline constexpr std::size_t kMaxDigits = 64;
using Digits = FixedString<kMaxDigits>;

// Which octet layout a number parameter uses.
enum class NumberKind {
  kCalled,       // O/E+NAI; INN, NPI, spare (also redirection number)
  kCalling,      // O/E+NAI; NI, NPI, APRI, screening
  kLocation,     // O/E+NAI; INN, NPI, APRI, screening
  kConnected,    // O/E+NAI; spare, NPI, APRI, screening
  kRedirecting,  // O/E+NAI; spare, NPI, APRI, spare (also original called number)
  kGeneric,      // qualifier; O/E+NAI; NI, NPI, APRI, screening (ANSI generic address alike)
  kSubsequent,   // O/E + spare; digits
  kCharge,       // ANSI charge number: O/E+NAI; spare, NPI, spare
  kDigitsOnly,   // ANSI jurisdiction: BCD digits only
};

// Number layout of a parameter code in that variant, if it is a number.
std::optional<NumberKind> number_kind(std::uint8_t code, Variant v);

struct Number {
  NumberKind kind = NumberKind::kCalled;
  std::uint8_t qualifier = 0;  // generic number: number qualifier indicator
  std::uint8_t nai = 0;        // nature of address indicator (7 bits)
  bool inn_ni = false;         // INN (called, redirection, location) or NI (calling, generic)
  std::uint8_t npi = 0;        // numbering plan indicator (3 bits)
  std::uint8_t apri = 0;       // address presentation restricted indicator (2 bits)
  std::uint8_t screening = 0;  // screening indicator (2 bits)
  std::uint8_t spare = 0;      // unassigned bits of the indicator octet(s), kept as received
  std::uint8_t filler = 0;     // high nibble of the last octet when the digit count is odd (0 normally)
  Digits digits;

  bool odd() const { return digits.size % 2 == 1; }
  bool has_st() const { return digits.size > 0 && digits.view().back() == 'F'; }

  static Result<Number, DecodeError> decode(NumberKind kind, std::span<const std::uint8_t> in);
  void encode(ParamBytes& out) const;

  template <class V>
  void visit(V&& v) {
    v("digits", digits);
    if (kind == NumberKind::kGeneric) v("qualifier", qualifier);
    if (kind != NumberKind::kSubsequent && kind != NumberKind::kDigitsOnly) {
      v("nai", nai);
      v("npi", npi);
    }
    if (kind == NumberKind::kCalled || kind == NumberKind::kLocation) v("inn", inn_ni);
    if (kind == NumberKind::kCalling || kind == NumberKind::kGeneric) v("ni", inn_ni);
    if (kind == NumberKind::kCalling || kind == NumberKind::kLocation || kind == NumberKind::kGeneric ||
        kind == NumberKind::kConnected || kind == NumberKind::kRedirecting) {
      v("apri", apri);
    }
    if (kind == NumberKind::kCalling || kind == NumberKind::kLocation || kind == NumberKind::kGeneric ||
        kind == NumberKind::kConnected)
      v("screening", screening);
    v("spare", spare);
    v("filler", filler);
  }
};
bool operator==(const Number& a, const Number& b);

// Digit string <-> nibble value (0..15); -1 for a character that is not a digit code.
int digit_value(char c);
char digit_char(std::uint8_t nibble);

}  // namespace isupgw::isup
