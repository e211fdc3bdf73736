#include "sigtran/m2pa_codec.h"

#include <cstring>

namespace isupgw::sigtran::m2pa {
namespace {

std::uint32_t get32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
void put32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

// Common header + M2PA header (RFC 4165 2.1, 2.2). The octet before each
// 24-bit sequence number is "unused": sent as zero, ignored on receipt.
void put_header(std::uint8_t* p, MessageType type, std::uint32_t length, std::uint32_t bsn, std::uint32_t fsn) {
  p[0] = kVersion;
  p[1] = 0;
  p[2] = kMessageClass;
  p[3] = static_cast<std::uint8_t>(type);
  put32(p + 4, length);
  put32(p + 8, bsn & kSeqMask);
  put32(p + 12, fsn & kSeqMask);
}

Result<MessageType, Fault> check_header(std::span<const std::uint8_t> b) {
  if (b.size() < kHeaderSize) return Err(Fault::kTruncatedHeader);
  if (b[0] != kVersion) return Err(Fault::kInvalidVersion);
  if (b[2] != kMessageClass) return Err(Fault::kUnsupportedClass);
  if (b[3] != 1 && b[3] != 2) return Err(Fault::kUnsupportedType);
  if (get32(b.data() + 4) != b.size()) return Err(Fault::kBadMessageLength);
  return static_cast<MessageType>(b[3]);
}

}  // namespace

std::string_view to_string(LinkState s) {
  switch (s) {
    case LinkState::kAlignment: return "Alignment";
    case LinkState::kProvingNormal: return "Proving Normal";
    case LinkState::kProvingEmergency: return "Proving Emergency";
    case LinkState::kReady: return "Ready";
    case LinkState::kProcessorOutage: return "Processor Outage";
    case LinkState::kProcessorRecovered: return "Processor Recovered";
    case LinkState::kBusy: return "Busy";
    case LinkState::kBusyEnded: return "Busy Ended";
    case LinkState::kOutOfService: return "Out of Service";
  }
  return "?";
}

std::string_view to_string(MessageType t) { return t == MessageType::kUserData ? "User Data" : "Link Status"; }

std::string_view to_string(Fault f) {
  switch (f) {
    case Fault::kTruncatedHeader: return "truncated header";
    case Fault::kInvalidVersion: return "invalid version";
    case Fault::kUnsupportedClass: return "unsupported message class";
    case Fault::kUnsupportedType: return "unsupported message type";
    case Fault::kBadMessageLength: return "bad message length";
    case Fault::kMissingLinkState: return "missing link state";
    case Fault::kInvalidLinkState: return "invalid link state";
    case Fault::kBufferTooSmall: return "buffer too small";
  }
  return "?";
}

std::optional<Header> peek_header(std::span<const std::uint8_t> b) {
  if (b.size() < 8) return std::nullopt;
  return Header{b[0], b[2], b[3], get32(b.data() + 4)};
}

Result<Message, Fault> decode(std::span<const std::uint8_t> b) {
  auto type = check_header(b);
  if (!type) return Err(type.error());
  Message m;
  m.type = *type;
  m.bsn = get32(b.data() + 8) & kSeqMask;
  m.fsn = get32(b.data() + 12) & kSeqMask;
  auto body = b.subspan(kHeaderSize);
  if (m.type == MessageType::kUserData) {
    // A lone priority octet carries no MTP3 message: treated as ack-only.
    if (body.size() > 1) {
      m.priority = body[0] >> 6;
      m.data.assign(body.begin() + 1, body.end());
    }
    return m;
  }
  if (body.size() < 4) return Err(Fault::kMissingLinkState);
  std::uint32_t state = get32(body.data());
  if (state < 1 || state > 9) return Err(Fault::kInvalidLinkState);
  m.state = static_cast<LinkState>(state);
  m.filler.assign(body.begin() + 4, body.end());
  return m;
}

void encode(const Message& m, std::vector<std::uint8_t>& out) {
  std::size_t body = m.type == MessageType::kUserData ? (m.data.empty() ? 0 : 1 + m.data.size()) : 4 + m.filler.size();
  std::size_t at = out.size();
  out.resize(at + kHeaderSize + body);
  std::uint8_t* p = out.data() + at;
  put_header(p, m.type, static_cast<std::uint32_t>(kHeaderSize + body), m.bsn, m.fsn);
  p += kHeaderSize;
  if (m.type == MessageType::kUserData) {
    if (m.data.empty()) return;
    *p++ = static_cast<std::uint8_t>((m.priority & 3) << 6);
    std::memcpy(p, m.data.data(), m.data.size());
    return;
  }
  put32(p, static_cast<std::uint32_t>(m.state));
  if (!m.filler.empty()) std::memcpy(p + 4, m.filler.data(), m.filler.size());
}

std::vector<std::uint8_t> encode(const Message& m) {
  std::vector<std::uint8_t> out;
  encode(m, out);
  return out;
}

Result<UserDataView, Fault> decode_user_data(std::span<const std::uint8_t> b) {
  auto type = check_header(b);
  if (!type) return Err(type.error());
  if (*type != MessageType::kUserData) return Err(Fault::kUnsupportedType);
  UserDataView u;
  u.bsn = get32(b.data() + 8) & kSeqMask;
  u.fsn = get32(b.data() + 12) & kSeqMask;
  if (b.size() > kHeaderSize + 1) {
    u.priority = b[kHeaderSize] >> 6;
    u.data = b.subspan(kHeaderSize + 1);
  }
  return u;
}

Result<std::size_t, Fault> encode_user_data(const UserDataView& u, std::span<std::uint8_t> out) {
  std::size_t n = encoded_size(u);
  if (out.size() < n) return Err(Fault::kBufferTooSmall);
  put_header(out.data(), MessageType::kUserData, static_cast<std::uint32_t>(n), u.bsn, u.fsn);
  if (!u.data.empty()) {
    out[kHeaderSize] = static_cast<std::uint8_t>((u.priority & 3) << 6);
    std::memcpy(out.data() + kHeaderSize + 1, u.data.data(), u.data.size());
  }
  return n;
}

}  // namespace isupgw::sigtran::m2pa
