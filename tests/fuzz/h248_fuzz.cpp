// H.248 text codec fuzz target: any bytes -> parse; every message that parses
// must serialize (both styles) and parse back to the same value, and the
// writer's output must be a fixed point of parse + serialize.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "media-gw/h248_codec.h"

using namespace isupgw::mediagw::h248;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto m = parse(in);
  if (!m) return 0;
  for (Style s : {Style::kPretty, Style::kCompact}) {
    const std::string wire = serialize(*m, s);
    auto again = parse(wire);
    if (!again || !(*again == *m)) std::abort();
    if (serialize(*again, s) != wire) std::abort();
  }
  return 0;
}
