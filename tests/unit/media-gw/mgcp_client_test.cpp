// MGCP client transactions in virtual time (RFC 3435 3.5.5 retransmission,
// 3.5.6 provisional responses, 3.5.4 duplicate commands, 2.3.12 RSIP).
#include "media-gw/mgcp_client.h"

#include <gtest/gtest.h>

#include "media-gw/mgcp_codec.h"

namespace isupgw::mediagw {
namespace {

using namespace std::chrono_literals;
using mgcp::Command;
using mgcp::Response;
using mgcp::Verb;

struct FakeSender final : DatagramSender {
  struct Sent {
    Clock::time_point at;
    std::string text;
  };
  explicit FakeSender(Clock& c) : clock(c) {}
  bool send(std::span<const std::uint8_t> d) override {
    sent.push_back({clock.now(), std::string(reinterpret_cast<const char*>(d.data()), d.size())});
    return !fail;
  }
  Clock& clock;
  std::vector<Sent> sent;
  bool fail = false;
};

class MgcpClientTest : public ::testing::Test {
 protected:
  MgcpClientTest() : log_([this](std::string_view l) { lines_.emplace_back(l); }) {
    log_.set_all_levels(LogLevel::kDebug);
  }

  MgcpClient& client(ClientConfig cfg = {}) {
    if (cfg.first_transaction_id == 0) cfg.first_transaction_id = 100;
    client_ = std::make_unique<MgcpClient>(cfg, sender_, timers_, clock_, log_, counters_);
    return *client_;
  }

