#include "trace/keys.h"

#include <algorithm>
#include <cctype>

namespace isupgw::trace {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The next line (without CR LF) and the rest after it.
std::string_view next_line(std::string_view& rest) {
  auto nl = rest.find('\n');
  std::string_view line = nl == std::string_view::npos ? rest : rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::string_view first_token(std::string_view& s) {
  s = trim(s);
  auto sp = s.find_first_of(" \t");
  std::string_view t = s.substr(0, sp);
  s = sp == std::string_view::npos ? std::string_view{} : s.substr(sp);
  return t;
}

int number(std::string_view s) {
  if (s.empty() || s.size() > 6) return -1;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

std::optional<IsupKeys> isup_after_label(std::uint32_t opc, std::uint32_t dpc, std::span<const std::uint8_t> isup,
                                         bool ansi) {
  if (isup.size() < 3) return std::nullopt;
  IsupKeys k;
  k.opc = opc;
  k.dpc = dpc;
  k.cic = static_cast<std::uint16_t>((isup[0] | (isup[1] << 8)) & (ansi ? 0x3fff : 0x0fff));
  k.type = isup[2];
  k.isup = isup;
  return k;
}

}  // namespace

std::optional<SipKeys> sip_keys(std::string_view message) {
  std::string_view rest = message;
  std::string_view start = next_line(rest);
  SipKeys k;
  std::string_view s = start;
  std::string_view first = first_token(s);
  if (first.substr(0, 4) == "SIP/") {
    k.status = number(first_token(s));
    if (k.status < 100 || k.status > 699) return std::nullopt;
  } else {
    if (first.empty()) return std::nullopt;
    k.method = first;
  }
  while (!rest.empty()) {
    std::string_view line = next_line(rest);
    if (line.empty()) break;  // end of headers
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    if (k.call_id.empty() && (iequals(name, "Call-ID") || iequals(name, "i"))) {
      k.call_id = value;
    } else if (k.status != 0 && k.method.empty() && iequals(name, "CSeq")) {
      first_token(value);
      k.method = first_token(value);
    }
  }
  if (k.call_id.empty()) return std::nullopt;
  return k;
}

std::optional<IsupKeys> m3ua_isup(std::span<const std::uint8_t> m) {
  // Common header (RFC 4666 3.1): version 1, reserved, class 1 (transfer), type 1 (DATA), length.
  if (m.size() < 8 || m[0] != 1 || m[2] != 1 || m[3] != 1) return std::nullopt;
  std::size_t end = std::min<std::size_t>(m.size(), be32(&m[4]));
  std::size_t at = 8;
  while (at + 4 <= end) {
    const std::uint16_t tag = static_cast<std::uint16_t>((m[at] << 8) | m[at + 1]);
    const std::size_t len = static_cast<std::size_t>((m[at + 2] << 8) | m[at + 3]);
    if (len < 4 || at + len > end) return std::nullopt;
    if (tag == 0x0210) {
      // OPC (4), DPC (4), SI, NI, MP, SLS, then the user part's data.
      if (len < 16) return std::nullopt;
      const std::uint8_t* v = &m[at + 4];
      if (v[8] != 5) return std::nullopt;  // SI 5: ISUP
      return isup_after_label(be32(v), be32(v + 4), m.subspan(at + 16, len - 16), false);
    }
    at += (len + 3) & ~std::size_t{3};
  }
  return std::nullopt;
}

std::optional<IsupKeys> m2pa_isup(std::span<const std::uint8_t> m, bool ansi) {
  // Common header: version 1, spare, class 11, type 1 (User Data); M2PA header (BSN, FSN); priority octet.
  if (m.size() < 18 || m[0] != 1 || m[2] != 11 || m[3] != 1) return std::nullopt;
  const std::size_t end = std::min<std::size_t>(m.size(), be32(&m[4]));
  if (end < 18) return std::nullopt;
  auto mtp = m.subspan(17, end - 17);  // SIO + SIF
  if ((mtp[0] & 0x0f) != 5) return std::nullopt;
  if (ansi) {
    if (mtp.size() < 8) return std::nullopt;
    const std::uint32_t dpc = mtp[1] | (mtp[2] << 8) | (std::uint32_t{mtp[3]} << 16);
    const std::uint32_t opc = mtp[4] | (mtp[5] << 8) | (std::uint32_t{mtp[6]} << 16);
    return isup_after_label(opc, dpc, mtp.subspan(8), true);
  }
  if (mtp.size() < 5) return std::nullopt;
  const std::uint32_t label = mtp[1] | (mtp[2] << 8) | (mtp[3] << 16) | (std::uint32_t{mtp[4]} << 24);
  return isup_after_label((label >> 14) & 0x3fff, label & 0x3fff, mtp.subspan(5), false);
}

std::optional<MgcpKeys> mgcp_keys(std::string_view message) {
  std::string_view rest = message;
  std::string_view start = next_line(rest);
  MgcpKeys k;
  std::string_view first = first_token(start);
  if (first.empty()) return std::nullopt;
  if (number(first) >= 0) {
    k.code = number(first);
    k.transaction = first_token(start);
  } else {
    k.verb = first;
    k.transaction = first_token(start);
    k.endpoint = first_token(start);
  }
  if (k.transaction.empty()) return std::nullopt;
  while (!rest.empty()) {
    std::string_view line = next_line(rest);
    if (line.empty() || line == ".") break;  // SDP or a piggybacked message follows
    if (line.size() >= 2 && (line[0] == 'C' || line[0] == 'c') && line[1] == ':') {
      k.call_id = trim(line.substr(2));
      break;
    }
  }
  return k;
}

}  // namespace isupgw::trace
