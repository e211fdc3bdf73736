// libFuzzer target: the Q.921 (LAPD) frame codec. Any input must decode or
// fail cleanly; whatever decodes must re-encode to the same octets.
#include <cstddef>
#include <cstdint>
#include <span>

#include "q931/lapd_frame.h"

namespace lapd = isupgw::q931::lapd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> in(data, size);
  auto f = lapd::decode(in);
  if (!f) {
    (void)f.error().to_string();
    return 0;
  }
  auto bytes = lapd::encode(*f);
  if (!bytes || bytes->size() != size) __builtin_trap();  // decoded frames re-encode octet for octet
  for (std::size_t i = 0; i < size; ++i)
    if ((*bytes)[i] != data[i]) __builtin_trap();
  return 0;
}
