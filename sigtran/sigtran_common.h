// What the SIGTRAN user adaptation layers share (M3UA RFC 4666, IUA RFC 4233):
// the common message header (RFC 4666 3.1, RFC 4233 3.1), the message classes,
// the ASPSM/ASPTM/MGMT message type numbers, the common parameter tags
// (0x0000-0x00ff), the Status values, big-endian helpers and the TLV walker
// (RFC 4666 3.2 / RFC 4233 3.2: Parameter Length excludes padding, 0-3 pad
// octets follow). No I/O. m3ua_* and iua_* both build on it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace isupgw::sigtran::common {

inline constexpr std::uint8_t kVersion = 1;    // RFC 4666 3.1.1, RFC 4233 3.1.1
inline constexpr std::size_t kHeaderSize = 8;  // version, spare, class, type, length (32 bits)

// Message classes (IANA "SIGTRAN message classes"; RFC 4666 3.1.2, RFC 4233 3.1.2).
namespace cls {
inline constexpr std::uint8_t kMgmt = 0;
inline constexpr std::uint8_t kTransfer = 1;  // M3UA
inline constexpr std::uint8_t kSsnm = 2;      // M3UA
inline constexpr std::uint8_t kAspsm = 3;
inline constexpr std::uint8_t kAsptm = 4;
inline constexpr std::uint8_t kQptm = 5;  // IUA
inline constexpr std::uint8_t kRkm = 9;   // M3UA
}  // namespace cls

// Message types the layers share (RFC 4666 3.1.3 / RFC 4233 3.1.3).
namespace mgmt {
inline constexpr std::uint8_t kErr = 0;
inline constexpr std::uint8_t kNtfy = 1;
}  // namespace mgmt
namespace aspsm {
inline constexpr std::uint8_t kAspUp = 1;
inline constexpr std::uint8_t kAspDn = 2;
inline constexpr std::uint8_t kBeat = 3;
inline constexpr std::uint8_t kAspUpAck = 4;
inline constexpr std::uint8_t kAspDnAck = 5;
inline constexpr std::uint8_t kBeatAck = 6;
}  // namespace aspsm
namespace asptm {
inline constexpr std::uint8_t kAspAc = 1;
inline constexpr std::uint8_t kAspIa = 2;
inline constexpr std::uint8_t kAspAcAck = 3;
inline constexpr std::uint8_t kAspIaAck = 4;
}  // namespace asptm

// Class in the high byte, type in the low byte (both layers' MessageType enums).
constexpr std::uint16_t type_code(std::uint8_t c, std::uint8_t t) { return static_cast<std::uint16_t>(c << 8 | t); }

// Common parameter tags (RFC 4666 3.2, RFC 4233 3.2: same numbers in both).
namespace tag {
inline constexpr std::uint16_t kInfoString = 0x0004;
inline constexpr std::uint16_t kDiagnosticInformation = 0x0007;
inline constexpr std::uint16_t kHeartbeatData = 0x0009;
inline constexpr std::uint16_t kTrafficModeType = 0x000b;
inline constexpr std::uint16_t kErrorCode = 0x000c;
inline constexpr std::uint16_t kStatus = 0x000d;
inline constexpr std::uint16_t kAspIdentifier = 0x0011;
}  // namespace tag

inline constexpr std::size_t kMaxInfoString = 255;  // RFC 4666 3.8.2, RFC 4233 3.3.2.1

// NTFY Status Type / Information (RFC 4666 3.8.2, RFC 4233 3.3.3.2).
namespace status {
inline constexpr std::uint16_t kTypeAsStateChange = 1;
inline constexpr std::uint16_t kTypeOther = 2;
inline constexpr std::uint16_t kAsInactive = 2;
inline constexpr std::uint16_t kAsActive = 3;
inline constexpr std::uint16_t kAsPending = 4;
inline constexpr std::uint16_t kInsufficientAspResources = 1;
inline constexpr std::uint16_t kAlternateAspActive = 2;
inline constexpr std::uint16_t kAspFailure = 3;
}  // namespace status

// The NTFY Status parameter: Status Type and Status Information, as above.
struct Status {
  std::uint16_t type = 0;
  std::uint16_t info = 0;
  friend bool operator==(const Status&, const Status&) = default;
};

// ---------------------------------------------------------------------------
// Big-endian helpers.

inline std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
inline std::uint32_t be24(const std::uint8_t* p) { return std::uint32_t{p[0]} << 16 | std::uint32_t{p[1]} << 8 | p[2]; }
inline std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
inline void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
inline void put32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}
constexpr std::size_t pad4(std::size_t n) { return (n + 3) & ~std::size_t{3}; }

using Span = std::span<const std::uint8_t>;

// The common header's fields, read without judging them.
struct Header {
  std::uint8_t version = 0;
  std::uint8_t message_class = 0;
  std::uint8_t message_type = 0;
  std::uint32_t length = 0;
};
inline std::optional<Header> peek_header(Span b) {
  if (b.size() < kHeaderSize) return std::nullopt;
  return Header{b[0], b[2], b[3], be32(&b[4])};
}
// Appends a header whose length the caller patches with finish_message().
inline std::size_t begin_message(std::vector<std::uint8_t>& out, std::uint8_t c, std::uint8_t t) {
  const std::size_t at = out.size();
  out.insert(out.end(), {kVersion, 0, c, t, 0, 0, 0, 0});
  return at;
}
inline void finish_message(std::vector<std::uint8_t>& out, std::size_t at) {
  put32(&out[at + 4], static_cast<std::uint32_t>(out.size() - at));
}
// Appends one parameter (tag, length without padding, value, zero padding).
inline void append_tlv(std::vector<std::uint8_t>& out, std::uint16_t t, Span value) {
  const std::size_t at = out.size();
  out.resize(at + 4);
  put16(&out[at], t);
  put16(&out[at + 2], static_cast<std::uint16_t>(4 + value.size()));
  out.insert(out.end(), value.begin(), value.end());
  out.resize(at + pad4(4 + value.size()), 0);
}

// Calls f(tag, value) for each parameter of `body`; returns the first error f
// returns, or bad(tag) for a parameter whose length is under 4 or runs past the
// body (tag 0 when fewer than 4 octets remain). A missing pad after the last
// parameter is tolerated.
template <class F, class Bad>
auto for_each_tlv(Span body, F&& f, Bad&& bad) -> decltype(f(std::uint16_t{}, body)) {
  std::size_t off = 0;
  while (off < body.size()) {
    if (body.size() - off < 4) return bad(std::uint16_t{0});
    const std::uint16_t t = be16(&body[off]);
    const std::size_t len = be16(&body[off + 2]);
    if (len < 4 || len > body.size() - off) return bad(t);
    if (auto e = f(t, body.subspan(off + 4, len - 4))) return e;
    off += std::min(pad4(len), body.size() - off);
  }
  return {};
}

}  // namespace isupgw::sigtran::common
