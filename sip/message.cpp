#include "sip/message.h"

#include <algorithm>
#include <cstring>

namespace isupgw::sip {

namespace g = grammar;

namespace {

struct MethodName {
  Method m;
  std::string_view name;
};
constexpr MethodName kMethods[] = {
    {Method::kInvite, "INVITE"},       {Method::kAck, "ACK"},         {Method::kBye, "BYE"},
    {Method::kCancel, "CANCEL"},       {Method::kOptions, "OPTIONS"}, {Method::kRegister, "REGISTER"},
    {Method::kPrack, "PRACK"},         {Method::kUpdate, "UPDATE"},   {Method::kInfo, "INFO"},
    {Method::kSubscribe, "SUBSCRIBE"}, {Method::kNotify, "NOTIFY"},   {Method::kRefer, "REFER"},
    {Method::kMessage, "MESSAGE"},     {Method::kPublish, "PUBLISH"},
};

constexpr std::string_view kRequestLine = "Request-Line";
constexpr std::string_view kRequestUri = "Request-URI";
constexpr std::string_view kStatusLine = "Status-Line";

Err<ParseError> fail(Fault f, std::string_view where) { return Err(ParseError{f, where}); }

bool is_sip20(std::string_view v) { return g::iequals(v, "SIP/2.0"); }

std::optional<ParseError> parse_start_line(std::string_view line, Message& m) {
  if (line.size() >= 4 && g::iequals(line.substr(0, 4), "SIP/")) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    m.request = false;
    std::size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return ParseError{Fault::kBadStartLine, kStatusLine};
    m.version = line.substr(0, sp);
    if (!is_sip20(m.version)) return ParseError{Fault::kBadVersion, kStatusLine};
    std::string_view rest = line.substr(sp + 1);
    std::size_t e = g::scan(rest, 0, g::kDigit);
    if (e != 3 || (e < rest.size() && rest[e] != ' ')) return ParseError{Fault::kBadStatusCode, kStatusLine};
    int code = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
    if (code < 100 || code > 699) return ParseError{Fault::kBadStatusCode, kStatusLine};
    m.status = code;
    // Reason-Phrase: any UTF-8 text without CR/LF (RFC 4475 unreason, noreason).
    m.reason = e < rest.size() ? rest.substr(e + 1) : std::string_view{};
    for (char c : m.reason)
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t') return ParseError{Fault::kBadReasonPhrase, kStatusLine};
    return std::nullopt;
  }
  // Request-Line = Method SP Request-URI SP SIP-Version: exactly two single
  // spaces (RFC 4475 lwsstart, trws, lwsruri are invalid).
  m.request = true;
  std::size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return ParseError{Fault::kBadStartLine, kRequestLine};
  m.method_text = line.substr(0, sp1);
  if (m.method_text.empty() || g::scan(m.method_text, 0, g::kToken) != m.method_text.size())
    return ParseError{Fault::kBadMethod, kRequestLine};
  m.method = method_from(m.method_text);
  std::size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return ParseError{Fault::kBadStartLine, kRequestLine};
  m.request_uri_text = line.substr(sp1 + 1, sp2 - sp1 - 1);
  m.version = line.substr(sp2 + 1);
  if (m.request_uri_text.empty()) return ParseError{Fault::kBadStartLine, kRequestLine};
  if (m.version.find_first_of(" \t") != std::string_view::npos) return ParseError{Fault::kBadStartLine, kRequestLine};
  if (m.version.size() < 4 || !g::iequals(m.version.substr(0, 4), "SIP/"))
    return ParseError{Fault::kBadStartLine, kRequestLine};
  if (!is_sip20(m.version)) return ParseError{Fault::kBadVersion, kRequestLine};
  if (auto f = parse_uri_into(m.request_uri_text, m.request_uri)) return ParseError{*f, kRequestUri};
  // RFC 3261 19.1.1 Table 1: URI headers are not allowed in a Request-URI (RFC 4475 escruri).
  if (!m.request_uri.headers.empty()) return ParseError{Fault::kBadRequestUri, kRequestUri};
  return std::nullopt;
}

// word *( "@" word ) reduced to RFC 3261 callid = word [ "@" word ].
bool valid_call_id(std::string_view v) {
  if (v.empty()) return false;
  std::size_t at = v.find('@');
  std::string_view a = v.substr(0, at);
  if (a.empty() || g::scan(a, 0, g::kWord) != a.size()) return false;
  if (at == std::string_view::npos) return true;
  std::string_view b = v.substr(at + 1);
  return !b.empty() && g::scan(b, 0, g::kWord) == b.size();
}

}  // namespace