  void deliver(std::string_view text) {
    client_->receive(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  }

  static Command auep(std::string ep = "ds/e1-0/1@mg1") {
    Command c;
    c.verb = Verb::kAuep;
    c.endpoint = std::move(ep);
    return c;
  }

  Clock::duration since_start(const FakeSender::Sent& s) const { return s.at - Clock::time_point{}; }
  bool logged(std::string_view needle) const {
    for (const auto& l : lines_)
      if (l.find(needle) != std::string::npos) return true;
    return false;
  }

  ManualClock clock_;
  ManualTimerService timers_{clock_};
  FakeSender sender_{clock_};
  std::vector<std::string> lines_;
  Logger log_;
  Counters counters_;
  std::unique_ptr<MgcpClient> client_;
};

TEST_F(MgcpClientTest, AssignsTransactionIdsAndMatchesResponses) {
  auto& c = client();
  std::optional<Outcome> got1, got2;
  auto t1 = c.send(auep(), [&](const Outcome& o) { got1 = o; });
  auto t2 = c.send(auep(), [&](const Outcome& o) { got2 = o; });
  EXPECT_EQ(t1, 100u);
  EXPECT_EQ(t2, 101u);
  ASSERT_EQ(sender_.sent.size(), 2u);
  EXPECT_EQ(sender_.sent[0].text, "AUEP 100 ds/e1-0/1@mg1 MGCP 1.0\r\n");
  deliver("200 101 OK\r\n");
  ASSERT_TRUE(got2.has_value());
  EXPECT_TRUE(got2->ok());
  EXPECT_FALSE(got1.has_value());
  deliver("200 100 OK\r\nI: 1A\r\n");
  ASSERT_TRUE(got1.has_value() && got1->ok());
  EXPECT_EQ(*got1->value().param("I"), "1A");
  EXPECT_EQ(c.pending(), 0u);
  EXPECT_EQ(timers_.pending(), 0u);  // no retransmission timer left behind
}

TEST_F(MgcpClientTest, RetransmitsWithExponentialBackoffThenTimesOut) {
  auto& c = client();  // 200 ms initial, doubling, 4 s cap, 7 retransmissions
  std::optional<Outcome> got;
  c.send(auep(), [&](const Outcome& o) { got = o; });
  timers_.advance(60s);
  ASSERT_EQ(sender_.sent.size(), 8u);  // first send + 7 retransmissions
  const std::vector<Clock::duration> expected = {0ms, 200ms, 600ms, 1400ms, 3000ms, 6200ms, 10200ms, 14200ms};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(since_start(sender_.sent[i]), expected[i]) << i;
    EXPECT_EQ(sender_.sent[i].text, sender_.sent[0].text);  // same transaction id every time
  }
  ASSERT_TRUE(got.has_value());
  ASSERT_FALSE(got->ok());
  EXPECT_EQ(got->error().error, TransactionError::kTimeout);
  EXPECT_EQ(counters_.value("mgcp.tx.retransmissions"), 7u);
  EXPECT_EQ(counters_.value("mgcp.transaction.timeouts"), 1u);
  EXPECT_TRUE(logged("transaction_failed"));
}

TEST_F(MgcpClientTest, TimeoutFiresExactlyAfterLastBackoff) {
  auto& c = client();
  std::optional<Outcome> got;
  c.send(auep(), [&](const Outcome& o) { got = o; });
  timers_.advance(18199ms);
  EXPECT_FALSE(got.has_value());
  timers_.advance(1ms);  // 14.2 s + 4 s cap
  EXPECT_TRUE(got.has_value());
}

TEST_F(MgcpClientTest, ResponseAfterRetransmissionStopsTimer) {
  auto& c = client();
  std::optional<Outcome> got;
  c.send(auep(), [&](const Outcome& o) { got = o; });
  timers_.advance(700ms);  // two retransmissions
  EXPECT_EQ(sender_.sent.size(), 3u);
  deliver("200 100 OK\r\n");
  ASSERT_TRUE(got.has_value() && got->ok());
  timers_.advance(30s);
  EXPECT_EQ(sender_.sent.size(), 3u);
  deliver("200 100 OK\r\n");  // a late duplicate of the same response
  EXPECT_EQ(counters_.value("mgcp.rx.stray_responses"), 1u);
}

TEST_F(MgcpClientTest, ProvisionalSlowsToLongtranAndFinalIsAcknowledged) {
  auto& c = client();
  std::optional<Outcome> got;
  c.send(auep(), [&](const Outcome& o) { got = o; });
  timers_.advance(100ms);
  deliver("100 100 executing\r\n");
  timers_.advance(4999ms);
  EXPECT_EQ(sender_.sent.size(), 1u);  // no fast retransmission once the MG said it is working
  timers_.advance(1ms);
  EXPECT_EQ(sender_.sent.size(), 2u);  // LONGTRAN-TIMER: 5 s after the provisional
  deliver("200 100 OK\r\nK:\r\n");
  ASSERT_TRUE(got.has_value() && got->ok());
  ASSERT_EQ(sender_.sent.size(), 3u);
  EXPECT_EQ(sender_.sent[2].text, "000 100\r\n");
  EXPECT_EQ(counters_.value("mgcp.rx.provisional"), 1u);
  EXPECT_EQ(counters_.value("mgcp.tx.response_acks"), 1u);
}

TEST_F(MgcpClientTest, ProvisionalWithoutFinalTimesOut) {
  ClientConfig cfg;
  cfg.provisional_timeout = 12s;
  auto& c = client(cfg);
  std::optional<Outcome> got;
  c.send(auep(), [&](const Outcome& o) { got = o; });
  deliver("101 100 queued\r\n");
  timers_.advance(11999ms);
  EXPECT_FALSE(got.has_value());
  EXPECT_EQ(sender_.sent.size(), 3u);  // at 5 s and 10 s
  timers_.advance(1ms);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->error().error, TransactionError::kTimeout);
}

TEST_F(MgcpClientTest, ResponseCodesMapToErrors) {
  auto& c = client();
  std::vector<Outcome> got;
  for (int i = 0; i < 4; ++i) c.send(auep(), [&](const Outcome& o) { got.push_back(o); });
  deliver("403 100 no free endpoint\r\n");
  deliver("515 101 incorrect connection-id\r\n");
  deliver("250 102 OK\r\n");
  deliver("800 103 package specific\r\n");
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].error().error, TransactionError::kTransient);
  EXPECT_EQ(got[0].error().code, 403);
  EXPECT_EQ(got[0].error().comment, "no free endpoint");
  EXPECT_EQ(got[1].error().error, TransactionError::kPermanent);
  EXPECT_EQ(got[1].error().code, 515);
  EXPECT_TRUE(got[2].ok());
  EXPECT_EQ(got[3].error().error, TransactionError::kUnexpectedCode);
  EXPECT_EQ(counters_.value("mgcp.transaction.transient_errors"), 1u);
  EXPECT_EQ(counters_.value("mgcp.transaction.permanent_errors"), 1u);
  EXPECT_EQ(counters_.value("mgcp.transaction.unexpected_codes"), 1u);
}

