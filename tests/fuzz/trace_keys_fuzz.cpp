// Trace key readers fuzz target (issue 17): any bytes as SIP, M3UA, M2PA (ITU and ANSI) and MGCP; the
// views each reader returns must lie inside the input, and the correlator must take any mix of such
// packets and bindings.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "trace/correlator.h"
#include "trace/keys.h"

using namespace isupgw::trace;

namespace {
void inside(std::string_view in, std::string_view v) {
  if (v.empty()) return;
  if (v.data() < in.data() || v.data() + v.size() > in.data() + in.size()) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> in(data, size);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto k = sip_keys(text)) {
    inside(text, k->call_id);
    inside(text, k->method);
  }
  if (auto k = mgcp_keys(text)) {
    inside(text, k->verb);
    inside(text, k->transaction);
    inside(text, k->endpoint);
    inside(text, k->call_id);
  }
  for (auto k : {m3ua_isup(in), m2pa_isup(in, false), m2pa_isup(in, true)})
    if (k && (k->isup.data() < data || k->isup.data() + k->isup.size() > data + size)) std::abort();
  Capture cap;
  const Address a = Address::parse("192.0.2.1", 5060);
  for (auto p : {Protocol::kSip, Protocol::kM3ua, Protocol::kM2pa, Protocol::kMgcp}) {
    cap.packet(p, L4::kUdp, true, a, a, in);
    cap.bind_last_invite(1);
    cap.bind_last_crcx(1);
    cap.bind_circuit(1, 2, 1, static_cast<std::uint16_t>(size));
  }
  cap.bind_sip(2, text);
  cap.end(1);
  Batch b;
  cap.take(b);
  Correlator c;
  c.resolve(b);
  return 0;
}
