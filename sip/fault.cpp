#include "sip/fault.h"

namespace isupgw::sip {

std::string_view describe(Fault f) {
  switch (f) {
    case Fault::kEmpty: return "empty message";
    case Fault::kMessageTooLarge: return "message too large";
    case Fault::kTooManyHeaders: return "too many header fields";
    case Fault::kHeaderTooLong: return "header field too long";
    case Fault::kBadStartLine: return "malformed start line";
    case Fault::kBadMethod: return "malformed method";
    case Fault::kBadRequestUri: return "malformed Request-URI";
    case Fault::kBadVersion: return "unsupported SIP version";
    case Fault::kBadStatusCode: return "malformed status code";
    case Fault::kBadReasonPhrase: return "malformed reason phrase";
    case Fault::kBadHeaderLine: return "malformed header line";
    case Fault::kBadHeaderName: return "malformed header name";
    case Fault::kNoHeaderEnd: return "no empty line after the header fields";
    case Fault::kMissingVia: return "missing Via";
    case Fault::kMissingFrom: return "missing From";
    case Fault::kMissingTo: return "missing To";
    case Fault::kMissingCallId: return "missing Call-ID";
    case Fault::kMissingCSeq: return "missing CSeq";
    case Fault::kDuplicateHeader: return "single-valued header field repeated";
    case Fault::kBadVia: return "malformed Via";
    case Fault::kBadNameAddr: return "malformed name-addr";
    case Fault::kBadCallId: return "malformed Call-ID";
    case Fault::kBadCSeq: return "malformed CSeq";
    case Fault::kCSeqMethodMismatch: return "CSeq method does not match the request method";
    case Fault::kBadMaxForwards: return "malformed Max-Forwards";
    case Fault::kBadContentLength: return "malformed Content-Length";
    case Fault::kBodyTruncated: return "Content-Length larger than the message body";
    case Fault::kBadParam: return "malformed parameter";
    case Fault::kBadQuotedString: return "unterminated quoted string";
    case Fault::kBadNumber: return "malformed number";
    case Fault::kBadToken: return "malformed token";
    case Fault::kBadMediaType: return "malformed media type";
    case Fault::kBadRAck: return "malformed RAck";
    case Fault::kBadReason: return "malformed Reason";
    case Fault::kBadSessionExpires: return "malformed Session-Expires";
    case Fault::kBadUriScheme: return "malformed URI scheme";
    case Fault::kBadUriUser: return "malformed URI user part";
    case Fault::kBadUriHost: return "malformed URI host";
    case Fault::kBadUriPort: return "malformed URI port";
    case Fault::kBadUriParam: return "malformed URI parameter";
    case Fault::kBadUriHeaders: return "malformed URI headers";
    case Fault::kBadEscape: return "malformed escape sequence";
    case Fault::kBadSdp: return "malformed SDP";
    case Fault::kBadMultipart: return "malformed multipart body";
  }
  return "malformed message";
}

int status_for(Fault f) {
  switch (f) {
    case Fault::kBadVersion: return 505;       // RFC 3261 21.5.7 Version Not Supported
    case Fault::kMessageTooLarge: return 513;  // RFC 3261 21.5.8 Message Too Large
    default: return 400;                       // RFC 3261 21.4.1 Bad Request
  }
}

}  // namespace isupgw::sip
