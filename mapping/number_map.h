// Telephone numbers between SIP URIs and ISUP number parameters
// (RFC 3398 7.2.1 / 8.2.1, Q.1912.5 6.1.1): the Request-URI user part (tel URI or
// sip URI with user=phone) becomes the called party number and back.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "isup/number.h"

namespace isupgw::mapping {

// Nature of address indicator values (Q.763 3.9 c).
enum class Nai : std::uint8_t { kSubscriber = 1, kUnknown = 2, kNational = 3, kInternational = 4 };

// The parts of an ISUP number the mapping decides; the codec adapter fills the rest.
struct IsupNumber {
  std::string digits;  // '0'-'9', and 'B'/'C' for codes 11/12 where the plan allows them
  Nai nai = Nai::kUnknown;
  std::uint8_t npi = 1;   // 1 = ISDN/telephony (E.164)
  bool complete = false;  // append ST (end of pulsing)
  friend bool operator==(const IsupNumber&, const IsupNumber&) = default;
};

struct NumberPlan {
  std::string country_code = "49";  // own E.164 country code, no '+'
  std::string area_code;            // for NAI subscriber numbers -> global form (may be empty)
  bool allow_star_hash = false;     // map '*' '#' to codes 11/12 (a national option, Q.763 3.9 note)
};

enum class NumberError {
  kEmpty,         // no digits left after removing visual separators
  kBadCharacter,  // something other than digits, separators, and (if allowed) '*' '#'
  kTooLong,       // more than 30 digits (longest the ISUP parameter can carry with care: 15 E.164 + prefixes)
};
std::string_view to_string(NumberError e);

// SIP -> ISUP. `user` is the URI user part ("+4930123456", "030-123456").
// "+CC..." in own country -> NAI national without CC; other "+..." -> international;
// no '+' -> NAI unknown, digits as dialled (RFC 3398 7.2.1).
Result<IsupNumber, NumberError> isup_number_from_sip_user(std::string_view user, const NumberPlan& plan, bool complete);

// ISUP -> SIP user part: international "+digits", national "+CCdigits", subscriber
// "+CC<area>digits" when an area code is configured, otherwise the digits as they are.
std::string sip_user_from_isup_number(const IsupNumber& n, const NumberPlan& plan);

// Per-trunk dialling prefixes for peers that do not use the global "+" form.
struct DialPrefixes {
  std::string national = "0";        // trunk prefix: "030..." is national "30..."
  std::string international = "00";  // "0044..." is international "44..."
};

// SIP -> ISUP with prefixes: "+..." as above; otherwise a leading international
// prefix gives NAI international, a leading national prefix NAI national (both
// stripped), anything else NAI unknown as dialled. Empty prefixes are not used.
Result<IsupNumber, NumberError> isup_number_from_dialled(std::string_view user, const NumberPlan& plan,
                                                         const DialPrefixes& prefixes, bool complete);
// ISUP -> SIP in dialled form: national -> national prefix + digits,
// international -> international prefix + digits, others as they are.
std::string dialled_from_isup_number(const IsupNumber& n, const DialPrefixes& prefixes);

// Between the mapping's IsupNumber and the codec's isup::Number. The ST digit
// ('F') is `complete`; NAI values other than 1..4 read as unknown.
IsupNumber from_isup(const isup::Number& n);
// `kind` picks the layout; indicators not carried by IsupNumber stay 0 except
// those given.
isup::Number to_isup(const IsupNumber& n, isup::NumberKind kind);

}  // namespace isupgw::mapping
