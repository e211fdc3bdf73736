// Building outgoing SIP messages (owned strings) and writing them out.
//
//   OutMessage m = OutMessage::request("INVITE", "sip:+4930123@gw.example.net;user=phone");
//   m.add(HeaderId::kVia, "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1");
//   ...
//   m.set_body("application/sdp", sdp_text);
//   std::string wire = m.serialize();   // Content-Length computed, written last
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sip/headers.h"
#include "sip/message.h"

namespace isupgw::sip {

// Default reason phrases (RFC 3261 21, RFC 3262, RFC 4028 ...).
std::string_view reason_phrase(int status);

class OutMessage {
 public:
  static OutMessage request(std::string method, std::string request_uri);
  static OutMessage response(int status, std::string reason = {});

  // Appends a header; the name is the canonical long form.
  OutMessage& add(HeaderId id, std::string value);
  OutMessage& add(std::string name, std::string value);
  // Sets the body and its Content-Type (empty type: no Content-Type header).
  OutMessage& set_body(std::string content_type, std::string body);

  bool is_request() const { return request_; }
  const std::string& method() const { return method_; }
  int status() const { return status_; }
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }
  const std::string& body() const { return body_; }

  // Appends the wire form to `out` (reuse one buffer on hot paths).
  void serialize_into(std::string& out) const;
  std::string serialize() const;

 private:
  bool request_ = true;
  std::string method_;
  std::string request_uri_;
  int status_ = 0;
  std::string reason_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string content_type_;
  std::string body_;
};

// Writes a parsed message back out: same start line, headers in order with
// compact names expanded, Content-Length recomputed from the body.
std::string serialize(const Message& m);
void serialize_into(const Message& m, std::string& out);

// RFC 3261 8.2.6: the response to a request that failed validate(): status
// from status_for(), Via/From/Call-ID/CSeq copied, To copied with `to_tag`
// added when it has none, and a Warning: 399 <agent> "<fault>" (20.43).
// From, To, Call-ID and CSeq are copied only when the request has them (a
// request without Call-ID gets a 400 without Call-ID, RFC 4475 3.1.2.18).
// nullopt when the request cannot be answered: a response, an ACK (never
// answered, 17.2.1), a request without Via (nowhere to send it, 18.2.2) or
// one whose header block has no end (kNoHeaderEnd: a fragment).
std::optional<std::string> build_error_response(const Message& request, const ParseError& error,
                                                std::string_view warn_agent, std::string_view to_tag);

}  // namespace isupgw::sip
