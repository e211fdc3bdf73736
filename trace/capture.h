// The call path's side of tracing (issue 17): each message a stack sends or receives is copied, with a
// timestamp and its addresses, into the current batch; nothing is parsed or formatted here. The call
// engine adds bindings (this call owns that SIP Call-ID, that circuit, the INVITE or CRCX just sent) into
// the same ordered batch, so the correlator (correlator.h) can tag every message with its call later,
// off the call path. Single-threaded: the daemon's event loop.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

namespace isupgw::trace {

enum class Protocol : std::uint8_t { kSip, kM3ua, kM2pa, kMgcp };
enum class L4 : std::uint8_t { kUdp, kTcp, kSctp };

struct Address {
  std::array<std::uint8_t, 16> ip{};  // network byte order; IPv4 in the first 4 octets
  bool v6 = false;
  std::uint16_t port = 0;
  // An IP literal (inet_pton); anything else is 0.0.0.0.
  static Address parse(std::string_view host, std::uint16_t port);
  static Address v4(std::uint32_t host_order, std::uint16_t port);
};

enum class Kind : std::uint8_t {
  kPacket,
  kBindSip,         // key: a SIP Call-ID this call owns (the first binding of a Call-ID wins)
  kBindLastInvite,  // the INVITE request sent last is this call's (its Call-ID then is)
  kBindCircuit,     // opc/dpc/cic: the circuit this call seized (an IAM just before it is the call's)
  kBindLastCrcx,    // the MGCP CRCX sent last is this call's (its CallId then is)
  kEnd,             // the call ended: its circuit and MGCP keys take only the release messages from now on
};

struct Record {
  std::int64_t time_us = 0;  // wall clock, microseconds since the Unix epoch
  std::uint64_t call = 0;    // bindings: the call; packets: set by the correlator (0: none)
  std::uint32_t offset = 0;  // packet bytes or a binding's key in Batch::bytes
  std::uint32_t length = 0;
  Kind kind = Kind::kPacket;
  Protocol protocol = Protocol::kSip;
  L4 l4 = L4::kUdp;
  bool outgoing = false;
  std::uint16_t stream = 0;  // SCTP stream
  Address src, dst;
  std::uint32_t opc = 0, dpc = 0;  // kBindCircuit
  std::uint16_t cic = 0;
};

struct Batch {
  std::vector<Record> records;
  std::vector<std::uint8_t> bytes;
  std::span<const std::uint8_t> data(const Record& r) const { return {bytes.data() + r.offset, r.length}; }
  std::string_view text(const Record& r) const {
    return {reinterpret_cast<const char*>(bytes.data()) + r.offset, r.length};
  }
  void clear() {
    records.clear();
    bytes.clear();
  }
};

class Capture {
 public:
  // Called once when the batch grows beyond `limit` bytes (the owner schedules a take()).
  explicit Capture(std::function<void()> on_full = {}, std::size_t limit = 1 << 20)
      : on_full_(std::move(on_full)), limit_(limit) {}

  void packet(Protocol p, L4 l4, bool outgoing, const Address& src, const Address& dst,
              std::span<const std::uint8_t> bytes, std::uint16_t stream = 0);
  void packet(Protocol p, L4 l4, bool outgoing, const Address& src, const Address& dst, std::string_view bytes) {
    packet(p, l4, outgoing, src, dst, {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
  }

  void bind_sip(std::uint64_t call, std::string_view call_id);
  void bind_last_invite(std::uint64_t call) { bind(Kind::kBindLastInvite, call); }
  void bind_circuit(std::uint64_t call, std::uint32_t opc, std::uint32_t dpc, std::uint16_t cic);
  void bind_last_crcx(std::uint64_t call) { bind(Kind::kBindLastCrcx, call); }
  void end(std::uint64_t call) { bind(Kind::kEnd, call); }

  // Hands over what was captured since the last take (records in capture order).
  void take(Batch& out);
  std::size_t pending_bytes() const { return batch_.bytes.size(); }

 private:
  Record& bind(Kind k, std::uint64_t call);

  Batch batch_;
  std::function<void()> on_full_;
  std::size_t limit_;
  bool full_signalled_ = false;
};

}  // namespace isupgw::trace
