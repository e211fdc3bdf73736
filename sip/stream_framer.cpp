#include "sip/stream_framer.h"

#include "sip/grammar.h"
#include "sip/headers.h"

namespace isupgw::sip {

namespace g = grammar;

bool StreamFramer::append(std::span<const std::uint8_t> data) {
  return append(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
}

bool StreamFramer::append(std::string_view data) {
  if (failed_) return false;
  // Views handed out by next() stay valid until here: compact now.
  if (read_ > 0) {
    buf_.erase(0, read_);
    read_ = 0;
  }
  if (buf_.size() + data.size() > max_buffer_) {
    failed_ = true;
    fault_ = Fault::kMessageTooLarge;
    return false;
  }
  buf_.append(data);
  return true;
}

StreamFramer::Frame StreamFramer::next() {
  auto error = [this](Fault f) {
    failed_ = true;
    fault_ = f;
    return Frame{Kind::kError, {}, f};
  };
  if (failed_) return Frame{Kind::kError, {}, fault_};
  std::string_view s = std::string_view(buf_).substr(read_);
  // Keepalives between messages (RFC 5626 3.5.1); RFC 3261 7.5 lets CRLFs precede a message.
  while (s.size() >= 2 && s[0] == '\r' && s[1] == '\n') {
    if (s.size() >= 4 && s[2] == '\r' && s[3] == '\n') {
      read_ += 4;
      return Frame{Kind::kPing, {}, Fault::kEmpty};
    }
    if (s.size() == 2 || (s.size() == 3 && s[2] == '\r')) return Frame{};  // maybe a ping still arriving
    read_ += 2;
    s.remove_prefix(2);
  }
  if (s.size() == 1 && s[0] == '\r') return Frame{};
  std::size_t header_end = s.find("\r\n\r\n");
  if (header_end == std::string_view::npos) {
    if (s.size() >= max_buffer_) return error(Fault::kMessageTooLarge);
    return Frame{};
  }
  // Content-Length among the header lines (long or compact form "l").
  std::string_view head = s.substr(0, header_end + 2);
  std::size_t pos = head.find("\r\n") + 2;
  bool found = false;
  std::uint64_t length = 0;
  while (pos < head.size()) {
    std::size_t eol = head.find("\r\n", pos);
    while (eol + 2 < head.size() && (head[eol + 2] == ' ' || head[eol + 2] == '\t')) eol = head.find("\r\n", eol + 2);
    std::string_view line = head.substr(pos, eol - pos);
    pos = eol + 2;
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // the parser will name this fault
    if (header_id(g::trim(line.substr(0, colon))) != HeaderId::kContentLength) continue;
    auto n = g::parse_uint(g::trim(line.substr(colon + 1)), 0xffffffffu);
    if (!n) return error(Fault::kBadContentLength);
    if (found && *n != length) return error(Fault::kDuplicateHeader);
    found = true;
    length = *n;
  }
  if (!found) return error(Fault::kBadContentLength);  // RFC 3261 18.3: mandatory on streams
  const std::size_t total = header_end + 4 + static_cast<std::size_t>(length);
  if (total > max_buffer_) return error(Fault::kMessageTooLarge);
  if (s.size() < total) return Frame{};
  read_ += total;
  return Frame{Kind::kMessage, s.substr(0, total), Fault::kEmpty};
}

}  // namespace isupgw::sip
