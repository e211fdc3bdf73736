// The Q.931 call state tables in virtual time (ManualClock + ManualTimerService):
// a network-side and a user-side Call joined back to back through the codec
// (every message encoded and decoded), so each side's table answers the other's.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <memory>

#include "base/timer_service.h"
#include "q931/call_fsm.h"
#include "q931/codec.h"

namespace isupgw::q931 {
namespace {

using namespace std::chrono_literals;
using S = CcState;
using E = CcEvent;

struct End {
  std::vector<Message> sent;
  std::vector<Message> indications;
  std::vector<std::pair<std::uint8_t, bool>> released;
  int digit_timeouts = 0;
};

// Two Calls on one link: what one sends is encoded, decoded and handed to the
// other when the test says so (deliver), or lost (drop).
class Link : public ::testing::Test {
 protected:
  Link()
      : net_meter(Call::make_meter(Side::kNetwork, log, counters)),
        user_meter(Call::make_meter(Side::kUser, log, counters)) {}

  std::unique_ptr<Call> make(Side side, End& end, CallReference ref) {
    Call::Hooks h;
    h.send = [this, side, &end](Message m) {
      end.sent.push_back(m);
      auto bytes = encode(m);
      ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
      auto back = decode(*bytes);
      ASSERT_TRUE(back.ok());
      // The peer sees the call reference flag inverted (4.3).
      back->call_ref.flag = !back->call_ref.flag;
      (side == Side::kNetwork ? to_user : to_net).push_back(*back);
    };
    h.indication = [&end](const Message& m) { end.indications.push_back(m); };
    h.released = [&end](std::uint8_t c, bool r) { end.released.emplace_back(c, r); };
    h.digits_timeout = [&end] { ++end.digit_timeouts; };
    return std::make_unique<Call>(side, ref, side == Side::kNetwork ? net_meter : user_meter, timers,
                                  side == Side::kNetwork ? Timers::network() : Timers::user(), std::move(h));
  }

  // Hands every queued message to its Call, in order, until both queues are empty.
  void deliver() {
    while (!to_net.empty() || !to_user.empty()) {
      while (!to_net.empty()) {
        auto m = to_net.front();
        to_net.pop_front();
        if (net) net->receive(m);
      }
      while (!to_user.empty()) {
        auto m = to_user.front();
        to_user.pop_front();
        if (user) user->receive(m);
      }
    }
  }

  static Message setup(bool complete = true) {
    Message m;
    m.sending_complete = complete;
    m.bearer_capability = BearerCapability{0, 0, 0, 0x10, std::nullopt, 3, false, {}};
    m.channel_id = ChannelId{};
    m.channel_id->channels = {1};
    m.called = PartyNumber{2, 1, std::nullopt, std::nullopt, complete ? "30999888" : "309"};
    return m;
  }
  static Message with_cause(std::uint8_t c) {
    Message m;
    m.causes.push_back(Cause{0, 0, std::nullopt, c, {}});
    return m;
  }

