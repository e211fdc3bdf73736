// H.248 MGC client and the calls' contexts in virtual time: retransmission
// (D.1.2), TransactionPending and the long timer (8.2.3), ImmAckRequired ->
// TransactionResponseAck, repeated MG requests answered once (D.1.1), the MG's
// ServiceChange (7.2.8) -> registration, cause 41 for the affected calls; the
// AuditValue keepalive lost -> health DOWN -> cause 38. What the client sends
// is read back with our parser (the tshark test covers the bytes).
#include "media-gw/h248_client.h"

#include <gtest/gtest.h>

#include <deque>

#include "media-gw/h248_calls.h"

namespace isupgw::mediagw {
namespace {

using namespace std::chrono_literals;
using h248::CommandType;

struct FakeSender final : DatagramSender {
  explicit FakeSender(Clock& c) : clock(c) {}
  bool send(std::span<const std::uint8_t> d) override {
    sent.push_back({clock.now(), std::string(reinterpret_cast<const char*>(d.data()), d.size())});
    return true;
  }
  Clock& clock;
  std::vector<std::pair<Clock::time_point, std::string>> sent;
};

class H248ClientTest : public ::testing::Test {
 protected:
  H248ClientTest() : log_([this](std::string_view l) { lines_.emplace_back(l); }) {}

  H248Client& client(H248Config cfg = {}) {
    cfg.first_transaction_id = 100;
    cfg.mid = "[127.0.0.1]:2944";
    client_ = std::make_unique<H248Client>(cfg, sender_, timers_, clock_, log_, counters_);
    return *client_;
  }
  void deliver(std::string_view text) {
    client_->receive(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  }
  // The i-th datagram sent, parsed (kept alive for the test's references).
  const h248::Message& sent(std::size_t i) {
    auto m = h248::parse(sender_.sent.at(i).second);
    EXPECT_TRUE(m.ok()) << sender_.sent.at(i).second;
    return parsed_.emplace_back(m.ok() ? *m : h248::Message{});
  }
  static std::vector<h248::Action> audit_root() {
    h248::Command c;
    c.type = CommandType::kAuditValue;
    c.termination_id = "ROOT";
    c.audit = h248::AuditDescriptor{};
    return {h248::Action{h248::ContextId::null(), {c}}};
  }

  ManualClock clock_;
  ManualTimerService timers_{clock_};
  FakeSender sender_{clock_};
  std::vector<std::string> lines_;
  Logger log_;
  Counters counters_;
  std::unique_ptr<H248Client> client_;
  std::deque<h248::Message> parsed_;
};

TEST_F(H248ClientTest, RepliesMatchTransactionsAndRetransmissionBacksOff) {
  H248Config cfg;
  cfg.max_retransmissions = 3;
  auto& c = client(cfg);
  std::optional<H248Outcome> got;
  EXPECT_EQ(c.send(audit_root(), [&](const H248Outcome& o) { got = o; }), 100u);
  const auto& m = sent(0);
  EXPECT_EQ(m.mid, "[127.0.0.1]:2944");
  EXPECT_EQ(std::get<h248::TransactionRequest>(m.transactions.at(0)).id, 100u);
  timers_.advance(200ms);  // first repeat after the initial timer, then 400 ms, 800 ms
  timers_.advance(400ms);
  timers_.advance(800ms);
  ASSERT_EQ(sender_.sent.size(), 4u);
  EXPECT_EQ(sender_.sent[3].second, sender_.sent[0].second);
  EXPECT_EQ(sender_.sent[3].first - sender_.sent[2].first, 800ms);
  timers_.advance(1600ms);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->error().error, TransactionError::kTimeout);

