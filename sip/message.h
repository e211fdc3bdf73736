// The SIP message model (RFC 3261 7) and its zero-copy parser.
//
// A Message is a set of views into the receive buffer: start line, up to
// kMaxHeaders raw headers (fixed capacity, no heap), the body, and the
// headers every transaction needs already parsed (Via, From, To, Call-ID,
// CSeq, Max-Forwards, Content-Length). Everything else is parsed on demand
// through values() + the typed parsers of sip/headers.h. The buffer must
// outlive the Message; copying a Message copies views only.
//
// Parsing is two steps so a request that is broken in a header can still be
// answered (RFC 3261 8.2 / 21.4.1 400 with a Warning):
//   parse_frame()  start line, header lines, body by Content-Length.
//                  Fails only when there is nothing one could answer.
//   validate()     mandatory headers present and well formed, single-valued
//                  headers not repeated, CSeq method = request method ...
// parse_message() does both.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "sip/fault.h"
#include "sip/grammar.h"
#include "sip/headers.h"
#include "sip/uri.h"

namespace isupgw::sip {

enum class Method : std::uint8_t {
  kUnknown,
  kInvite,
  kAck,
  kBye,
  kCancel,
  kOptions,
  kRegister,
  kPrack,
  kUpdate,
  kInfo,
  kSubscribe,
  kNotify,
  kRefer,
  kMessage,
  kPublish,
};
// Method names are case-sensitive (RFC 3261 7.1).
Method method_from(std::string_view name);
std::string_view to_string(Method m);

// Fixed capacity: a typical INVITE has 10-20 headers, SIP-I ones around 30.
inline constexpr std::size_t kMaxHeaders = 64;

struct Limits {
  std::size_t max_message = 65535;  // RFC 3261 18.1.1: a UDP datagram's maximum
  std::size_t max_headers = kMaxHeaders;
  std::size_t max_header_line = 8192;  // one header including its folded lines
};

struct Header {
  HeaderId id = HeaderId::kOther;
  std::string_view name;   // as written ("v", "CALL-id")
  std::string_view value;  // trimmed; folded lines kept (CRLF SP inside)
};

struct ParseError {
  Fault fault = Fault::kEmpty;
  std::string_view where;  // header name as written, or "Request-Line", "Request-URI", "Status-Line"
  // Text for a Warning header (RFC 3261 20.43): "CSeq: malformed CSeq".
  std::string warning_text() const;
};

class Message;

// Iterates the elements of every occurrence of one header: comma-separated
// elements for list headers (Via, Contact, Route, Allow...), whole values
// otherwise. Empty elements (",,") are reported as empty views.
class ValueRange {
 public:
  class Iterator {
   public:
    Iterator() = default;
    Iterator(const Header* cur, const Header* end, HeaderId id) : cur_(cur), end_(end), id_(id) { advance(); }
    std::string_view operator*() const { return item_; }
    Iterator& operator++() {
      advance();
      return *this;
    }
    bool operator==(const Iterator& o) const {
      return done_ == o.done_ && (done_ || (cur_ == o.cur_ && item_.data() == o.item_.data()));
    }

   private:
    void advance();
    const Header* cur_ = nullptr;
    const Header* end_ = nullptr;
    HeaderId id_ = HeaderId::kOther;
    grammar::CommaSplitter split_{std::string_view{}};
    bool in_header_ = false;
    bool done_ = true;
    std::string_view item_;
  };
  ValueRange(std::span<const Header> headers, HeaderId id) : headers_(headers), id_(id) {}
  Iterator begin() const { return Iterator(headers_.data(), headers_.data() + headers_.size(), id_); }
  Iterator end() const { return Iterator(); }
  std::size_t size() const;

 private:
  std::span<const Header> headers_;
  HeaderId id_;
};

class Message {
 public:
  // Start line.
  bool request = false;
  std::string_view method_text;  // requests
  Method method = Method::kUnknown;
  std::string_view request_uri_text;
  Uri request_uri;
  int status = 0;  // responses
  std::string_view reason;
  std::string_view version;  // "SIP/2.0"

  std::string_view body;
  std::string_view raw;  // the whole message as consumed

  // Filled by validate(); meaningful only after it succeeded (request_uri:
  // after parse_frame() succeeded on a request).
  Via top_via;
  NameAddr from;
  NameAddr to;
  std::string_view call_id;
  CSeq cseq;
  Method cseq_method = Method::kUnknown;
  std::optional<std::uint32_t> max_forwards;
  std::optional<std::uint32_t> content_length;

  bool is_request() const { return request; }
  bool is_response() const { return !request; }
  std::span<const Header> headers() const { return {headers_.data(), header_count_}; }
  std::optional<std::string_view> first(HeaderId id) const;
  // First header with this name (case-insensitive), for extension headers.
  std::optional<std::string_view> first(std::string_view name) const;
  bool has(HeaderId id) const { return first(id).has_value(); }
  std::size_t count(HeaderId id) const;
  ValueRange values(HeaderId id) const { return ValueRange(headers(), id); }

  // RFC 3261 16.3 / 8.2.2: a request with Max-Forwards 0 that would have to be
  // forwarded is answered 483 Too Many Hops (OPTIONS may be answered locally).
  bool max_forwards_exhausted() const { return max_forwards && *max_forwards == 0; }

  // Internal to the parser.
  // Fields stored one by one: building a Header temporary and copying it
  // caused store-forwarding stalls worth ~20% of the parse.
  bool add_header(HeaderId id, std::string_view name, std::string_view value) {
    if (header_count_ >= headers_.size()) return false;
    Header& h = headers_[header_count_++];
    h.id = id;
    h.name = name;
    h.value = value;
    return true;
  }
  Fault body_fault() const { return body_fault_; }
  bool has_body_fault() const { return has_body_fault_; }
  void set_body_fault(Fault f) {
    body_fault_ = f;
    has_body_fault_ = true;
  }
  void clear();

 private:
  std::array<Header, kMaxHeaders> headers_{};
  std::size_t header_count_ = 0;
  Fault body_fault_ = Fault::kEmpty;
  bool has_body_fault_ = false;
};

enum class Framing : std::uint8_t {
  kDatagram,  // no Content-Length: body runs to the end of the datagram (RFC 3261 18.3)
  kStream,    // Content-Length mandatory; `data` may hold more than one message
};

// Step 1. Returns the number of bytes consumed: for a datagram that may be
// less than data.size() (RFC 3261 18.3: octets after Content-Length are
// discarded, see RFC 4475 3.1.1.8 dblreq). Leading CRLFs are skipped (7.5).
Result<std::size_t, ParseError> parse_frame(std::string_view data, Message& out, Framing framing = Framing::kDatagram,
                                            const Limits& limits = {});
// Step 2. Fills the parsed fields of `m`. nullopt = valid.
std::optional<ParseError> validate(Message& m);
// Both steps.
Result<std::size_t, ParseError> parse_message(std::string_view data, Message& out, Framing framing = Framing::kDatagram,
                                              const Limits& limits = {});

}  // namespace isupgw::sip