TEST_F(MgcpClientTest, GarbageIsCountedAndDropped) {
  auto& c = client();
  c.send(auep(), [](const Outcome&) {});
  deliver("HTTP/1.1 200 OK\r\n");
  deliver("");
  EXPECT_EQ(counters_.value("mgcp.rx.parse_errors"), 2u);
  EXPECT_EQ(c.pending(), 1u);
}

TEST_F(MgcpClientTest, OverloadAndCancel) {
  ClientConfig cfg;
  cfg.max_pending = 2;
  auto& c = client(cfg);
  std::vector<TransactionError> errs;
  for (int i = 0; i < 3; ++i) c.send(auep(), [&](const Outcome& o) { errs.push_back(o.error().error); });
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0], TransactionError::kOverload);
  c.cancel_all();
  EXPECT_EQ(errs.size(), 3u);
  EXPECT_EQ(errs[1], TransactionError::kCancelled);
  EXPECT_EQ(timers_.pending(), 0u);
}

TEST_F(MgcpClientTest, SendFailureIsRetriedLikeALostDatagram) {
  auto& c = client();
  sender_.fail = true;
  std::optional<Outcome> got;
  c.send(auep(), [&](const Outcome& o) { got = o; });
  EXPECT_EQ(counters_.value("mgcp.tx.send_failures"), 1u);
  sender_.fail = false;
  timers_.advance(200ms);
  deliver("200 100 OK\r\n");
  ASSERT_TRUE(got.has_value() && got->ok());
}

TEST_F(MgcpClientTest, TransactionIdsWrapAndSkipPending) {
  ClientConfig cfg;
  cfg.first_transaction_id = 999'999'999;
  auto& c = client(cfg);
  EXPECT_EQ(c.send(auep(), [](const Outcome&) {}), 999'999'999u);
  EXPECT_EQ(c.send(auep(), [](const Outcome&) {}), 1u);
}

TEST_F(MgcpClientTest, RsipIsAnsweredAndReported) {
  auto& c = client();
  std::vector<RestartNotice> notices;
  c.on_restart([&](const RestartNotice& n) { notices.push_back(n); });
  deliver("RSIP 5000 ds/e1-0/*@mg1 MGCP 1.0\r\nRM: graceful\r\nRD: 300\r\nE: 904 manual intervention\r\n");
  ASSERT_EQ(sender_.sent.size(), 1u);
  EXPECT_EQ(sender_.sent[0].text, "200 5000 OK\r\n");
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].endpoint, "ds/e1-0/*@mg1");
  EXPECT_EQ(notices[0].method, mgcp::RestartMethod::kGraceful);
  EXPECT_EQ(notices[0].delay_seconds, 300u);
  EXPECT_EQ(notices[0].reason, "904 manual intervention");
  EXPECT_EQ(c.health().state(), HealthState::kOutOfService);

  // Retransmitted RSIP: same answer, not reported twice (T-HIST).
  deliver("RSIP 5000 ds/e1-0/*@mg1 MGCP 1.0\r\nRM: graceful\r\nRD: 300\r\n");
  ASSERT_EQ(sender_.sent.size(), 2u);
  EXPECT_EQ(sender_.sent[1].text, "200 5000 OK\r\n");
  EXPECT_EQ(notices.size(), 1u);
  EXPECT_EQ(counters_.value("mgcp.rx.duplicate_commands"), 1u);

  for (auto [rm, method] :
       {std::pair{"forced", mgcp::RestartMethod::kForced}, std::pair{"restart", mgcp::RestartMethod::kRestart},
        std::pair{"disconnected", mgcp::RestartMethod::kDisconnected}}) {
    deliver("RSIP " + std::to_string(5001 + notices.size()) + " *@mg1 MGCP 1.0\r\nRM: " + rm + "\r\n");
    EXPECT_EQ(notices.back().method, method);
  }
  EXPECT_EQ(c.health().state(), HealthState::kUp);

  deliver("RSIP 6000 *@mg1 MGCP 1.0\r\nRM: sometime\r\n");
  EXPECT_EQ(sender_.sent.back().text, "536 6000 unknown restart method\r\n");
  EXPECT_EQ(notices.size(), 4u);
}

