#include "sip/stateless_refusal.h"

namespace isupgw::sip {

void RecentRefusals::key(const Message& m) {
  key_.clear();
  key_ += m.call_id;
  key_ += '|';
  key_ += m.top_via.branch();
  key_ += '|';
  key_ += std::to_string(m.cseq.number);
}

void RecentRefusals::expire(Clock::time_point now) {
  while (!order_.empty()) {
    auto it = by_key_.find(order_.front());
    if (it != by_key_.end() && it->second.expires > now && by_key_.size() < capacity_ && order_.size() < 2 * capacity_)
      break;
    if (it != by_key_.end()) by_key_.erase(it);
    order_.pop_front();
  }
}

void RecentRefusals::add(const Message& invite, const Peer& to, std::string response, Clock::time_point now) {
  expire(now);
  key(invite);
  auto [it, fresh] = by_key_.insert_or_assign(key_, Entry{Sent{to, std::move(response)}, now + keep_});
  if (fresh) order_.push_back(it->first);
}

const RecentRefusals::Sent* RecentRefusals::find(const Message& invite, Clock::time_point now) {
  if (by_key_.empty()) return nullptr;
  key(invite);
  auto it = by_key_.find(key_);
  if (it == by_key_.end() || it->second.expires <= now) return nullptr;
  return &it->second.sent;
}

bool RecentRefusals::absorb_ack(const Message& ack) {
  if (by_key_.empty()) return false;
  key(ack);
  return by_key_.erase(key_) != 0;
}

}  // namespace isupgw::sip
