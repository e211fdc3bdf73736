// The PRI span's Q.931 layer (q931/pri_span.h: calls, B channels, restart) against an independent ISDN peer:
// libpri 1.6 (Asterisk's Q.921 + Q.931, EuroISDN E1) as the PBX, user side, on a socketpair; our Q.921 link
// (network side) between them. libpri's events are the verdict (RESTART ACK, RING on the channel we chose,
// HANGUP with the cause we sent); the span's channel table is checked against them ("idle in both views").
#include <gtest/gtest.h>

#if defined(ISUPGW_HAVE_LIBPRI) && __has_include(<libpri.h>)
extern "C" {
#include <libpri.h>
}
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/timer_service.h"
#include "q931/codec.h"
#include "q931/lapd_link.h"
#include "q931/pri_span.h"

namespace isupgw::q931 {
namespace {

using namespace std::chrono_literals;

class PriSpanLibpri : public ::testing::Test {
 protected:
  static std::vector<struct pri*>& kept() {
    static auto* v = new std::vector<struct pri*>;  // libpri 1.6 has no destructor for a struct pri
    return *v;
  }
  void SetUp() override {
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
    lapd::Link::Hooks lh;
    lh.send = [this](lapd::Frame f) {
      auto b = lapd::encode(f);
      ASSERT_TRUE(b.ok());
      b->push_back(0);
      b->push_back(0);  // the dummy FCS libpri drops (oracles.md)
      ASSERT_EQ(write(sv[0], b->data(), b->size()), static_cast<ssize_t>(b->size()));
    };
    lh.established = [this] { span->link_up(); };
    lh.data = [this](std::vector<std::uint8_t> l3) { span->receive(l3); };
    const Side side = user_side ? Side::kUser : Side::kNetwork;
    link = std::make_unique<lapd::Link>(side, link_meter, timers, lapd::LinkParams{}, std::move(lh));
    SpanConfig sc;
    sc.name = "pbx";
    sc.side = side;
    sc.timers = user_side ? Timers::user() : Timers::network();
    for (std::uint8_t ch = 1; ch <= 31; ++ch)
      if (ch != 16) sc.channels.push_back(ch);
    Span::Hooks h;
    h.send = [this](std::vector<std::uint8_t> b) { link->send_data(b); };
    h.incoming = [this](Span::CallId id, const Message& m, std::uint8_t ch) -> std::optional<std::uint8_t> {
      incoming.push_back(id);
      incoming_channel = ch;
      incoming_called = m.called ? m.called->digits : "";
      return refuse_with;
    };
    h.indication = [this](Span::CallId id, const Message& m) {
      indications.push_back(m.type);
      // The owner's answer to the peer's DISCONNECT (5.3.4): RELEASE, once the Call has left its action.
      if (m.type == msg::kDisconnect)
        timers.start(Clock::duration::zero(), [this, id] { span->request(id, CcEvent::kReleaseReq); });
    };
    h.released = [this](Span::CallId, std::uint8_t cause) { released.push_back(cause); };
    h.restarted = [this](const RestartScope& s, bool ok, bool ours) { restarts.push_back({s, ok, ours}); };
    span = std::make_unique<Span>(sc, timers, log, counters, std::move(h));
    pri = pri_new(sv[1], user_side ? PRI_NETWORK : PRI_CPE, PRI_SWITCH_EUROISDN_E1);
    ASSERT_NE(pri, nullptr);
    pri_set_debug(pri, 0);
  }
  void TearDown() override {
    span.reset();
    link.reset();
    if (pri) kept().push_back(pri);
    close(sv[0]);
    close(sv[1]);
  }

  void on_event(pri_event* e) {
    if (!e) return;
    switch (e->e) {
      case PRI_EVENT_DCHAN_UP: dchan_up = true; break;
      case PRI_EVENT_RING:
        ring_channel = e->ring.channel & 0xff;
        ring_called = e->ring.callednum;
        ring_call = e->ring.call;
        if (ring_answer_cause == 0)
          pri_answer(pri, ring_call, ring_channel, 1);
        else {  // busy, unallocated number ...: CALL PROCEEDING, then DISCONNECT with the cause (libpri 1.6
                // sends nothing for a hangup straight from the call present state)
          pri_proceeding(pri, ring_call, ring_channel, 0);
          pri_hangup(pri, ring_call, ring_answer_cause);
        }
        break;
      case PRI_EVENT_HANGUP_REQ:
        hangup_cause = e->hangup.cause;
        pri_hangup(pri, e->hangup.call, e->hangup.cause);
        break;
      case PRI_EVENT_HANGUP:
        hangup_cause = e->hangup.cause;
        pri_hangup(pri, e->hangup.call, e->hangup.cause);  // frees libpri's call
        break;
      case PRI_EVENT_HANGUP_ACK: hangup_ack = true; break;
      case PRI_EVENT_PROCEEDING: proceeding_channel = e->proceeding.channel & 0xff; break;
      case PRI_EVENT_RESTART: pri_restarted.push_back(e->restart.channel); break;
      case PRI_EVENT_RESTART_ACK: pri_restart_acked.push_back(e->restartack.channel & 0xff); break;
      default: break;
    }
  }

