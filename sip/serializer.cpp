#include "sip/serializer.h"

#include <charconv>

namespace isupgw::sip {

namespace g = grammar;

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100: return "Trying";
    case 180: return "Ringing";
    case 181: return "Call Is Being Forwarded";
    case 182: return "Queued";
    case 183: return "Session Progress";
    case 199: return "Early Dialog Terminated";
    case 200: return "OK";
    case 202: return "Accepted";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Moved Temporarily";
    case 305: return "Use Proxy";
    case 380: return "Alternative Service";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 410: return "Gone";
    case 413: return "Request Entity Too Large";
    case 414: return "Request-URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Unsupported URI Scheme";
    case 420: return "Bad Extension";
    case 421: return "Extension Required";
    case 422: return "Session Interval Too Small";
    case 423: return "Interval Too Brief";
    case 480: return "Temporarily Unavailable";
    case 481: return "Call/Transaction Does Not Exist";
    case 482: return "Loop Detected";
    case 483: return "Too Many Hops";
    case 484: return "Address Incomplete";
    case 485: return "Ambiguous";
    case 486: return "Busy Here";
    case 487: return "Request Terminated";
    case 488: return "Not Acceptable Here";
    case 491: return "Request Pending";
    case 493: return "Undecipherable";
    case 500: return "Server Internal Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Server Time-out";
    case 505: return "Version Not Supported";
    case 513: return "Message Too Large";
    case 580: return "Precondition Failure";
    case 600: return "Busy Everywhere";
    case 603: return "Decline";
    case 604: return "Does Not Exist Anywhere";
    case 606: return "Not Acceptable";
  }
  if (status >= 100 && status < 200) return "Provisional";
  if (status < 300) return "OK";
  if (status < 400) return "Redirection";
  if (status < 500) return "Client Error";
  if (status < 600) return "Server Error";
  return "Global Failure";
}

namespace {

void append_number(std::string& out, std::size_t n) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

void append_status_line(std::string& out, int status, std::string_view reason) {
  out.append("SIP/2.0 ");
  append_number(out, static_cast<std::size_t>(status));
  out.push_back(' ');
  out.append(reason);
  out.append("\r\n");
}

}  // namespace

OutMessage OutMessage::request(std::string method, std::string request_uri) {
  OutMessage m;
  m.request_ = true;
  m.method_ = std::move(method);
  m.request_uri_ = std::move(request_uri);
  return m;
}

OutMessage OutMessage::response(int status, std::string reason) {
  OutMessage m;
  m.request_ = false;
  m.status_ = status;
  m.reason_ = reason.empty() ? std::string(reason_phrase(status)) : std::move(reason);
  return m;
}

OutMessage& OutMessage::add(HeaderId id, std::string value) {
  headers_.emplace_back(std::string(header_name(id)), std::move(value));
  return *this;
}

OutMessage& OutMessage::add(std::string name, std::string value) {
  headers_.emplace_back(std::move(name), std::move(value));
  return *this;
}

OutMessage& OutMessage::set_body(std::string content_type, std::string body) {
  content_type_ = std::move(content_type);
  body_ = std::move(body);
  return *this;
}

void OutMessage::serialize_into(std::string& out) const {
  if (request_) {
    out.append(method_);
    out.push_back(' ');
    out.append(request_uri_);
    out.append(" SIP/2.0\r\n");
  } else {
    append_status_line(out, status_, reason_);
  }
  for (const auto& [name, value] : headers_) append_header(out, name, value);
  if (!content_type_.empty()) append_header(out, "Content-Type", content_type_);
  out.append("Content-Length: ");
  append_number(out, body_.size());
  out.append("\r\n\r\n");
  out.append(body_);
}

std::string OutMessage::serialize() const {
  std::string out;
  std::size_t n = 64 + body_.size() + content_type_.size() + request_uri_.size();
  for (const auto& [name, value] : headers_) n += name.size() + value.size() + 4;
  out.reserve(n);
  serialize_into(out);
  return out;
}

void serialize_into(const Message& m, std::string& out) {
  if (m.is_request()) {
    out.append(m.method_text);
    out.push_back(' ');
    out.append(m.request_uri_text);
    out.append(" SIP/2.0\r\n");
  } else {
    append_status_line(out, m.status, m.reason);
  }
  for (const Header& h : m.headers()) {
    if (h.id == HeaderId::kContentLength) continue;
    append_header(out, h.id == HeaderId::kOther ? h.name : header_name(h.id), h.value);
  }
  out.append("Content-Length: ");
  append_number(out, m.body.size());
  out.append("\r\n\r\n");
  out.append(m.body);
}

std::string serialize(const Message& m) {
  std::string out;
  out.reserve(m.raw.size() + 64);
  serialize_into(m, out);
  return out;
}

std::optional<std::string> build_error_response(const Message& req, const ParseError& error,
                                                std::string_view warn_agent, std::string_view to_tag) {
  if (!req.is_request() || req.method == Method::kAck) return std::nullopt;
  // 8.2.6 needs a Via to route the response back (18.2.2); the other four are
  // copied only when present (RFC 4475 3.1.2.18 expects a 400 to "insuf").
  if (!req.has(HeaderId::kVia)) return std::nullopt;
  // Without the empty line the header block is cut short: its last line may be
  // a fragment, not a header to echo.
  if (error.fault == Fault::kNoHeaderEnd) return std::nullopt;
  const int status = status_for(error.fault);
  std::string out;
  out.reserve(512);
  append_status_line(out, status, reason_phrase(status));
  // RFC 3261 8.2.6.2: Via (all, in order), From, To, Call-ID, CSeq copied. A request whose fields are nearly
  // all Via (up to kMaxHeaders) keeps its top ones only: with all of them, the six fields after would make a
  // response no parser of ours takes (fuzz_sip found it); it is routed on the top Via alone (18.2.2).
  constexpr std::size_t kResponseFieldsAfterVia = 6;  // From, To, Call-ID, CSeq, Warning, Content-Length
  std::size_t vias = 0;
  for (const Header& h : req.headers())
    if (h.id == HeaderId::kVia && vias < kMaxHeaders - kResponseFieldsAfterVia) {
      append_header(out, "Via", h.value);
      ++vias;
    }
  if (auto from = req.first(HeaderId::kFrom)) append_header(out, "From", *from);
  if (auto to_value = req.first(HeaderId::kTo)) {
    std::string to(*to_value);
    auto parsed_to = parse_name_addr(to);
    if (!to_tag.empty() && parsed_to && !parsed_to->params.has("tag")) {
      to += ";tag=";
      to += to_tag;
    }
    append_header(out, "To", to);
  }
  if (auto call_id = req.first(HeaderId::kCallId)) append_header(out, "Call-ID", *call_id);
  if (auto cseq = req.first(HeaderId::kCSeq)) append_header(out, "CSeq", *cseq);
  std::string warning = "399 ";
  warning += warn_agent.empty() ? std::string_view("isupgw") : warn_agent;
  warning += " \"";
  warning += error.warning_text();
  warning += '"';
  append_header(out, "Warning", warning);
  out.append("Content-Length: 0\r\n\r\n");
  return out;
}

}  // namespace isupgw::sip
