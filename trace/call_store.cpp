#include "trace/call_store.h"

#include <algorithm>
#include <cstring>

#include "trace/pcap.h"

namespace isupgw::trace {

std::uint8_t* CallStore::Kept::place(std::size_t n) {
  while (block < blocks.size() && blocks[block].size - used < n) {
    ++block;
    used = 0;
  }
  if (block == blocks.size()) {
    const std::size_t size = std::max(n, kBlock);
    blocks.push_back(Block{std::make_unique_for_overwrite<std::uint8_t[]>(size), size});
    used = 0;
  }
  std::uint8_t* at = blocks[block].data.get() + used;
  used += n;
  return at;
}

void CallStore::Kept::reset() {
  messages.clear();
  // Blocks of the usual size are kept for the next call; one made for a single large message is not.
  std::erase_if(blocks, [](const Block& b) { return b.size != kBlock; });
  block = used = 0;
}

CallStore::Kept& CallStore::admit(std::uint64_t id) {
  order_.push_back(id);
  if (order_.size() > max_calls_) {
    auto node = calls_.extract(order_.front());
    order_.pop_front();
    if (!node.empty()) {
      node.key() = id;
      node.mapped().reset();
      return calls_.insert(std::move(node)).position->second;
    }
  }
  return calls_[id];
}

void CallStore::add(const Batch& b) {
  if (max_calls_ == 0) return;
  std::uint64_t last_id = 0;
  Kept* last = nullptr;  // a call's messages often come in a row; references survive a rehash
  for (const auto& r : b.records) {
    if (r.kind != Kind::kPacket || r.call == 0) continue;
    if (r.call != last_id) {
      auto it = calls_.find(r.call);
      last = it != calls_.end() ? &it->second : &admit(r.call);
      last_id = r.call;
    }
    if (last->messages.size() >= max_messages_) continue;
    auto d = b.data(r);
    std::uint8_t* at = last->place(d.size());
    if (!d.empty()) std::memcpy(at, d.data(), d.size());
    last->messages.push_back(StoredMessage{r, {at, d.size()}});
  }
}

const std::vector<StoredMessage>* CallStore::call(std::uint64_t id) const {
  auto it = calls_.find(id);
  return it == calls_.end() ? nullptr : &it->second.messages;
}

std::vector<std::uint8_t> CallStore::pcap(std::uint64_t id) const {
  std::vector<std::uint8_t> out;
  const auto* msgs = call(id);
  if (msgs == nullptr) return out;
  append_pcapng_header(out);
  Framer f;
  for (const auto& m : *msgs) f.append_packet(out, m.record, m.bytes);
  return out;
}

}  // namespace isupgw::trace
