#include "base/source_limiter.h"

#include <algorithm>
#include <bit>

namespace isupgw {

SourceKey SourceKey::from(std::span<const std::uint8_t> a) {
  SourceKey k;
  if (a.size() == 4) {
    std::copy(a.begin(), a.end(), k.bytes.begin());
    return k;
  }
  if (a.size() != 16) return k;
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(a.begin(), a.begin() + 12, kMapped)) {
    std::copy(a.begin() + 12, a.end(), k.bytes.begin());
    return k;
  }
  k.v6 = true;
  std::copy(a.begin(), a.begin() + 8, k.bytes.begin());  // the /64
  return k;
}

std::uint64_t SourceKey::hash() const {
  std::uint64_t v = 0;
  for (auto b : bytes) v = (v << 8) | b;
  v ^= v6 ? 0x9e3779b97f4a7c15ULL : 0;
  // splitmix64 finalizer: neighbouring addresses land far apart.
  v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ULL;
  v = (v ^ (v >> 27)) * 0x94d049bb133111ebULL;
  return v ^ (v >> 31);
}

SourceLimiter::SourceLimiter(Config cfg) : limit_(cfg.per_source) {
  if (limit_.unlimited()) return;
  const std::size_t n = std::bit_ceil(std::max(cfg.capacity, kWindow));
  slots_.resize(n);
  mask_ = n - 1;
}

bool SourceLimiter::admit(const SourceKey& source, Clock::time_point now) {
  if (slots_.empty()) return true;
  const std::size_t start = static_cast<std::size_t>(source.hash()) & mask_;
  Slot* free = nullptr;
  Slot* oldest = nullptr;
  for (std::size_t i = 0; i < kWindow; ++i) {
    Slot& s = slots_[(start + i) & mask_];
    if (s.used && s.key == source) {
      s.seen = now;
      return s.bucket.take(now);
    }
    if (!s.used) {
      if (!free) free = &s;
    } else if (!oldest || s.seen < oldest->seen) {
      oldest = &s;
    }
  }
  Slot* s = free;
  if (!s) {
    s = oldest;
    ++evictions_;
  } else {
    ++tracked_;
  }
  s->used = true;
  s->key = source;
  s->bucket = TokenBucket(limit_);
  s->seen = now;
  return s->bucket.take(now);
}

}  // namespace isupgw
