// Q.931 / DSS1 (ETSI EN 300 403-1, ITU-T Q.931) layer 3 messages as value types:
// the header (protocol discriminator, call reference, message type), the
// basic-call message types and the information elements the call control
// reads, each as its octet groups name them. IEs we do not model are kept raw
// (codeset 0), as is everything from a shift on (codesets 5-7), so nothing is
// lost between decode and encode. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace isupgw::q931 {

inline constexpr std::uint8_t kProtocolDiscriminator = 0x08;  // Q.931 user-network call control (4.2)

// Message types (Q.931 4.4 Table 4-2, EN 300 403-1 Table 4-2).
namespace msg {
inline constexpr std::uint8_t kAlerting = 0x01;
inline constexpr std::uint8_t kCallProceeding = 0x02;
inline constexpr std::uint8_t kProgress = 0x03;
inline constexpr std::uint8_t kSetup = 0x05;
inline constexpr std::uint8_t kConnect = 0x07;
inline constexpr std::uint8_t kSetupAck = 0x0d;
inline constexpr std::uint8_t kConnectAck = 0x0f;
inline constexpr std::uint8_t kDisconnect = 0x45;
inline constexpr std::uint8_t kRestart = 0x46;
inline constexpr std::uint8_t kRelease = 0x4d;
inline constexpr std::uint8_t kRestartAck = 0x4e;
inline constexpr std::uint8_t kReleaseComplete = 0x5a;
inline constexpr std::uint8_t kNotify = 0x6e;
inline constexpr std::uint8_t kStatusEnquiry = 0x75;
inline constexpr std::uint8_t kInformation = 0x7b;
inline constexpr std::uint8_t kStatus = 0x7d;
}  // namespace msg
std::string_view message_name(std::uint8_t type);  // "SETUP", "?" for types not listed above
std::optional<std::uint8_t> message_type_from_name(std::string_view name);

// Information element identifiers, codeset 0 (Q.931 4.5 Table 4-3).
namespace ie {
inline constexpr std::uint8_t kShift = 0x90;  // 1001 xnnn: locking (x=0) / non-locking (x=1) shift
inline constexpr std::uint8_t kSendingComplete = 0xa1;
inline constexpr std::uint8_t kBearerCapability = 0x04;
inline constexpr std::uint8_t kCause = 0x08;
inline constexpr std::uint8_t kCallState = 0x14;
inline constexpr std::uint8_t kChannelIdentification = 0x18;
inline constexpr std::uint8_t kProgressIndicator = 0x1e;
inline constexpr std::uint8_t kNotificationIndicator = 0x27;
inline constexpr std::uint8_t kDisplay = 0x28;
inline constexpr std::uint8_t kKeypadFacility = 0x2c;
inline constexpr std::uint8_t kCallingPartyNumber = 0x6c;
inline constexpr std::uint8_t kCalledPartyNumber = 0x70;
inline constexpr std::uint8_t kRestartIndicator = 0x79;
}  // namespace ie

// Call reference (4.3): length 0 is the dummy call reference, 2 octets on a
// primary rate interface. `flag` is 0 from the side that allocated the value.
struct CallReference {
  std::uint8_t length = 2;
  bool flag = false;
  std::uint32_t value = 0;  // 7 bits (length 1), 15 bits (length 2)
  friend bool operator==(const CallReference&, const CallReference&) = default;
};

// Bearer capability (4.5.5).
struct BearerCapability {
  std::uint8_t coding_standard = 0;      // octet 3 bits 7-6: 0 ITU-T
  std::uint8_t transfer_capability = 0;  // octet 3 bits 5-1: 0 speech, 8 unrestricted digital, 0x10 3.1 kHz audio
  std::uint8_t transfer_mode = 0;        // octet 4 bits 7-6: 0 circuit
  std::uint8_t transfer_rate = 0x10;     // octet 4 bits 5-1: 0x10 64 kbit/s, 0x18 multirate
  std::optional<std::uint8_t> rate_multiplier;  // octet 4.1 (multirate only)
  std::optional<std::uint8_t> layer1;           // octet 5 bits 5-1: 2 G.711 mu-law, 3 G.711 A-law
  bool layer1_extended = false;                 // octet 5 bit 8 = 0: octets 5a.. follow (in rest)
  std::vector<std::uint8_t> rest;               // octets 5a.. and layers 2/3, as received
  friend bool operator==(const BearerCapability&, const BearerCapability&) = default;
};