  got.reset();
  c.send(audit_root(), [&](const H248Outcome& o) { got = o; });
  deliver("MEGACO/3 [127.0.0.1]:2945 Reply = 101 { Context = - { AuditValue = ROOT } }");
  ASSERT_TRUE(got.has_value() && got->ok());
  EXPECT_EQ(got->value().actions.at(0).replies.at(0).termination_id, "ROOT");
  EXPECT_EQ(c.pending(), 0u);
  EXPECT_EQ(timers_.pending(), 0u);
}

TEST_F(H248ClientTest, PendingStopsRetransmissionUntilTheLongTimer) {
  H248Config cfg;
  cfg.pending_timeout = 10s;
  auto& c = client(cfg);
  std::optional<H248Outcome> got;
  c.send(audit_root(), [&](const H248Outcome& o) { got = o; });
  deliver("!/3 [127.0.0.1]:2945 PN=100{}");
  timers_.advance(9s);
  EXPECT_EQ(sender_.sent.size(), 1u);  // no repeat while the MG says it is working on it
  EXPECT_FALSE(got.has_value());
  deliver("!/3 [127.0.0.1]:2945 PN=100{}");  // a further Pending starts the long timer again
  timers_.advance(9s);
  EXPECT_FALSE(got.has_value());
  timers_.advance(1s);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->error().error, TransactionError::kTimeout);
}

TEST_F(H248ClientTest, ImmAckRequiredIsAcknowledgedAndTransactionErrorsFail) {
  auto& c = client();
  std::optional<H248Outcome> got;
  c.send(audit_root(), [&](const H248Outcome& o) { got = o; });
  deliver("!/3 [127.0.0.1]:2945 P=100{IA,ER=431{\"No such termination\"}}");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->error().error, TransactionError::kPermanent);
  EXPECT_EQ(got->error().code, 431);
  ASSERT_EQ(sender_.sent.size(), 2u);
  const auto& k = std::get<h248::TransactionResponseAck>(sent(1).transactions.at(0));
  EXPECT_EQ(k.ranges.at(0), std::make_pair(100u, 100u));
}

TEST_F(H248ClientTest, RegistrationIsAnsweredOnceAndRepeatedRequestsGetTheSameReply) {
  auto& c = client();
  std::vector<ServiceChangeNotice> notices;
  c.on_service_change([&](const ServiceChangeNotice& n) { notices.push_back(n); });
  const std::string reg =
      "MEGACO/3 [127.0.0.1]:2945 Transaction = 9998 { Context = - { ServiceChange = ROOT { Services { "
      "Method = Restart, Reason = \"901 Cold Boot\", Profile = isupgw/1 } } } }";
  deliver(reg);
  EXPECT_TRUE(c.registered());
  EXPECT_EQ(c.health().state(), HealthState::kUp);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].termination_id, "ROOT");
  EXPECT_EQ(notices[0].reason, 901);
  ASSERT_EQ(sender_.sent.size(), 1u);
  const auto& r = std::get<h248::TransactionReply>(sent(0).transactions.at(0));
  EXPECT_EQ(r.id, 9998u);
  EXPECT_EQ(r.actions.at(0).replies.at(0).type, CommandType::kServiceChange);
  EXPECT_FALSE(r.actions[0].replies[0].error);
  deliver(reg);  // the MG did not hear our reply
  ASSERT_EQ(sender_.sent.size(), 2u);
  EXPECT_EQ(sender_.sent[1].second, sender_.sent[0].second);
  EXPECT_EQ(notices.size(), 1u);  // executed once
  deliver("!/3 [127.0.0.1]:2945 T=9999{C=-{SC=ROOT{SV{MT=FO,RE=\"905 Termination taken out of service\"}}}}");
  EXPECT_FALSE(c.registered());
  EXPECT_EQ(c.health().state(), HealthState::kOutOfService);
}

