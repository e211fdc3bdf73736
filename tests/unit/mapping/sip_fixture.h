// Test helpers: SIP messages from text (owned buffer + parsed view) and ISUP
// messages from builders.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sip/message.h"

namespace isupgw::mapping::testing_support {

struct Parsed {
  std::string text;
  sip::Message m;
};

inline std::unique_ptr<Parsed> parse(std::string text) {
  auto p = std::make_unique<Parsed>();
  p->text = std::move(text);
  auto r = sip::parse_message(p->text, p->m);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().warning_text()) << "\n" << p->text;
  return p;
}

// An INVITE with the usual mandatory headers; `headers` are extra header lines.
inline std::unique_ptr<Parsed> invite(std::string_view ruri, const std::vector<std::string>& headers = {},
                                      std::string_view content_type = {}, std::string_view body = {},
                                      std::string_view from = "<sip:+4930111@192.0.2.1;user=phone>;tag=a",
                                      int max_forwards = 70) {
  std::string t = "INVITE " + std::string(ruri) + " SIP/2.0\r\n";
  t += "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n";
  t += "From: " + std::string(from) + "\r\n";
  t += "To: <" + std::string(ruri) + ">\r\n";
  t += "Call-ID: c1@192.0.2.1\r\nCSeq: 1 INVITE\r\n";
  if (max_forwards >= 0) t += "Max-Forwards: " + std::to_string(max_forwards) + "\r\n";
  for (const auto& h : headers) t += h + "\r\n";
  if (!content_type.empty()) t += "Content-Type: " + std::string(content_type) + "\r\n";
  t += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  t += body;
  return parse(std::move(t));
}

inline std::unique_ptr<Parsed> response(int status, const std::vector<std::string>& headers = {},
                                        std::string_view content_type = {}, std::string_view body = {}) {
  std::string t = "SIP/2.0 " + std::to_string(status) + " X\r\n";
  t += "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n";
  t += "From: <sip:+4930111@192.0.2.1;user=phone>;tag=a\r\nTo: <sip:+4930222@192.0.2.2;user=phone>;tag=b\r\n";
  t += "Call-ID: c1@192.0.2.1\r\nCSeq: 1 INVITE\r\n";
  for (const auto& h : headers) t += h + "\r\n";
  if (!content_type.empty()) t += "Content-Type: " + std::string(content_type) + "\r\n";
  t += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  t += body;
  return parse(std::move(t));
}

inline std::unique_ptr<Parsed> request(std::string_view method, const std::vector<std::string>& headers = {},
                                       std::string_view content_type = {}, std::string_view body = {}) {
  std::string t = std::string(method) + " sip:+4930222@192.0.2.2;user=phone SIP/2.0\r\n";
  t += "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK2\r\n";
  t += "From: <sip:+4930111@192.0.2.1;user=phone>;tag=a\r\nTo: <sip:+4930222@192.0.2.2;user=phone>;tag=b\r\n";
  t += "Call-ID: c1@192.0.2.1\r\nCSeq: 2 " + std::string(method) + "\r\nMax-Forwards: 70\r\n";
  for (const auto& h : headers) t += h + "\r\n";
  if (!content_type.empty()) t += "Content-Type: " + std::string(content_type) + "\r\n";
  t += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  t += body;
  return parse(std::move(t));
}

inline std::string sdp(std::string_view media_lines) {
  return "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n" + std::string(media_lines);
}
inline const std::string kPcmaSdp = sdp("m=audio 4000 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\n");

}  // namespace isupgw::mapping::testing_support
