// SIP/SIPS URIs (RFC 3261 19.1, 25.1), tel URIs (RFC 3966) and other absolute
// URIs kept opaque. Zero-copy: every part is a view into the parsed text and
// keeps its escapes (%XX); grammar::unescape() decodes when needed.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/result.h"
#include "sip/fault.h"
#include "sip/grammar.h"

namespace isupgw::sip {

enum class Scheme : std::uint8_t { kSip, kSips, kTel, kOther };

struct Uri {
  Scheme scheme = Scheme::kOther;
  std::string_view text;         // the whole URI
  std::string_view scheme_text;  // as written ("SIP", "tel", "http")
  std::string_view user;         // sip: userinfo user; tel: the telephone-subscriber number
  std::string_view password;
  std::string_view host;     // "[2001:db8::1]" keeps its brackets (IPv6reference)
  std::uint16_t port = 0;    // 0 = not present
  grammar::Params params;    // ";transport=tcp;lr" (URI params; tel: its parameters)
  std::string_view headers;  // after '?', without it ("Route=%3Csip:x%3E&Subject=y")

  bool is_sip() const { return scheme == Scheme::kSip || scheme == Scheme::kSips; }
  bool ipv6() const { return !host.empty() && host.front() == '['; }
  // tel: "+4930..." global number (RFC 3966 5.1.4).
  bool global_number() const { return !user.empty() && user.front() == '+'; }
};

// host = hostname / IPv4address / IPv6reference starting at s[i]. Returns the
// end index or npos.
std::size_t scan_host(std::string_view s, std::size_t i);

// Parses exactly `text` (no surrounding blanks or brackets).
Result<Uri, Fault> parse_uri(std::string_view text);
// Same, into `out` (hot paths: no copy of the result). nullopt = valid.
std::optional<Fault> parse_uri_into(std::string_view text, Uri& out);

}  // namespace isupgw::sip