TEST_F(H248ClientTest, KeepaliveAuditLostMakesTheMgDown) {
  H248Config cfg;
  cfg.max_retransmissions = 1;
  cfg.keepalive_interval = 5s;
  auto& c = client(cfg);
  c.start_keepalive();
  timers_.advance(0ms);
  ASSERT_EQ(sender_.sent.size(), 1u);
  const auto& t = std::get<h248::TransactionRequest>(sent(0).transactions.at(0));
  EXPECT_EQ(t.actions.at(0).commands.at(0).type, CommandType::kAuditValue);
  EXPECT_EQ(t.actions[0].commands[0].termination_id, "ROOT");
  deliver("!/3 [127.0.0.1]:2945 P=100{C=-{AV=ROOT}}");
  EXPECT_EQ(c.health().state(), HealthState::kUp);
  timers_.advance(5s);  // next audit, never answered
  timers_.advance(200ms);
  timers_.advance(400ms);
  EXPECT_EQ(c.health().state(), HealthState::kDown);
  c.stop_keepalive();
}

class H248CallsTest : public H248ClientTest {
 protected:
  H248CallsTest() {
    client();
    calls_ = std::make_unique<H248Calls>("mg1", *client_, log_, counters_);
    client_->on_service_change([this](const ServiceChangeNotice& n) { calls_->handle_service_change(n); });
    client_->health().set_listener([this](HealthState f, HealthState t, HealthEvent) { calls_->handle_health(f, t); });
    calls_->on_lost([this](MediaId id, int cause) { lost_.emplace_back(id, cause); });
  }
  // The MG's reply to the Add of transaction `tid`.
  void answer_add(std::uint32_t tid, std::uint32_t ctx, const std::string& tdm, const std::string& rtp) {
    deliver("MEGACO/3 [127.0.0.1]:2945\nReply = " + std::to_string(tid) + " { Context = " + std::to_string(ctx) +
            " { Add = " + tdm + ", Add = " + rtp +
            " { Media { Local {\nv=0\nc=IN IP4 127.0.0.86\nm=audio 40000 RTP/AVP 8\n} } } } }");
  }
  std::unique_ptr<H248Calls> calls_;
  std::vector<std::pair<MediaId, int>> lost_;
};

TEST_F(H248CallsTest, OpenAddsTdmAndEphemeralRtpAndCloseSubtractsBoth) {
  std::optional<std::optional<std::string>> sdp;
  auto id = calls_->open("tdm/e1-1/17", h248::StreamMode::kSendOnly, "v=0\r\nm=audio 5000 RTP/AVP 8\r\n",
                         [&](const std::optional<std::string>& s) { sdp = s; });
  const auto& add = std::get<h248::TransactionRequest>(sent(0).transactions.at(0));
  const auto& a = add.actions.at(0);
  EXPECT_EQ(a.context, h248::ContextId::choose());
  ASSERT_EQ(a.commands.size(), 2u);
  EXPECT_EQ(a.commands[0].type, CommandType::kAdd);
  EXPECT_EQ(a.commands[0].termination_id, "tdm/e1-1/17");
  EXPECT_EQ(a.commands[1].termination_id, "$");
  EXPECT_EQ(a.commands[1].media->stream.mode, h248::StreamMode::kSendOnly);
  EXPECT_EQ(a.commands[1].media->stream.local, "v=0\r\nc=IN IP4 $\r\nm=audio $ RTP/AVP 8");
  EXPECT_EQ(a.commands[1].media->stream.remote, "v=0\r\nm=audio 5000 RTP/AVP 8");
  answer_add(add.id, 7, "tdm/e1-1/17", "rtp/00001");
  ASSERT_TRUE(sdp.has_value() && sdp->has_value());
  EXPECT_EQ(**sdp, "v=0\r\nc=IN IP4 127.0.0.86\r\nm=audio 40000 RTP/AVP 8\r\n");
  EXPECT_EQ(calls_->info(id)->context, 7u);
  EXPECT_EQ(calls_->info(id)->rtp, "rtp/00001");

  calls_->modify(id, h248::StreamMode::kSendRecv, "");
  const auto& mf = std::get<h248::TransactionRequest>(sent(1).transactions.at(0)).actions.at(0);
  EXPECT_EQ(mf.context, h248::ContextId::of(7));
  EXPECT_EQ(mf.commands.at(0).type, CommandType::kModify);
  EXPECT_EQ(mf.commands[0].termination_id, "rtp/00001");
  EXPECT_EQ(mf.commands[0].media->stream.mode, h248::StreamMode::kSendRecv);
  EXPECT_FALSE(mf.commands[0].media->stream.remote);

  calls_->close(id);
  const auto& s = std::get<h248::TransactionRequest>(sent(2).transactions.at(0)).actions.at(0);
  EXPECT_EQ(s.context, h248::ContextId::of(7));
  ASSERT_EQ(s.commands.size(), 2u);
  EXPECT_EQ(s.commands[0].type, CommandType::kSubtract);
  EXPECT_EQ(s.commands[0].termination_id, "tdm/e1-1/17");
  EXPECT_EQ(s.commands[1].termination_id, "rtp/00001");
  EXPECT_EQ(calls_->active(), 0u);
}