// Channel identification (4.5.13).
struct ChannelId {
  bool interface_id_present = false;       // octet 3 bit 7
  bool primary_rate = true;                // octet 3 bit 6: interface type "other" (PRI)
  bool exclusive = true;                   // octet 3 bit 4: 1 exclusive, 0 preferred
  bool d_channel = false;                  // octet 3 bit 3
  std::uint8_t selection = 1;              // octet 3 bits 2-1: PRI 0 none, 1 as indicated, 3 any
  std::vector<std::uint8_t> interface_id;  // octet 3.1, as received (ext bits included)
  // Octets 3.2/3.3 (PRI, selection 1):
  std::uint8_t coding_standard = 0;    // octet 3.2 bits 7-6
  bool slot_map = false;               // octet 3.2 bit 5: 0 channel numbers, 1 slot map
  std::uint8_t channel_type = 3;       // octet 3.2 bits 4-1: 3 B-channel units
  std::vector<std::uint8_t> channels;  // octet 3.3 channel numbers (1..31), or the slot map's octets
  bool has_channel_octets = true;      // octets 3.2/3.3 present (PRI, selection 1)
  friend bool operator==(const ChannelId&, const ChannelId&) = default;
};

// Calling (4.5.10) / called (4.5.8) party number.
struct PartyNumber {
  std::uint8_t type = 0;  // octet 3 bits 7-5: 0 unknown, 1 international, 2 national, 3 network specific, 4 subscriber
  std::uint8_t plan = 1;  // octet 3 bits 4-1: 0 unknown, 1 ISDN/telephony E.164, 9 private
  std::optional<std::uint8_t> presentation;  // octet 3a bits 7-6 (calling only): 0 allowed, 1 restricted, 2 n/a
  std::optional<std::uint8_t> screening;     // octet 3a bits 2-1: 0 user not screened, 1 verified passed, 3 network
  std::string digits;                        // IA5 characters
  friend bool operator==(const PartyNumber&, const PartyNumber&) = default;
};

// Cause (4.5.12, Q.850).
struct Cause {
  std::uint8_t coding_standard = 0;
  std::uint8_t location = 0;  // 0 user, 1 private local, 2 public local, 3 transit, 4 public remote, 7 international
  std::optional<std::uint8_t> recommendation;  // octet 3a
  std::uint8_t value = 16;                     // octet 4 bits 7-1 (Q.850)
  std::vector<std::uint8_t> diagnostics;
  friend bool operator==(const Cause&, const Cause&) = default;
};

// Progress indicator (4.5.23).
struct ProgressIndicator {
  std::uint8_t coding_standard = 0;
  std::uint8_t location = 0;
  std::uint8_t description = 8;  // 1 not end-to-end ISDN, 2 destination non-ISDN, 3 origination non-ISDN,
                                 // 4 returned to ISDN, 8 in-band information available
  friend bool operator==(const ProgressIndicator&, const ProgressIndicator&) = default;
};

// Restart indicator (4.5.25): class 0 indicated channels, 6 single interface, 7 all interfaces.
namespace restart_class {
inline constexpr std::uint8_t kIndicatedChannels = 0;
inline constexpr std::uint8_t kSingleInterface = 6;
inline constexpr std::uint8_t kAllInterfaces = 7;
}  // namespace restart_class

// Call state (4.5.7): the state value of the sender (STATUS).
struct CallState {
  std::uint8_t coding_standard = 0;
  std::uint8_t value = 0;  // 6 bits: U0..U25 / N0..N25
  friend bool operator==(const CallState&, const CallState&) = default;
};

// An IE we do not model (codeset 0): its identifier and contents. Single-octet
// IEs (identifier bit 8 set) have no contents.
struct RawIe {
  std::uint8_t id = 0;
  std::vector<std::uint8_t> contents;
  friend bool operator==(const RawIe&, const RawIe&) = default;
};

// An information element the decoder did not take as it came (Q.931 5.8.5,
// 5.8.7; EN 300 403-1 5.8): the message is still returned, and check_ies()
// (codec.h) says what call control answers.
struct IeError {
  enum Kind : std::uint8_t {
    kInvalidContents,  // a modelled IE that does not parse, or runs past the message: dropped
    kRepeated,         // beyond its permitted repetitions: dropped, the first occurrences kept (5.8.5.2)
    kUnrecognised,     // not in Q.931 Table 4-3 (codeset 0): kept raw in `other`, not acted on (5.8.7.1)
  };
  std::uint8_t id = 0;
  Kind kind = kInvalidContents;
  friend bool operator==(const IeError&, const IeError&) = default;
};

struct Message {
  CallReference call_ref;
  std::uint8_t type = msg::kSetup;

  bool sending_complete = false;
  std::optional<BearerCapability> bearer_capability;
  std::vector<Cause> causes;  // up to 2 (Q.931 4.5.12)
  std::optional<CallState> call_state;
  std::optional<ChannelId> channel_id;
  std::vector<ProgressIndicator> progress;  // up to 2 (4.5.23)
  std::optional<std::string> display;
  std::optional<std::string> keypad;
  std::optional<PartyNumber> calling;
  std::optional<PartyNumber> called;
  std::optional<std::uint8_t> restart_class;
  std::vector<RawIe> other;           // codeset 0 IEs not modelled, in identifier order
  std::vector<std::uint8_t> shifted;  // from the first shift octet to the end, as received
  std::vector<IeError> ie_errors;     // filled by decode(), in message order; encode() ignores it

  friend bool operator==(const Message&, const Message&) = default;
};

}  // namespace isupgw::q931
