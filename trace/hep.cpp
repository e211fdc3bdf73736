#include "trace/hep.h"

#include <string>

namespace isupgw::trace {

namespace {

void be16(std::vector<std::uint8_t>& v, std::uint16_t x) {
  v.push_back(static_cast<std::uint8_t>(x >> 8));
  v.push_back(static_cast<std::uint8_t>(x));
}
void chunk(std::vector<std::uint8_t>& v, std::uint16_t type, const std::uint8_t* data, std::size_t n) {
  be16(v, 0);
  be16(v, type);
  be16(v, static_cast<std::uint16_t>(6 + n));
  v.insert(v.end(), data, data + n);
}
void chunk8(std::vector<std::uint8_t>& v, std::uint16_t type, std::uint8_t x) { chunk(v, type, &x, 1); }
void chunk16(std::vector<std::uint8_t>& v, std::uint16_t type, std::uint16_t x) {
  const std::uint8_t b[2] = {static_cast<std::uint8_t>(x >> 8), static_cast<std::uint8_t>(x)};
  chunk(v, type, b, 2);
}
void chunk32(std::vector<std::uint8_t>& v, std::uint16_t type, std::uint32_t x) {
  const std::uint8_t b[4] = {static_cast<std::uint8_t>(x >> 24), static_cast<std::uint8_t>(x >> 16),
                             static_cast<std::uint8_t>(x >> 8), static_cast<std::uint8_t>(x)};
  chunk(v, type, b, 4);
}

}  // namespace

void encode_hep3(std::vector<std::uint8_t>& out, const Record& r, std::span<const std::uint8_t> payload,
                 std::uint32_t agent_id) {
  const std::size_t start = out.size();
  out.insert(out.end(), {'H', 'E', 'P', '3', 0, 0});
  const bool v6 = r.src.v6 || r.dst.v6;
  chunk8(out, 1, v6 ? 10 : 2);  // AF_INET6 / AF_INET
  chunk8(out, 2, r.l4 == L4::kUdp ? 17 : r.l4 == L4::kTcp ? 6 : 132);
  chunk(out, v6 ? 5 : 3, r.src.ip.data(), v6 ? 16 : 4);
  chunk(out, v6 ? 6 : 4, r.dst.ip.data(), v6 ? 16 : 4);
  chunk16(out, 7, r.src.port);
  chunk16(out, 8, r.dst.port);
  chunk32(out, 9, static_cast<std::uint32_t>(r.time_us / 1'000'000));
  chunk32(out, 10, static_cast<std::uint32_t>(r.time_us % 1'000'000));
  chunk8(out, 11, r.protocol == Protocol::kSip ? 1 : r.protocol == Protocol::kMgcp ? 6 : 9);
  chunk32(out, 12, agent_id);
  chunk(out, 15, payload.data(), payload.size());
  if (r.call != 0) {
    const std::string id = std::to_string(r.call);
    chunk(out, 17, reinterpret_cast<const std::uint8_t*>(id.data()), id.size());
  }
  const std::size_t len = out.size() - start;
  out[start + 4] = static_cast<std::uint8_t>(len >> 8);
  out[start + 5] = static_cast<std::uint8_t>(len);
}

}  // namespace isupgw::trace