TEST_F(H248CallsTest, CloseWhileTheAddIsInFlightSubtractsWhenTheContextIsNamed) {
  bool called = false;
  auto id = calls_->open("tdm/e1-1/3", h248::StreamMode::kSendRecv, "", [&](const auto&) { called = true; });
  calls_->close(id);
  EXPECT_EQ(sender_.sent.size(), 1u);
  answer_add(100, 12, "tdm/e1-1/3", "rtp/00009");
  EXPECT_FALSE(called);
  const auto& s = std::get<h248::TransactionRequest>(sent(1).transactions.at(0)).actions.at(0);
  EXPECT_EQ(s.context, h248::ContextId::of(12));
  EXPECT_EQ(s.commands.size(), 2u);
  EXPECT_EQ(calls_->active(), 0u);
}

TEST_F(H248CallsTest, AnErrorReplyFailsTheOpen) {
  std::optional<std::optional<std::string>> sdp;
  calls_->open("tdm/e1-1/4", h248::StreamMode::kSendRecv, "", [&](const auto& s) { sdp = s; });
  deliver("!/3 [127.0.0.1]:2945 P=100{C=-{A=tdm/e1-1/4{ER=430{\"Unknown TerminationID\"}}}}");
  ASSERT_TRUE(sdp.has_value());
  EXPECT_FALSE(sdp->has_value());
  EXPECT_EQ(calls_->active(), 0u);
}

TEST_F(H248CallsTest, ServiceChangeRestartOnRootLosesEveryCallWithCause41) {
  auto a = calls_->open("tdm/e1-1/1", h248::StreamMode::kSendRecv, "", {});
  auto b = calls_->open("tdm/e1-2/1", h248::StreamMode::kSendRecv, "", {});
  answer_add(100, 1, "tdm/e1-1/1", "rtp/1");
  answer_add(101, 2, "tdm/e1-2/1", "rtp/2");
  // Forced on one span's terminations: only that span's call.
  deliver("!/3 [127.0.0.1]:2945 T=5{C=-{SC=tdm/e1-2/*{SV{MT=FO,RE=\"905 Termination taken out of service\"}}}}");
  ASSERT_EQ(lost_.size(), 1u);
  EXPECT_EQ(lost_[0], std::make_pair(b, 41));
  deliver("!/3 [127.0.0.1]:2945 T=6{C=-{SC=ROOT{SV{MT=RS,RE=\"901 Cold Boot\"}}}}");
  ASSERT_EQ(lost_.size(), 2u);
  EXPECT_EQ(lost_[1], std::make_pair(a, 41));
  EXPECT_EQ(calls_->active(), 0u);
}

TEST_F(H248CallsTest, LostKeepaliveReleasesCallsWithCause38) {
  auto a = calls_->open("tdm/e1-1/1", h248::StreamMode::kSendRecv, "", {});
  answer_add(100, 1, "tdm/e1-1/1", "rtp/1");
  client_->health().handle(HealthEvent::kAuditLost);
  ASSERT_EQ(lost_.size(), 1u);
  EXPECT_EQ(lost_[0], std::make_pair(a, 38));
}

