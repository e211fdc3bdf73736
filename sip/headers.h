// Header names (long and compact forms, RFC 3261 7.3.3 and the extensions a
// gateway meets) and typed, zero-copy views of the header values it uses.
// Each parse_* function takes one header-value element (a comma-separated
// list has been split already, see grammar::CommaSplitter) and returns a
// view into it or the fault.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/result.h"
#include "sip/fault.h"
#include "sip/grammar.h"
#include "sip/uri.h"

namespace isupgw::sip {

enum class HeaderId : std::uint8_t {
  kOther,
  kVia,
  kFrom,
  kTo,
  kCallId,
  kCSeq,
  kContact,
  kRoute,
  kRecordRoute,
  kMaxForwards,
  kContentType,
  kContentLength,
  kContentDisposition,
  kContentEncoding,
  kRequire,
  kProxyRequire,
  kSupported,
  kUnsupported,
  kRSeq,
  kRAck,
  kSessionExpires,
  kMinSE,
  kReason,
  kPAssertedIdentity,
  kPPreferredIdentity,
  kPrivacy,
  kDiversion,
  kHistoryInfo,
  kAllow,
  kAccept,
  kExpires,
  kSubject,
  kWarning,
  kUserAgent,
  kServer,
  kDate,
  kEvent,
  kReferTo,
  kReferredBy,
  kAllowEvents,
  kRetryAfter,
  kTimestamp,
  kMimeVersion,
  kCount,
};

// Case-insensitive lookup of a header name, long or compact form.
HeaderId header_id(std::string_view name);
// Canonical long name ("Call-ID"); empty for kOther.
std::string_view header_name(HeaderId id);
// Headers that may appear at most once (RFC 3261 7.3.1: not a comma list).
bool single_valued(HeaderId id);
// Headers whose value is a comma-separated list (Via, Contact, Route, Allow...).
bool list_valued(HeaderId id);

// name-addr / addr-spec with header parameters (From, To, Contact, Route,
// Record-Route, P-Asserted-Identity, Diversion, History-Info, Refer-To).
struct NameAddr {
  std::string_view text;
  std::string_view display_name;  // raw: quoted ("\"A B\"") or token LWS run; empty if none
  Uri uri;
  grammar::Params params;
  bool angle_brackets = false;
  bool star = false;  // Contact: *

  std::string_view tag() const { return params.get("tag").value_or(std::string_view{}); }
};
Result<NameAddr, Fault> parse_name_addr(std::string_view element, bool allow_star = false);
std::optional<Fault> parse_name_addr_into(std::string_view element, NameAddr& out, bool allow_star = false);

// Via: SIP / 2.0 / UDP host[:port] *(;param)  (RFC 3261 20.42).
struct Via {
  std::string_view text;
  std::string_view protocol;   // "SIP"
  std::string_view version;    // "2.0"
  std::string_view transport;  // "UDP", "TCP", "TLS", "SCTP", any token
  std::string_view host;
  std::uint16_t port = 0;
  grammar::Params params;

  std::string_view branch() const { return params.get("branch").value_or(std::string_view{}); }
  std::optional<std::string_view> received() const { return params.get("received"); }
  std::optional<std::string_view> rport() const { return params.get("rport"); }
};
Result<Via, Fault> parse_via(std::string_view element);
std::optional<Fault> parse_via_into(std::string_view element, Via& out);

// CSeq: number (< 2^31, RFC 3261 8.1.1.5) and method.
struct CSeq {
  std::uint32_t number = 0;
  std::string_view method;
};
Result<CSeq, Fault> parse_cseq(std::string_view value);

// RAck: response-num CSeq-num Method (RFC 3262 7.2).
struct RAck {
  std::uint32_t rseq = 0;
  std::uint32_t cseq = 0;
  std::string_view method;
};
Result<RAck, Fault> parse_rack(std::string_view value);

// delta-seconds style numbers (Max-Forwards <= 255, RSeq/Min-SE/Expires < 2^32).
Result<std::uint32_t, Fault> parse_number(std::string_view value, std::uint32_t max);

// Session-Expires: delta [;refresher=uac|uas] (RFC 4028 4).
struct SessionExpires {
  std::uint32_t delta = 0;
  std::string_view refresher;  // "uac", "uas" or empty
  grammar::Params params;
};
Result<SessionExpires, Fault> parse_session_expires(std::string_view value);
// Min-SE: delta [;params]
Result<std::uint32_t, Fault> parse_min_se(std::string_view value);

// Reason: protocol ;cause=N ;text="..." (RFC 3326 2).
struct Reason {
  std::string_view protocol;  // "Q.850", "SIP"
  std::optional<std::uint32_t> cause;
  std::string_view text;  // unquoted, escapes kept
  grammar::Params params;
};
Result<Reason, Fault> parse_reason(std::string_view element);

// type/subtype *(;param) (Content-Type, Accept, multipart part headers).
struct MediaType {
  std::string_view type;
  std::string_view subtype;
  grammar::Params params;

  bool is(std::string_view t, std::string_view s) const {
    return grammar::iequals(type, t) && grammar::iequals(subtype, s);
  }
  std::string_view param(std::string_view name) const {
    return grammar::unquote(params.get(name).value_or(std::string_view{}));
  }
};
Result<MediaType, Fault> parse_media_type(std::string_view value);

// Content-Disposition: type *(;param) (RFC 3261 20.11, RFC 3204 signal).
struct ContentDisposition {
  std::string_view type;  // "session", "signal", "render", ...
  grammar::Params params;
  // RFC 3261 20.11: handling defaults to "required".
  bool handling_required() const {
    auto h = params.get("handling");
    return !h || !grammar::iequals(*h, "optional");
  }
};
Result<ContentDisposition, Fault> parse_content_disposition(std::string_view value);

// A single token element (Require, Supported, Allow, Privacy parts...).
Result<std::string_view, Fault> parse_token(std::string_view element);

// Privacy: priv-value *(";" priv-value) (RFC 3323 4.2). True if `value` lists `token`.
bool privacy_has(std::string_view value, std::string_view token);
// Checks a Privacy value is well formed.
bool valid_privacy(std::string_view value);

}  // namespace isupgw::sip
