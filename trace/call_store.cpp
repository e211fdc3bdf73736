#include "trace/call_store.h"

#include "trace/pcap.h"

namespace isupgw::trace {

void CallStore::add(const Batch& b) {
  for (const auto& r : b.records) {
    if (r.kind != Kind::kPacket || r.call == 0) continue;
    auto [it, fresh] = calls_.try_emplace(r.call);
    if (fresh) {
      order_.push_back(r.call);
      if (order_.size() > max_calls_) {
        calls_.erase(order_.front());
        order_.pop_front();
      }
    }
    if (it->second.size() >= max_messages_) continue;
    auto d = b.data(r);
    it->second.push_back(StoredMessage{r, {d.begin(), d.end()}});
  }
}

const std::vector<StoredMessage>* CallStore::call(std::uint64_t id) const {
  auto it = calls_.find(id);
  return it == calls_.end() ? nullptr : &it->second;
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