Method method_from(std::string_view name) {
  for (const auto& e : kMethods)
    if (e.name == name) return e.m;
  return Method::kUnknown;
}

std::string_view to_string(Method m) {
  for (const auto& e : kMethods)
    if (e.m == m) return e.name;
  return "UNKNOWN";
}

std::string ParseError::warning_text() const {
  std::string s(where);
  s += ": ";
  s += describe(fault);
  // The text goes into a quoted-string: keep only printable ASCII without quotes/backslashes.
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e || c == '"' || c == '\\') c = '?';
  return s;
}

void ValueRange::Iterator::advance() {
  for (;;) {
    if (in_header_) {
      if (list_valued(id_)) {
        if (split_.next(item_)) {
          done_ = false;
          return;
        }
      }
      in_header_ = false;
    }
    while (cur_ != end_ && cur_->id != id_) ++cur_;
    if (cur_ == end_) {
      done_ = true;
      item_ = {};
      return;
    }
    const Header* h = cur_++;
    if (list_valued(id_)) {
      // Most list headers carry one element: no comma, no splitting.
      if (h->value.find(',') == std::string_view::npos) {
        if (h->value.empty()) continue;
        item_ = h->value;
        done_ = false;
        return;
      }
      split_ = g::CommaSplitter(h->value);
      in_header_ = true;
    } else {
      item_ = h->value;
      done_ = false;
      return;
    }
  }
}

std::size_t ValueRange::size() const {
  std::size_t n = 0;
  for (auto it = begin(); it != end(); ++it) ++n;
  return n;
}

std::optional<std::string_view> Message::first(HeaderId id) const {
  for (const auto& h : headers())
    if (h.id == id) return h.value;
  return std::nullopt;
}

std::optional<std::string_view> Message::first(std::string_view name) const {
  HeaderId id = header_id(name);
  for (const auto& h : headers())
    if (id != HeaderId::kOther ? h.id == id : g::iequals(h.name, name)) return h.value;
  return std::nullopt;
}

std::size_t Message::count(HeaderId id) const {
  std::size_t n = 0;
  for (const auto& h : headers()) n += h.id == id;
  return n;
}

void Message::clear() {
  request = false;
  method_text = {};
  method = Method::kUnknown;
  request_uri_text = {};
  status = 0;
  reason = {};
  version = {};
  body = {};
  raw = {};
  call_id = {};
  cseq = CSeq{};
  cseq_method = Method::kUnknown;
  max_forwards.reset();
  content_length.reset();
  header_count_ = 0;
  has_body_fault_ = false;
}

