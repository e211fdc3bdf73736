// The independent ISDN peer: libpri 1.6 (Asterisk's Q.921 + Q.931, Debian
// libpri-dev) as the user side (CPE, EuroISDN E1) of a socketpair, our Q.921
// Link and Q.931 Call as the network side. libpri's events are the verdict.
// Frames cross as one datagram each with 2 dummy FCS octets (oracles.md).
// Real time: libpri runs its own timers; ours are advanced by the elapsed time.
#include <gtest/gtest.h>

#if defined(ISUPGW_HAVE_LIBPRI) && __has_include(<libpri.h>)
extern "C" {
#include <libpri.h>
}
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/timer_service.h"
#include "q931/call_fsm.h"
#include "q931/codec.h"
#include "q931/lapd_link.h"
#include "q931/restart_fsm.h"

namespace isupgw::q931 {
namespace {

using namespace std::chrono_literals;

class LibpriPeer : public ::testing::Test {
 protected:
  static std::vector<struct pri*>& kept() {
    static auto* v = new std::vector<struct pri*>;  // never destroyed: stays reachable at exit
    return *v;
  }
  void SetUp() override {
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
    link = std::make_unique<lapd::Link>(Side::kNetwork, link_meter, timers, lapd::LinkParams{}, link_hooks());
    RestartFsm::Hooks rh;
    rh.send = [this](Message m) {
      auto b = encode(m);
      ASSERT_TRUE(b.ok());
      link->send_data(*b);
    };
    rh.clear = [this](const RestartScope& s) {
      cleared.push_back(s);
      return true;
    };
    rh.done = [this](const RestartScope& s, bool ok) { done.emplace_back(s, ok); };
    restart =
        std::make_unique<RestartFsm>(Side::kNetwork, restart_meter, timers, RestartFsm::Timeouts{}, std::move(rh));
    pri = pri_new(sv[1], PRI_CPE, PRI_SWITCH_EUROISDN_E1);
    ASSERT_NE(pri, nullptr);
    pri_set_debug(pri, 0);
  }
  void TearDown() override {
    call.reset();
    restart.reset();
    link.reset();
    // libpri 1.6 has no destructor for a struct pri: kept reachable until exit (no leak report).
    if (pri) kept().push_back(pri);
    close(sv[0]);
    close(sv[1]);
  }

  lapd::Link::Hooks link_hooks() {
    lapd::Link::Hooks h;
    h.send = [this](lapd::Frame f) {
      auto b = lapd::encode(f);
      ASSERT_TRUE(b.ok());
      b->push_back(0);
      b->push_back(0);  // the dummy FCS libpri drops
      ASSERT_EQ(write(sv[0], b->data(), b->size()), static_cast<ssize_t>(b->size()));
    };
    h.established = [this] { link_up = true; };
    h.data = [this](std::vector<std::uint8_t> l3) {
      auto m = decode(l3);
      ASSERT_TRUE(m.ok()) << m.error().to_string();
      received.push_back(*m);
      if (m->call_ref.value == 0 && restart)
        restart->receive(*m);  // the global call reference (5.5)
      else if (call && m->call_ref.value == call->call_reference().value)
        call->receive(*m);
      else if (!call && m->type == msg::kSetup) {  // a call from libpri: its reference (flag 1 on ours)
        call = make_call(m->call_ref.value, true);
        call->receive(*m);
      }
    };
    return h;
  }

  std::unique_ptr<Call> make_call(std::uint32_t cr, bool theirs = false) {
    Call::Hooks h;
    h.send = [this](Message m) {
      auto b = encode(m);
      ASSERT_TRUE(b.ok());
      link->send_data(*b);
    };
    h.released = [this](std::uint8_t c, bool) { released_cause = c; };
    return std::make_unique<Call>(Side::kNetwork, CallReference{2, theirs, cr}, call_meter, timers, Timers::network(),
                                  std::move(h));
  }

  void on_event(pri_event* e) {
    if (!e) return;
    events.push_back(e->e);
    switch (e->e) {
      case PRI_EVENT_DCHAN_UP: dchan_up = true; break;
      case PRI_EVENT_RING:
        ring_called = e->ring.callednum;
        ring_channel = e->ring.channel;
        ring_call = e->ring.call;
        if (answer_on_ring) pri_answer(pri, ring_call, ring_channel, 1);
        break;
      case PRI_EVENT_HANGUP_REQ:
        hangup_req_cause = e->hangup.cause;
        pri_hangup(pri, e->hangup.call, e->hangup.cause);
        break;
      case PRI_EVENT_HANGUP:
        hangup_cause = e->hangup.cause;
        pri_hangup(pri, e->hangup.call, e->hangup.cause);  // frees libpri's call (oracles.md)
        break;
      case PRI_EVENT_RINGING: ringing = true; break;
      case PRI_EVENT_ANSWER: answered = true; break;
      case PRI_EVENT_HANGUP_ACK: hangup_ack = true; break;
      case PRI_EVENT_RESTART: pri_restarted.push_back(e->restart.channel & 0xff); break;
      case PRI_EVENT_RESTART_ACK: pri_restart_acked.push_back(e->restartack.channel & 0xff); break;
      default: break;
    }
  }

