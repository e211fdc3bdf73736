// Message framing on stream transports (TCP/TLS): cuts complete SIP messages
// out of a byte stream by Content-Length (RFC 3261 18.3, mandatory on
// streams) and recognises RFC 5626 3.5.1 keepalives (CRLFCRLF ping, answered
// with a CRLF pong; a lone CRLF pong is skipped). Bounded: never buffers more
// than `max_buffer` octets. A framing error is fatal for the connection
// (there is no way to find the next message), so the caller closes it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "sip/fault.h"

namespace isupgw::sip {

class StreamFramer {
 public:
  explicit StreamFramer(std::size_t max_buffer = 65535 + 1024) : max_buffer_(max_buffer) {}

  enum class Kind : std::uint8_t {
    kNeedMore,  // no complete message buffered
    kMessage,   // `bytes` is one complete message
    kPing,      // CRLFCRLF keepalive: answer "\r\n" (RFC 5626 4.4.1)
    kError,     // `fault` says why; close the connection
  };
  struct Frame {
    Kind kind = Kind::kNeedMore;
    std::string_view bytes;  // valid until the next append()
    Fault fault = Fault::kEmpty;
  };

  // Buffers received octets. False when the bound would be exceeded (the
  // framer is then in error: next() returns kError kMessageTooLarge).
  bool append(std::span<const std::uint8_t> data);
  bool append(std::string_view data);
  Frame next();

  std::size_t buffered() const { return buf_.size() - read_; }

 private:
  std::size_t max_buffer_;
  std::string buf_;
  std::size_t read_ = 0;
  bool failed_ = false;
  Fault fault_ = Fault::kEmpty;
};

}  // namespace isupgw::sip