TEST_F(MgcpClientTest, ResponseHistoryExpiresAfterTHist) {
  auto& c = client();
  int restarts = 0;
  c.on_restart([&](const RestartNotice&) { ++restarts; });
  deliver("RSIP 7 *@mg1 MGCP 1.0\r\nRM: restart\r\n");
  timers_.advance(31s);
  deliver("RSIP 7 *@mg1 MGCP 1.0\r\nRM: restart\r\n");  // a new transaction reusing the id
  EXPECT_EQ(restarts, 2);
}

TEST_F(MgcpClientTest, NotifyAndUnsupportedCommands) {
  auto& c = client();
  std::vector<std::string> events;
  c.on_notify([&](const Command& n) { events.push_back(*n.param("O")); });
  deliver("NTFY 9 ds/e1-0/1@mg1 MGCP 1.0\r\nX: 1\r\nO: T/oc\r\n.\r\nCRCX 10 ds/e1-0/1@mg1 MGCP 1.0\r\nC: 1\r\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], "T/oc");
  ASSERT_EQ(sender_.sent.size(), 2u);
  EXPECT_EQ(sender_.sent[0].text, "200 9 OK\r\n");
  EXPECT_EQ(sender_.sent[1].text, "504 10 unsupported command\r\n");
  EXPECT_EQ(counters_.value("mgcp.rx.unsupported_commands"), 1u);
}

TEST_F(MgcpClientTest, PiggybackedResponses) {
  auto& c = client();
  int ok = 0;
  c.send(auep(), [&](const Outcome& o) { ok += o.ok(); });
  c.send(auep(), [&](const Outcome& o) { ok += o.ok(); });
  deliver("200 100 OK\r\n.\r\n200 101 OK\r\n");
  EXPECT_EQ(ok, 2);
}

TEST_F(MgcpClientTest, KeepaliveDrivesHealth) {
  ClientConfig cfg;
  cfg.keepalive_endpoint = "null@mgw";
  cfg.keepalive_interval = 10s;
  auto& c = client(cfg);
  std::vector<std::pair<HealthState, HealthState>> changes;
  c.health().set_listener([&](HealthState f, HealthState t, HealthEvent) { changes.emplace_back(f, t); });
  EXPECT_EQ(c.health().state(), HealthState::kUnknown);
  c.start_keepalive();
  timers_.advance(0ms);
  ASSERT_EQ(sender_.sent.size(), 1u);
  EXPECT_EQ(sender_.sent[0].text, "AUEP 100 null@mgw MGCP 1.0\r\n");
  deliver("500 100 FAIL\r\n");  // osmo-mgw 1.10 answers 500 for null@: still proof of life
  EXPECT_EQ(c.health().state(), HealthState::kUp);

  // Next audit after the interval; this one is never answered.
  timers_.advance(10s);
  ASSERT_EQ(sender_.sent.size(), 2u);
  timers_.advance(18199ms);
  EXPECT_EQ(c.health().state(), HealthState::kUp);
  timers_.advance(1ms);
  EXPECT_EQ(c.health().state(), HealthState::kDown);
  EXPECT_EQ(counters_.value("mgcp.keepalive.lost"), 1u);
  EXPECT_TRUE(logged("mg_health_transition mg=mg from=UP to=DOWN event=audit_lost"));

  // The audits continue while DOWN; an answer brings it back UP.
  timers_.advance(10s);
  EXPECT_EQ(sender_.sent.back().text, "AUEP 102 null@mgw MGCP 1.0\r\n");
  deliver("200 102 OK\r\n");
  EXPECT_EQ(c.health().state(), HealthState::kUp);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0], std::pair(HealthState::kUnknown, HealthState::kUp));
  EXPECT_EQ(changes[1], std::pair(HealthState::kUp, HealthState::kDown));
  EXPECT_EQ(changes[2], std::pair(HealthState::kDown, HealthState::kUp));
  c.stop_keepalive();
  timers_.advance(60s);
  EXPECT_EQ(timers_.pending(), 0u);
}

