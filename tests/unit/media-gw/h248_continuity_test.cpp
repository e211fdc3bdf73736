// Continuity checks through the H.248 ct package (H.248.1 Annex E.10) in virtual time: the incoming side's loop
// (Add with Signals { ct/rsp }, held On/Off, Subtract at the end), the outgoing side's test (Add with ct/ct and
// Events { ct/cmp }; Notify res=success / res=failure decides; none within T24 is a failure; a Notify that
// overtakes the Add's reply is kept), the termination freed (on_idle) once its context is gone. What the checker
// sends is read back with our parser; the tshark test (h248_oracle_test) covers the bytes.
#include "media-gw/h248_continuity.h"

#include <gtest/gtest.h>

#include <deque>

namespace isupgw::mediagw {
namespace {

using namespace std::chrono_literals;
using h248::CommandType;

struct Sender final : DatagramSender {
  bool send(std::span<const std::uint8_t> d) override {
    sent.emplace_back(reinterpret_cast<const char*>(d.data()), d.size());
    return true;
  }
  std::vector<std::string> sent;
};

class H248ContinuityTest : public ::testing::Test {
 protected:
  H248ContinuityTest() : log_([](std::string_view) {}) {
    H248Config cfg;
    cfg.first_transaction_id = 100;
    cfg.keepalive = false;
    client_ = std::make_unique<H248Client>(cfg, sender_, timers_, clock_, log_, counters_);
    cot_ = std::make_unique<H248Continuity>(*client_, timers_, log_, counters_);
    client_->on_notify([this](const h248::Command& n, const h248::ContextId& ctx) { cot_->on_notify(n, ctx); });
    cot_->on_idle([this](const std::string& t) { idle_.push_back(t); });
  }
  void deliver(const std::string& text) {
    client_->receive(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  }
  // The last request sent: its transaction id and its one command.
  std::pair<std::uint32_t, h248::Action> last() {
    auto m = h248::parse(sender_.sent.back());
    EXPECT_TRUE(m.ok()) << sender_.sent.back();
    const auto& t = std::get<h248::TransactionRequest>(m->transactions.at(0));
    return {t.id, t.actions.at(0)};
  }
  void reply(std::uint32_t tid, std::uint32_t ctx, std::string_view verb, std::string_view term) {
    deliver("!/3 [127.0.0.1]:2945 P=" + std::to_string(tid) + "{C=" + std::to_string(ctx) + "{" + std::string(verb) +
            "=" + std::string(term) + "}}");
  }
  void notify(std::uint32_t ctx, std::string_view term, std::uint32_t rid, std::string_view res) {
    deliver("!/3 [127.0.0.1]:2945 T=" + std::to_string(9000 + ++notifies_) + "{C=" + std::to_string(ctx) + "{N=" +
            std::string(term) + "{OE=" + std::to_string(rid) + "{ct/cmp{res=" + std::string(res) + "}}}}}");
  }

  ManualClock clock_;
  ManualTimerService timers_{clock_};
  Sender sender_;
  Logger log_;
  Counters counters_;
  std::unique_ptr<H248Client> client_;
  std::unique_ptr<H248Continuity> cot_;
  std::vector<std::string> idle_;
  int notifies_ = 0;
};

TEST_F(H248ContinuityTest, IncomingLoopIsAnOnOffRespondSignalUntilSubtracted) {
  cot_->connect_loop("tdm/e1-0/4");
  auto [tid, a] = last();
  EXPECT_EQ(a.context, h248::ContextId::choose());
  ASSERT_EQ(a.commands.size(), 1u);
  const auto& add = a.commands[0];
  EXPECT_EQ(add.type, CommandType::kAdd);
  EXPECT_EQ(add.termination_id, "tdm/e1-0/4");
  ASSERT_TRUE(add.signals.has_value());
  ASSERT_EQ(add.signals->signals.size(), 1u);
  EXPECT_EQ(add.signals->signals[0].name, "ct/rsp");
  EXPECT_EQ(add.signals->signals[0].parameters, (std::vector<h248::Property>{{"SY", '=', "OO"}}));
  EXPECT_FALSE(add.events.has_value());
  cot_->disconnect_loop("tdm/e1-0/4");  // before the reply: kept until the context is named
  EXPECT_EQ(cot_->state("tdm/e1-0/4"), CotState::kLoopConnecting);
  reply(tid, 7, "A", "tdm/e1-0/4");
  auto [tid2, sub] = last();
  EXPECT_EQ(sub.context, h248::ContextId::of(7));
  EXPECT_EQ(sub.commands.at(0).type, CommandType::kSubtract);
  EXPECT_EQ(sub.commands.at(0).termination_id, "tdm/e1-0/4");
  EXPECT_TRUE(idle_.empty());
  reply(tid2, 7, "S", "tdm/e1-0/4");
  EXPECT_EQ(cot_->active(), 0u);
  EXPECT_EQ(idle_, std::vector<std::string>{"tdm/e1-0/4"});
}

TEST_F(H248ContinuityTest, OutgoingTestPassesAndFailsByTheNotifiedResult) {
  for (const auto* res : {"success", "failure"}) {
    SCOPED_TRACE(res);
    std::optional<bool> passed;
    cot_->start_test("tdm/e1-0/1", [&](bool p) { passed = p; });
    auto [tid, a] = last();
    const auto& add = a.commands.at(0);
    ASSERT_TRUE(add.signals && add.events && add.events->request_id);
    EXPECT_EQ(add.signals->signals.at(0).name, "ct/ct");
    EXPECT_EQ(add.events->events.at(0).name, "ct/cmp");
    reply(tid, 9, "A", "tdm/e1-0/1");
    EXPECT_EQ(cot_->state("tdm/e1-0/1"), CotState::kToneRequested);
    notify(9, "tdm/e1-0/1", *add.events->request_id, res);
    timers_.advance(0ms);
    ASSERT_TRUE(passed.has_value());
    EXPECT_EQ(*passed, std::string(res) == "success");
    auto [tid2, sub] = last();
    EXPECT_EQ(sub.commands.at(0).type, CommandType::kSubtract);
    reply(tid2, 9, "S", "tdm/e1-0/1");
    EXPECT_EQ(cot_->active(), 0u);
  }
  EXPECT_EQ(counters_.get("h248.cot.passed").value(), 1u);
  EXPECT_EQ(counters_.get("h248.cot.failed").value(), 1u);
}

TEST_F(H248ContinuityTest, NoNotifyWithinT24IsAFailure) {
  std::optional<bool> passed;
  cot_->start_test("tdm/e1-0/3", [&](bool p) { passed = p; });
  auto [tid, a] = last();
  reply(tid, 4, "A", "tdm/e1-0/3");
  timers_.advance(1999ms);
  EXPECT_FALSE(passed.has_value());
  timers_.advance(1ms);
  timers_.advance(0ms);
  ASSERT_TRUE(passed.has_value());
  EXPECT_FALSE(*passed);
  EXPECT_EQ(last().second.commands.at(0).type, CommandType::kSubtract);
}

TEST_F(H248ContinuityTest, ANotifyOvertakingTheAddsReplyIsKept) {
  std::optional<bool> passed;
  cot_->start_test("tdm/e1-0/5", [&](bool p) { passed = p; });
  auto [tid, a] = last();
  notify(12, "tdm/e1-0/5", *a.commands.at(0).events->request_id, "success");
  EXPECT_EQ(cot_->state("tdm/e1-0/5"), CotState::kTestConnecting);
  reply(tid, 12, "A", "tdm/e1-0/5");
  timers_.advance(0ms);
  ASSERT_TRUE(passed.has_value());
  EXPECT_TRUE(*passed);
}

TEST_F(H248ContinuityTest, ARefusedAddFailsTheTestAndFreesTheTermination) {
  std::optional<bool> passed;
  cot_->start_test("tdm/e1-0/6", [&](bool p) { passed = p; });
  auto [tid, a] = last();
  deliver("!/3 [127.0.0.1]:2945 P=" + std::to_string(tid) + "{C=-{A=tdm/e1-0/6{ER=433{\"already in a context\"}}}}");
  timers_.advance(0ms);
  ASSERT_TRUE(passed.has_value());
  EXPECT_FALSE(*passed);
  EXPECT_EQ(cot_->active(), 0u);
  EXPECT_EQ(idle_, std::vector<std::string>{"tdm/e1-0/6"});
}

}  // namespace
}  // namespace isupgw::mediagw
