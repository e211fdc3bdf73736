// The INVITE session table (sip/invite_session) read as transcripts: each
// line an event, the state it leads to and what the user agent does; events
// a state does not accept are refused and counted. Then RFC 3261 14.1 glare
// between two user agents in virtual time.
#include <gtest/gtest.h>

#include "sip/invite_session.h"
#include "tests/unit/sip/ua_harness.h"

namespace isupgw::sip::test {
namespace {

using std::chrono::milliseconds;
using S = InviteState;
using E = InviteEvent;
using A = InviteAction;

constexpr S kAllStates[] = {S::kUacStart,
                            S::kUacEarly,
                            S::kUacEarlyWithAnswer,
                            S::kUacCancelPending,
                            S::kUacCancelled,
                            S::kUasOffer,
                            S::kUasNoOffer,
                            S::kUasEarlyOffer,
                            S::kUasEarlyProvidedAnswer,
                            S::kUasEarlyNoOffer,
                            S::kUasEarlyProvidedOffer,
                            S::kUasAccepted,
                            S::kUasAcceptedWaitingAnswer,
                            S::kConnected,
                            S::kSentUpdate,
                            S::kSentUpdateGlare,
                            S::kSentReinvite,
                            S::kSentReinviteGlare,
                            S::kReceivedReinvite,
                            S::kReceivedReinviteGlare,
                            S::kWaitingToOffer,
                            S::kTerminated};

class SessionTable : public ::testing::Test {
 protected:
  SessionTable()
      : log([this](std::string_view l) { lines.emplace_back(l); }), meter(make_invite_meter(log, counters)) {}

  struct Line {
    E event;
    S state;   // after the event
    A action;  // what the user agent does
  };
  // Drives a machine from `start` through `lines`; every line must be accepted.
  void transcript(S start, std::initializer_list<Line> script) {
    InviteMachine m(*meter, start, fsm::Label{{}, 7});
    for (const Line& l : script) {
      const S before = m.state();
      const InviteRow* row = m.step(l.event);
      ASSERT_NE(row, nullptr) << to_string(before) << " refused " << to_string(l.event);
      EXPECT_EQ(m.state(), l.state) << to_string(before) << " + " << to_string(l.event);
      EXPECT_EQ(row->action, l.action) << to_string(before) << " + " << to_string(l.event);
    }
  }
  // In `state`, `event` is refused: the state stays, the refusal is counted.
  void refused(S state, E event) {
    InviteMachine m(*meter, state, fsm::Label{{}, 7});
    const auto total = counters.value("sip.session.refused");
    const auto per_event = counters.value("sip.session.refused." + std::string(to_string(event)));
    EXPECT_EQ(m.step(event), nullptr) << to_string(state) << " accepted " << to_string(event);
    EXPECT_EQ(m.state(), state);
    EXPECT_EQ(counters.value("sip.session.refused"), total + 1);
    EXPECT_EQ(counters.value("sip.session.refused." + std::string(to_string(event))), per_event + 1);
  }
  static A action(S s, E e) {
    Logger quiet([](std::string_view) {});
    Counters c;
    auto m = make_invite_meter(quiet, c);
    const InviteRow* r = m->find(s, e);
    return r ? r->action : A::kNone;
  }