  // Runs both ends until done() or the deadline.
  bool pump(std::chrono::milliseconds max, const std::function<bool()>& done) {
    const auto start = std::chrono::steady_clock::now();
    auto last = start;
    while (!done()) {
      const auto now = std::chrono::steady_clock::now();
      if (now - start > max) return false;
      timers.advance(std::chrono::duration_cast<Clock::duration>(now - last));
      last = now;
      pollfd p[2] = {{sv[0], POLLIN, 0}, {sv[1], POLLIN, 0}};
      poll(p, 2, 10);
      if (p[1].revents & POLLIN) on_event(pri_check_event(pri));
      if (timeval* tv = pri_schedule_next(pri)) {
        timeval nowtv;
        gettimeofday(&nowtv, nullptr);
        if (timercmp(&nowtv, tv, >=)) on_event(pri_schedule_run(pri));
      }
      if (p[0].revents & POLLIN) {
        std::uint8_t buf[512];
        const auto n = read(sv[0], buf, sizeof buf);
        if (n >= 5) {
          auto f = lapd::decode(std::span<const std::uint8_t>(buf, static_cast<std::size_t>(n) - 2));
          if (f)
            link->receive(*f);
          else
            ++bad_frames;
        }
      }
    }
    return true;
  }

  int sv[2] = {-1, -1};
  Logger log{[](std::string_view) {}};
  Counters counters;
  ManualClock clock;
  ManualTimerService timers{clock};
  lapd::Link::Meter link_meter = lapd::Link::make_meter(log, counters);
  Call::Meter call_meter = Call::make_meter(Side::kNetwork, log, counters);
  std::unique_ptr<lapd::Link> link;
  std::unique_ptr<Call> call;
  RestartFsm::Meter restart_meter = RestartFsm::make_meter(log, counters);
  std::unique_ptr<RestartFsm> restart;
  std::vector<RestartScope> cleared;
  std::vector<std::pair<RestartScope, bool>> done;
  std::vector<int> pri_restarted, pri_restart_acked;
  struct pri* pri = nullptr;
  std::vector<Message> received;
  std::vector<int> events;
  bool link_up = false, dchan_up = false, answer_on_ring = true, hangup_ack = false, ringing = false, answered = false;
  std::string ring_called;
  int ring_channel = -1, hangup_req_cause = -1, hangup_cause = -1, bad_frames = 0;
  std::optional<std::uint8_t> released_cause;
  q931_call* ring_call = nullptr;
};

TEST_F(LibpriPeer, LinkUpThenCallAnsweredAndClearedByTheNetwork) {
  // libpri (CPE) starts Q.921 with SABME; our network link answers UA.
  ASSERT_TRUE(pump(5s, [&] { return link_up && dchan_up; })) << "link_up=" << link_up << " dchan_up=" << dchan_up;
  EXPECT_EQ(link->state(), lapd::LinkState::k7Established);

  call = make_call(1);
  Message setup;
  setup.sending_complete = true;
  setup.bearer_capability = BearerCapability{0, 0, 0, 0x10, std::nullopt, 3, false, {}};
  setup.channel_id = ChannelId{};
  setup.channel_id->channels = {1};
  setup.calling = PartyNumber{2, 1, 0, 3, "30123456"};
  setup.called = PartyNumber{2, 1, std::nullopt, std::nullopt, "30999888"};
  ASSERT_TRUE(call->request(CcEvent::kSetupReq, setup));
  // libpri reads our SETUP (PRI_EVENT_RING) and answers it: our call goes active.
  ASSERT_TRUE(pump(5s, [&] { return call->state() == CcState::k10Active; }))
      << "state " << to_string(call->state()) << " ring '" << ring_called << "'";
  EXPECT_EQ(ring_called, "30999888");
  // We clear: DISCONNECT 16 -> libpri HANGUP_REQ 16 -> its RELEASE -> our RELEASE COMPLETE.
  Message disc;
  disc.causes.push_back(Cause{0, 2, std::nullopt, 16, {}});
  ASSERT_TRUE(call->request(CcEvent::kDisconnectReq, disc));
  ASSERT_TRUE(pump(5s, [&] { return call->state() == CcState::k0Null && hangup_ack && link->unacknowledged() == 0; }))
      << "state " << to_string(call->state()) << " hangup_req " << hangup_req_cause;
  EXPECT_EQ(hangup_req_cause, 16);
  EXPECT_EQ(released_cause, 16);
  EXPECT_EQ(bad_frames, 0);
  EXPECT_EQ(link->state(), lapd::LinkState::k7Established);
  EXPECT_EQ(link->unacknowledged(), 0u);
}

// libpri calls out: a SETUP to 30999777 on B channel 3 refused busy by us (RELEASE COMPLETE 17:
// libpri's PRI_EVENT_HANGUP cause 17); a second call alerted, answered, then hung up by libpri.
TEST_F(LibpriPeer, CallsFromLibpriBusyThenAnsweredAndClearedByLibpri) {
  ASSERT_TRUE(pump(5s, [&] { return link_up && dchan_up; }));
  char caller[] = "30123456", called[] = "30999777";
  q931_call* c1 = pri_new_call(pri);
  ASSERT_NE(c1, nullptr);
  ASSERT_EQ(pri_call(pri, c1, PRI_TRANS_CAP_SPEECH, 3, 1, 1, caller, PRI_NATIONAL_ISDN, nullptr, PRI_PRES_ALLOWED,
                     called, PRI_NATIONAL_ISDN, PRI_LAYER_1_ALAW),
            0);
  ASSERT_TRUE(pump(5s, [&] { return call && call->state() == CcState::k1CallInitiated; }))
      << "received " << received.size() << " last type " << (received.empty() ? -1 : received.back().type) << " cr "
      << (received.empty() ? 0 : received.back().call_ref.value) << "/"
      << (received.empty() ? 0 : int(received.back().call_ref.length)) << " call "
      << (call ? std::string(to_string(call->state())) : "none") << " bad " << bad_frames;
  ASSERT_FALSE(received.empty());
  const Message& setup = received.back();
  EXPECT_EQ(setup.type, msg::kSetup);
  ASSERT_TRUE(setup.called);
  EXPECT_EQ(setup.called->digits, "30999777");
  ASSERT_TRUE(setup.channel_id);
  EXPECT_EQ(setup.channel_id->channels, std::vector<std::uint8_t>{3});
  EXPECT_TRUE(setup.channel_id->exclusive);
  Message busy;
  busy.causes.push_back(Cause{0, 2, std::nullopt, 17, {}});
  ASSERT_TRUE(call->request(CcEvent::kRejectReq, busy));
  ASSERT_TRUE(pump(5s, [&] { return hangup_cause != -1; }));
  EXPECT_EQ(hangup_cause, 17);
  EXPECT_EQ(call->state(), CcState::k0Null);

  call.reset();
  hangup_cause = -1;
  q931_call* c2 = pri_new_call(pri);
  ASSERT_EQ(pri_call(pri, c2, PRI_TRANS_CAP_SPEECH, 4, 1, 1, caller, PRI_NATIONAL_ISDN, nullptr, PRI_PRES_ALLOWED,
                     called, PRI_NATIONAL_ISDN, PRI_LAYER_1_ALAW),
            0);
  ASSERT_TRUE(pump(5s, [&] { return call && call->state() == CcState::k1CallInitiated; }));
  Message proceeding;  // the first answer to a SETUP names the B channel (EN 300 403-1 5.1.2); libpri insists
  proceeding.channel_id = ChannelId{};
  proceeding.channel_id->channels = {4};
  ASSERT_TRUE(call->request(CcEvent::kProceedingReq, proceeding));
  ASSERT_TRUE(call->request(CcEvent::kAlertingReq));
  ASSERT_TRUE(pump(5s, [&] { return ringing; }));
  ASSERT_TRUE(call->request(CcEvent::kConnectReq));
  ASSERT_TRUE(pump(5s, [&] { return answered; }));
  EXPECT_EQ(call->state(), CcState::k10Active);
  ASSERT_EQ(pri_hangup(pri, c2, 16), 0);  // libpri's DISCONNECT; our RELEASE; its RELEASE COMPLETE
  ASSERT_TRUE(pump(5s, [&] { return call->state() == CcState::k0Null; })) << to_string(call->state());
  EXPECT_EQ(released_cause, 16);
  EXPECT_EQ(bad_frames, 0);
}

// Q.931 5.5 with libpri: its RESTART of B channel 1 cleared and acknowledged by us (libpri's
// PRI_EVENT_RESTART_ACK), and ours of channel 2 acknowledged by libpri (PRI_EVENT_RESTART on its side).
TEST_F(LibpriPeer, RestartOfAChannelFromEitherSide) {
  ASSERT_TRUE(pump(5s, [&] { return link_up && dchan_up; }));
  ASSERT_EQ(pri_reset(pri, 1), 0);
  ASSERT_TRUE(pump(5s, [&] { return !pri_restart_acked.empty(); })) << "restart state " << to_string(restart->state());
  EXPECT_EQ(pri_restart_acked, std::vector<int>{1});
  ASSERT_EQ(cleared.size(), 1u);
  EXPECT_EQ(cleared[0], (RestartScope{restart_class::kIndicatedChannels, {1}}));
  EXPECT_EQ(restart->state(), RestartState::kNull);

  ASSERT_TRUE(restart->restart({restart_class::kIndicatedChannels, {2}}));
  ASSERT_TRUE(pump(5s, [&] { return !done.empty(); })) << "restart state " << to_string(restart->state());
  EXPECT_TRUE(done[0].second);
  EXPECT_EQ(pri_restarted, std::vector<int>{2});
  EXPECT_EQ(restart->state(), RestartState::kNull);
  EXPECT_EQ(bad_frames, 0);
}

}  // namespace
}  // namespace isupgw::q931

#else
TEST(LibpriPeer, Skipped) { GTEST_SKIP() << "libpri-dev not installed (scripts/setup.sh installs it)"; }
#endif