  Logger log{[](std::string_view) {}};
  Counters counters;
  ManualClock clock;
  ManualTimerService timers{clock};
  Call::Meter net_meter, user_meter;
  std::deque<Message> to_net, to_user;
  End n, u;
  std::unique_ptr<Call> net, user;
};

TEST_F(Link, UserCallsNetworkAnswersAndUserClears) {
  user = make(Side::kUser, u, {2, false, 5});
  net = make(Side::kNetwork, n, {2, true, 5});
  ASSERT_TRUE(user->request(E::kSetupReq, setup()));
  EXPECT_EQ(user->state(), S::k1CallInitiated);  // U1, T303 running
  deliver();
  EXPECT_EQ(net->state(), S::k1CallInitiated);  // N1
  ASSERT_EQ(n.indications.size(), 1u);
  EXPECT_EQ(n.indications[0].called->digits, "30999888");
  ASSERT_TRUE(net->request(E::kProceedingReq));
  deliver();
  EXPECT_EQ(net->state(), S::k3OutgoingCallProceeding);
  EXPECT_EQ(user->state(), S::k3OutgoingCallProceeding);  // U3, T310
  ASSERT_TRUE(net->request(E::kAlertingReq));
  deliver();
  EXPECT_EQ(user->state(), S::k4CallDelivered);  // U4, T301
  ASSERT_TRUE(net->request(E::kConnectReq));
  deliver();
  EXPECT_EQ(user->state(), S::k10Active);
  EXPECT_EQ(net->state(), S::k10Active);
  EXPECT_EQ(u.sent.back().type, msg::kConnectAck);
  EXPECT_FALSE(user->timer_running());
  // 5.3.3: user DISCONNECT -> network RELEASE -> user RELEASE COMPLETE.
  ASSERT_TRUE(user->request(E::kDisconnectReq, with_cause(16)));
  EXPECT_EQ(user->state(), S::k11DisconnectRequest);
  deliver();
  EXPECT_EQ(user->state(), S::k0Null);
  EXPECT_EQ(net->state(), S::k0Null);
  ASSERT_EQ(u.released.size(), 1u);
  ASSERT_EQ(n.released.size(), 1u);
  EXPECT_EQ(n.released[0].first, 16);
  EXPECT_EQ(n.sent.back().type, msg::kRelease);
  EXPECT_EQ(u.sent.back().type, msg::kReleaseComplete);
  EXPECT_EQ(timers.pending(), 0u);
}

TEST_F(Link, NetworkCallsUserBusyAndNetworkClearsAfterAnswer) {
  net = make(Side::kNetwork, n, {2, false, 9});
  user = make(Side::kUser, u, {2, true, 9});
  ASSERT_TRUE(net->request(E::kSetupReq, setup()));
  EXPECT_EQ(net->state(), S::k6CallPresent);  // N6, T303
  deliver();
  EXPECT_EQ(user->state(), S::k6CallPresent);  // U6
  // User busy: RELEASE COMPLETE cause 17 to the SETUP (5.2.5.1).
  ASSERT_TRUE(user->request(E::kRejectReq, with_cause(17)));
  deliver();
  EXPECT_EQ(net->state(), S::k0Null);
  ASSERT_EQ(n.released.size(), 1u);
  EXPECT_EQ(n.released[0].first, 17);

  // A second call answered, then cleared by the network (5.3.4): DISCONNECT, RELEASE, RELEASE COMPLETE.
  net = make(Side::kNetwork, n, {2, false, 10});
  user = make(Side::kUser, u, {2, true, 10});
  net->request(E::kSetupReq, setup());
  deliver();
  user->request(E::kAlertingReq);
  deliver();
  EXPECT_EQ(net->state(), S::k7CallReceived);  // N7, T301
  user->request(E::kConnectReq);
  EXPECT_EQ(user->state(), S::k8ConnectRequest);  // U8, T313
  deliver();
  EXPECT_EQ(user->state(), S::k10Active);  // the network's CONNECT ACK arrived
  EXPECT_EQ(net->state(), S::k10Active);
  net->request(E::kDisconnectReq, with_cause(16));
  EXPECT_EQ(net->state(), S::k12DisconnectIndication);  // N12, T305
  deliver();
  EXPECT_EQ(user->state(), S::k12DisconnectIndication);  // U12: its call control must release
  user->request(E::kReleaseReq);
  EXPECT_EQ(user->state(), S::k19ReleaseRequest);
  deliver();
  EXPECT_EQ(user->state(), S::k0Null);
  EXPECT_EQ(net->state(), S::k0Null);
  EXPECT_EQ(timers.pending(), 0u);
}

TEST_F(Link, T303RetransmitsSetupOnceThenClears) {
  net = make(Side::kNetwork, n, {2, false, 3});
  net->request(E::kSetupReq, setup());
  timers.advance(3999ms);
  EXPECT_EQ(n.sent.size(), 1u);
  timers.advance(1ms);  // first expiry of T303 (4 s): SETUP again, T303 restarted (5.2.1)
  ASSERT_EQ(n.sent.size(), 2u);
  EXPECT_EQ(n.sent[1].type, msg::kSetup);
  EXPECT_EQ(n.sent[1].called->digits, "30999888");
  EXPECT_EQ(net->state(), S::k6CallPresent);
  timers.advance(4s);  // second expiry: cleared, cause 18 towards the caller
  EXPECT_EQ(net->state(), S::k0Null);
  ASSERT_EQ(n.released.size(), 1u);
  EXPECT_EQ(n.released[0].first, 18);
  EXPECT_EQ(n.sent.back().type, msg::kReleaseComplete);
  // The user side: a SETUP answered after the retransmission goes on normally.
  to_user.clear();  // the first call's SETUPs and RELEASE COMPLETE reached no user
  user = make(Side::kUser, u, {2, false, 4});
  net = make(Side::kNetwork, n, {2, true, 4});
  user->request(E::kSetupReq, setup());
  to_net.clear();  // the first SETUP is lost
  timers.advance(4s);
  EXPECT_EQ(u.sent.size(), 2u);
  deliver();
  net->request(E::kProceedingReq);
  deliver();
  EXPECT_EQ(user->state(), S::k3OutgoingCallProceeding);
}

TEST_F(Link, T305ThenT308WhenThePeerIsSilent) {
  user = make(Side::kUser, u, {2, false, 7});
  net = make(Side::kNetwork, n, {2, true, 7});
  user->request(E::kSetupReq, setup());
  deliver();
  net->request(E::kConnectReq);
  deliver();
  ASSERT_EQ(user->state(), S::k10Active);
  net.reset();  // the network stops answering
  user->request(E::kDisconnectReq, with_cause(16));
  timers.advance(29s);
  EXPECT_EQ(user->state(), S::k11DisconnectRequest);
  timers.advance(1s);  // T305 (30 s): RELEASE with the DISCONNECT's cause, T308 (5.3.3)
  EXPECT_EQ(user->state(), S::k19ReleaseRequest);
  EXPECT_EQ(u.sent.back().type, msg::kRelease);
  EXPECT_EQ(u.sent.back().causes.at(0).value, 16);
  timers.advance(4s);  // first T308: RELEASE again
  EXPECT_EQ(u.sent.back().type, msg::kRelease);
  EXPECT_EQ(user->state(), S::k19ReleaseRequest);
  const auto releases = std::count_if(u.sent.begin(), u.sent.end(), [](auto& m) { return m.type == msg::kRelease; });
  EXPECT_EQ(releases, 2);
  timers.advance(4s);  // second T308: Null, the B channel needs a RESTART (5.3.4.3)
  EXPECT_EQ(user->state(), S::k0Null);
  ASSERT_EQ(u.released.size(), 1u);
  EXPECT_TRUE(u.released[0].second);
}

TEST_F(Link, OverlapSendingAndReceivingWithT302) {
  user = make(Side::kUser, u, {2, false, 11});
  net = make(Side::kNetwork, n, {2, true, 11});
  user->request(E::kSetupReq, setup(false));
  deliver();
  net->request(E::kSetupAckReq);
  deliver();
  EXPECT_EQ(net->state(), S::k2OverlapSending);   // N2, T302
  EXPECT_EQ(user->state(), S::k2OverlapSending);  // U2, T304
  Message info;
  info.called = PartyNumber{0, 1, std::nullopt, std::nullopt, "99"};
  timers.advance(10s);
  user->request(E::kInfoReq, info);
  deliver();
  EXPECT_EQ(n.indications.back().called->digits, "99");
  timers.advance(14s);  // T302 (15 s) restarted by the INFORMATION: not yet
  EXPECT_EQ(n.digit_timeouts, 0);
  timers.advance(1s);
  EXPECT_EQ(n.digit_timeouts, 1);  // the call control decides: the number is complete
  net->request(E::kProceedingReq);
  deliver();
  EXPECT_EQ(user->state(), S::k3OutgoingCallProceeding);
  // T304 on the user side: no answer to overlap digits -> DISCONNECT 102 (5.1.3).
  auto user2 = make(Side::kUser, u, {2, false, 12});
  user2->request(E::kSetupReq, setup(false));
  Message ack;
  ack.type = msg::kSetupAck;
  ack.call_ref = {2, true, 12};
  user2->receive(ack);
  timers.advance(30s);
  EXPECT_EQ(user2->state(), S::k11DisconnectRequest);
  EXPECT_EQ(u.sent.back().causes.at(0).value, 102);
}

TEST_F(Link, StatusEnquiryAndClashes) {
  user = make(Side::kUser, u, {2, false, 13});
  net = make(Side::kNetwork, n, {2, true, 13});
  user->request(E::kSetupReq, setup());
  deliver();
  net->request(E::kConnectReq);
  deliver();
  // 5.8.10: STATUS ENQUIRY answered with STATUS cause 30 and the call state (N10).
  user->request(E::kStatusEnquiryReq);
  deliver();
  ASSERT_EQ(n.sent.back().type, msg::kStatus);
  EXPECT_EQ(n.sent.back().call_state->value, 10);
  EXPECT_EQ(n.sent.back().causes.at(0).value, 30);
  EXPECT_EQ(timers.pending(), 0u);  // T322 stopped by the STATUS
  // 5.3.5: both sides DISCONNECT at once; both send RELEASE, each RELEASE ends the other's call.
  user->request(E::kDisconnectReq, with_cause(16));
  net->request(E::kDisconnectReq, with_cause(16));
  deliver();
  EXPECT_EQ(user->state(), S::k0Null);
  EXPECT_EQ(net->state(), S::k0Null);
  EXPECT_EQ(timers.pending(), 0u);
  // A state that does not accept an input refuses it (the span answers STATUS, cause 101).
  EXPECT_FALSE(user->request(E::kConnectReq));
  Message status;
  status.type = msg::kStatus;
  status.call_state = CallState{0, 0};
  auto u3 = make(Side::kUser, u, {2, false, 14});
  u3->request(E::kSetupReq, setup());
  EXPECT_TRUE(u3->receive(status));  // 5.8.11: the peer is in Null -> release
  EXPECT_EQ(u3->state(), S::k0Null);
}

TEST(Q931CallTables, StatesAreNamedAsTheStandardNumbersThem) {
  EXPECT_EQ(to_string(S::k19ReleaseRequest), "19_release_request");
  EXPECT_EQ(to_string(E::kT303Second), "T303_second");
  EXPECT_EQ(to_string(E::kT322Second), "T322_second");
  EXPECT_EQ(Timers::network().t303, 4s);
  EXPECT_EQ(Timers::user().t310, 30s);
}

}  // namespace
}  // namespace isupgw::q931
