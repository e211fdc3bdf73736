// Message bodies of a SIP-I/SIP-T gateway: multipart/mixed (RFC 2046 5.1,
// RFC 5621) carrying application/sdp plus application/ISUP (RFC 3204:
// version= and base= parameters, Content-Disposition: signal;handling=...).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "sip/fault.h"

namespace isupgw::sip {

// One part of a parsed multipart body: views into the body.
struct BodyPartView {
  std::string_view content_type;         // empty: text/plain default (RFC 2046 5.1)
  std::string_view content_disposition;  // raw header value, may be empty
  std::string_view body;
};

// RFC 2046 5.1.1. Preamble and epilogue are ignored; the close delimiter is required.
Result<std::vector<BodyPartView>, Fault> parse_multipart(std::string_view body, std::string_view boundary);

// A part to build (owned).
struct BodyPart {
  std::string content_type;
  std::string content_disposition;  // empty: none
  std::string body;
};
std::string build_multipart(const std::vector<BodyPart>& parts, std::string_view boundary);

// application/ISUP (RFC 3204 4): the ISUP message from the message type octet.
struct IsupBody {
  std::string version = "itu-t92+";
  std::string base;  // optional
  bool handling_required = true;
  std::string bytes;  // binary
};
BodyPart make_isup_part(const IsupBody& isup);

// What a gateway needs from any SIP body: the SDP and the encapsulated ISUP.
struct GatewayBodies {
  std::optional<std::string_view> sdp;
  struct Isup {
    std::string_view version;
    std::string_view base;
    bool handling_required = true;
    std::string_view bytes;
  };
  std::optional<Isup> isup;
  // A part with Content-Disposition handling=required that we do not understand
  // (RFC 3204 / RFC 3261 20.11: answer 415).
  bool unknown_required_part = false;
};
// `content_type` is the message's Content-Type (application/sdp,
// application/ISUP or multipart/mixed;boundary=...), `disposition` its Content-Disposition.
Result<GatewayBodies, Fault> split_bodies(std::string_view content_type, std::string_view disposition,
                                          std::string_view body);

// SIP message Content-Type and body for SDP + ISUP (SIP-I), or just one of them.
struct BuiltBody {
  std::string content_type;
  std::string content_disposition;  // for a lone ISUP body: signal;handling=...
  std::string body;
};
BuiltBody build_gateway_body(const std::optional<std::string>& sdp, const std::optional<IsupBody>& isup,
                             std::string_view boundary = "isupgw-boundary-1");

}  // namespace isupgw::sip
