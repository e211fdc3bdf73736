#include "trace/capture.h"

#include <arpa/inet.h>

#include <chrono>
#include <cstring>
#include <string>

namespace isupgw::trace {

namespace {

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Address Address::parse(std::string_view host, std::uint16_t port) {
  Address a;
  a.port = port;
  char buf[64];
  if (host.size() >= sizeof buf) return a;
  std::memcpy(buf, host.data(), host.size());
  buf[host.size()] = '\0';
  if (inet_pton(AF_INET, buf, a.ip.data()) == 1) return a;
  if (inet_pton(AF_INET6, buf, a.ip.data()) == 1) a.v6 = true;
  return a;
}

Address Address::v4(std::uint32_t host_order, std::uint16_t port) {
  Address a;
  a.port = port;
  a.ip[0] = static_cast<std::uint8_t>(host_order >> 24);
  a.ip[1] = static_cast<std::uint8_t>(host_order >> 16);
  a.ip[2] = static_cast<std::uint8_t>(host_order >> 8);
  a.ip[3] = static_cast<std::uint8_t>(host_order);
  return a;
}

void Capture::packet(Protocol p, L4 l4, bool outgoing, const Address& src, const Address& dst,
                     std::span<const std::uint8_t> bytes, std::uint16_t stream) {
  Record r;
  r.time_us = now_us();
  r.offset = static_cast<std::uint32_t>(batch_.bytes.size());
  r.length = static_cast<std::uint32_t>(bytes.size());
  r.protocol = p;
  r.l4 = l4;
  r.outgoing = outgoing;
  r.stream = stream;
  r.src = src;
  r.dst = dst;
  batch_.bytes.insert(batch_.bytes.end(), bytes.begin(), bytes.end());
  batch_.records.push_back(r);
  if (!full_signalled_ && batch_.bytes.size() > limit_ && on_full_) {
    full_signalled_ = true;
    on_full_();
  }
}

Record& Capture::bind(Kind k, std::uint64_t call) {
  Record r;
  r.time_us = now_us();
  r.kind = k;
  r.call = call;
  r.offset = static_cast<std::uint32_t>(batch_.bytes.size());
  batch_.records.push_back(r);
  return batch_.records.back();
}

void Capture::bind_sip(std::uint64_t call, std::string_view call_id) {
  Record& r = bind(Kind::kBindSip, call);
  r.length = static_cast<std::uint32_t>(call_id.size());
  batch_.bytes.insert(batch_.bytes.end(), call_id.begin(), call_id.end());
}

void Capture::bind_circuit(std::uint64_t call, std::uint32_t opc, std::uint32_t dpc, std::uint16_t cic) {
  Record& r = bind(Kind::kBindCircuit, call);
  r.opc = opc;
  r.dpc = dpc;
  r.cic = cic;
}

void Capture::take(Batch& out) {
  out.clear();
  std::swap(out, batch_);
  full_signalled_ = false;
}

}  // namespace isupgw::trace
