// libFuzzer target: the SIP parser. Whatever parses must serialize and parse
// again to the same fields; whatever fails must still let the 400 builder run.
// The same bytes also go through the stream framer and the typed header parsers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sip/headers.h"
#include "sip/message.h"
#include "sip/serializer.h"
#include "sip/stream_framer.h"

namespace {

using namespace isupgw::sip;

void check(bool ok) {
  if (!ok) std::abort();
}

void exercise_headers(const Message& m) {
  for (const Header& h : m.headers()) {
    for (std::string_view v : m.values(h.id)) {
      switch (h.id) {
        case HeaderId::kVia: (void)parse_via(v); break;
        case HeaderId::kContact:
        case HeaderId::kRoute:
        case HeaderId::kRecordRoute:
        case HeaderId::kPAssertedIdentity:
        case HeaderId::kDiversion:
        case HeaderId::kHistoryInfo: {
          auto na = parse_name_addr(v, true);
          if (na) {
            for (const auto& p : na->params) (void)p;
            for (const auto& p : na->uri.params) (void)p;
            (void)isupgw::sip::grammar::unescape(na->uri.user);
          }
          break;
        }
        case HeaderId::kRAck: (void)parse_rack(v); break;
        case HeaderId::kSessionExpires: (void)parse_session_expires(v); break;
        case HeaderId::kMinSE: (void)parse_min_se(v); break;
        case HeaderId::kReason: (void)parse_reason(v); break;
        case HeaderId::kContentType: (void)parse_media_type(v); break;
        case HeaderId::kContentDisposition: (void)parse_content_disposition(v); break;
        case HeaderId::kPrivacy:
          (void)valid_privacy(v);
          (void)privacy_has(v, "id");
          break;
        default: (void)parse_token(v); break;
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  Message m;
  auto r = parse_message(in, m);
  if (!r) {
    (void)r.error().warning_text();
    auto resp = build_error_response(m, r.error(), "fuzz", "tag");
    if (resp) {
      Message rm;
      check(parse_frame(*resp, rm).ok());
      check(rm.is_response() && rm.status == status_for(r.error().fault));
      check(rm.count(HeaderId::kVia) >= 1);  // answered only along a Via (RFC 3261 18.2.2)
    }
  } else {
    check(*r <= size);
    exercise_headers(m);
    std::size_t non_cl = 0;
    for (const Header& h : m.headers()) non_cl += h.id != HeaderId::kContentLength;
    if (non_cl < kMaxHeaders) {  // serialize() adds a Content-Length header
      const std::string again = serialize(m);
      Message m2;
      auto r2 = parse_message(again, m2);
      check(r2.ok());
      check(*r2 == again.size());
      check(m2.is_request() == m.is_request());
      check(m2.method_text == m.method_text);
      check(m2.request_uri_text == m.request_uri_text);
      check(m2.status == m.status);
      check(m2.reason == m.reason);
      check(m2.call_id == m.call_id);
      check(m2.cseq.number == m.cseq.number && m2.cseq.method == m.cseq.method);
      check(m2.from.tag() == m.from.tag() && m2.to.tag() == m.to.tag());
      check(m2.from.uri.text == m.from.uri.text && m2.to.uri.text == m.to.uri.text);
      check(m2.top_via.branch() == m.top_via.branch());
      check(m2.max_forwards == m.max_forwards);
      check(m2.body == m.body);
      check(m2.headers().size() == non_cl + 1);
    }
  }
  // The same bytes as a TCP stream, in two segments.
  StreamFramer framer(8192);
  framer.append(in.substr(0, size / 2));
  for (int i = 0; i < 2; ++i) {
    for (;;) {
      auto f = framer.next();
      if (f.kind == StreamFramer::Kind::kNeedMore || f.kind == StreamFramer::Kind::kError) break;
      if (f.kind == StreamFramer::Kind::kMessage) {
        Message sm;
        (void)parse_message(f.bytes, sm, Framing::kStream);
      }
    }
    framer.append(in.substr(size / 2));
  }
  return 0;
}
