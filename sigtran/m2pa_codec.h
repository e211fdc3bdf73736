// M2PA wire codec (RFC 4165 section 2). Errors are values.
//
// Every M2PA message is the common header (version 1, class 11, type, length;
// RFC 4165 2.1) plus the M2PA header (BSN and FSN, 24 bits each; 2.2) plus:
//  - User Data (type 1, 2.3.1): one octet with the MTP priority in its two top
//    bits (ANSI; spare in ITU), then the MTP3 message (SIO + SIF). A User Data
//    message without data (16 octets) is an acknowledgement only (RFC 4165 4.2.1);
//  - Link Status (type 2, 2.3.2): a 32-bit State, optionally Filler octets
//    (used with Proving).
//
// Two decoders: decode() into an owning Message; decode_user_data(), the hot
// path, views into the input without allocating.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace isupgw::sigtran::m2pa {

constexpr std::uint8_t kVersion = 1;
constexpr std::uint8_t kMessageClass = 11;       // RFC 4165 2.1.3: M2PA messages
constexpr std::uint32_t kPpid = 5;               // RFC 4165 1.3.1 / IANA
constexpr std::uint16_t kPort = 3565;            // RFC 4165 1.3.1
constexpr std::uint16_t kStreamLinkStatus = 0;   // RFC 4165 1.3.3: Link Status on stream 0
constexpr std::uint16_t kStreamUserData = 1;     // RFC 4165 1.3.3: User Data on stream 1
constexpr std::size_t kHeaderSize = 16;          // common (8) + M2PA (8) header
constexpr std::uint32_t kSeqMask = 0xFFFFFF;     // 24-bit FSN/BSN (RFC 4165 2.2)
constexpr std::uint32_t kInitialSeq = kSeqMask;  // RFC 4165 4.1.2: FSN and BSN start at 2**24-1

enum class MessageType : std::uint8_t { kUserData = 1, kLinkStatus = 2 };

// RFC 4165 2.3.2 Link Status values.
enum class LinkState : std::uint32_t {
  kAlignment = 1,
  kProvingNormal = 2,
  kProvingEmergency = 3,
  kReady = 4,
  kProcessorOutage = 5,
  kProcessorRecovered = 6,
  kBusy = 7,
  kBusyEnded = 8,
  kOutOfService = 9,
};
std::string_view to_string(LinkState s);
std::string_view to_string(MessageType t);

// a - b modulo 2**24 (how far `a` is ahead of `b`).
constexpr std::uint32_t seq_distance(std::uint32_t a, std::uint32_t b) { return (a - b) & kSeqMask; }
constexpr std::uint32_t seq_next(std::uint32_t s) { return (s + 1) & kSeqMask; }

struct Message {
  MessageType type = MessageType::kLinkStatus;
  std::uint32_t bsn = kInitialSeq;
  std::uint32_t fsn = kInitialSeq;
  LinkState state = LinkState::kOutOfService;  // Link Status only
  std::vector<std::uint8_t> filler;            // Link Status only
  std::uint8_t priority = 0;                   // User Data: top two bits of the first octet
  std::vector<std::uint8_t> data;              // User Data: the MTP3 message (SIO + SIF); empty = ack only
  friend bool operator==(const Message&, const Message&) = default;
};

enum class Fault : std::uint8_t {
  kTruncatedHeader,   // fewer than 16 octets
  kInvalidVersion,    // version != 1
  kUnsupportedClass,  // class != 11
  kUnsupportedType,   // type not 1 or 2
  kBadMessageLength,  // length field != octets given
  kMissingLinkState,  // Link Status shorter than 20 octets
  kInvalidLinkState,  // State not 1..9
  kBufferTooSmall,    // encode only
};
std::string_view to_string(Fault f);

struct Header {
  std::uint8_t version = 0;
  std::uint8_t message_class = 0;
  std::uint8_t message_type = 0;
  std::uint32_t length = 0;
};
// Common header fields without validating the rest (framing over TCP).
std::optional<Header> peek_header(std::span<const std::uint8_t> bytes);

// `bytes` must hold exactly one message (the length field must match).
Result<Message, Fault> decode(std::span<const std::uint8_t> bytes);
void encode(const Message& m, std::vector<std::uint8_t>& out);  // appends
std::vector<std::uint8_t> encode(const Message& m);

// User Data as views: nothing is allocated on decode or encode.
struct UserDataView {
  std::uint32_t bsn = kInitialSeq;
  std::uint32_t fsn = kInitialSeq;
  std::uint8_t priority = 0;
  std::span<const std::uint8_t> data;  // MTP3 message (SIO + SIF), empty for an ack-only message
};
Result<UserDataView, Fault> decode_user_data(std::span<const std::uint8_t> bytes);
constexpr std::size_t encoded_size(const UserDataView& u) {
  return kHeaderSize + (u.data.empty() ? 0 : 1 + u.data.size());
}
Result<std::size_t, Fault> encode_user_data(const UserDataView& u, std::span<std::uint8_t> out);

}  // namespace isupgw::sigtran::m2pa
