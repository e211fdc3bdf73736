// libFuzzer target: the M2PA codec (RFC 4165) and the MTP3 codec (Q.704/Q.707)
// under it, ITU and ANSI. Any input must decode or fail cleanly; whatever
// decodes must re-encode to something that decodes to the same message; the
// allocation-free User Data and MSU views must agree with the general decoders.
#include <cstddef>
#include <cstdint>
#include <span>

#include "sigtran/m2pa_codec.h"
#include "sigtran/mtp3_codec.h"

namespace m2pa = isupgw::sigtran::m2pa;
namespace mtp3 = isupgw::sigtran::mtp3;

namespace {

void check_mtp3(std::span<const std::uint8_t> msu, mtp3::Variant v) {
  auto m = mtp3::decode(msu, v);
  auto fast = mtp3::decode_user(msu, v);
  if (!m) {
    (void)mtp3::to_string(m.error());
    return;
  }
  if (!fast || !(fast->label == m->label)) __builtin_trap();
  (void)mtp3::to_string(m->mgmt ? m->mgmt->type : mtp3::MgmtType::kOther);
  auto bytes = mtp3::encode(*m, v);
  auto again = mtp3::decode(bytes, v);
  if (!again || !(*again == *m)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> in(data, size);
  // The raw input as an MSU too, so the MTP3 decoder is reached without a valid M2PA header.
  check_mtp3(in, mtp3::Variant::kItu);
  check_mtp3(in, mtp3::Variant::kAnsi);
  auto m = m2pa::decode(in);
  auto fast = m2pa::decode_user_data(in);
  if (!m) {
    (void)m2pa::to_string(m.error());
    if (fast) __builtin_trap();
    return 0;
  }
  auto bytes = m2pa::encode(*m);
  auto again = m2pa::decode(bytes);
  if (!again || !(*again == *m)) __builtin_trap();
  if (m->type == m2pa::MessageType::kUserData) {
    if (!fast || fast->fsn != m->fsn || fast->bsn != m->bsn || fast->data.size() != m->data.size()) __builtin_trap();
    std::uint8_t out[70000];
    if (m2pa::encoded_size(*fast) <= sizeof out) {
      auto n = m2pa::encode_user_data(*fast, out);
      if (!n || *n != bytes.size()) __builtin_trap();
    }
  } else if (fast) {
    __builtin_trap();
  }
  return 0;
}
