// libFuzzer target: the M3UA codec (RFC 4666). Any input must decode or fail
// cleanly; whatever decodes must re-encode, and the re-encoding must decode to
// the same message. DATA additionally goes through the zero-copy fast path,
// which must agree with the general decoder.
#include <cstddef>
#include <cstdint>
#include <span>

#include "sigtran/m3ua_codec.h"

namespace m3ua = isupgw::sigtran::m3ua;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> in(data, size);
  auto m = m3ua::decode(in);
  auto fast = m3ua::decode_data(in);
  if (!m) {
    (void)m.error().to_string();
    (void)m.error().error_code();
    if (fast) __builtin_trap();  // the fast path accepted what the general decoder refused
    return 0;
  }
  auto bytes = m3ua::encode(*m);
  if (!bytes) __builtin_trap();  // decoded messages are always encodable
  auto again = m3ua::decode(*bytes);
  if (!again || !(*again == *m)) __builtin_trap();
  if (m->type == m3ua::MessageType::kData) {
    if (!fast) __builtin_trap();
    const auto& pd = *m->protocol_data;
    if (fast->opc != pd.opc || fast->dpc != pd.dpc || fast->sls != pd.sls || fast->user_data.size() != pd.data.size())
      __builtin_trap();
    std::uint8_t out[4096 + 64];
    auto n = m3ua::encode_data(*fast, out);
    if (n && !(std::span<const std::uint8_t>(out, *n).size() == bytes->size())) __builtin_trap();
  } else if (fast) {
    __builtin_trap();
  }
  return 0;
}
