// M3UA decode faults, the ERR Error Codes (RFC 4666 3.8.1) they map to, and their names.
#include <cstdio>
#include <string>

#include "sigtran/m3ua_codec.h"

namespace isupgw::sigtran::m3ua {

std::string_view to_string(ErrorCode c) {
  switch (c) {
    case ErrorCode::kInvalidVersion: return "invalid version";
    case ErrorCode::kUnsupportedMessageClass: return "unsupported message class";
    case ErrorCode::kUnsupportedMessageType: return "unsupported message type";
    case ErrorCode::kUnsupportedTrafficModeType: return "unsupported traffic mode type";
    case ErrorCode::kUnexpectedMessage: return "unexpected message";
    case ErrorCode::kProtocolError: return "protocol error";
    case ErrorCode::kInvalidStreamIdentifier: return "invalid stream identifier";
    case ErrorCode::kRefusedManagementBlocking: return "refused - management blocking";
    case ErrorCode::kAspIdentifierRequired: return "ASP identifier required";
    case ErrorCode::kInvalidAspIdentifier: return "invalid ASP identifier";
    case ErrorCode::kInvalidParameterValue: return "invalid parameter value";
    case ErrorCode::kParameterFieldError: return "parameter field error";
    case ErrorCode::kUnexpectedParameter: return "unexpected parameter";
    case ErrorCode::kDestinationStatusUnknown: return "destination status unknown";
    case ErrorCode::kInvalidNetworkAppearance: return "invalid network appearance";
    case ErrorCode::kMissingParameter: return "missing parameter";
    case ErrorCode::kInvalidRoutingContext: return "invalid routing context";
    case ErrorCode::kNoConfiguredAsForAsp: return "no configured AS for ASP";
  }
  return "unknown error code";
}

ErrorCode CodecError::error_code() const {
  switch (fault) {
    case Fault::kInvalidVersion: return ErrorCode::kInvalidVersion;
    case Fault::kUnsupportedClass: return ErrorCode::kUnsupportedMessageClass;
    case Fault::kUnsupportedType: return ErrorCode::kUnsupportedMessageType;
    case Fault::kBadParameterLength: return ErrorCode::kParameterFieldError;
    case Fault::kUnexpectedParameter: return ErrorCode::kUnexpectedParameter;
    case Fault::kMissingParameter: return ErrorCode::kMissingParameter;
    case Fault::kInvalidParameterValue: return ErrorCode::kInvalidParameterValue;
    case Fault::kUnsupportedTrafficMode: return ErrorCode::kUnsupportedTrafficModeType;
    case Fault::kTruncatedHeader:
    case Fault::kBadMessageLength:
    case Fault::kBufferTooSmall: break;
  }
  return ErrorCode::kProtocolError;
}

std::string CodecError::to_string() const {
  std::string s;
  switch (fault) {
    case Fault::kTruncatedHeader: s = "message shorter than the 8-octet header"; break;
    case Fault::kInvalidVersion: s = "invalid version"; break;
    case Fault::kUnsupportedClass: s = "unsupported message class"; break;
    case Fault::kUnsupportedType: s = "unsupported message type"; break;
    case Fault::kBadMessageLength: s = "message length field does not match the message"; break;
    case Fault::kBadParameterLength: s = "bad parameter length"; break;
    case Fault::kUnexpectedParameter: s = "unexpected parameter"; break;
    case Fault::kMissingParameter: s = "missing parameter"; break;
    case Fault::kInvalidParameterValue: s = "invalid parameter value"; break;
    case Fault::kUnsupportedTrafficMode: s = "unsupported traffic mode type"; break;
    case Fault::kBufferTooSmall: s = "output buffer too small"; break;
  }
  if (tag != 0) {
    char buf[16];
    std::snprintf(buf, sizeof buf, " 0x%04x", tag);
    s += buf;
  }
  return s + " (ERR " + std::string(m3ua::to_string(error_code())) + ")";
}

}  // namespace isupgw::sigtran::m3ua