Result<std::size_t, ParseError> parse_frame(std::string_view data, Message& m, Framing framing, const Limits& limits) {
  m.clear();
  std::size_t pos = 0;
  // RFC 3261 7.5: CRLFs before the start line are ignored.
  while (pos + 1 < data.size() && data[pos] == '\r' && data[pos + 1] == '\n') pos += 2;
  const std::size_t start = pos;
  if (pos >= data.size()) return fail(Fault::kEmpty, kRequestLine);
  const char* base = data.data();
  auto find = [&](char c, std::size_t from) -> std::size_t {
    const void* p = std::memchr(base + from, c, data.size() - from);
    return p ? static_cast<std::size_t>(static_cast<const char*>(p) - base) : g::npos;
  };
  // A line ends at CRLF; a bare CR or LF is a fault.
  auto line_end = [&](std::size_t from, std::size_t& end) -> bool {
    std::size_t lf = find('\n', from);
    if (lf == g::npos || lf == from || data[lf - 1] != '\r') return false;
    std::size_t cr = find('\r', from);
    if (cr != lf - 1) return false;
    end = lf - 1;
    return true;
  };

  std::size_t eol;
  if (!line_end(pos, eol)) {
    if (data.size() - start > limits.max_message) return fail(Fault::kMessageTooLarge, kRequestLine);
    return fail(find('\n', pos) == g::npos ? Fault::kNoHeaderEnd : Fault::kBadStartLine, kRequestLine);
  }
  if (auto e = parse_start_line(data.substr(pos, eol - pos), m)) return Err(*e);
  pos = eol + 2;

  std::size_t content_length_index = g::npos;
  for (;;) {
    if (pos + 1 < data.size() && data[pos] == '\r' && data[pos + 1] == '\n') {
      pos += 2;
      break;
    }
    if (pos >= data.size()) return fail(Fault::kNoHeaderEnd, kRequestLine);
    if (pos - start > limits.max_message) return fail(Fault::kMessageTooLarge, kRequestLine);
    const std::size_t line_start = pos;
    // Header line with its continuation lines (RFC 3261 7.3.1 folding).
    std::size_t end;
    for (;;) {
      if (!line_end(pos, end)) {
        std::string_view name = data.substr(line_start, g::scan(data, line_start, g::kToken) - line_start);
        bool unterminated = find('\n', pos) == g::npos && find('\r', pos) == g::npos;
        return fail(unterminated ? Fault::kNoHeaderEnd : Fault::kBadHeaderLine, name);
      }
      pos = end + 2;
      if (pos < data.size() && (data[pos] == ' ' || data[pos] == '\t')) continue;
      break;
    }
    std::string_view line = data.substr(line_start, end - line_start);
    std::size_t ne = g::scan(line, 0, g::kToken);
    std::string_view name = line.substr(0, ne);
    if (line.size() > limits.max_header_line) return fail(Fault::kHeaderTooLong, name);
    if (ne == 0) return fail(Fault::kBadHeaderName, line.substr(0, 0));
    std::size_t c = ne;
    while (c < line.size() && (line[c] == ' ' || line[c] == '\t')) ++c;
    if (c >= line.size() || line[c] != ':') return fail(Fault::kBadHeaderLine, name);
    const HeaderId id = header_id(name);
    if (id == HeaderId::kContentLength && content_length_index == g::npos) content_length_index = m.headers().size();
    if (m.headers().size() >= limits.max_headers || !m.add_header(id, name, g::trim(line.substr(c + 1))))
      return fail(Fault::kTooManyHeaders, name);
  }
  if (pos - start > limits.max_message) return fail(Fault::kMessageTooLarge, kRequestLine);

  // Body (RFC 3261 18.3).
  std::string_view rest = data.substr(pos);
  std::size_t body_len = rest.size();
  if (content_length_index != g::npos) {
    const Header& h = m.headers()[content_length_index];
    auto n = g::parse_uint(h.value, 0xffffffffu);
    if (!n) {
      if (framing == Framing::kStream) return fail(Fault::kBadContentLength, h.name);
      m.set_body_fault(Fault::kBadContentLength);
    } else {
      m.content_length = static_cast<std::uint32_t>(*n);
      if (*n > rest.size()) {
        // Datagram: RFC 4475 clerr, answer 400. Stream: the framer waits for more.
        if (framing == Framing::kStream) return fail(Fault::kBodyTruncated, h.name);
        m.set_body_fault(Fault::kBodyTruncated);
      } else {
        body_len = static_cast<std::size_t>(*n);
      }
    }
  } else if (framing == Framing::kStream) {
    // RFC 3261 18.3: Content-Length is mandatory on stream transports.
    return fail(Fault::kBadContentLength, "Content-Length");
  }
  if (pos + body_len - start > limits.max_message) return fail(Fault::kMessageTooLarge, kRequestLine);
  m.body = rest.substr(0, body_len);
  m.raw = data.substr(start, pos + body_len - start);
  return pos + body_len;
}

