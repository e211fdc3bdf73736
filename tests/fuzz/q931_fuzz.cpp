// libFuzzer target: the Q.931 codec (EN 300 403-1). Any input must decode or
// fail cleanly with a cause; whatever decodes must re-encode, and the
// re-encoding must decode to the same message.
#include <cstddef>
#include <cstdint>
#include <span>

#include "q931/codec.h"

namespace q931 = isupgw::q931;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto m = q931::decode(std::span<const std::uint8_t>(data, size));
  if (!m) {
    (void)m.error().to_string();
    (void)m.error().cause();
    return 0;
  }
  auto bytes = q931::encode(*m);
  if (!bytes) __builtin_trap();  // decoded messages are always encodable
  auto again = q931::decode(*bytes);
  if (!again || !(*again == *m)) __builtin_trap();
  return 0;
}
