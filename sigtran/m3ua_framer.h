// M3UA over a byte stream (TCP): messages are delimited by the common header's
// Message Length (RFC 4666 3.1). A length below 8 or above the limit cannot be
// resynchronised: the framer reports an error and the connection must be dropped.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace isupgw::sigtran::m3ua {

class StreamFramer {
 public:
  static constexpr std::size_t kMaxMessage = 65536;

  void append(std::span<const std::uint8_t> bytes);
  // The next complete message, valid until the next append()/next(); nullopt if incomplete or on error.
  std::optional<std::span<const std::uint8_t>> next();
  bool failed() const { return failed_; }
  std::size_t buffered() const { return buf_.size() - start_; }

 private:
  std::vector<std::uint8_t> buf_;
  std::size_t start_ = 0;
  bool failed_ = false;
};

}  // namespace isupgw::sigtran::m3ua