std::optional<ParseError> validate(Message& m) {
  std::uint64_t seen = 0;
  static_assert(static_cast<int>(HeaderId::kCount) <= 64);
  const Header* first_of[static_cast<std::size_t>(HeaderId::kCount)] = {};
  for (const Header& h : m.headers()) {
    auto bit = std::uint64_t{1} << static_cast<unsigned>(h.id);
    if (h.id != HeaderId::kOther && (seen & bit) && single_valued(h.id))
      return ParseError{Fault::kDuplicateHeader, h.name};  // RFC 4475 multi01, mcl01
    seen |= bit;
    if (!first_of[static_cast<std::size_t>(h.id)]) first_of[static_cast<std::size_t>(h.id)] = &h;
  }
  auto get = [&](HeaderId id) { return first_of[static_cast<std::size_t>(id)]; };
  if (m.has_body_fault()) return ParseError{m.body_fault(), get(HeaderId::kContentLength)->name};

  // RFC 3261 8.1.1 / 8.2.2: the headers every transaction needs.
  const Header* h;
  if (!(h = get(HeaderId::kVia))) return ParseError{Fault::kMissingVia, "Via"};
  bool first_via = true;
  Via scratch_via;
  for (std::string_view element : m.values(HeaderId::kVia)) {
    if (auto f = parse_via_into(element, first_via ? m.top_via : scratch_via)) return ParseError{*f, h->name};
    first_via = false;
  }
  if (!(h = get(HeaderId::kFrom))) return ParseError{Fault::kMissingFrom, "From"};
  if (auto f = parse_name_addr_into(h->value, m.from)) return ParseError{*f, h->name};
  if (!(h = get(HeaderId::kTo))) return ParseError{Fault::kMissingTo, "To"};
  if (auto f = parse_name_addr_into(h->value, m.to)) return ParseError{*f, h->name};
  if (!(h = get(HeaderId::kCallId))) return ParseError{Fault::kMissingCallId, "Call-ID"};
  if (!valid_call_id(h->value)) return ParseError{Fault::kBadCallId, h->name};
  m.call_id = h->value;
  if (!(h = get(HeaderId::kCSeq))) return ParseError{Fault::kMissingCSeq, "CSeq"};
  auto cseq = parse_cseq(h->value);
  if (!cseq) return ParseError{cseq.error(), h->name};
  m.cseq = *cseq;
  m.cseq_method = method_from(m.cseq.method);
  // RFC 4475 mismatch01/02: the CSeq method must be the request's method.
  if (m.request && m.cseq.method != m.method_text) return ParseError{Fault::kCSeqMethodMismatch, h->name};
  if ((h = get(HeaderId::kMaxForwards))) {
    // 0-255 (RFC 3261 20.22); RFC 4475 scalarlg: larger values are a 400.
    auto mf = g::parse_uint(h->value, 255);
    if (!mf) return ParseError{Fault::kBadMaxForwards, h->name};
    m.max_forwards = static_cast<std::uint32_t>(*mf);
  }
  // Headers that route or identify: checked now so a broken one is a 400 here
  // rather than a surprise in the transaction layer.
  NameAddr scratch;
  for (HeaderId id : {HeaderId::kContact, HeaderId::kRoute, HeaderId::kRecordRoute}) {
    if (!(h = get(id))) continue;
    for (std::string_view element : m.values(id))
      if (auto f = parse_name_addr_into(element, scratch, id == HeaderId::kContact)) return ParseError{*f, h->name};
  }
  return std::nullopt;
}

Result<std::size_t, ParseError> parse_message(std::string_view data, Message& out, Framing framing,
                                              const Limits& limits) {
  auto r = parse_frame(data, out, framing, limits);
  if (!r) return r;
  if (auto e = validate(out)) return Err(*e);
  return r;
}

}  // namespace isupgw::sip
