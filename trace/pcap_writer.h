// The rolling pcapng files written by a thread of their own (issue 17 cost): the event loop hands each
// tagged batch over whole (its storage swapped, no copy) and goes on; the thread frames the packets and
// appends them with one write(2) per batch. A disk slower than the calls loses batches past a bound
// (counted, reported as an error), never holds up the loop.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "trace/capture.h"
#include "trace/pcap.h"

namespace isupgw::trace {

class PcapWriter {
 public:
  // Batches waiting beyond this are dropped (at 100 ms a batch: ~6 s of a disk that does not keep up).
  static constexpr std::size_t kMaxQueued = 64;

  explicit PcapWriter(RollingPcap pcap);
  // Writes what was handed over, then stops the thread.
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  // Takes the batch's records and bytes; `b` is left empty (with storage of an earlier batch, reused).
  void submit(Batch& b);
  // Rotation by time, checked by the thread.
  void tick(std::int64_t now_s);
  // The thread's errors since the last call (empty: none), and the batches dropped so far.
  std::string take_error();
  std::uint64_t dropped() const;
  // The batches written so far (tests wait for this).
  std::uint64_t written() const;

 private:
  void run();

  RollingPcap pcap_;
  mutable std::mutex m_;
  std::condition_variable cv_;
  std::vector<Batch> queue_, spare_;
  std::int64_t tick_s_ = -1;  // a rotation check asked for, at that time
  bool stopping_ = false;
  std::string error_;
  std::uint64_t dropped_ = 0, written_ = 0;
  std::thread thread_;
};

}  // namespace isupgw::trace
