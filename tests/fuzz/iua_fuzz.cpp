// libFuzzer target: the IUA codec (RFC 4233). Any input must decode or fail
// cleanly with an ERR code; whatever decodes must re-encode, and the
// re-encoding must decode to the same message.
#include <cstddef>
#include <cstdint>
#include <span>

#include "sigtran/iua_codec.h"

namespace iua = isupgw::sigtran::iua;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> in(data, size);
  auto m = iua::decode(in);
  if (!m) {
    (void)m.error().to_string();
    (void)m.error().error_code();
    return 0;
  }
  auto bytes = iua::encode(*m);
  if (!bytes) __builtin_trap();  // decoded messages are always encodable
  auto again = iua::decode(*bytes);
  if (!again || !(*again == *m)) __builtin_trap();
  return 0;
}