TEST_F(MgcpClientTest, KeepaliveMissThreshold) {
  ClientConfig cfg;
  cfg.keepalive_endpoint = "null@mgw";
  cfg.keepalive_interval = 1s;
  cfg.keepalive_misses = 2;
  cfg.max_retransmissions = 0;  // each audit gives up after one initial timer
  auto& c = client(cfg);
  c.start_keepalive();
  timers_.advance(200ms);  // first audit lost
  EXPECT_EQ(c.health().state(), HealthState::kUnknown);
  timers_.advance(1200ms);  // second audit lost
  EXPECT_EQ(c.health().state(), HealthState::kDown);
}

TEST(MgHealthFsm, TransitionTable) {
  using S = HealthState;
  using E = HealthEvent;
  EXPECT_EQ(MgHealthFsm::next(S::kUnknown, E::kAuditAnswered), S::kUp);
  EXPECT_EQ(MgHealthFsm::next(S::kUnknown, E::kAuditLost), S::kDown);
  EXPECT_EQ(MgHealthFsm::next(S::kUp, E::kAuditLost), S::kDown);
  EXPECT_EQ(MgHealthFsm::next(S::kDown, E::kAuditAnswered), S::kUp);
  EXPECT_EQ(MgHealthFsm::next(S::kUp, E::kRsipForced), S::kOutOfService);
  EXPECT_EQ(MgHealthFsm::next(S::kUp, E::kRsipGraceful), S::kOutOfService);
  // Reachable is not in service: only an RSIP brings an out-of-service MG back.
  EXPECT_EQ(MgHealthFsm::next(S::kOutOfService, E::kAuditAnswered), S::kOutOfService);
  EXPECT_EQ(MgHealthFsm::next(S::kOutOfService, E::kRsipRestart), S::kUp);
  EXPECT_EQ(MgHealthFsm::next(S::kOutOfService, E::kRsipCancelGraceful), S::kUp);
  EXPECT_EQ(MgHealthFsm::next(S::kOutOfService, E::kAuditLost), S::kDown);
  EXPECT_EQ(MgHealthFsm::next(S::kDown, E::kRsipDisconnected), S::kUp);
  for (auto s : {S::kUnknown, S::kUp, S::kDown, S::kOutOfService})
    EXPECT_EQ(MgHealthFsm::next(s, E::kReset), S::kUnknown);
}

TEST(MgHealthFsm, LogsAndCountsEveryTransition) {
  std::vector<std::string> lines;
  Logger log([&](std::string_view l) { lines.emplace_back(l); });
  Counters counters;
  MgHealthFsm fsm("mg1", log, counters);
  fsm.handle(HealthEvent::kAuditAnswered);
  fsm.handle(HealthEvent::kAuditAnswered);  // no change: not a transition
  fsm.handle(HealthEvent::kRsipForced);
  fsm.handle(HealthEvent::kReset);
  EXPECT_EQ(counters.value("mgcp.health.transitions"), 3u);
  EXPECT_EQ(counters.value("mgcp.health.down"), 1u);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find("mgcp mg_health_transition mg=mg1 from=UNKNOWN to=UP event=audit_answered"),
            std::string::npos)
      << lines[0];
  EXPECT_NE(lines[1].find("from=UP to=OUT_OF_SERVICE event=rsip_forced"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("from=OUT_OF_SERVICE to=UNKNOWN event=reset"), std::string::npos) << lines[2];
}

}  // namespace
}  // namespace isupgw::mediagw
