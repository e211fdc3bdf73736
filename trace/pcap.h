// pcapng (draft-ietf-opsawg-pcapng) for captured messages: each one framed as the packet it would be on
// the wire, raw IP (LINKTYPE_RAW 101): SIP over UDP or TCP, MGCP over UDP, SIGTRAN as SCTP with one DATA
// chunk and its payload protocol identifier (M3UA 3, RFC 4666 1.4.8; M2PA 5, RFC 4165 1.3.1), even when it
// went over TCP, so that tshark decodes it (tshark 4.0 does not decode M3UA on TCP). A packet of a call
// carries the comment "call=ID" (tshark: frame.comment). TCP sequence numbers and SCTP TSNs run per flow.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "base/result.h"
#include "trace/capture.h"

namespace isupgw::trace {

constexpr std::uint32_t kPpidM3ua = 3, kPpidM2pa = 5;

// The section header and the one interface description every file starts with.
void append_pcapng_header(std::vector<std::uint8_t>& out);

class Framer {
 public:
  // Appends one Enhanced Packet Block: `r` framed (IP + UDP/TCP/SCTP), comment "call=N" when r.call != 0.
  void append_packet(std::vector<std::uint8_t>& out, const Record& r, std::span<const std::uint8_t> payload);
  // A fresh file: flows start over.
  void reset() { flows_.clear(); }

 private:
  // Appends `r` framed (IP + UDP/TCP/SCTP) to v, whose size is a multiple of 4.
  void frame(std::vector<std::uint8_t>& v, const Record& r, std::span<const std::uint8_t> payload);
  using FlowKey = std::tuple<std::array<std::uint8_t, 16>, std::uint16_t, std::array<std::uint8_t, 16>, std::uint16_t,
                             std::uint8_t>;
  std::map<FlowKey, std::uint32_t> flows_;  // next TCP sequence number or SCTP TSN
};

// Rolling files DIRECTORY/BASE-YYYYmmddTHHMMSS.pcapng (UTC, the file's start; "-N" when that name is
// taken): a new file when the current one reaches `rotate_bytes` or is `rotate_interval` old; a ring of at
// most `max_files` of them (the oldest deleted, so the disk use is bounded). Every batch is one write(2)
// of whole blocks.
struct PcapOptions {
  std::string directory;
  std::string base_name = "trace";
  std::uint64_t rotate_bytes = 64ull << 20;
  std::int64_t rotate_interval_s = 3600;
  std::uint32_t max_files = 16;
};

// The files of the ring BASE-*.pcapng in `directory`, oldest first (by their start stamp, then -N).
std::vector<std::string> ring_files(const std::string& directory, const std::string& base_name);

class RollingPcap {
 public:
  static Result<RollingPcap, std::string> open(PcapOptions o);
  RollingPcap(RollingPcap&& o) noexcept;
  RollingPcap& operator=(RollingPcap&&) = delete;
  ~RollingPcap();
  // Appends the batch's packets (bindings are skipped).
  Result<bool, std::string> write(const Batch& b);
  // Rotation by time.
  Result<bool, std::string> tick(std::int64_t now_s);
  const std::string& path() const { return path_; }

 private:
  explicit RollingPcap(PcapOptions o) : o_(std::move(o)) {}
  Result<bool, std::string> start_file(std::int64_t now_s);
  void prune();

  PcapOptions o_;
  int fd_ = -1;
  std::string path_;
  std::uint64_t size_ = 0;
  std::int64_t opened_s_ = 0;
  Framer framer_;
  std::vector<std::uint8_t> out_;
};

}  // namespace isupgw::trace
