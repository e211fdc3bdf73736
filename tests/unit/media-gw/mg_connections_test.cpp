// Media connections of calls on one MG (RFC 3435 2.3.5-2.3.8, 2.3.12): our
// client and MgConnections against the MG simulator, in virtual time.
#include "media-gw/mg_connections.h"

#include <gtest/gtest.h>

#include <deque>

#include "media-gw/mg_simulator.h"
#include "media-gw/mgcp_codec.h"

namespace isupgw::mediagw {
namespace {

using namespace std::chrono_literals;
using mgcp::ConnectionMode;

std::span<const std::uint8_t> bytes(std::string_view s) {
  return std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

struct SimLink final : DatagramSender {
  explicit SimLink(MgSimulator& s) : sim(s) {}
  bool send(std::span<const std::uint8_t> d) override {
    if (deaf) return true;
    for (auto& r : sim.handle(d)) answers.push_back(std::move(r));
    return true;
  }
  MgSimulator& sim;
  std::deque<std::string> answers;
  bool deaf = false;
};

class MgConnectionsTest : public ::testing::Test {
 protected:
  MgConnectionsTest() {
    log_.set_all_levels(LogLevel::kOff);
    ClientConfig cfg;
    cfg.first_transaction_id = 1;
    cfg.mg_name = "mg1";
    cfg.keepalive_endpoint = "*@mg1";
    cfg.keepalive_interval = 5s;
    client_ = std::make_unique<MgcpClient>(cfg, link_, timers_, clock_, log_, counters_);
    conns_ = std::make_unique<MgConnections>("mg1", *client_, log_, counters_);
    client_->on_restart([this](const RestartNotice& n) { conns_->handle_restart(n); });
    client_->health().set_listener([this](HealthState f, HealthState t, HealthEvent) { conns_->handle_health(f, t); });
    conns_->on_lost([this](MediaId id, int cause) { lost_.emplace_back(id, cause); });
  }
  void pump() {
    while (!link_.answers.empty()) {
      std::string a = std::move(link_.answers.front());
      link_.answers.pop_front();
      client_->receive(bytes(a));
    }
  }
  MediaId create(std::string endpoint, ConnectionMode mode = ConnectionMode::kRecvOnly) {
    return conns_->create(std::move(endpoint), mode, {}, [this](const Result<ConnectionInfo, ConnectionFailure>& r) {
      created_.push_back(r.ok() ? r->endpoint : std::string("error"));
    });
  }
  void rsip(mgcp::RestartMethod m, std::string endpoint) {
    client_->receive(bytes(mgcp::serialize(sim_.make_rsip(m, std::move(endpoint)))));
    link_.answers.clear();  // the client's 200 to the RSIP went to the simulator
  }

  ManualClock clock_;
  ManualTimerService timers_{clock_};
  Logger log_;
  Counters counters_;
  MgSimulator sim_{SimConfig{}, clock_};
  SimLink link_{sim_};
  std::unique_ptr<MgcpClient> client_;
  std::unique_ptr<MgConnections> conns_;
  std::vector<std::string> created_;
  std::vector<std::pair<MediaId, int>> lost_;
};

TEST_F(MgConnectionsTest, WildcardConnectionIsCreatedModifiedAndDeleted) {
  const MediaId id = create("rtpbridge/*@mg1");
  pump();
  ASSERT_EQ(created_.size(), 1u);
  EXPECT_EQ(created_[0].rfind("rtpbridge/", 0), 0u);  // the MG named a specific endpoint (Z:)
  ASSERT_NE(conns_->info(id), nullptr);
  EXPECT_NE(conns_->info(id)->sdp.find("m=audio"), std::string::npos);
  const SimConnection* sc = sim_.connection(conns_->info(id)->connection_id);
  ASSERT_NE(sc, nullptr);
  EXPECT_EQ(sc->mode, ConnectionMode::kRecvOnly);

  bool modified = false;
  conns_->modify(id, ConnectionMode::kSendRecv,
                 "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 8\r\n",
                 [&](bool ok, const std::string&) { modified = ok; });
  pump();
  EXPECT_TRUE(modified);
  EXPECT_EQ(sim_.connection(conns_->info(id)->connection_id)->mode, ConnectionMode::kSendRecv);

  conns_->release(id);
  pump();
  EXPECT_EQ(sim_.connection_count(), 0u);
  EXPECT_EQ(conns_->active(), 0u);
}

TEST_F(MgConnectionsTest, ReleaseBeforeTheMgAnsweredStillDeletesTheConnection) {
  const MediaId id = create("ds/e1-0/3@mg1");
  conns_->release(id);  // the call was cleared while the CRCX was in flight
  pump();
  pump();
  EXPECT_TRUE(created_.empty());  // nobody is told about a connection nobody wants
  EXPECT_EQ(sim_.connection_count(), 0u);
  EXPECT_EQ(conns_->active(), 0u);
}

TEST_F(MgConnectionsTest, CreateFailureIsReportedAndForgotten) {
  sim_.fail_verb(mgcp::Verb::kCrcx, 510);
  create("ds/e1-0/3@mg1");
  pump();
  EXPECT_EQ(created_, (std::vector<std::string>{"error"}));
  EXPECT_EQ(conns_->active(), 0u);
}

TEST_F(MgConnectionsTest, RsipRestartLosesEveryConnectionWithCause41) {
  const MediaId a = create("ds/e1-0/1@mg1"), b = create("rtpbridge/*@mg1");
  pump();
  rsip(mgcp::RestartMethod::kRestart, "*@mg1");
  EXPECT_EQ(lost_, (std::vector<std::pair<MediaId, int>>{{a, 41}, {b, 41}}));
  EXPECT_EQ(conns_->active(), 0u);
  EXPECT_EQ(sim_.connection_count(), 0u);  // the MG dropped them itself: no DLCX needed
}

TEST_F(MgConnectionsTest, RsipForcedOnOneSpanLosesOnlyThatSpan) {
  const MediaId a = create("ds/e1-0/1@mg1");
  const MediaId b = create("ds/e1-1/1@mg1");
  pump();
  rsip(mgcp::RestartMethod::kForced, "ds/e1-0/*@mg1");
  EXPECT_EQ(lost_, (std::vector<std::pair<MediaId, int>>{{a, 41}}));
  EXPECT_NE(conns_->info(b), nullptr);
  conns_->release(b);
  pump();
  EXPECT_EQ(sim_.connection_count(), 0u);
}

TEST_F(MgConnectionsTest, RsipGracefulKeepsCallsUp) {
  create("ds/e1-0/1@mg1");
  pump();
  rsip(mgcp::RestartMethod::kGraceful, "*@mg1");
  EXPECT_TRUE(lost_.empty());
  EXPECT_EQ(conns_->active(), 1u);
  EXPECT_FALSE(conns_->usable());  // no new connections on an MG leaving service
}

TEST_F(MgConnectionsTest, MgThatStopsAnsweringLosesEveryConnectionWithCause38) {
  client_->start_keepalive();
  const MediaId a = create("ds/e1-0/1@mg1");
  pump();
  timers_.advance(5s);  // first audit answered: UP
  pump();
  ASSERT_EQ(client_->health().state(), HealthState::kUp);
  link_.deaf = true;  // the MG is gone
  for (int i = 0; i < 120 && client_->health().state() != HealthState::kDown; ++i) timers_.advance(1s);
  ASSERT_EQ(client_->health().state(), HealthState::kDown);
  EXPECT_EQ(lost_, (std::vector<std::pair<MediaId, int>>{{a, 38}}));
  EXPECT_EQ(conns_->active(), 0u);
  EXPECT_FALSE(conns_->usable());
}

}  // namespace
}  // namespace isupgw::mediagw
