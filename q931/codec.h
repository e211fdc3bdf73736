// Q.931 wire codec (Q.931 4, EN 300 403-1 4). Errors are values and name the
// cause a receiver's call control answers with (Q.931 5.8): 95/96/100.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "q931/message.h"

namespace isupgw::q931 {

enum class Fault : std::uint8_t {
  kTooShort,               // fewer than 3 octets, or the call reference runs past the end (5.8.1)
  kProtocolDiscriminator,  // not 0x08 (5.8.1: ignored)
  kCallReferenceLength,    // over 2 octets (5.8.3.1: ignored)
  kMessageType,            // bit 8 set (escape, not supported)
  kTruncatedIe,            // not returned by decode() any more: IE errors go to Message::ie_errors
  kInvalidIeContents,      // (idem)
  kRepeatedIe,             // (idem)
  kEncode,                 // a value out of range at encoding
};

struct CodecError {
  Fault fault = Fault::kTooShort;
  std::uint8_t ie = 0;         // offending IE identifier, when relevant
  std::uint8_t cause() const;  // Q.850 cause the call control answers with (5.8): 95 or 100
  std::string to_string() const;
  friend bool operator==(const CodecError&, const CodecError&) = default;
};

// Header errors (5.8.1-5.8.4) fail the decode. IE errors do not: a bad or
// repeated IE is dropped and an unrecognised one kept raw, each listed in
// Message::ie_errors for check_ies().
Result<Message, CodecError> decode(std::span<const std::uint8_t> bytes);

// Who sent a message: some IEs are mandatory in one direction only (Q.931 3.1.14
// channel identification in SETUP from the network).
enum class Sender : std::uint8_t { kNetwork, kUser };

// What call control does about a decoded message's information elements.
struct IeVerdict {
  enum Action : std::uint8_t {
    kProcess,           // act on the message (repetitions were ignored, 5.8.5.2)
    kProcessAndStatus,  // act on it with the valid IEs and answer STATUS `cause`: 100 for a bad optional IE
                        // (5.8.7.2), 99 for unrecognised ones (5.8.7.1); never for DISCONNECT, RELEASE,
                        // RELEASE COMPLETE
    kReject,            // a mandatory IE missing (96, 5.8.6.1) or bad (100, 5.8.6.2), or an unrecognised
                        // "comprehension required" IE (96, 5.8.7.1): answer with answer_ie_errors()
    kProcessAndClear,   // a DISCONNECT or RELEASE with unrecognised IEs (5.8.7.1 a, b): act on it, and the
                        // RELEASE / RELEASE COMPLETE that answers it carries cause 99 (answer_ie_errors())
  };
  Action action = kProcess;
  std::uint8_t cause = 0;
  std::vector<std::uint8_t> diagnostics;  // the IE identifiers (Q.850 diagnostics of causes 96, 99, 100)
  friend bool operator==(const IeVerdict&, const IeVerdict&) = default;
};
IeVerdict check_ies(const Message& m, Sender from);

// The message that answers (5.8.6.1, 5.8.6.2, 5.8.7): a rejected SETUP -> RELEASE
// COMPLETE; DISCONNECT -> RELEASE (then clear as for cause 31); RELEASE -> RELEASE
// COMPLETE; RELEASE COMPLETE -> nothing (taken as cause 31); any other -> STATUS
// with our `call_state`. kProcessAndStatus -> STATUS. kProcessAndClear: DISCONNECT ->
// RELEASE, RELEASE -> RELEASE COMPLETE, both with cause 99. The call reference is the
// received one with the flag inverted; the cause carries `location` (0 user, 2
// public network serving the local user) and the IE identifiers as diagnostics, as many
// as the Cause IE holds (4.5.12: at most 32 octets, so 27 diagnostic octets).
std::optional<Message> answer_ie_errors(const Message& received, const IeVerdict& v, std::uint8_t call_state,
                                        std::uint8_t location);
Result<std::vector<std::uint8_t>, CodecError> encode(const Message& m);

}  // namespace isupgw::q931
