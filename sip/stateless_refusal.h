// INVITEs refused statelessly (RFC 3261 8.2.7; admission control, issue 18):
// no server transaction is kept for them, only the response sent, so that a
// retransmission of the INVITE gets the same response (the same To tag, as
// 8.2.7 asks of a stateless UAS) and its ACK is absorbed here rather than
// reaching the transaction layer as a stray ACK. Bounded: at most `capacity`
// entries, each forgotten after `keep` (Timer B's 64*T1: the client stops
// retransmitting by then) or when its ACK comes.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>

#include "base/clock.h"
#include "sip/message.h"
#include "sip/session_api.h"

namespace isupgw::sip {

class RecentRefusals {
 public:
  explicit RecentRefusals(std::size_t capacity = 8192, Clock::duration keep = std::chrono::seconds(32))
      : capacity_(capacity), keep_(keep) {}

  struct Sent {
    Peer to;
    std::string response;
  };
  // Remembers the response sent to the refused `invite`.
  void add(const Message& invite, const Peer& to, std::string response, Clock::time_point now);
  // The response to send again when `invite` retransmits a refused one (same Call-ID, top Via branch
  // and CSeq, 17.2.3), or null.
  const Sent* find(const Message& invite, Clock::time_point now);
  // True when `ack` acknowledges a refused INVITE (17.1.1.3: the INVITE's branch and CSeq number);
  // the entry is forgotten.
  bool absorb_ack(const Message& ack);
  std::size_t size() const { return by_key_.size(); }

 private:
  void key(const Message& m);
  void expire(Clock::time_point now);
  struct Entry {
    Sent sent;
    Clock::time_point expires;
  };
  std::size_t capacity_;
  Clock::duration keep_;
  std::unordered_map<std::string, Entry> by_key_;
  std::deque<std::string> order_;  // keys, oldest first (entries already forgotten are skipped)
  std::string key_;                // scratch
};

}  // namespace isupgw::sip
