// Q.921 data link procedures in virtual time: a network-side and a user-side
// Link joined through the frame codec (every frame encoded and decoded), with
// frames lost on purpose to drive T200 recovery; T203 supervision; release.
#include <gtest/gtest.h>

#include <deque>
#include <memory>

#include "base/timer_service.h"
#include "q931/lapd_link.h"

namespace isupgw::q931::lapd {
namespace {

using namespace std::chrono_literals;
using S = LinkState;

struct Peer {
  std::vector<Frame> sent;
  std::vector<std::vector<std::uint8_t>> data;
  int established = 0, released = 0;
};

class LapdLink : public ::testing::Test {
 protected:
  LapdLink() : meter(Link::make_meter(log, counters)) {
    net = make(Side::kNetwork, n, to_user);
    user = make(Side::kUser, u, to_net);
  }
  std::unique_ptr<Link> make(Side side, Peer& p, std::deque<Frame>& out) {
    Link::Hooks h;
    h.send = [&p, &out](Frame f) {
      p.sent.push_back(f);
      auto b = encode(f);
      ASSERT_TRUE(b.ok());
      auto back = decode(*b);
      ASSERT_TRUE(back.ok());
      out.push_back(*back);
    };
    h.established = [&p] { ++p.established; };
    h.released = [&p] { ++p.released; };
    h.data = [&p](std::vector<std::uint8_t> d) { p.data.push_back(std::move(d)); };
    return std::make_unique<Link>(side, meter, timers, LinkParams{}, std::move(h));
  }
  void deliver() {
    while (!to_net.empty() || !to_user.empty()) {
      for (; !to_net.empty(); to_net.pop_front()) net->receive(to_net.front());
      for (; !to_user.empty(); to_user.pop_front()) user->receive(to_user.front());
    }
  }
  void up() {
    ASSERT_TRUE(user->establish());
    deliver();
    ASSERT_EQ(user->state(), S::k7Established);
    ASSERT_EQ(net->state(), S::k7Established);
  }

  Logger log{[](std::string_view) {}};
  Counters counters;
  ManualClock clock;
  ManualTimerService timers{clock};
  Link::Meter meter;
  Peer n, u;
  std::deque<Frame> to_net, to_user;
  std::unique_ptr<Link> net, user;
};

TEST_F(LapdLink, EstablishmentWithSabmeAndUa) {
  ASSERT_TRUE(user->establish());
  EXPECT_EQ(user->state(), S::k5AwaitingEstablishment);
  ASSERT_EQ(u.sent.size(), 1u);
  EXPECT_EQ(u.sent[0].type, FrameType::kSabme);
  EXPECT_FALSE(u.sent[0].cr);  // a user command: C/R = 0 (3.3.2)
  EXPECT_TRUE(u.sent[0].pf);
  deliver();
  EXPECT_EQ(n.sent.at(0).type, FrameType::kUa);
  EXPECT_FALSE(n.sent[0].cr);  // the network's response: C/R = 0
  EXPECT_TRUE(n.sent[0].pf);   // F = the SABME's P
  EXPECT_EQ(u.established, 1);
  EXPECT_EQ(n.established, 1);
  // SABME unanswered: repeated every T200 (1 s), N200 (3) times, then released (5.5.1.3).
  auto lone = make(Side::kNetwork, n, to_user);
  lone->establish();
  to_user.clear();
  timers.advance(3s);
  EXPECT_EQ(lone->state(), S::k5AwaitingEstablishment);
  timers.advance(1s);
  EXPECT_EQ(lone->state(), S::k4TeiAssigned);
}

TEST_F(LapdLink, InformationTransferAcknowledgedInOrder) {
  up();
  for (std::uint8_t i = 0; i < 10; ++i) ASSERT_TRUE(net->send_data({0x08, 0x02, 0x00, i}));
  EXPECT_EQ(net->unacknowledged(), 7u);  // window k = 7 (5.9.5)
  EXPECT_EQ(net->queued(), 3u);
  deliver();
  ASSERT_EQ(u.data.size(), 10u);
  for (std::uint8_t i = 0; i < 10; ++i) EXPECT_EQ(u.data[i].back(), i);
  EXPECT_EQ(net->unacknowledged(), 0u);
  EXPECT_EQ(net->vs(), 10);
  EXPECT_EQ(user->vr(), 10);
  user->send_data({0x08, 0x02, 0x80, 0x01});
  deliver();
  ASSERT_EQ(n.data.size(), 1u);
  EXPECT_EQ(user->unacknowledged(), 0u);
}

TEST_F(LapdLink, LostIFrameRecoveredByT200) {
  up();
  net->send_data({0x01});
  to_user.clear();     // lost
  timers.advance(1s);  // T200: timer recovery, RR command P=1 (5.7.1)
  EXPECT_EQ(net->state(), S::k8TimerRecovery);
  EXPECT_EQ(n.sent.back().type, FrameType::kRr);
  EXPECT_TRUE(n.sent.back().pf);
  deliver();  // the user's RR response F=1, N(R)=0: the I frame goes again
  EXPECT_EQ(net->state(), S::k7Established);
  ASSERT_EQ(u.data.size(), 1u);
  EXPECT_EQ(net->unacknowledged(), 0u);
}

TEST_F(LapdLink, T203SupervisionAndPeerLoss) {
  up();
  timers.advance(10s);  // T203 at both ends: each sends an RR command P=1 (5.7.2)
  EXPECT_EQ(n.sent.back().type, FrameType::kRr);
  deliver();
  EXPECT_EQ(net->state(), S::k7Established);
  EXPECT_EQ(user->state(), S::k7Established);
  // The user goes silent: N200 enquiries, then the network re-establishes (SABME).
  user.reset();
  timers.advance(10s);
  to_net.clear();
  to_user.clear();
  timers.advance(3s);
  EXPECT_EQ(net->state(), S::k8TimerRecovery);
  timers.advance(1s);
  EXPECT_EQ(net->state(), S::k5AwaitingEstablishment);
  EXPECT_EQ(n.sent.back().type, FrameType::kSabme);
}

TEST_F(LapdLink, ReleaseWithDiscAndUa) {
  up();
  ASSERT_TRUE(net->release());
  EXPECT_EQ(net->state(), S::k6AwaitingRelease);
  deliver();
  EXPECT_EQ(net->state(), S::k4TeiAssigned);
  EXPECT_EQ(user->state(), S::k4TeiAssigned);
  EXPECT_EQ(n.released, 1);
  EXPECT_EQ(u.released, 1);
  EXPECT_EQ(timers.pending(), 0u);
  // DISC in state 4 is answered DM (5.5.3.1).
  Frame disc;
  disc.type = FrameType::kDisc;
  disc.cr = true;
  disc.pf = true;
  EXPECT_TRUE(user->receive(disc));
  EXPECT_EQ(u.sent.back().type, FrameType::kDm);
}

}  // namespace
}  // namespace isupgw::q931::lapd
