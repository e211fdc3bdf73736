// MGCP codec fuzz target: any bytes -> parse_datagram; every message that
// parses must serialize and parse back to the same value, and the datagram
// (piggy-backed messages, RFC 3435 3.5.5) must survive the same round trip.
// parse() on the raw bytes must never crash either.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "media-gw/mgcp_codec.h"

using namespace isupgw::mediagw::mgcp;

namespace {
[[noreturn]] void fail() { std::abort(); }
const std::string& sdp_of(const Message& m) {
  return std::visit([](const auto& x) -> const std::string& { return x.sdp; }, m);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> in(data, size);
  (void)parse(in);
  auto msgs = parse_datagram(in);
  if (!msgs) return 0;
  for (const auto& m : *msgs) {
    const std::string wire = serialize(m);
    auto again = parse(wire);
    if (!again || !(*again == m)) fail();
    if (serialize(*again) != wire) fail();  // canonical form is a fixed point
  }
  const std::string dgram = serialize_datagram(*msgs);
  auto back = parse_datagram(std::span(reinterpret_cast<const std::uint8_t*>(dgram.data()), dgram.size()));
  if (!back || back->size() != msgs->size()) fail();
  for (std::size_t i = 0; i < msgs->size(); ++i) {
    // A body without a final line break gains one before the "." separator.
    const bool last = i + 1 == msgs->size();
    const std::string& sdp = sdp_of((*msgs)[i]);
    if (last || sdp.empty() || sdp.back() == '\n') {
      if (!((*back)[i] == (*msgs)[i])) fail();
    } else if (sdp_of((*back)[i]) != sdp + "\r\n") {
      fail();
    }
  }
  return 0;
}
