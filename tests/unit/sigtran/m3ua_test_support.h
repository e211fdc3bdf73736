// Test doubles for the M3UA stack: an in-memory transport pair (hermetic, no
// sockets, delivery only when the test pumps) and an MTP user that records
// every primitive.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/timer_service.h"
#include "sigtran/m3ua_codec.h"
#include "sigtran/mtp3.h"
#include "sigtran/transport.h"

namespace isupgw::sigtran::m3ua::testing {

class MemTransport final : public Transport {
 public:
  MemTransport* peer = nullptr;
  TransportHandler* handler = nullptr;
  bool up = false;
  bool wants = false;  // start() called: connect when the peer wants too
  int starts = 0;
  std::uint16_t n_streams = 1;
  std::deque<std::pair<std::uint16_t, std::vector<std::uint8_t>>> inbox;  // messages sent TO this side
  std::vector<Message> sent;                                              // decoded copy of what this side sent
  std::vector<std::vector<std::uint8_t>> raw_sent;                        // and the bytes (M2PA tests)

  void set_handler(TransportHandler* h) override { handler = h; }
  void start() override {
    wants = true;
    ++starts;
  }
  bool send(std::uint16_t stream, std::span<const std::uint8_t> m) override {
    if (!up) return false;
    peer->inbox.emplace_back(stream, std::vector<std::uint8_t>(m.begin(), m.end()));
    raw_sent.emplace_back(m.begin(), m.end());
    if (auto d = decode(m)) sent.push_back(*d);
    return true;
  }
  void close() override {
    if (!up) return;
    up = peer->up = false;
    wants = peer->wants = false;
    inbox.clear();
    peer->inbox.clear();
    if (handler) handler->on_disconnected("closed locally");
    if (peer->handler) peer->handler->on_disconnected("peer closed");
  }
  bool connected() const override { return up; }
  std::uint16_t streams() const override { return n_streams; }
  // Raw bytes from the peer, as if it had sent them.
  void inject(std::vector<std::uint8_t> bytes, std::uint16_t stream = 0) {
    inbox.emplace_back(stream, std::move(bytes));
  }
};

inline void link_pair(MemTransport& a, MemTransport& b) {
  a.peer = &b;
  b.peer = &a;
}

// Connects when both sides want it, delivers queued messages until quiet.
inline void pump(MemTransport& a, MemTransport& b, bool allow_connect = true) {
  if (allow_connect && !a.up && a.wants && b.wants) {
    a.up = b.up = true;
    a.handler->on_connected();
    b.handler->on_connected();
  }
  if (!allow_connect) {
    for (auto* t : {&a, &b}) {
      if (!t->up && t->wants) {  // like a refused TCP connect
        t->wants = false;
        t->handler->on_disconnected("connect refused");
      }
    }
  }
  for (int guard = 0; guard < 10000 && (!a.inbox.empty() || !b.inbox.empty()); ++guard) {
    for (auto* t : {&a, &b}) {
      if (t->inbox.empty()) continue;
      auto [stream, msg] = std::move(t->inbox.front());
      t->inbox.pop_front();
      t->handler->on_message(stream, msg);
    }
  }
}

struct Recorder final : MtpUser {
  std::vector<std::pair<MtpLabel, std::vector<std::uint8_t>>> transfers;
  std::vector<std::string> events;  // "pause 2", "resume 2", "status 2 congestion 2", ...
  void on_transfer(const MtpLabel& l, std::span<const std::uint8_t> d) override {
    transfers.emplace_back(l, std::vector<std::uint8_t>(d.begin(), d.end()));
  }
  void on_pause(std::uint32_t dpc) override { events.push_back("pause " + std::to_string(dpc)); }
  void on_resume(std::uint32_t dpc) override { events.push_back("resume " + std::to_string(dpc)); }
  void on_status(std::uint32_t dpc, const MtpStatus& s) override {
    events.push_back("status " + std::to_string(dpc) +
                     (s.cause == MtpStatusCause::kCongestion ? " congestion " + std::to_string(s.congestion_level)
                                                             : " upu " + std::to_string(s.upu_cause)));
  }
};

// Collects log lines.
struct LogCapture {
  std::vector<std::string> lines;
  Logger log{[this](std::string_view l) { lines.emplace_back(l); }};
  std::size_t count(std::string_view needle) const {
    std::size_t n = 0;
    for (const auto& l : lines) n += l.find(needle) != std::string::npos ? 1 : 0;
    return n;
  }
};

}  // namespace isupgw::sigtran::m3ua::testing
