// The messages of the most recent calls (issue 17), kept in memory for GET /calls/{id}/pcap and the
// ladder page: at most `max_calls` calls (the oldest goes first) and `max_messages` messages a call.
// Cost (issue 17, on the event loop): a call's bytes go into blocks of its own, and the oldest call's
// map node, message vector and blocks are reused by the newest -- once `max_calls` calls are kept, keeping
// another allocates nothing (a message larger than a block gets a block of its size).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "trace/capture.h"

namespace isupgw::trace {

struct StoredMessage {
  Record record;                        // offset/length unused
  std::span<const std::uint8_t> bytes;  // the store's copy: valid while the call is kept
};

class CallStore {
 public:
  explicit CallStore(std::size_t max_calls = 1000, std::size_t max_messages = 500)
      : max_calls_(max_calls), max_messages_(max_messages) {}
  CallStore(const CallStore&) = delete;
  CallStore& operator=(const CallStore&) = delete;
  // Keeps the batch's packets that belong to a call.
  void add(const Batch& b);
  // nullptr: not (or no longer) kept.
  const std::vector<StoredMessage>* call(std::uint64_t id) const;
  // Kept calls, most recent last.
  const std::deque<std::uint64_t>& calls() const { return order_; }
  // One call as a pcapng file (empty: not kept).
  std::vector<std::uint8_t> pcap(std::uint64_t id) const;

 private:
  static constexpr std::size_t kBlock = 8192;  // a SIP call's messages on one side: about 6 KB
  struct Block {
    std::unique_ptr<std::uint8_t[]> data;
    std::size_t size = 0;
  };
  struct Kept {
    std::vector<StoredMessage> messages;
    std::vector<Block> blocks;
    std::size_t block = 0, used = 0;  // the next bytes go to blocks[block] at `used`
    std::uint8_t* place(std::size_t n);
    void reset();
  };
  Kept& admit(std::uint64_t id);

  std::size_t max_calls_, max_messages_;
  std::unordered_map<std::uint64_t, Kept> calls_;
  std::deque<std::uint64_t> order_;
};

}  // namespace isupgw::trace
