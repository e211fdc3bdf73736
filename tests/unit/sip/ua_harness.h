// Two UserAgents wired back to back through in-memory transports, in
// virtual time: what one sends, pump() delivers to the other (or drops).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sip/message.h"
#include "sip/user_agent.h"

namespace isupgw::sip::test {

// Records every callback as "event status" strings; hooks let a test act.
class RecordingUser : public SessionUser {
 public:
  std::vector<std::string> events;
  std::vector<SessionId> ids;
  std::string last_body;
  std::function<void(SessionId, const Message&)> invite_hook;
  std::function<void(SessionId, const Message&)> provisional_hook;
  std::function<void(SessionId, const Message&)> answered_hook;
  std::vector<std::pair<Peer, bool>> peer_states;
  std::vector<bool> ping_results;  // every keepalive's outcome
  std::vector<EndReason> ended;
  // screen_invite (admission before the transaction layer): each call counted, refused when it says so.
  std::function<std::optional<EarlyRefusal>(const Message&)> screen_hook;
  int screened = 0;

  std::optional<EarlyRefusal> screen_invite(const Message& m, const Peer&) override {
    ++screened;
    return screen_hook ? screen_hook(m) : std::nullopt;
  }

  void on_invite(SessionId s, const Message& m, const Peer&) override {
    add("invite", s);
    last_body = std::string(m.body);
    if (invite_hook) invite_hook(s, m);
  }
  void on_cancel(SessionId s, const Message&) override { add("cancel", s); }
  void on_ack(SessionId s, const Message&) override { add("ack", s); }
  void on_provisional(SessionId s, const Message& r) override {
    add("provisional " + std::to_string(r.status), s);
    if (provisional_hook) provisional_hook(s, r);
  }
  void on_answered(SessionId s, const Message& r) override {
    add("answered " + std::to_string(r.status), s);
    last_body = std::string(r.body);
    if (answered_hook) answered_hook(s, r);
  }
  void on_rejected(SessionId s, const Message& r) override { add("rejected " + std::to_string(r.status), s); }
  void on_bye(SessionId s, const Message&) override { add("bye", s); }
  void on_reoffer(SessionId s, const Message&) override { add("reoffer", s); }
  // screen_reoffer (not recorded as an event): answered by the stack unless the test says otherwise.
  std::function<ReofferDecision(const Message&)> reoffer_hook;
  ReofferDecision screen_reoffer(SessionId, const Message& m) override {
    return reoffer_hook ? reoffer_hook(m) : ReofferDecision{};
  }
  InfoAnswer on_info(SessionId s, const Message&) override {
    add("info", s);
    return info_answer;
  }
  InfoAnswer info_answer;
  ReferAnswer on_refer(SessionId s, const Message&) override {
    add("refer", s);
    return refer_answer;
  }
  ReferAnswer refer_answer;
  void on_refresh_result(SessionId s, const Message& r) override { add("refresh " + std::to_string(r.status), s); }
  void on_ended(SessionId s, EndReason why) override {
    add("ended " + std::string(to_string(why)), s);
    ended.push_back(why);
  }
  void on_peer_state(const Peer& p, bool up) override { peer_states.emplace_back(p, up); }
  void on_ping_result(const Peer&, bool answered) override { ping_results.push_back(answered); }

  bool saw(std::string_view e) const {
    for (const auto& x : events)
      if (x == e) return true;
    return false;
  }

 private:
  void add(std::string e, SessionId s) {
    events.push_back(std::move(e));
    ids.push_back(s);
  }
};

struct Node {
  Node(std::string host, ManualTimerService& timers, ManualClock& clock, Logger& log, UserAgentOptions o)
      : transport(host, 5060), ua(transport, timers, user, clock, log, counters, std::move(o)), host(std::move(host)) {}
  MemoryTransportLayer transport;
  RecordingUser user;
  Counters counters;
  UserAgent ua;
  std::string host;
  std::size_t delivered = 0;  // index into transport.sent already pumped
};

// The first line of a wire message ("INVITE sip:..." / "SIP/2.0 200 OK").
inline std::string first_line(const std::string& wire) { return wire.substr(0, wire.find("\r\n")); }
inline std::string method_or_status(const std::string& wire) {
  std::string l = first_line(wire);
  if (l.rfind("SIP/2.0 ", 0) == 0) return l.substr(8, 3);
  return l.substr(0, l.find(' '));
}

class Pair : public ::testing::Test {
 protected:
  explicit Pair(const UserAgentOptions& o = {})
      : timers(clock),
        log([this](std::string_view l) { logs.emplace_back(l); }),
        a("192.0.2.1", timers, clock, log, o),
        b("192.0.2.2", timers, clock, log, o) {}

  // Delivers everything sent so far (in order, both ways) until quiet.
  // `drop` sees each wire message; true = lost.
  void pump(const std::function<bool(const std::string&)>& drop = {}) {
    for (int round = 0; round < 100; ++round) {
      bool moved = false;
      for (Node* from : {&a, &b}) {
        Node* to = from == &a ? &b : &a;
        while (from->delivered < from->transport.sent.size()) {
          const auto s = from->transport.sent[from->delivered++];
          moved = true;
          wire.push_back(s.bytes);
          if (drop && drop(s.bytes)) continue;
          if (s.to.host != to->host) continue;  // not for the other node
          to->ua.receive(Peer{s.to.transport, from->host, 5060}, s.bytes);
        }
      }
      timers.advance(Clock::duration::zero());  // deferred callbacks
      if (!moved && a.delivered == a.transport.sent.size() && b.delivered == b.transport.sent.size()) return;
    }
  }
  // Advances virtual time in steps, pumping in between.
  void run_for(Clock::duration d, Clock::duration step = std::chrono::milliseconds(100),
               const std::function<bool(const std::string&)>& drop = {}) {
    for (Clock::duration t{}; t < d; t += step) {
      timers.advance(step);
      pump(drop);
    }
  }
  OutgoingInvite call(std::string body = "v=0\r\n") {
    OutgoingInvite r;
    r.peer = Peer{Transport::kUdp, "192.0.2.2", 5060};
    r.request_uri = "sip:+4930123456@192.0.2.2;user=phone";
    r.from = "<sip:+4930999@192.0.2.1;user=phone>";
    r.to = "<sip:+4930123456@192.0.2.2;user=phone>";
    r.body = Body{"application/sdp", std::move(body)};
    return r;
  }
  // Wire messages of a kind ("INVITE", "200", "ACK") sent by a node.
  std::vector<std::string> sent(const Node& n, std::string_view kind) const {
    std::vector<std::string> out;
    for (const auto& s : n.transport.sent)
      if (method_or_status(s.bytes) == kind) out.push_back(s.bytes);
    return out;
  }

  ManualClock clock;
  ManualTimerService timers;
  std::vector<std::string> logs;
  Logger log;
  Node a;
  Node b;
  std::vector<std::string> wire;
};

}  // namespace isupgw::sip::test
