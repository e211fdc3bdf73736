// Q.921 (LAPD) frames without flags, bit stuffing or FCS (Q.921 2.1-2.4,
// 3.2-3.6; ETSI EN 300 402-1): the address field (SAPI, C/R, TEI), the control
// field of I, S (RR, RNR, REJ) and U frames (SABME, DM, UI, DISC, UA, FRMR, XID)
// in modulo-128 operation, and the information field. No I/O.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace isupgw::q931::lapd {

inline constexpr std::size_t kN201 = 260;  // maximum octets in an information field (Q.921 5.9.3)
inline constexpr std::uint8_t kSapiCallControl = 0;
inline constexpr std::uint8_t kSapiTeiManagement = 63;
inline constexpr std::uint8_t kTeiGroup = 127;

enum class FrameType : std::uint8_t { kI, kRr, kRnr, kRej, kSabme, kDm, kUi, kDisc, kUa, kFrmr, kXid };
std::string_view to_string(FrameType t);  // "I", "RR", "SABME", ...

struct Frame {
  std::uint8_t sapi = kSapiCallControl;
  bool cr = false;  // C/R bit (3.3.2: network commands 1, user commands 0; responses the reverse)
  std::uint8_t tei = 0;
  FrameType type = FrameType::kI;
  std::uint8_t ns = 0;             // I frames: N(S), 0..127
  std::uint8_t nr = 0;             // I and S frames: N(R), 0..127
  bool pf = false;                 // poll (command) / final (response) bit
  std::vector<std::uint8_t> info;  // I, UI, FRMR, XID only
  friend bool operator==(const Frame&, const Frame&) = default;
};

enum class Fault : std::uint8_t {
  kTooShort,        // under 3 octets (4 for I and S frames)
  kAddress,         // EA bits not 0/1 (3.3.1: a 2-octet address)
  kUnknownControl,  // an S or U control field Q.921 does not define
  kInfoNotAllowed,  // an information field on a frame that carries none
  kTooLong,         // information field above N201
  kEncode,          // a value out of range at encoding
};
struct CodecError {
  Fault fault = Fault::kTooShort;
  std::string to_string() const;
  friend bool operator==(const CodecError&, const CodecError&) = default;
};

Result<Frame, CodecError> decode(std::span<const std::uint8_t> bytes);
Result<std::vector<std::uint8_t>, CodecError> encode(const Frame& f);

}  // namespace isupgw::q931::lapd
