// The messages of the most recent calls (issue 17), kept in memory for GET /calls/{id}/pcap and the
// ladder page: at most `max_calls` calls (the oldest goes first) and `max_messages` messages a call.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "trace/capture.h"

namespace isupgw::trace {

struct StoredMessage {
  Record record;  // offset/length unused
  std::vector<std::uint8_t> bytes;
};

class CallStore {
 public:
  explicit CallStore(std::size_t max_calls = 1000, std::size_t max_messages = 500)
      : max_calls_(max_calls), max_messages_(max_messages) {}
  // Keeps the batch's packets that belong to a call.
  void add(const Batch& b);
  // nullptr: not (or no longer) kept.
  const std::vector<StoredMessage>* call(std::uint64_t id) const;
  // Kept calls, most recent last.
  const std::deque<std::uint64_t>& calls() const { return order_; }
  // One call as a pcapng file (empty: not kept).
  std::vector<std::uint8_t> pcap(std::uint64_t id) const;

 private:
  std::size_t max_calls_, max_messages_;
  std::unordered_map<std::uint64_t, std::vector<StoredMessage>> calls_;
  std::deque<std::uint64_t> order_;
};

}  // namespace isupgw::trace
