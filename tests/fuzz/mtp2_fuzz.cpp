// libFuzzer target: the MTP2 signal unit codec of tools/ss7-peer (frames as
// libss7's software MTP2 writes them). Any input must decode or be refused;
// whatever decodes must re-encode to a frame that decodes to the same unit.
#include <cstddef>
#include <cstdint>
#include <span>

#include "tools/ss7-peer/mtp2_signal_unit.h"

namespace sp = isupgw::tools::ss7peer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto su = sp::decode(std::span<const std::uint8_t>(data, size));
  if (!su) return 0;
  const auto again = sp::decode(sp::encode(*su));
  if (!again || again->kind != su->kind || again->bsn != su->bsn || again->bib != su->bib || again->fsn != su->fsn ||
      again->fib != su->fib || again->msu != su->msu || (su->kind == sp::SuKind::kLssu && again->status != su->status))
    __builtin_trap();
  return 0;
}
