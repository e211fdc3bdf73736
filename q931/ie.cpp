// Q.931 information element contents (Q.931 4.5, EN 300 403-1 4.5). Octet n
// bit 8 is the extension bit: 1 = last octet of the group.
#include "q931/ie.h"

namespace isupgw::q931::ies {
namespace {
constexpr std::uint8_t kExt = 0x80;
bool ext(std::uint8_t o) { return (o & kExt) != 0; }
std::uint8_t u8(unsigned v) { return static_cast<std::uint8_t>(v); }
}  // namespace

// 4.5.5 Bearer capability: octet 3 coding standard | capability; octet 4 mode |
// rate; 4.1 multiplier (rate 11000 only); octet 5 (layer 1 identification 01).
bool parse(Span v, BearerCapability& b) {
  if (v.size() < 2 || !ext(v[0]) || !ext(v[1])) return false;
  b.coding_standard = (v[0] >> 5) & 3;
  b.transfer_capability = v[0] & 0x1f;
  b.transfer_mode = (v[1] >> 5) & 3;
  b.transfer_rate = v[1] & 0x1f;
  std::size_t i = 2;
  if (b.transfer_rate == 0x18) {
    if (i >= v.size() || !ext(v[i])) return false;
    b.rate_multiplier = v[i++] & 0x7f;
  }
  if (i < v.size() && ((v[i] >> 5) & 3) == 1) {
    b.layer1 = v[i] & 0x1f;
    b.layer1_extended = !ext(v[i]);
    ++i;
  }
  b.rest.insert(b.rest.end(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return true;
}

bool write(const BearerCapability& b, Bytes& out) {
  if (b.coding_standard > 3 || b.transfer_capability > 0x1f || b.transfer_mode > 3 || b.transfer_rate > 0x1f)
    return false;
  if (b.rate_multiplier.has_value() != (b.transfer_rate == 0x18)) return false;
  if (b.rate_multiplier && *b.rate_multiplier > 0x7f) return false;
  if (b.layer1 && *b.layer1 > 0x1f) return false;
  if (!b.layer1 && !b.rest.empty() && ((b.rest[0] >> 5) & 3) == 1) return false;  // would read back as octet 5
  out.push_back(u8(kExt | b.coding_standard << 5 | b.transfer_capability));
  out.push_back(u8(kExt | b.transfer_mode << 5 | b.transfer_rate));
  if (b.rate_multiplier) out.push_back(u8(kExt | *b.rate_multiplier));
  if (b.layer1_extended && !b.layer1) return false;
  if (b.layer1) out.push_back(u8((b.layer1_extended ? 0 : kExt) | 1 << 5 | *b.layer1));
  out.insert(out.end(), b.rest.begin(), b.rest.end());
  return true;
}

// 4.5.13 Channel identification.
bool parse(Span v, ChannelId& c) {
  if (v.empty() || !ext(v[0]) || (v[0] & 0x10)) return false;  // bit 5 spare
  c.interface_id_present = v[0] & 0x40;
  c.primary_rate = v[0] & 0x20;
  c.exclusive = v[0] & 0x08;
  c.d_channel = v[0] & 0x04;
  c.selection = v[0] & 0x03;
  std::size_t i = 1;
  c.interface_id.clear();
  if (c.interface_id_present) {
    while (true) {
      if (i >= v.size()) return false;
      c.interface_id.push_back(v[i]);
      if (ext(v[i++])) break;
    }
  }
  c.channels.clear();
  c.has_channel_octets = i < v.size();
  if (!c.has_channel_octets) return true;
  if (!c.primary_rate || !ext(v[i])) return false;
  c.coding_standard = (v[i] >> 5) & 3;
  c.slot_map = v[i] & 0x10;
  c.channel_type = v[i] & 0x0f;
  ++i;
  if (c.slot_map) {
    c.channels.assign(v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
    return !c.channels.empty();
  }
  // Octet 3.3: channel numbers, the last with bit 8 = 1.
  while (i < v.size()) {
    c.channels.push_back(v[i] & 0x7f);
    if (ext(v[i++])) return i == v.size();
  }
  return false;
}

bool write(const ChannelId& c, Bytes& out) {
  if (c.selection > 3 || c.coding_standard > 3 || c.channel_type > 0x0f) return false;
  if (c.interface_id_present != !c.interface_id.empty()) return false;
  for (std::size_t i = 0; i < c.interface_id.size(); ++i)
    if (ext(c.interface_id[i]) != (i + 1 == c.interface_id.size())) return false;
  out.push_back(u8(kExt | (c.interface_id_present ? 0x40 : 0) | (c.primary_rate ? 0x20 : 0) | (c.exclusive ? 0x08 : 0) |
                   (c.d_channel ? 0x04 : 0) | c.selection));
  out.insert(out.end(), c.interface_id.begin(), c.interface_id.end());
  if (!c.has_channel_octets) return c.channels.empty();
  if (!c.primary_rate || c.channels.empty()) return false;
  out.push_back(u8(kExt | c.coding_standard << 5 | (c.slot_map ? 0x10 : 0) | c.channel_type));
  if (c.slot_map) {
    out.insert(out.end(), c.channels.begin(), c.channels.end());
    return true;
  }
  for (std::size_t i = 0; i < c.channels.size(); ++i) {
    if (c.channels[i] > 0x7f) return false;
    out.push_back(u8((i + 1 == c.channels.size() ? kExt : 0) | c.channels[i]));
  }
  return true;
}

// 4.5.10 Calling party number (octet 3a optional) / 4.5.8 called party number.
bool parse(Span v, PartyNumber& p, bool calling) {
  if (v.empty()) return false;
  p.type = (v[0] >> 4) & 7;
  p.plan = v[0] & 0x0f;
  std::size_t i = 1;
  p.presentation.reset();
  p.screening.reset();
  if (!ext(v[0])) {
    if (!calling || v.size() < 2 || !ext(v[1]) || (v[1] & 0x1c)) return false;  // bits 5-3 spare
    p.presentation = (v[1] >> 5) & 3;
    p.screening = v[1] & 3;
    i = 2;
  }
  return parse_ia5(v.subspan(i), p.digits);
}

bool write(const PartyNumber& p, bool calling, Bytes& out) {
  if (p.type > 7 || p.plan > 0x0f) return false;
  if (p.presentation.has_value() != p.screening.has_value()) return false;
  if (p.presentation && (!calling || *p.presentation > 3 || *p.screening > 3)) return false;
  out.push_back(u8((p.presentation ? 0 : kExt) | p.type << 4 | p.plan));
  if (p.presentation) out.push_back(u8(kExt | *p.presentation << 5 | *p.screening));
  return write_ia5(p.digits, out);
}

// 4.5.12 Cause.
bool parse(Span v, Cause& c) {
  if (v.size() < 2 || (v[0] & 0x10)) return false;
  c.coding_standard = (v[0] >> 5) & 3;
  c.location = v[0] & 0x0f;
  std::size_t i = 1;
  c.recommendation.reset();
  if (!ext(v[0])) {
    if (!ext(v[1])) return false;
    c.recommendation = v[1] & 0x7f;
    i = 2;
  }
  if (i >= v.size() || !ext(v[i])) return false;
  c.value = v[i] & 0x7f;
  c.diagnostics.assign(v.begin() + static_cast<std::ptrdiff_t>(i + 1), v.end());
  return true;
}

bool write(const Cause& c, Bytes& out) {
  if (c.coding_standard > 3 || c.location > 0x0f || c.value > 0x7f) return false;
  if (c.recommendation && *c.recommendation > 0x7f) return false;
  out.push_back(u8((c.recommendation ? 0 : kExt) | c.coding_standard << 5 | c.location));
  if (c.recommendation) out.push_back(u8(kExt | *c.recommendation));
  out.push_back(u8(kExt | c.value));
  out.insert(out.end(), c.diagnostics.begin(), c.diagnostics.end());
  return true;
}

// 4.5.23 Progress indicator: exactly two octets.
bool parse(Span v, ProgressIndicator& p) {
  if (v.size() != 2 || !ext(v[0]) || !ext(v[1]) || (v[0] & 0x10)) return false;
  p.coding_standard = (v[0] >> 5) & 3;
  p.location = v[0] & 0x0f;
  p.description = v[1] & 0x7f;
  return true;
}

bool write(const ProgressIndicator& p, Bytes& out) {
  if (p.coding_standard > 3 || p.location > 0x0f || p.description > 0x7f) return false;
  out.push_back(u8(kExt | p.coding_standard << 5 | p.location));
  out.push_back(u8(kExt | p.description));
  return true;
}

// 4.5.7 Call state: coding standard (bits 8-7), state value (bits 6-1).
bool parse(Span v, CallState& s) {
  if (v.size() != 1) return false;
  s.coding_standard = (v[0] >> 6) & 3;
  s.value = v[0] & 0x3f;
  return true;
}

bool write(const CallState& s, Bytes& out) {
  if (s.coding_standard > 3 || s.value > 0x3f) return false;
  out.push_back(u8(s.coding_standard << 6 | s.value));
  return true;
}

// IA5 characters (digits, display, keypad): bit 8 spare (0).
bool parse_ia5(Span v, std::string& out) {
  out.clear();
  for (auto o : v) {
    if (o & 0x80) return false;
    out.push_back(static_cast<char>(o));
  }
  return true;
}

bool write_ia5(const std::string& s, Bytes& out) {
  for (char ch : s) {
    if (static_cast<unsigned char>(ch) & 0x80) return false;
    out.push_back(static_cast<std::uint8_t>(ch));
  }
  return true;
}

// 4.5.25 Restart indicator: one octet, bit 8 = 1, bits 7-4 spare, class in bits 3-1.
bool parse_restart(Span v, std::uint8_t& restart_class) {
  if (v.size() != 1 || !ext(v[0]) || (v[0] & 0x78)) return false;
  restart_class = v[0] & 7;
  return true;
}

bool write_restart(std::uint8_t restart_class, Bytes& out) {
  if (restart_class > 7) return false;
  out.push_back(u8(kExt | restart_class));
  return true;
}

}  // namespace isupgw::q931::ies
