// Simple segmentation (Q.764 2.1.12; Q.763 1.x message length, Table 49 SGM).
//
// An IAM, ACM, CPG, ANM or CON whose encoding exceeds what one MTP3 signalling
// information field carries (272 octets, the routing label included: Q.703/Q.704
// SIF) goes in two segments: the message itself with its mandatory parameters and
// as many optional parameters as fit, the "simple segmentation" indicator set
// (optional forward call indicators bit C for the IAM, optional backward call
// indicators bit C for the others, Q.763 3.37/3.38), then a Segmentation message
// (SGM) with the rest -- only the parameters Table 49 lets an SGM carry (access
// transport, user-to-user information, message compatibility information,
// generic digits, generic notification, generic number).
//
// Pure functions: no state, no timers; call control (isup_cc.cpp) sends the two
// segments back to back and reassembles received ones under T34.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/result.h"
#include "isup/message.h"

namespace isupgw::isup {

// Q.704 2.3.8: the SIF carries at most 272 octets, the routing label included.
inline constexpr std::size_t kMaxSif = 272;
// The longest ISUP message (CIC onwards) one SIF carries in that variant:
// 272 less the routing label (ITU/ETSI 4 octets, ANSI 7).
std::size_t max_message_length(Variant v);

// IAM, ACM, CPG, ANM, CON in the ITU/ETSI variants (ANSI T1.113 has no simple
// segmentation indicator: those are not segmented).
bool segmentable(std::uint8_t type, Variant v);
// Q.763 Table 49: a parameter an SGM may carry.
bool sgm_parameter(std::uint8_t code);
// The received message says a segment follows (bit C of its optional
// forward / backward call indicators).
bool segmentation_indicated(const Message& m);

struct Segments {
  std::vector<std::uint8_t> first;  // the message, indicator set
  std::vector<std::uint8_t> sgm;    // the Segmentation message
};
// Splits `m` (kWithCic form) so each part is at most `limit` octets. kBufferTooSmall
// when no split fits (the mandatory part and the parameters an SGM cannot carry
// exceed `limit`, or the SGM would).
Result<Segments, EncodeError> segment(const Message& m, Variant v, std::size_t limit);

// The message `first` completed with the optional parameters of `sgm` (appended
// in the SGM's order) and its segmentation indicator cleared (the message is
// whole again), encoded in kWithCic form.
Result<std::vector<std::uint8_t>, EncodeError> reassemble(const Message& first, const Message& sgm, Variant v);

}  // namespace isupgw::isup
