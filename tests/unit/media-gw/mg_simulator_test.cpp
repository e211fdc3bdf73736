// The MG simulator on its own, and our client against it in virtual time
// (drops -> retransmission, provisional, error codes, RSIP).
#include "media-gw/mg_simulator.h"

#include <gtest/gtest.h>

#include <deque>

#include "media-gw/mgcp_client.h"
#include "media-gw/mgcp_codec.h"
#include "media-gw/mgcp_connection.h"

namespace isupgw::mediagw {
namespace {

using namespace std::chrono_literals;
using mgcp::ConnectionMode;
using mgcp::Verb;

std::span<const std::uint8_t> bytes(std::string_view s) {
  return std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

// Client -> simulator synchronously; simulator answers are queued until pump().
struct SimLink final : DatagramSender {
  explicit SimLink(MgSimulator& s) : sim(s) {}
  bool send(std::span<const std::uint8_t> d) override {
    ++sent;
    for (auto& r : sim.handle(d)) answers.push_back(std::move(r));
    return true;
  }
  MgSimulator& sim;
  std::deque<std::string> answers;
  int sent = 0;
};

class SimTest : public ::testing::Test {
 protected:
  SimTest() {
    log_.set_all_levels(LogLevel::kOff);
    ClientConfig cfg;
    cfg.first_transaction_id = 1;
    cfg.mg_name = "mg1";
    client_ = std::make_unique<MgcpClient>(cfg, link_, timers_, clock_, log_, counters_);
  }
  void pump() {
    while (!link_.answers.empty()) {
      std::string a = std::move(link_.answers.front());
      link_.answers.pop_front();
      client_->receive(bytes(a));
    }
  }
  mgcp::Response exec(std::string_view text) {
    auto out = sim_.handle(bytes(text));
    EXPECT_EQ(out.size(), 1u) << text;
    return out.empty() ? mgcp::Response{} : std::get<mgcp::Response>(*mgcp::parse(out[0]));
  }

  ManualClock clock_;
  ManualTimerService timers_{clock_};
  MgSimulator sim_{SimConfig{}, clock_};
  SimLink link_{sim_};
  Logger log_{[](std::string_view) {}};
  Counters counters_;
  std::unique_ptr<MgcpClient> client_;
};

TEST_F(SimTest, AnswersLikeATrunkingGateway) {
  auto r = exec("CRCX 1 ds/e1-0/5@mg1 MGCP 1.0\r\nC: 1a\r\nL: p:20, a:PCMA\r\nM: recvonly\r\n");
  EXPECT_EQ(r.code, 200);
  ASSERT_NE(r.param("I"), nullptr);
  EXPECT_EQ(r.param("Z"), nullptr);  // specific endpoint: no Z:
  EXPECT_NE(r.sdp.find("m=audio 16000 RTP/AVP 8"), std::string::npos);
  const std::string ci = *r.param("I");
  EXPECT_EQ(exec("CRCX 2 ds/e1-0/5@mg1 MGCP 1.0\r\nC: 1b\r\nM: recvonly\r\n").code, 540);  // one per timeslot
  EXPECT_EQ(exec("CRCX 3 ds/e1-9/5@mg1 MGCP 1.0\r\nC: 1b\r\nM: recvonly\r\n").code, 500);
  EXPECT_EQ(exec("CRCX 4 ds/e1-0/6@mg1 MGCP 1.0\r\nC: 1b\r\nM: bogus\r\n").code, 517);
  EXPECT_EQ(exec("CRCX 5 ds/e1-0/6@mg1 MGCP 1.0\r\nM: sendrecv\r\n").code, 510);
  EXPECT_EQ(exec("MDCX 6 ds/e1-0/5@mg1 MGCP 1.0\r\nC: 1a\r\nI: " + ci + "\r\nM: conttest\r\n").code, 200);
  EXPECT_EQ(sim_.connection(ci)->mode, ConnectionMode::kContinuityTest);
  EXPECT_EQ(exec("MDCX 7 ds/e1-0/5@mg1 MGCP 1.0\r\nC: 1a\r\nI: " + ci + "\r\nM: loopback\r\n").code, 200);
  EXPECT_EQ(sim_.connection(ci)->mode, ConnectionMode::kLoopback);
  EXPECT_EQ(exec("MDCX 8 ds/e1-0/5@mg1 MGCP 1.0\r\nC: 1a\r\nI: FFFF\r\n").code, 515);
  EXPECT_EQ(exec("MDCX 9 ds/e1-0/5@mg1 MGCP 1.0\r\nC: 2b\r\nI: " + ci + "\r\n").code, 516);
  auto au = exec("AUEP 10 ds/e1-0/5@mg1 MGCP 1.0\r\nF: I\r\n");
  EXPECT_EQ(*au.param("I"), ci);
  auto aucx = exec("AUCX 11 ds/e1-0/5@mg1 MGCP 1.0\r\nI: " + ci + "\r\nF: C, M\r\n");
  EXPECT_EQ(*aucx.param("M"), "loopback");
  auto del = exec("DLCX 12 ds/e1-0/5@mg1 MGCP 1.0\r\nC: 1a\r\nI: " + ci + "\r\n");
  EXPECT_EQ(del.code, 250);
  EXPECT_NE(del.param("P"), nullptr);
  EXPECT_EQ(exec("AUEP 13 ds/e1-0/5@mg1 MGCP 1.0\r\nF: I\r\n").param("I"), nullptr);
  EXPECT_EQ(exec("AUEP 14 ds/e1-0/5@other MGCP 1.0\r\n").code, 500);
  EXPECT_EQ(exec("NTFY 15 ds/e1-0/5@mg1 MGCP 1.0\r\n").code, 504);
  EXPECT_EQ(sim_.connection_count(), 0u);
}

TEST_F(SimTest, WildcardCrcxNamesTheEndpoint) {
  auto r1 = exec("CRCX 1 rtpbridge/*@mg1 MGCP 1.0\r\nC: 1\r\nM: recvonly\r\n");
  auto r2 = exec("CRCX 2 rtpbridge/*@mg1 MGCP 1.0\r\nC: 2\r\nM: recvonly\r\n");
  EXPECT_EQ(*r1.param("Z"), "rtpbridge/1@mg1");
  EXPECT_EQ(*r2.param("Z"), "rtpbridge/2@mg1");
  auto t = exec("CRCX 3 ds/e1-1/$@mg1 MGCP 1.0\r\nC: 3\r\nM: recvonly\r\n");
  EXPECT_EQ(*t.param("Z"), "ds/e1-1/1@mg1");
  EXPECT_EQ(exec("DLCX 4 ds/e1-1/*@mg1 MGCP 1.0\r\n").code, 250);  // all-of wildcard delete
  EXPECT_EQ(sim_.connection_count(), 2u);
  EXPECT_EQ(exec("DLCX 5 *@mg1 MGCP 1.0\r\n").code, 250);
  EXPECT_EQ(sim_.connection_count(), 0u);
}

TEST_F(SimTest, RetransmittedCommandGetsTheSameAnswerOnce) {
  auto a = sim_.handle(bytes("CRCX 77 rtpbridge/*@mg1 MGCP 1.0\r\nC: 1\r\nM: recvonly\r\n"));
  auto b = sim_.handle(bytes("CRCX 77 rtpbridge/*@mg1 MGCP 1.0\r\nC: 1\r\nM: recvonly\r\n"));
  EXPECT_EQ(a, b);
  EXPECT_EQ(sim_.connection_count(), 1u);
  EXPECT_EQ(sim_.duplicates_answered(), 1u);
}

TEST_F(SimTest, ClientRecoversFromDroppedCommands) {
  sim_.drop_next(2);
  std::optional<Result<ConnectionInfo, ConnectionFailure>> got;
  CrcxRequest r;
  r.endpoint = "rtpbridge/*@mg1";
  r.call_id = "c1";
  create_connection(*client_, r, [&](const auto& x) { got = x; });
  pump();
  EXPECT_FALSE(got.has_value());
  timers_.advance(200ms);  // retransmission 1: dropped
  pump();
  EXPECT_FALSE(got.has_value());
  timers_.advance(400ms);  // retransmission 2: answered
  pump();
  ASSERT_TRUE(got.has_value() && got->ok());
  EXPECT_EQ((*got)->endpoint, "rtpbridge/1@mg1");
  EXPECT_EQ(link_.sent, 3);
  EXPECT_EQ(sim_.connection_count(), 1u);
  EXPECT_EQ(counters_.value("mgcp.tx.retransmissions"), 2u);
}

TEST_F(SimTest, ClientGetsErrorCodesAndTimeouts) {
  sim_.fail_verb(Verb::kMdcx, 502);
  std::optional<Outcome> got;
  client_->send(make_mdcx("ds/e1-0/1@mg1", "1", "1", ConnectionMode::kSendRecv), [&](const Outcome& o) { got = o; });
  pump();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->error().error, TransactionError::kPermanent);
  EXPECT_EQ(got->error().code, 502);

  sim_.fail_next(403);
  got.reset();
  client_->send(make_auep("ds/e1-0/1@mg1"), [&](const Outcome& o) { got = o; });
  pump();
  EXPECT_EQ(got->error().error, TransactionError::kTransient);

  sim_.drop_next(100);
  got.reset();
  client_->send(make_auep("ds/e1-0/1@mg1"), [&](const Outcome& o) { got = o; });
  timers_.advance(30s);
  pump();
  EXPECT_EQ(got->error().error, TransactionError::kTimeout);
  EXPECT_EQ(sim_.dropped(), 8u);
}

TEST_F(SimTest, ProvisionalThenFinalWithAck) {
  sim_.provisional_next(1);
  std::optional<Outcome> got;
  client_->send(make_auep("ds/e1-0/1@mg1"), [&](const Outcome& o) { got = o; });
  pump();
  EXPECT_FALSE(got.has_value());
  timers_.advance(5s);  // LONGTRAN retransmission fetches the final response
  pump();
  ASSERT_TRUE(got.has_value() && got->ok());
  EXPECT_EQ(counters_.value("mgcp.tx.response_acks"), 1u);
}

TEST_F(SimTest, ContinuityCheckReportedByNotify) {
  std::vector<std::string> observed;
  client_->on_notify([&](const mgcp::Command& n) { observed.push_back(*n.param("O")); });
  auto rqnt = [&] {
    mgcp::Command c;
    c.verb = Verb::kRqnt;
    c.endpoint = "ds/e1-0/7@mg1";
    c.set(mgcp::param::kRequestIdentifier, "c07");
    c.set(mgcp::param::kRequestedEvents, "T/oc, T/of");
    c.set(mgcp::param::kSignalRequests, "T/co1");
    return c;
  };
  std::optional<Outcome> got;
  client_->send(rqnt(), [&](const Outcome& o) { got = o; });
  pump();
  ASSERT_TRUE(got.has_value() && got->ok());
  ASSERT_EQ(observed.size(), 1u);
  EXPECT_EQ(observed[0], "T/oc");
  sim_.fail_continuity(true);
  client_->send(rqnt(), [](const Outcome&) {});
  pump();
  ASSERT_EQ(observed.size(), 2u);
  EXPECT_EQ(observed[1], "T/of");
  EXPECT_EQ(counters_.value("mgcp.rx.ntfy"), 2u);
}

TEST_F(SimTest, RsipFromTheGatewayReachesTheOwner) {
  exec("CRCX 1 ds/e1-0/5@mg1 MGCP 1.0\r\nC: 1a\r\nM: recvonly\r\n");
  std::vector<RestartNotice> notices;
  client_->on_restart([&](const RestartNotice& n) { notices.push_back(n); });
  auto rsip = mgcp::serialize(sim_.make_rsip(mgcp::RestartMethod::kForced, "ds/e1-0/*@mg1"));
  EXPECT_EQ(sim_.connection_count(), 0u);  // forced restart drops the connections
  client_->receive(bytes(rsip));
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].method, mgcp::RestartMethod::kForced);
  EXPECT_EQ(notices[0].endpoint, "ds/e1-0/*@mg1");
  EXPECT_EQ(client_->health().state(), HealthState::kOutOfService);
  client_->receive(bytes(mgcp::serialize(sim_.make_rsip(mgcp::RestartMethod::kRestart, {}, 0))));
  EXPECT_EQ(notices.back().method, mgcp::RestartMethod::kRestart);
  EXPECT_EQ(client_->health().state(), HealthState::kUp);
}

}  // namespace
}  // namespace isupgw::mediagw
