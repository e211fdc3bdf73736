// Number portability between ISUP and SIP (issue 20), pure functions; library only
// (the engine does not call it yet).
// ITU side: Q.763 3.101 number portability forward information (parameter 0x8D)
// and Q.763 3.90 network routing number (0x84, national use), or the routing
// number as a prefix of the called party number (Q.769.1 "concatenated address").
// SIP side: the tel URI parameters "rn" and "npdi" of RFC 4694 4 (also in the user
// part of a sip: URI with user=phone).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "mapping/number_map.h"

namespace isupgw::mapping {

// Q.763 3.101, number portability status indicator (bits D-A; 4-7 spare, 8-15 national).
enum class NpStatus : std::uint8_t {
  kNoIndication = 0,  // no number portability information
  kQueryNotDone = 1,  // number portability query not done for called number
  kNotPorted = 2,     // query done, non-ported called subscriber
  kPorted = 3,        // query done, ported called subscriber
};

enum class NpError {
  kBadRn,         // rn empty or with something other than digits and visual separators
  kLocalRn,       // rn without '+' (local-rn needs rn-context; not supported)
  kForeignRn,     // rn of another country: ISUP's network routing number is national
  kBadNpdi,       // "npdi" given a value (RFC 4694 4: it has none)
  kDuplicate,     // rn or npdi twice
  kBadLength,     // a parameter of the wrong length
  kBadIndicator,  // a value outside those we map (spare / national use, or a spare NAI)
};
std::string_view to_string(NpError e);

// The NP parameters of a tel URI (RFC 4694 4).
struct TelNp {
  std::string rn;  // global-rn as written, "+1-202-544-0000"; empty: no rn
  bool npdi = false;
  friend bool operator==(const TelNp&, const TelNp&) = default;
};

// Reads rn and npdi from a tel URI's subscriber part or a user part
// ("+1-202-533-1234;npdi;rn=+1-202-544-0000"); other parameters are left alone.
// Parameter names are case-insensitive (RFC 3966 3).
Result<TelNp, NpError> tel_np_from_user(std::string_view user);
// `number` followed by ";npdi" and ";rn=..." (the order of RFC 4694 6's examples).
std::string tel_user_with_np(std::string_view number, const TelNp& np);

// What ISUP carries: the status (0x8D) and the routing number's national
// significant digits (0x84, or a prefix of the called party number).
struct IsupNp {
  NpStatus status = NpStatus::kNoIndication;
  std::string rn;
  friend bool operator==(const IsupNp&, const IsupNp&) = default;
};

// SIP -> ISUP: npdi and rn -> ported with rn; npdi alone -> not ported;
// rn in our own country "+CC..." -> national digits without CC.
Result<IsupNp, NpError> isup_np_from_tel(const TelNp& np, const NumberPlan& plan);
// ISUP -> SIP: ported / not ported -> npdi; the routing number -> rn "+CC<digits>".
TelNp tel_np_from_isup(const IsupNp& np, const NumberPlan& plan);

// Q.763 3.101: one octet, extension bit H set, C-E spare.
std::vector<std::uint8_t> encode_np_forward_information(NpStatus s);
Result<NpStatus, NpError> decode_np_forward_information(std::span<const std::uint8_t> in);

// Q.763 3.90: O/E, NPI (1 = E.164), NAI (1 = network routing number in national
// (significant) number format), then BCD digits.
std::vector<std::uint8_t> encode_network_routing_number(std::string_view digits);
Result<std::string, NpError> decode_network_routing_number(std::span<const std::uint8_t> in);

// Q.769.1 concatenated address: the routing number prefixed to the called directory number.
std::string concatenate_rn(std::string_view rn, std::string_view called);
// Split a concatenated called number with a routing number of `rn_length` digits
// (the length is a national numbering fact, hence configured). Empty rn if too short.
std::pair<std::string, std::string> split_rn(std::string_view called, std::size_t rn_length);

}  // namespace isupgw::mapping
