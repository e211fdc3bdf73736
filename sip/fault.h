// Why a SIP message (or one of its parts) was rejected. One value per fault so
// the stack can answer with the right status and a Warning (RFC 3261 20.43)
// that names it, and so every drop can be counted by cause.
#pragma once

#include <cstdint>
#include <string_view>

namespace isupgw::sip {

enum class Fault : std::uint8_t {
  // Framing / start line (RFC 3261 7.1, 7.2).
  kEmpty,
  kMessageTooLarge,
  kTooManyHeaders,
  kHeaderTooLong,
  kBadStartLine,
  kBadMethod,
  kBadRequestUri,
  kBadVersion,
  kBadStatusCode,
  kBadReasonPhrase,
  kBadHeaderLine,  // no colon, bare CR/LF, control characters
  kBadHeaderName,
  kNoHeaderEnd,  // no empty line after the headers
  // Mandatory headers (RFC 3261 8.1.1).
  kMissingVia,
  kMissingFrom,
  kMissingTo,
  kMissingCallId,
  kMissingCSeq,
  kDuplicateHeader,  // a single-valued header appears more than once (RFC 3261 7.3.1)
  // Header values.
  kBadVia,
  kBadNameAddr,
  kBadCallId,
  kBadCSeq,
  kCSeqMethodMismatch,
  kBadMaxForwards,
  kBadContentLength,
  kBodyTruncated,  // Content-Length larger than what was received (RFC 3261 18.3)
  kBadParam,
  kBadQuotedString,
  kBadNumber,
  kBadToken,
  kBadMediaType,
  kBadRAck,
  kBadReason,
  kBadSessionExpires,
  // URIs (RFC 3261 19.1, RFC 3966).
  kBadUriScheme,
  kBadUriUser,
  kBadUriHost,
  kBadUriPort,
  kBadUriParam,
  kBadUriHeaders,
  kBadEscape,
  // Bodies (RFC 4566, RFC 2046).
  kBadSdp,
  kBadMultipart,
};

// Short English text, safe inside a Warning quoted-string (no quotes/backslashes).
std::string_view describe(Fault f);

// Status code for a request rejected because of this fault: 505 for an
// unsupported SIP version (RFC 3261 8.2.2... 21.5.6), 513 for an oversized
// message (21.5.11), 400 otherwise (21.4.1).
int status_for(Fault f);

}  // namespace isupgw::sip