  std::vector<std::string> lines;
  Logger log;
  Counters counters;
  std::unique_ptr<InviteMeter> meter;
};

// RFC 3261 13.2.2 with RFC 3262 early media: the INVITE with our offer, a 180,
// a 183 with the answer, the 2xx; then a hold re-INVITE meets the peer's
// (14.1): the peer's gets 491, ours gets 491, the peer's retry is answered,
// ours goes again after the delay and succeeds; BYE.
TEST_F(SessionTable, UacCallWithEarlyMediaAndReinviteGlare) {
  transcript(S::kUacStart, {
                               {E::kRx1xx, S::kUacEarly, A::kReportProvisional},
                               {E::kRx1xxAnswer, S::kUacEarlyWithAnswer, A::kReportProvisional},
                               {E::kRx1xx, S::kUacEarlyWithAnswer, A::kReportProvisional},
                               {E::kRx2xx, S::kConnected, A::kAnswered},
                               {E::kRx2xx, S::kConnected, A::kAckAgain},  // 13.2.2.4
                               {E::kReinvite, S::kSentReinvite, A::kSendReinvite},
                               {E::kRxReinvite, S::kSentReinvite, A::kReply491},
                               {E::kRxUpdate, S::kSentReinvite, A::kReply491},  // RFC 3311 5.2
                               {E::kRxRefresh491, S::kSentReinviteGlare, A::kArmGlareTimer},
                               {E::kRxReinvite, S::kReceivedReinviteGlare, A::kAnswerReinvite},
                               {E::kRxAck, S::kSentReinviteGlare, A::kAck},
                               {E::kGlareTimer, S::kSentReinvite, A::kRetryReinvite},
                               {E::kRxRefresh2xx, S::kConnected, A::kRefreshDone},
                               {E::kBye, S::kTerminated, A::kSendBye},
                               {E::kRxInfo, S::kTerminated, A::kInfoReceived},
                               {E::kByeDone, S::kTerminated, A::kForget},
                           });
  EXPECT_EQ(counters.value("sip.session.refused"), 0u);
  EXPECT_EQ(counters.value("sip.session.event.rx_reinvite"), 2u);
}

// 9.1: a CANCEL waits for a provisional; a 2xx may still race it.
TEST_F(SessionTable, UacCancelWaitsForAProvisionalAndA2xxMayRaceIt) {
  transcript(S::kUacStart, {
                               {E::kCancel, S::kUacCancelPending, A::kCancelLater},
                               {E::kRx1xx, S::kUacCancelled, A::kCancelOnProvisional},
                               {E::kCancel, S::kUacCancelled, A::kNone},
                               {E::kRx2xx, S::kConnected, A::kAnswered},
                               {E::kBye, S::kTerminated, A::kSendBye},
                           });
  transcript(S::kUacEarly,
             {{E::kBye, S::kUacCancelled, A::kSendCancel}, {E::kRxFailure, S::kTerminated, A::kRejected}});
}

// RFC 3264 / RFC 6337: an INVITE without an offer; our offer in a reliable
// 18x, PRACK, the 2xx; the answer comes with the ACK. No re-offer before that.
TEST_F(SessionTable, UasDelayedOfferIsAnsweredInTheAck) {
  transcript(S::kUasNoOffer, {
                                 {E::kTx1xx, S::kUasEarlyNoOffer, A::kSendProvisional},
                                 {E::kTx1xxSdp, S::kUasEarlyProvidedOffer, A::kSendProvisional},
                                 {E::kRxPrack, S::kUasEarlyProvidedOffer, A::kPrack},
                                 {E::kTx2xx, S::kUasAcceptedWaitingAnswer, A::kSendAnswer},
                                 {E::kRxReinvite, S::kUasAcceptedWaitingAnswer, A::kReply500},  // 14.2
                                 {E::kRxAck, S::kConnected, A::kAck},
                             });
  refused(S::kUasAcceptedWaitingAnswer, E::kReinvite);  // an offer is outstanding (RFC 3264 4)
}

// 13.3: offer in the INVITE, early media answer, 2xx, ACK; the peer's
// re-INVITE, our re-offer while its ACK is awaited waits (WaitingToOffer,
// 14.1: one INVITE transaction at a time) and goes with the ACK.
TEST_F(SessionTable, UasOfferAnsweredEarlyThenOurOfferWaitsForTheAck) {
  transcript(S::kUasOffer, {
                               {E::kTx1xxSdp, S::kUasEarlyProvidedAnswer, A::kSendProvisional},
                               {E::kTx1xx, S::kUasEarlyProvidedAnswer, A::kSendProvisional},
                               {E::kTx2xx, S::kUasAccepted, A::kSendAnswer},
                               {E::kRxAck, S::kConnected, A::kAck},
                               {E::kRxReinvite, S::kReceivedReinvite, A::kAnswerReinvite},
                               {E::kReinvite, S::kWaitingToOffer, A::kQueueOffer},
                               {E::kRefreshByUpdate, S::kWaitingToOffer, A::kRefreshLater},
                               {E::kRxAck, S::kSentReinvite, A::kAckThenOffer},
                               {E::kRxRefreshFailure, S::kConnected, A::kRefreshFailed},
                           });
  transcript(S::kUasEarlyOffer, {{E::kRxCancel, S::kTerminated, A::kCancelled}});
  transcript(S::kUasEarlyOffer, {{E::kNoPrack, S::kTerminated, A::kPrackTimeout}});
  transcript(S::kUasOffer, {{E::kBye, S::kTerminated, A::kRejectForBye}});
}

// RFC 4028 refreshes by UPDATE meet glare too; the user's re-INVITE supersedes
// a refresh waiting for its retry; 481 to a refresh ends the dialog (12.2.1.2).
TEST_F(SessionTable, SessionRefreshGlareAndTheEndOfTheDialog) {
  transcript(S::kConnected, {
                                {E::kRefreshByUpdate, S::kSentUpdate, A::kSendRefresh},
                                {E::kRxRefresh491, S::kSentUpdateGlare, A::kArmGlareTimer},
                                {E::kRxReinvite, S::kSentUpdateGlare, A::kAnswerReinvite},
                                {E::kGlareTimer, S::kSentUpdate, A::kRetryUpdate},
                                {E::kRxRefresh2xx, S::kConnected, A::kRefreshDone},
                                {E::kRefreshByReinvite, S::kSentReinvite, A::kSendRefresh},
                                {E::kRxRefreshFatal, S::kTerminated, A::kEndWithBye},
                            });
  transcript(S::kSentUpdateGlare, {{E::kReinvite, S::kSentReinvite, A::kSendReinvite}});
  transcript(S::kReceivedReinviteGlare, {{E::kGlareTimer, S::kWaitingToOffer, A::kNone},
                                         {E::kReinvite, S::kWaitingToOffer, A::kQueueOffer},
                                         {E::kNoAck, S::kTerminated, A::kEndWithBye}});
}

TEST_F(SessionTable, IllegalEventsAreRefusedAndCounted) {
  refused(S::kUacStart, E::kRxAck);
  refused(S::kUacStart, E::kTx2xx);        // a UAC does not answer
  refused(S::kUacStart, E::kReinvite);     // no confirmed dialog (14)
  refused(S::kUacStart, E::kInfo);         // no dialog yet
  refused(S::kUasOffer, E::kCancel);       // CANCEL is the UAC's
  refused(S::kUasOffer, E::kRxPrack);      // no reliable provisional sent
  refused(S::kUasAccepted, E::kTx1xx);     // after the 2xx (13.3.1)
  refused(S::kUasAccepted, E::kRxCancel);  // too late to cancel (9.2)
  refused(S::kConnected, E::kRxPrack);
  refused(S::kConnected, E::kRxRefresh2xx);  // nothing pending
  refused(S::kSentReinvite, E::kReinvite);   // one at a time (14.1)
  refused(S::kSentUpdate, E::kGlareTimer);
  refused(S::kTerminated, E::kReinvite);
  refused(S::kTerminated, E::kInfo);
  EXPECT_EQ(counters.value("sip.session.refused"), 14u);
  EXPECT_EQ(counters.value("sip.session.transitions"), 0u);
  bool logged = false;
  for (const auto& l : lines) logged = logged || l.find("fsm.refused") != std::string::npos;
  EXPECT_TRUE(logged);
}

// What the RFCs require of every state, row by row.
TEST_F(SessionTable, EveryStateFollowsTheRules) {
  for (S s : kAllStates) {
    SCOPED_TRACE(std::string(to_string(s)));
    // BYE and INFO from the peer are taken in any state (15.1.2, RFC 6086).
    EXPECT_TRUE(invite_accepts(s).contains(E::kRxBye));
    EXPECT_TRUE(invite_accepts(s).contains(E::kRxInfo));
    // A re-INVITE is always answered: 491 while ours is pending (14.1), 500
    // while an INVITE awaits its ACK or the dialog is not confirmed (14.2).
    ASSERT_TRUE(invite_accepts(s).contains(E::kRxReinvite));
    const A re = action(s, E::kRxReinvite);
    if (s == S::kSentReinvite || s == S::kSentUpdate) {
      EXPECT_EQ(re, A::kReply491);
    }
    if (s == S::kUasAccepted || s == S::kUasAcceptedWaitingAnswer || s == S::kReceivedReinvite ||
        s == S::kWaitingToOffer) {
      EXPECT_EQ(re, A::kReply500);
    }
    // Every state can end.
    if (s != S::kTerminated) {
      EXPECT_TRUE(invite_successors(s).contains(S::kTerminated));
      EXPECT_TRUE(invite_accepts(s).contains(E::kShutdown));
    }
    // Each glare state leaves on its timer.
    if (s == S::kSentReinviteGlare || s == S::kSentUpdateGlare || s == S::kReceivedReinviteGlare) {
      EXPECT_TRUE(invite_accepts(s).contains(E::kGlareTimer));
    }
  }
}

// RFC 3261 14.1: 2.1 to 4 s for the Call-ID's owner, 0 to 2 s for the other,
// in units of 10 ms.
TEST(GlareDelay, RangesOfRfc3261Section14_1) {
  EXPECT_EQ(glare_retry_delay(true, 0), milliseconds(2100));
  EXPECT_EQ(glare_retry_delay(true, 190), milliseconds(4000));
  EXPECT_EQ(glare_retry_delay(true, 191), milliseconds(2100));
  EXPECT_EQ(glare_retry_delay(false, 0), milliseconds(0));
  EXPECT_EQ(glare_retry_delay(false, 200), milliseconds(2000));
  EXPECT_EQ(glare_retry_delay(false, 201), milliseconds(0));
  for (std::uint64_t r = 0; r < 1000; r += 7) {
    const auto owner = glare_retry_delay(true, r), other = glare_retry_delay(false, r);
    EXPECT_TRUE(owner >= milliseconds(2100) && owner <= milliseconds(4000));
    EXPECT_TRUE(other >= milliseconds(0) && other <= milliseconds(2000));
    EXPECT_EQ(owner.count() % milliseconds(10).count(), 0);
  }
}

// Two user agents re-INVITE at once (hold on both sides).
class Glare : public Pair {
 protected:
  static UserAgentOptions opts() {
    UserAgentOptions o;
    o.glare_random = [] { return std::uint64_t{50}; };  // owner 2.6 s, other 0.5 s
    return o;
  }
  Glare() : Pair(opts()) {}
  static std::string sdp(std::string_view who, int version, std::string_view dir) {
    return "v=0\r\no=" + std::string(who) + " 1 " + std::to_string(version) +
           " IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 8\r\na=" +
           std::string(dir) + "\r\n";
  }
  // Steps virtual time by 10 ms until `done`; the time it took.
  Clock::duration until(const std::function<bool()>& done, Clock::duration limit = std::chrono::seconds(10)) {
    const auto start = clock.now();
    while (!done() && clock.now() - start < limit) run_for(milliseconds(10), milliseconds(10));
    return clock.now() - start;
  }
  SessionId sb = 0;
};

// 14.1: both get 491; B (not the Call-ID's owner) retries after 0.5 s and A
// answers it; A (the owner, it sent the INVITE) retries after 2.6 s; both
// users hear the outcome once, the SDP versions keep rising.
TEST_F(Glare, BothReinvitesGet491AndEachRetriesAfterItsDelay) {
  b.user.invite_hook = [&](SessionId s, const Message&) {
    sb = s;
    b.ua.answer(s, {}, Body{"application/sdp", sdp("b", 1, "sendrecv")});
  };
  const SessionId sa = a.ua.invite(call(sdp("a", 1, "sendrecv")));
  pump();
  ASSERT_TRUE(a.user.saw("answered 200"));
  ASSERT_TRUE(a.ua.reinvite(sa, Body{"application/sdp", sdp("a", 2, "sendonly")}));
  ASSERT_TRUE(b.ua.reinvite(sb, Body{"application/sdp", sdp("b", 2, "sendonly")}));
  EXPECT_FALSE(a.ua.reinvite(sa, Body{"application/sdp", sdp("a", 3, "sendonly")}));  // one at a time
  pump();
  EXPECT_EQ(sent(a, "491").size(), 1u);
  EXPECT_EQ(sent(b, "491").size(), 1u);
  EXPECT_EQ(a.counters.value("sip.glare"), 1u);
  EXPECT_EQ(b.counters.value("sip.glare"), 1u);
  EXPECT_FALSE(a.user.saw("refresh 491"));  // not reported: retried
  // B retries first, after exactly its delay; A answers it while it waits.
  const auto b_retry = until([&] { return sent(b, "INVITE").size() == 2; });
  EXPECT_EQ(b_retry, milliseconds(500));
  EXPECT_TRUE(b.user.saw("refresh 200"));
  EXPECT_TRUE(a.user.saw("reoffer"));
  // A retries 2.6 s after its 491 (2.1 s after B's retry started).
  const auto a_retry = until([&] { return sent(a, "INVITE").size() == 3; });
  EXPECT_EQ(b_retry + a_retry, milliseconds(2600));
  pump();
  EXPECT_EQ(a.user.events, (std::vector<std::string>{"answered 200", "reoffer", "refresh 200"}));
  EXPECT_EQ(b.user.events, (std::vector<std::string>{"invite", "ack", "refresh 200", "reoffer"}));
  // Both held: B answers A's a=sendonly with a=inactive (RFC 3264 6.1), in
  // its next SDP version after its own offer (o=b 1 2) went.
  const std::string last_ok = sent(b, "200").back();
  EXPECT_NE(last_ok.find("a=inactive"), std::string::npos) << last_ok;
  EXPECT_NE(last_ok.find("o=b 1 3 "), std::string::npos) << last_ok;
  EXPECT_EQ(sent(a, "ACK").size(), 3u);  // the 2xx of the INVITE, the 491 (17.1.1.3), the 2xx of the retry
  EXPECT_EQ(a.counters.value("sip.session.refused"), 1u);  // the third reinvite() above
  a.ua.bye(sa);
  pump();
  EXPECT_TRUE(b.user.saw("bye"));
  EXPECT_EQ(a.ua.sessions(), 0u);
  EXPECT_EQ(b.ua.sessions(), 0u);
}

// 14.1: our re-offer while the peer's re-INVITE awaits its ACK waits for it.
TEST_F(Glare, OurOfferWaitsForTheAckOfThePeersReinvite) {
  b.user.invite_hook = [&](SessionId s, const Message&) {
    sb = s;
    b.ua.answer(s, {}, Body{"application/sdp", sdp("b", 1, "sendrecv")});
  };
  const SessionId sa = a.ua.invite(call(sdp("a", 1, "sendrecv")));
  pump();
  ASSERT_TRUE(b.ua.reinvite(sb, Body{"application/sdp", sdp("b", 2, "sendonly")}));
  bool drop_ack = true;
  pump([&](const std::string& w) { return drop_ack && method_or_status(w) == "ACK"; });
  ASSERT_TRUE(a.user.saw("reoffer"));
  ASSERT_TRUE(a.ua.reinvite(sa, Body{"application/sdp", sdp("a", 2, "sendonly")}));  // queued
  pump();
  EXPECT_EQ(sent(a, "INVITE").size(), 1u);
  drop_ack = false;  // A's 2xx retransmission (T1) brings the ACK again
  until([&] { return sent(a, "INVITE").size() == 2; }, std::chrono::seconds(2));
  pump();
  EXPECT_EQ(sent(a, "INVITE").size(), 2u);
  EXPECT_TRUE(a.user.saw("refresh 200"));
  EXPECT_EQ(sent(b, "491").size(), 0u);
  EXPECT_EQ(sent(a, "500").size(), 0u);
}

// 14.1 does not bound the retries; we give up after kGlareRetries (3) and
// report the last 491 once. B's own re-INVITE never hears back (A's 491s to it
// are lost), so B answers every retry of A's with 491.
TEST_F(Glare, AfterThreeRetriesThe491IsReported) {
  b.user.invite_hook = [&](SessionId s, const Message&) {
    sb = s;
    b.ua.answer(s, {}, Body{"application/sdp", sdp("b", 1, "sendrecv")});
  };
  const SessionId sa = a.ua.invite(call(sdp("a", 1, "sendrecv")));
  pump();
  ASSERT_TRUE(b.ua.reinvite(sb, Body{"application/sdp", sdp("b", 2, "sendonly")}));
  ASSERT_TRUE(a.ua.reinvite(sa, Body{"application/sdp", sdp("a", 2, "sendonly")}));
  auto lose_a_491 = [](const std::string& w) {
    return method_or_status(w) == "491" && w.find("Via: SIP/2.0/UDP 192.0.2.2") != std::string::npos;
  };
  pump(lose_a_491);
  run_for(std::chrono::seconds(12), milliseconds(10), lose_a_491);
  EXPECT_EQ(sent(a, "INVITE").size(), 5u);  // the INVITE, the re-INVITE, 3 retries
  EXPECT_EQ(sent(b, "491").size(), 4u);
  EXPECT_EQ(a.counters.value("sip.glare"), 3u);
  EXPECT_EQ(a.user.events, (std::vector<std::string>{"answered 200", "refresh 491"}));
  // The session goes on with what was agreed before (14.1).
  a.ua.bye(sa);
  pump();
  EXPECT_TRUE(b.user.saw("bye"));
}

}  // namespace
}  // namespace isupgw::sip::test
