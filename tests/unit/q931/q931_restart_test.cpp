// Q.931 5.5 restart procedures in virtual time: a network-side and a user-side
// restart machine joined through the codec, each with its own view of the 30 B
// channels of a span; a RESTART per channel and per interface, from either
// side, leaves the restarted channels idle in both views.
#include <gtest/gtest.h>

#include <array>
#include <deque>
#include <memory>

#include "base/hex.h"
#include "base/timer_service.h"
#include "q931/codec.h"
#include "q931/restart_fsm.h"

namespace isupgw::q931 {
namespace {

using namespace std::chrono_literals;

struct SpanView {
  std::array<bool, 32> busy{};  // index = channel number 1..31 (16 is the D channel on E1)
  std::vector<std::pair<RestartScope, bool>> done;
  std::vector<Message> sent;
  int busy_count() const {
    int n = 0;
    for (bool b : busy) n += b;
    return n;
  }
  void clear(const RestartScope& s) {
    if (s.restart_class == restart_class::kIndicatedChannels)
      for (auto c : s.channels) busy.at(c) = false;
    else
      busy.fill(false);
  }
};

class Restart : public ::testing::Test {
 protected:
  Restart() : meter(RestartFsm::make_meter(log, counters)) {
    for (int c = 1; c <= 31; ++c) {
      if (c == 16) continue;
      net_view.busy[c] = user_view.busy[c] = true;  // every B channel carries a call
    }
    net = make(Side::kNetwork, net_view, to_user);
    user = make(Side::kUser, user_view, to_net);
  }

  std::unique_ptr<RestartFsm> make(Side side, SpanView& view, std::deque<Message>& out) {
    RestartFsm::Hooks h;
    h.send = [&view, &out](Message m) {
      view.sent.push_back(m);
      auto bytes = encode(m);
      ASSERT_TRUE(bytes.ok());
      auto back = decode(*bytes);
      ASSERT_TRUE(back.ok());
      out.push_back(*back);
    };
    h.clear = [&view](const RestartScope& s) {
      view.clear(s);
      return true;
    };
    h.done = [&view](const RestartScope& s, bool ok) { view.done.emplace_back(s, ok); };
    return std::make_unique<RestartFsm>(side, meter, timers, RestartFsm::Timeouts{}, std::move(h));
  }

  void deliver() {
    while (!to_net.empty() || !to_user.empty()) {
      for (; !to_net.empty(); to_net.pop_front()) net->receive(to_net.front());
      for (; !to_user.empty(); to_user.pop_front()) user->receive(to_user.front());
    }
  }

  Logger log{[](std::string_view) {}};
  Counters counters;
  ManualClock clock;
  ManualTimerService timers{clock};
  RestartFsm::Meter meter;
  SpanView net_view, user_view;
  std::deque<Message> to_net, to_user;
  std::unique_ptr<RestartFsm> net, user;
};

TEST_F(Restart, PerChannelFromTheNetwork) {
  ASSERT_TRUE(net->restart({restart_class::kIndicatedChannels, {5}}));
  EXPECT_EQ(net->state(), RestartState::kRestartRequest);  // Rest 1, T316
  // On the wire: global call reference, channel 5 exclusive, restart class 0 (4.5.25).
  EXPECT_EQ(to_hex(*encode(net_view.sent.at(0))),
            "0802000046"
            "1803a98385"
            "790180");
  deliver();
  EXPECT_EQ(net->state(), RestartState::kNull);
  EXPECT_EQ(user->state(), RestartState::kNull);
  ASSERT_EQ(user_view.sent.size(), 1u);
  EXPECT_EQ(user_view.sent[0].type, msg::kRestartAck);
  EXPECT_TRUE(user_view.sent[0].call_ref.flag);
  EXPECT_EQ(user_view.sent[0].channel_id->channels, std::vector<std::uint8_t>{5});
  EXPECT_FALSE(net_view.busy[5]);
  EXPECT_FALSE(user_view.busy[5]);
  EXPECT_EQ(net_view.busy_count(), 29);  // only channel 5 restarted
  EXPECT_EQ(user_view.busy_count(), 29);
  ASSERT_EQ(net_view.done.size(), 1u);
  EXPECT_TRUE(net_view.done[0].second);
  EXPECT_EQ(timers.pending(), 0u);
}

TEST_F(Restart, WholeInterfaceFromTheUser) {
  ASSERT_TRUE(user->restart({restart_class::kAllInterfaces, {}}));
  deliver();
  EXPECT_EQ(net_view.busy_count(), 0);
  EXPECT_EQ(user_view.busy_count(), 0);
  EXPECT_EQ(net_view.sent.at(0).type, msg::kRestartAck);
  EXPECT_EQ(net_view.sent.at(0).restart_class, restart_class::kAllInterfaces);
  EXPECT_FALSE(net_view.sent.at(0).channel_id);
  EXPECT_EQ(user->state(), RestartState::kNull);
}

TEST_F(Restart, T316RepeatsTheRestartThenReportsMaintenance) {
  ASSERT_TRUE(net->restart({restart_class::kSingleInterface, {}}));
  to_user.clear();                                                    // lost
  EXPECT_FALSE(net->restart({restart_class::kSingleInterface, {}}));  // one at a time
  timers.advance(119s);
  EXPECT_EQ(net_view.sent.size(), 1u);
  timers.advance(1s);  // T316 (2 min): RESTART again
  ASSERT_EQ(net_view.sent.size(), 2u);
  EXPECT_EQ(net_view.sent[1].type, msg::kRestart);
  to_user.clear();
  timers.advance(120s);  // second expiry: maintenance
  EXPECT_EQ(net->state(), RestartState::kNull);
  ASSERT_EQ(net_view.done.size(), 1u);
  EXPECT_FALSE(net_view.done[0].second);
  EXPECT_EQ(net_view.busy_count(), 30);  // nothing was restarted
}

TEST_F(Restart, SlowClearingIsSupervisedByT317) {
  RestartFsm::Hooks h;
  h.send = [this](Message m) { user_view.sent.push_back(m); };
  h.clear = [](const RestartScope&) { return false; };  // calls still clearing
  h.done = [this](const RestartScope& s, bool ok) { user_view.done.emplace_back(s, ok); };
  RestartFsm slow(Side::kUser, meter, timers, RestartFsm::Timeouts{}, std::move(h));
  EXPECT_TRUE(slow.receive(RestartFsm::message(msg::kRestart, {restart_class::kIndicatedChannels, {3}}, false)));
  EXPECT_EQ(slow.state(), RestartState::kRestart);  // Rest 2, T317
  EXPECT_TRUE(slow.channels_idle());
  ASSERT_EQ(user_view.sent.size(), 1u);
  EXPECT_EQ(user_view.sent[0].type, msg::kRestartAck);
  EXPECT_TRUE(slow.receive(RestartFsm::message(msg::kRestart, {restart_class::kIndicatedChannels, {4}}, false)));
  timers.advance(90s);  // T317 expired: no acknowledgement, maintenance told
  EXPECT_EQ(slow.state(), RestartState::kNull);
  EXPECT_EQ(user_view.sent.size(), 1u);
  ASSERT_EQ(user_view.done.size(), 1u);
  EXPECT_EQ(user_view.done[0].first.channels, std::vector<std::uint8_t>{4});
  EXPECT_FALSE(user_view.done[0].second);
}

}  // namespace
}  // namespace isupgw::q931
