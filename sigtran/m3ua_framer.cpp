#include "sigtran/m3ua_framer.h"

namespace isupgw::sigtran::m3ua {

void StreamFramer::append(std::span<const std::uint8_t> bytes) {
  if (start_ > 0 && start_ == buf_.size()) {
    buf_.clear();
    start_ = 0;
  } else if (start_ > 4096 && start_ * 2 > buf_.size()) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(start_));
    start_ = 0;
  }
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

std::optional<std::span<const std::uint8_t>> StreamFramer::next() {
  if (failed_ || buffered() < 8) return std::nullopt;
  const std::uint8_t* p = buf_.data() + start_;
  const std::size_t len = std::size_t{p[4]} << 24 | std::size_t{p[5]} << 16 | std::size_t{p[6]} << 8 | p[7];
  if (len < 8 || len > kMaxMessage) {
    failed_ = true;
    return std::nullopt;
  }
  if (buffered() < len) return std::nullopt;
  start_ += len;
  return std::span<const std::uint8_t>(p, len);
}

}  // namespace isupgw::sigtran::m3ua