// Defect of issue 22: an Add given up after its retransmissions fails the call, but the MG may have made the
// context; its late reply names it, and both terminations are subtracted again (7.2.3). A late reply to
// something else, and a reply nobody asked for, subtract nothing.
TEST_F(H248CallsTest, ALateReplyToAnAbandonedAddSubtractsWhatItMade) {
  client_.reset();
  calls_.reset();
  H248Config cfg;
  cfg.max_retransmissions = 2;
  client(cfg);
  calls_ = std::make_unique<H248Calls>("mg1", *client_, log_, counters_);
  std::optional<std::optional<std::string>> sdp;
  calls_->open("tdm/e1-1/9", h248::StreamMode::kSendRecv, "", [&](const auto& s) { sdp = s; });
  timers_.advance(200ms);
  timers_.advance(400ms);
  timers_.advance(800ms);  // 2 repeats, then the last timer: given up
  ASSERT_TRUE(sdp.has_value());
  EXPECT_FALSE(sdp->has_value());  // the call goes on without media (it fails)
  ASSERT_EQ(sender_.sent.size(), 3u);
  EXPECT_EQ(calls_->active(), 0u);

  answer_add(100, 44, "tdm/e1-1/9", "rtp/7");  // the MG made it after all
  ASSERT_EQ(sender_.sent.size(), 4u);
  const auto& s = std::get<h248::TransactionRequest>(sent(3).transactions.at(0));
  ASSERT_EQ(s.actions.size(), 1u);
  EXPECT_EQ(s.actions[0].context, h248::ContextId::of(44));
  ASSERT_EQ(s.actions[0].commands.size(), 2u);
  EXPECT_EQ(s.actions[0].commands[0].type, CommandType::kSubtract);
  EXPECT_EQ(s.actions[0].commands[0].termination_id, "tdm/e1-1/9");
  EXPECT_EQ(s.actions[0].commands[1].type, CommandType::kSubtract);
  EXPECT_EQ(s.actions[0].commands[1].termination_id, "rtp/7");
  EXPECT_EQ(counters_.value("h248.late_reply_subtract"), 1u);
  deliver("MEGACO/3 [127.0.0.1]:2945\nReply = " + std::to_string(s.id) +
          " { Context = 44 { Subtract = tdm/e1-1/9, Subtract = rtp/7 } }");
  EXPECT_EQ(client_->pending(), 0u);

  answer_add(100, 44, "tdm/e1-1/9", "rtp/7");  // a repeat of the late reply: taken once
  answer_add(555, 45, "tdm/e1-1/10", "rtp/8");  // a reply to nothing we sent
  EXPECT_EQ(sender_.sent.size(), 4u);
  EXPECT_EQ(counters_.value("h248.late_reply_subtract"), 1u);
  EXPECT_EQ(counters_.value("h248.rx.stray_replies"), 2u);
}

TEST(H248Termination, WildcardsCoverNameComponents) {
  EXPECT_TRUE(termination_matches("ROOT", "tdm/e1-1/1"));
  EXPECT_TRUE(termination_matches("tdm/e1-1/*", "tdm/e1-1/17"));
  EXPECT_TRUE(termination_matches("tdm/*", "tdm/e1-1/17"));
  EXPECT_TRUE(termination_matches("tdm/*/17", "tdm/e1-3/17"));
  EXPECT_FALSE(termination_matches("tdm/*/17", "tdm/e1-3/18"));
  EXPECT_FALSE(termination_matches("tdm/e1-2/*", "tdm/e1-1/17"));
  EXPECT_FALSE(termination_matches("tdm/e1-1/1", "tdm/e1-1/17"));
  EXPECT_FALSE(termination_matches("tdm/e1-1", "tdm/e1-1/17"));
  EXPECT_TRUE(termination_matches("root", "tdm/e1-1/17"));  // OTP's megaco writes ROOT in lower case
}

}  // namespace
}  // namespace isupgw::mediagw