  bool pump(std::chrono::milliseconds max, const std::function<bool()>& done) {
    const auto start = std::chrono::steady_clock::now();
    auto last = start;
    while (!done()) {
      const auto now = std::chrono::steady_clock::now();
      if (now - start > max) return false;
      timers.advance(std::chrono::duration_cast<Clock::duration>(now - last));
      last = now;
      pollfd p[2] = {{sv[0], POLLIN, 0}, {sv[1], POLLIN, 0}};
      poll(p, 2, 5);
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

  // Link up and our restart of the whole interface (5.5.1) acknowledged by libpri.
  void bring_up() {
    ASSERT_TRUE(pump(5s, [&] { return dchan_up && span->up() && !restarts.empty(); }))
        << "dchan_up=" << dchan_up << " span up=" << span->up() << " restart " << to_string(span->restart_state());
  }

  // libpri places a call on `channel` (exclusive) to `called`.
  q931_call* pri_dial(int channel, const char* called) {
    q931_call* c = pri_new_call(pri);
    pri_sr* sr = pri_sr_new();
    pri_sr_set_channel(sr, channel, 1, 0);
    pri_sr_set_bearer(sr, PRI_TRANS_CAP_SPEECH, PRI_LAYER_1_ALAW);
    std::string num(called);
    pri_sr_set_called(sr, num.data(), PRI_UNKNOWN, 1);
    EXPECT_EQ(pri_setup(pri, c, sr), 0);
    pri_sr_free(sr);
    return c;
  }

  bool user_side = false;  // our span on the user side, libpri the network
  int sv[2] = {-1, -1};
  Logger log{[](std::string_view) {}};
  Counters counters;
  ManualClock clock;
  ManualTimerService timers{clock};
  lapd::Link::Meter link_meter = lapd::Link::make_meter(log, counters);
  std::unique_ptr<lapd::Link> link;
  std::unique_ptr<Span> span;
  struct pri* pri = nullptr;
  struct Restarted {
    RestartScope scope;
    bool ok, ours;
  };
  std::vector<Restarted> restarts;
  std::vector<Span::CallId> incoming;
  std::optional<std::uint8_t> refuse_with;
  int incoming_channel = -1;
  std::string incoming_called, ring_called;
  std::vector<std::uint8_t> indications, released;
  std::vector<int> pri_restarted, pri_restart_acked;
  bool dchan_up = false, hangup_ack = false;
  int ring_channel = -1, ring_answer_cause = 0, hangup_cause = -1, proceeding_channel = -1, bad_frames = 0;
  q931_call* ring_call = nullptr;
};

// Q.931 5.5.1: the data link up, we restart the interface (class 7); libpri acknowledges; every B channel idle.
TEST_F(PriSpanLibpri, LinkUpRestartsTheInterfaceAndLibpriAcknowledges) {
  bring_up();
  ASSERT_EQ(restarts.size(), 1u);
  EXPECT_TRUE(restarts[0].ok);
  EXPECT_TRUE(restarts[0].ours);
  EXPECT_EQ(restarts[0].scope.restart_class, restart_class::kAllInterfaces);
  EXPECT_EQ(span->restart_state(), RestartState::kNull);
  EXPECT_TRUE(span->busy_channels().empty());
  EXPECT_EQ(bad_frames, 0);
}

// 5.2.5.1 / 5.3.2: a SETUP the owner refuses (17 user busy) -> RELEASE COMPLETE; libpri hangs up with 17 and
// the channel it asked for is idle again in our view.
TEST_F(PriSpanLibpri, IncomingSetupRefusedWithTheOwnersCause) {
  bring_up();
  refuse_with = 17;
  pri_dial(5, "4930123");
  ASSERT_TRUE(pump(5s, [&] { return hangup_cause >= 0; }));
  EXPECT_EQ(hangup_cause, 17);
  ASSERT_EQ(incoming.size(), 1u);
  EXPECT_EQ(incoming_channel, 5);  // exclusive: the one asked for (5.1.2)
  EXPECT_EQ(incoming_called, "4930123");
  EXPECT_TRUE(span->busy_channels().empty());
  EXPECT_EQ(span->calls(), 0u);
}

// An incoming call taken by the owner, then libpri restarts its channel (5.5.2): our call is cleared, the
// channel idle, libpri gets RESTART ACKNOWLEDGE for it.
TEST_F(PriSpanLibpri, PeerRestartOfABusyChannelClearsOurCall) {
  bring_up();
  pri_dial(7, "100");
  ASSERT_TRUE(pump(5s, [&] { return !incoming.empty(); }));
  ASSERT_TRUE(span->request(incoming[0], CcEvent::kProceedingReq));
  ASSERT_TRUE(pump(5s, [&] { return proceeding_channel >= 0; }));
  EXPECT_EQ(proceeding_channel, 7);  // our CALL PROCEEDING names the channel (5.1.2)
  EXPECT_EQ(span->busy_channels(), std::vector<std::uint8_t>{7});
  ASSERT_EQ(pri_reset(pri, 7), 0);
  ASSERT_TRUE(pump(5s, [&] { return !pri_restart_acked.empty(); }));
  EXPECT_EQ(pri_restart_acked, std::vector<int>{7});
  EXPECT_TRUE(span->busy_channels().empty());
  EXPECT_EQ(span->calls(), 0u);
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(bad_frames, 0);
}

// An outgoing call: SETUP on the channel we hunted (exclusive); libpri rings on it and answers; libpri clears:
// released with its cause 16; every channel idle again.
TEST_F(PriSpanLibpri, OutgoingCallAnsweredAndClearedByThePbx) {
  bring_up();
  Message setup;
  setup.sending_complete = true;
  setup.bearer_capability = BearerCapability{};
  setup.bearer_capability->layer1 = 3;  // G.711 A-law
  setup.called = PartyNumber{0, 1, std::nullopt, std::nullopt, "2001"};
  auto id = span->setup(setup);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(pump(5s, [&] { return span->call_state(*id) == CcState::k10Active; }))
      << "ring_channel=" << ring_channel;
  EXPECT_EQ(ring_channel, 31);  // we hunt from the top
  EXPECT_EQ(ring_called, "2001");
  EXPECT_EQ(span->busy_channels(), std::vector<std::uint8_t>{31});
  ASSERT_EQ(pri_hangup(pri, ring_call, 16), 0);
  ASSERT_TRUE(pump(5s, [&] { return !released.empty() && span->calls() == 0; }));
  EXPECT_EQ(released[0], 16);
  EXPECT_TRUE(span->busy_channels().empty());
  EXPECT_EQ(bad_frames, 0);
}

// The PBX's user is busy: libpri refuses our SETUP with cause 17; released with 17, the channel idle.
TEST_F(PriSpanLibpri, OutgoingCallToABusyUser) {
  bring_up();
  ring_answer_cause = 17;
  Message setup;
  setup.sending_complete = true;
  setup.bearer_capability = BearerCapability{};
  setup.bearer_capability->layer1 = 3;
  setup.called = PartyNumber{0, 1, std::nullopt, std::nullopt, "2002"};
  auto id = span->setup(setup);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(pump(5s, [&] { return !released.empty() && span->calls() == 0; }))
      << "state " << (span->call_state(*id) ? to_string(*span->call_state(*id)) : "gone") << " indications "
      << indications.size() << " first " << (indications.empty() ? 0 : int(indications[0])) << " ring " << ring_channel << " rx "
      << counters.get("pri.rx").value() << " unexpected " << counters.get("pri.rx_unexpected").value() << " tx "
      << counters.get("pri.tx").value() << " hangup " << hangup_cause;
  EXPECT_EQ(released[0], 17);
  EXPECT_NE(std::find(indications.begin(), indications.end(), msg::kDisconnect), indications.end());
  EXPECT_TRUE(span->busy_channels().empty());
}

// `side: user`: our span is the user (U states, user-side timers), libpri the network. Our restart of the
// interface is acknowledged; our call is rung on the channel we indicated (exclusive) and answered by libpri.
class PriSpanLibpriUserSide : public PriSpanLibpri {
 protected:
  PriSpanLibpriUserSide() { user_side = true; }
};

TEST_F(PriSpanLibpriUserSide, RestartAndOutgoingCallAnswered) {
  bring_up();
  EXPECT_TRUE(restarts.at(0).ok);
  Message setup;
  setup.sending_complete = true;
  setup.bearer_capability = BearerCapability{};
  setup.bearer_capability->layer1 = 3;
  setup.called = PartyNumber{0, 1, std::nullopt, std::nullopt, "2003"};
  auto id = span->setup(setup);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(pump(5s, [&] { return span->call_state(*id) == CcState::k10Active; }))
      << "ring_channel=" << ring_channel << " state "
      << (span->call_state(*id) ? to_string(*span->call_state(*id)) : "gone");
  EXPECT_EQ(ring_channel, 31);
  EXPECT_EQ(ring_called, "2003");
  ASSERT_EQ(pri_hangup(pri, ring_call, 16), 0);
  ASSERT_TRUE(pump(5s, [&] { return !released.empty() && span->calls() == 0; }));
  EXPECT_EQ(released[0], 16);
  EXPECT_TRUE(span->busy_channels().empty());
  EXPECT_EQ(bad_frames, 0);
}

}  // namespace
}  // namespace isupgw::q931

#else
TEST(PriSpanLibpri, Skipped) { GTEST_SKIP() << "libpri-dev not installed (scripts/setup.sh installs it)"; }
#endif
