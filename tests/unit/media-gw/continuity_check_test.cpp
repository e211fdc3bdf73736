// Continuity check through the MG (Q.764 2.1.8 with RFC 3660 T/co1, T/oc, T/of):
// our checker and client against the MG simulator, in virtual time.
#include "media-gw/continuity_check.h"

#include <gtest/gtest.h>

#include <deque>
#include <optional>

#include "media-gw/mg_simulator.h"
#include "media-gw/mgcp_codec.h"

namespace isupgw::mediagw {
namespace {

using namespace std::chrono_literals;
using mgcp::ConnectionMode;

std::span<const std::uint8_t> bytes(std::string_view s) {
  return std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

// Client -> simulator; what the simulator sends back is queued until pump(),
// and every command the client sent is kept for the assertions.
struct SimLink final : DatagramSender {
  explicit SimLink(MgSimulator& s) : sim(s) {}
  bool send(std::span<const std::uint8_t> d) override {
    sent.emplace_back(reinterpret_cast<const char*>(d.data()), d.size());
    if (sent.size() > answer_limit) return true;
    for (auto& r : sim.handle(d)) answers.push_back(std::move(r));
    return true;
  }
  MgSimulator& sim;
  std::deque<std::string> answers;
  std::vector<std::string> sent;
  std::size_t answer_limit = SIZE_MAX;  // commands after this many go unanswered
};

class ContinuityTest : public ::testing::Test {
 protected:
  ContinuityTest() {
    log_.set_all_levels(LogLevel::kOff);
    ClientConfig cfg;
    cfg.first_transaction_id = 1;
    cfg.mg_name = "mg1";
    client_ = std::make_unique<MgcpClient>(cfg, link_, timers_, clock_, log_, counters_);
    cot_ = std::make_unique<ContinuityChecker>(*client_, timers_, log_, counters_);
    client_->on_notify([this](const mgcp::Command& n) { notified_ += cot_->on_notify(n) ? 1 : 0; });
  }
  void pump() {
    for (int round = 0; round < 10; ++round) {
      while (!link_.answers.empty()) {
        std::string a = std::move(link_.answers.front());
        link_.answers.pop_front();
        client_->receive(bytes(a));
      }
      timers_.advance(0ms);
      if (link_.answers.empty()) break;
    }
  }
  // The verb and mode line of every command sent, e.g. "CRCX M: conttest".
  std::vector<std::string> commands() const {
    std::vector<std::string> out;
    for (const auto& s : link_.sent) {
      auto m = mgcp::parse(s);
      if (!m.ok() || !std::holds_alternative<mgcp::Command>(*m)) continue;
      const auto& c = std::get<mgcp::Command>(*m);
      std::string line(mgcp::to_string(c.verb));
      if (auto* mode = c.param(mgcp::param::kConnectionMode)) line += " M: " + *mode;
      if (auto* s2 = c.param(mgcp::param::kSignalRequests)) line += " S: " + *s2;
      if (auto* r = c.param(mgcp::param::kRequestedEvents)) line += " R: " + *r;
      out.push_back(line);
    }
    return out;
  }

  ManualClock clock_;
  ManualTimerService timers_{clock_};
  Logger log_;
  Counters counters_;
  MgSimulator sim_{SimConfig{}, clock_};
  SimLink link_{sim_};
  std::unique_ptr<MgcpClient> client_;
  std::unique_ptr<ContinuityChecker> cot_;
  int notified_ = 0;
};

TEST_F(ContinuityTest, OutgoingTestPassesWhenTheToneReturns) {
  std::optional<bool> result;
  cot_->start_test("ds/e1-0/5@mg1", [&](bool ok) { result = ok; });
  EXPECT_FALSE(result.has_value());  // never from inside the request
  pump();
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(*result);
  EXPECT_EQ(notified_, 1);
  EXPECT_EQ(commands(), (std::vector<std::string>{"CRCX M: conttest", "RQNT S: T/co1 R: T/oc, T/of", "DLCX"}));
  EXPECT_EQ(sim_.connection_count(), 0u);  // the test connection is gone
  EXPECT_EQ(cot_->active(), 0u);
  EXPECT_EQ(counters_.get("mgcp.cot.passed").value(), 1u);
}

TEST_F(ContinuityTest, OutgoingTestFailsOnOperationFailure) {
  sim_.fail_continuity(true);  // the MG reports T/of
  std::optional<bool> result;
  cot_->start_test("ds/e1-0/5@mg1", [&](bool ok) { result = ok; });
  pump();
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(*result);
  EXPECT_EQ(sim_.connection_count(), 0u);
  EXPECT_EQ(counters_.get("mgcp.cot.failed").value(), 1u);
}

TEST_F(ContinuityTest, NoOutcomeWithinT24IsAFailure) {
  // An MG that creates the connection, then falls silent.
  link_.answer_limit = 1;
  std::optional<bool> result;
  cot_->start_test("ds/e1-0/5@mg1", [&](bool ok) { result = ok; });
  pump();
  timers_.advance(1999ms);
  EXPECT_FALSE(result.has_value());
  EXPECT_EQ(cot_->state("ds/e1-0/5@mg1"), CotState::kToneRequested);
  timers_.advance(1ms);  // T24
  timers_.advance(0ms);
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(*result);
  EXPECT_EQ(cot_->state("ds/e1-0/5@mg1"), CotState::kDeleting);
}

TEST_F(ContinuityTest, CrcxRefusedIsAFailure) {
  sim_.fail_verb(mgcp::Verb::kCrcx, 502);
  std::optional<bool> result;
  cot_->start_test("ds/e1-0/5@mg1", [&](bool ok) { result = ok; });
  pump();
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(*result);
  EXPECT_EQ(cot_->active(), 0u);
}

TEST_F(ContinuityTest, IncomingLoopIsConnectedAndRemoved) {
  cot_->connect_loop("ds/e1-1/7@mg1");
  pump();
  EXPECT_EQ(cot_->state("ds/e1-1/7@mg1"), CotState::kLooped);
  ASSERT_EQ(sim_.connection_count("ds/e1-1/7@mg1"), 1u);
  cot_->disconnect_loop("ds/e1-1/7@mg1");
  pump();
  EXPECT_EQ(sim_.connection_count(), 0u);
  EXPECT_EQ(cot_->active(), 0u);
  EXPECT_EQ(commands(), (std::vector<std::string>{"CRCX M: loopback", "DLCX"}));
}

TEST_F(ContinuityTest, DisconnectWhileTheLoopIsBeingCreatedDeletesItAfterwards) {
  cot_->connect_loop("ds/e1-1/7@mg1");
  cot_->disconnect_loop("ds/e1-1/7@mg1");  // COT arrived before the MG answered
  pump();
  EXPECT_EQ(sim_.connection_count(), 0u);
  EXPECT_EQ(cot_->active(), 0u);
}

TEST_F(ContinuityTest, AnEventTheStateDoesNotAcceptIsRefusedAndCounted) {
  cot_->disconnect_loop("ds/e1-1/9@mg1");  // no loop there: idle refuses it
  cot_->connect_loop("ds/e1-1/7@mg1");
  cot_->connect_loop("ds/e1-1/7@mg1");  // a second loop request while the first is being created
  pump();
  EXPECT_EQ(cot_->state("ds/e1-1/7@mg1"), CotState::kLooped);
  EXPECT_EQ(commands(), (std::vector<std::string>{"CRCX M: loopback"}));
  EXPECT_EQ(counters_.get("mgcp.cot.refused").value(), 2u);
  EXPECT_EQ(counters_.get("mgcp.cot.refused.disconnect-loop").value(), 1u);
  EXPECT_EQ(counters_.get("mgcp.cot.refused.connect-loop").value(), 1u);
  EXPECT_EQ(counters_.get("mgcp.cot.event.created").value(), 1u);
}

TEST_F(ContinuityTest, SecondTestOnABusyEndpointFailsWithoutTouchingTheFirst) {
  std::optional<bool> first, second;
  cot_->start_test("ds/e1-0/5@mg1", [&](bool ok) { first = ok; });
  cot_->start_test("ds/e1-0/5@mg1", [&](bool ok) { second = ok; });
  pump();
  ASSERT_TRUE(first.has_value() && second.has_value());
  EXPECT_TRUE(*first);
  EXPECT_FALSE(*second);
  EXPECT_EQ(counters_.get("mgcp.cot.busy").value(), 1u);
}

}  // namespace
}  // namespace isupgw::mediagw
