// libFuzzer target: the Q.931 codec (EN 300 403-1). Any input must decode or
// fail cleanly with a cause; whatever decodes must re-encode, and the
// re-encoding must decode to the same message (less the IEs dropped as bad or
// repeated); the IE error verdict and its answer must not crash.
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
  (void)q931::check_ies(*m, q931::Sender::kUser);
  // The answer is a message we send: it must encode, its Cause IE within 32 octets (4.5.12).
  if (auto answer = q931::answer_ie_errors(*m, q931::check_ies(*m, q931::Sender::kNetwork), 0, 2)) {
    if (answer->causes.empty() || answer->causes[0].diagnostics.size() > 27) __builtin_trap();
    if (!q931::encode(*answer)) __builtin_trap();
  }
  auto again = q931::decode(*bytes);
  // IEs dropped as bad or repeated are not re-encoded, and the unrecognised ones come back in identifier
  // order: the IE error reports are compared apart from the message.
  if (!again) __builtin_trap();
  auto expect = *m;
  expect.ie_errors.clear();
  auto got = *again;
  got.ie_errors.clear();
  if (!(got == expect)) __builtin_trap();
  for (const auto& e : again->ie_errors)
    if (e.kind != q931::IeError::kUnrecognised) __builtin_trap();  // the re-encoding has nothing bad
  return 0;
}
