// UserAgent back to back with another UserAgent in virtual time: the INVITE
// session procedures of RFC 3261 13-15 as the call engine sees them.
#include <gtest/gtest.h>

#include "sip/multipart.h"
#include "tests/unit/sip/ua_harness.h"

namespace isupgw::sip::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

using BasicCall = Pair;

TEST_F(BasicCall, InviteRingingAnswerAckBye) {
  b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.provisional(s, 180); };
  const SessionId s = a.ua.invite(call("v=0\r\no=a\r\n"));
  pump();
  ASSERT_EQ(b.user.events, (std::vector<std::string>{"invite"}));
  EXPECT_EQ(b.user.last_body, "v=0\r\no=a\r\n");
  EXPECT_EQ(sent(b, "100").size(), 1u);  // 17.2.1: 100 Trying at once
  EXPECT_EQ(a.user.events, (std::vector<std::string>{"provisional 180"}));
  const SessionId bs = b.user.ids[0];
  b.ua.answer(bs, {}, Body{"application/sdp", "v=0\r\no=b\r\n"});
  pump();
  EXPECT_EQ(a.user.events.back(), "answered 200");
  EXPECT_EQ(a.user.last_body, "v=0\r\no=b\r\n");
  EXPECT_EQ(sent(a, "ACK").size(), 1u);
  EXPECT_EQ(b.user.events.back(), "ack");
  // No 2xx retransmission once ACKed.
  run_for(seconds(5));
  EXPECT_EQ(sent(b, "200").size(), 1u);
  a.ua.bye(s);
  pump();
  EXPECT_EQ(b.user.events.back(), "bye");
  EXPECT_EQ(sent(b, "200").size(), 2u);  // 200 to BYE
  EXPECT_EQ(a.ua.sessions(), 0u);
  EXPECT_EQ(b.ua.sessions(), 0u);
  // Transactions linger for their timers, then are gone.
  run_for(seconds(40), seconds(1));
  EXPECT_EQ(a.ua.transactions(), 0u);
  EXPECT_EQ(b.ua.transactions(), 0u);
}

TEST_F(BasicCall, CalleeHangsUpWithBye) {
  b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.answer(s); };
  a.ua.invite(call());
  pump();
  ASSERT_TRUE(a.user.saw("answered 200"));
  b.ua.bye(b.user.ids[0], {{"Reason", "Q.850;cause=16"}});
  pump();
  EXPECT_EQ(a.user.events.back(), "bye");
  ASSERT_EQ(sent(b, "BYE").size(), 1u);
  EXPECT_NE(sent(b, "BYE")[0].find("Reason: Q.850;cause=16\r\n"), std::string::npos);
  // The BYE goes to A's Contact with dialog identifiers swapped (12.2.1.1).
  EXPECT_EQ(first_line(sent(b, "BYE")[0]).rfind("BYE sip:isupgw@192.0.2.1:5060 SIP/2.0", 0), 0u);
}

// SIP-I / SIP-T (Q.1912.5, RFC 3372): REL -> BYE with the REL as application/ISUP body.
TEST_F(BasicCall, ByeCarriesABody) {
  b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.answer(s); };
  a.ua.invite(call());
  pump();
  ASSERT_TRUE(a.user.saw("answered 200"));
  const std::string rel("\x0c\x02\x00\x02\x8a\x90", 6);  // REL, cause 16, location BI
  b.ua.bye(b.user.ids[0], {{"Reason", "Q.850;cause=16"}, {"Content-Disposition", "signal;handling=required"}},
           Body{"application/ISUP;version=itu-t92+", rel});
  pump();
  EXPECT_EQ(a.user.events.back(), "bye");
  ASSERT_EQ(sent(b, "BYE").size(), 1u);
  const std::string bye = sent(b, "BYE")[0];  // m views into it
  Message m;
  ASSERT_TRUE(parse_message(bye, m));
  EXPECT_EQ(m.first(HeaderId::kContentType), "application/ISUP;version=itu-t92+");
  EXPECT_EQ(m.first(HeaderId::kContentDisposition), "signal;handling=required");
  EXPECT_EQ(m.first(HeaderId::kReason), "Q.850;cause=16");
  EXPECT_EQ(m.body, rel);
  EXPECT_EQ(sent(a, "200").size(), 1u);  // 200 to BYE
  EXPECT_EQ(a.ua.sessions(), 0u);
  EXPECT_EQ(b.ua.sessions(), 0u);
}

// bye() before the dialog is confirmed, as UAC: a CANCEL, which carries no body
// (RFC 3261 9.1; Q.1912.5: no ISUP in CANCEL) nor the headers describing one.
TEST_F(BasicCall, ByeBeforeAnswerIsACancelWithoutTheBody) {
  b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.provisional(s, 180); };
  const SessionId s = a.ua.invite(call());
  pump();
  a.ua.bye(s, {{"Reason", "Q.850;cause=16"}, {"Content-Disposition", "signal;handling=required"}},
           Body{"application/ISUP;version=itu-t92+", std::string("\x0c\x02\x00\x02\x8a\x90", 6)});
  pump();
  EXPECT_EQ(b.user.events, (std::vector<std::string>{"invite", "cancel"}));
  ASSERT_EQ(sent(a, "CANCEL").size(), 1u);
  const std::string cancel = sent(a, "CANCEL")[0];  // m views into it
  Message m;
  ASSERT_TRUE(parse_message(cancel, m));
  EXPECT_EQ(m.first(HeaderId::kReason), "Q.850;cause=16");
  EXPECT_FALSE(m.first(HeaderId::kContentDisposition));
  EXPECT_FALSE(m.first(HeaderId::kContentType));
  EXPECT_TRUE(m.body.empty());
}

TEST_F(BasicCall, RejectedWith486IsAckedByTheTransaction) {
  b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.reject(s, 486); };
  a.ua.invite(call());
  pump();
  EXPECT_EQ(a.user.events, (std::vector<std::string>{"rejected 486"}));
  ASSERT_EQ(sent(a, "ACK").size(), 1u);
  // 17.1.1.3: the ACK has the INVITE's branch and CSeq number.
  const auto inv = sent(a, "INVITE")[0];
  const auto ack = sent(a, "ACK")[0];
  Message mi, ma;
  ASSERT_TRUE(parse_message(inv, mi));
  ASSERT_TRUE(parse_message(ack, ma));
  EXPECT_EQ(ma.top_via.branch(), mi.top_via.branch());
  EXPECT_EQ(ma.cseq.number, mi.cseq.number);
  EXPECT_EQ(ma.cseq.method, "ACK");
  EXPECT_FALSE(ma.to.tag().empty());
  EXPECT_EQ(a.ua.sessions(), 0u);
  EXPECT_EQ(b.ua.sessions(), 0u);
}

TEST_F(BasicCall, CancelAfterRinging) {
  b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.provisional(s, 180); };
  const SessionId s = a.ua.invite(call());
  pump();
  a.ua.cancel(s, {{"Reason", "Q.850;cause=16"}});
  pump();
  EXPECT_EQ(b.user.events, (std::vector<std::string>{"invite", "cancel"}));
  EXPECT_EQ(a.user.events, (std::vector<std::string>{"provisional 180", "rejected 487"}));
  ASSERT_EQ(sent(a, "CANCEL").size(), 1u);
  const std::string inv = sent(a, "INVITE")[0], can = sent(a, "CANCEL")[0];
  Message mi, mc;
  ASSERT_TRUE(parse_message(inv, mi));
  ASSERT_TRUE(parse_message(can, mc));
  EXPECT_EQ(mc.top_via.branch(), mi.top_via.branch());  // 9.1
  EXPECT_EQ(mc.request_uri_text, mi.request_uri_text);
  EXPECT_EQ(sent(b, "487").size(), 1u);
  EXPECT_EQ(sent(a, "ACK").size(), 1u);  // for the 487
}

TEST_F(BasicCall, CancelBeforeAnyProvisionalWaitsForOne) {
  const SessionId s = a.ua.invite(call());
  a.ua.cancel(s);
  // Nothing delivered yet: the CANCEL waits for a provisional (9.1).
  EXPECT_TRUE(sent(a, "CANCEL").empty());
  pump();  // B sends 100 Trying -> A sends the CANCEL
  EXPECT_EQ(sent(a, "CANCEL").size(), 1u);
  EXPECT_EQ(a.user.events, (std::vector<std::string>{"rejected 487"}));
}

TEST_F(BasicCall, InviteRetransmittedUntilTimerB) {
  a.ua.invite(call());
  // Everything A sends is lost.
  auto lose_all = [](const std::string&) { return true; };
  run_for(seconds(40), milliseconds(100), lose_all);
  // 17.1.1.2: Timer A at 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s, Timer B at 32 s.
  EXPECT_EQ(sent(a, "INVITE").size(), 7u);
  EXPECT_EQ(a.user.events, (std::vector<std::string>{"ended timeout"}));
  EXPECT_EQ(a.ua.sessions(), 0u);
}

TEST_F(BasicCall, LostInviteIsRetransmittedAndTheCallGoesThrough) {
  b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.answer(s); };
  a.ua.invite(call());
  int invites = 0;
  auto lose_first = [&](const std::string& w) { return method_or_status(w) == "INVITE" && invites++ == 0; };
  pump(lose_first);
  EXPECT_TRUE(a.user.events.empty());
  run_for(seconds(1), milliseconds(100), lose_first);
  EXPECT_EQ(a.user.events, (std::vector<std::string>{"answered 200"}));
  EXPECT_EQ(b.user.events, (std::vector<std::string>{"invite", "ack"}));
}

TEST_F(BasicCall, RetransmittedInviteIsAbsorbedAndGetsTheLastResponse) {
  b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.provisional(s, 180); };
  a.ua.invite(call());
  // Lose B's responses for a while: A retransmits the INVITE, B answers each
  // with its last provisional and reports the INVITE once.
  run_for(seconds(2), milliseconds(100), [](const std::string& w) { return w.rfind("SIP/2.0", 0) == 0; });
  EXPECT_EQ(b.user.events, (std::vector<std::string>{"invite"}));
  EXPECT_GE(sent(b, "180").size(), 3u);
  EXPECT_EQ(b.counters.value("sip.tx_layer.rx_retransmissions"), sent(a, "INVITE").size() - 1);
}

TEST_F(BasicCall, LostAckMeansThe2xxIsRetransmittedAndAckedAgain) {
  b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.answer(s); };
  a.ua.invite(call());
  int acks = 0;
  auto lose_first_ack = [&](const std::string& w) { return method_or_status(w) == "ACK" && acks++ == 0; };
  pump(lose_first_ack);
  EXPECT_FALSE(b.user.saw("ack"));
  run_for(seconds(1), milliseconds(100), lose_first_ack);
  // 13.3.1.4: B retransmitted its 2xx after T1; A answered it with the same ACK.
  EXPECT_EQ(sent(b, "200").size(), 2u);
  EXPECT_EQ(sent(a, "ACK").size(), 2u);
  EXPECT_EQ(sent(a, "ACK")[0], sent(a, "ACK")[1]);
  EXPECT_TRUE(b.user.saw("ack"));
  EXPECT_EQ(a.user.events, (std::vector<std::string>{"answered 200"}));  // reported once
}

TEST_F(BasicCall, NoAckAt64T1EndsTheSessionWithBye) {
  b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.answer(s); };
  a.ua.invite(call());
  auto lose_acks = [](const std::string& w) { return method_or_status(w) == "ACK"; };
  run_for(seconds(40), milliseconds(250), lose_acks);
  EXPECT_TRUE(b.user.saw("ended timeout"));
  EXPECT_EQ(sent(b, "BYE").size(), 1u);
  // 2xx sent at 0, 0.5, 1.5, 3.5, 7.5, then every 4 s (T2) up to 32 s.
  EXPECT_EQ(sent(b, "200").size(), 11u);
  EXPECT_TRUE(a.user.saw("bye"));
}

TEST_F(BasicCall, ReliableProvisionalIsPrackedAndNotRetransmitted) {
  b.user.invite_hook = [&](SessionId s, const Message&) {
    b.ua.provisional(s, 183, {}, Body{"application/sdp", "v=0\r\no=b\r\n"}, true);
  };
  a.ua.invite(call());
  pump();
  EXPECT_EQ(a.user.events, (std::vector<std::string>{"provisional 183"}));
  ASSERT_EQ(sent(b, "183").size(), 1u);
  EXPECT_NE(sent(b, "183")[0].find("Require: 100rel\r\n"), std::string::npos);
  EXPECT_NE(sent(b, "183")[0].find("RSeq: "), std::string::npos);
  ASSERT_EQ(sent(a, "PRACK").size(), 1u);
  EXPECT_NE(sent(a, "PRACK")[0].find("RAck: "), std::string::npos);
  run_for(seconds(3));
  EXPECT_EQ(sent(b, "183").size(), 1u);  // PRACKed: no retransmission
  b.ua.answer(b.user.ids[0]);
  pump();
  EXPECT_EQ(a.user.events.back(), "answered 200");
}

TEST_F(BasicCall, UnprackedReliableProvisionalIsRetransmittedAndReportedOnce) {
  b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.provisional(s, 180, {}, {}, true); };
  a.ua.invite(call());
  auto lose_prack = [](const std::string& w) { return method_or_status(w) == "PRACK"; };
  run_for(seconds(4), milliseconds(100), lose_prack);
  // RFC 3262 3: T1, 2T1, 4T1 ... until PRACK.
  EXPECT_GE(sent(b, "180").size(), 3u);
  EXPECT_EQ(a.user.events, (std::vector<std::string>{"provisional 180"}));
}

TEST_F(BasicCall, ReInviteWithNewOfferIsAnsweredWithLastSdpAndReported) {
  b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.answer(s, {}, Body{"application/sdp", "v=0 b\r\n"}); };
  const SessionId s = a.ua.invite(call("v=0 a\r\n"));
  pump();
  ASSERT_TRUE(a.ua.reinvite(s, Body{"application/sdp", "v=0 a-hold\r\n"}));
  pump();
  EXPECT_EQ(b.user.events, (std::vector<std::string>{"invite", "ack", "reoffer"}));
  EXPECT_EQ(a.user.events, (std::vector<std::string>{"answered 200", "refresh 200"}));
  EXPECT_EQ(sent(a, "ACK").size(), 2u);
  // The re-INVITE's 2xx carries B's last SDP.
  EXPECT_NE(sent(b, "200").back().find("v=0 b\r\n"), std::string::npos);
  a.ua.bye(s);
  pump();
  EXPECT_TRUE(b.user.saw("bye"));
}

// RFC 3264 6.1 / 8: B answers a hold re-INVITE (a=sendonly) with a=recvonly and
// the retrieval with a=sendrecv, the o= version one up each time; a refresh
// with an unchanged offer gets the same answer and version. B answered the
// INVITE SIP-I style (SDP + ISUP): the re-INVITE's 200 carries the SDP alone,
// never B's ISUP again.
TEST_F(BasicCall, HoldReInviteIsAnsweredRecvonlyWithTheNextVersion) {
  const std::string b_sdp =
      "v=0\r\no=mgw 7 3 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n"
      "m=audio 4002 RTP/AVP 8\r\na=sendrecv\r\n";
  b.user.invite_hook = [&](SessionId s, const Message&) {
    auto body = build_gateway_body(b_sdp, IsupBody{"itu-t92+", "", true, std::string("\x09\x01\x00", 3)});
    b.ua.answer(s, {}, Body{body.content_type, body.body});
  };
  auto a_sdp = [](int version, std::string_view dir) {
    return "v=0\r\no=a 1 " + std::to_string(version) +
           " IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 8\r\na=" +
           std::string(dir) + "\r\n";
  };
  const SessionId s = a.ua.invite(call(a_sdp(1, "sendrecv")));
  pump();
  ASSERT_TRUE(a.user.saw("answered 200"));
  auto last_answer = [&] {
    const std::string ok = sent(b, "200").back();  // m views into it
    Message m;
    EXPECT_TRUE(parse_message(ok, m));
    EXPECT_EQ(m.first(HeaderId::kContentType), "application/sdp");
    return std::string(m.body);
  };
  ASSERT_TRUE(a.ua.reinvite(s, Body{"application/sdp", a_sdp(2, "sendonly")}));
  pump();
  std::string ans = last_answer();
  EXPECT_NE(ans.find("o=mgw 7 4 IN IP4 192.0.2.9\r\n"), std::string::npos) << ans;
  EXPECT_NE(ans.find("a=recvonly\r\n"), std::string::npos) << ans;
  EXPECT_EQ(ans.find("sendrecv"), std::string::npos) << ans;
  ASSERT_TRUE(a.ua.reinvite(s, Body{"application/sdp", a_sdp(3, "sendrecv")}));
  pump();
  ans = last_answer();
  EXPECT_NE(ans.find("o=mgw 7 5 IN IP4 192.0.2.9\r\n"), std::string::npos) << ans;
  EXPECT_NE(ans.find("a=sendrecv\r\n"), std::string::npos) << ans;
  ASSERT_TRUE(a.ua.reinvite(s, Body{"application/sdp", a_sdp(3, "sendrecv")}));
  pump();
  EXPECT_EQ(last_answer(), ans);
  EXPECT_EQ(sent(b, "200").size(), 4u);
  EXPECT_EQ(b.user.events, (std::vector<std::string>{"invite", "ack", "reoffer", "reoffer"}));
  a.ua.bye(s);
  pump();
}

// Issue 20 (T.38): the user may answer a re-INVITE's new offer itself, later (the MG must agree
// first): 100 Trying at once, then its 200 with its SDP (o= version one up, RFC 3264 8) and
// ACK; or a refusal (488) after which the session is as before: the next re-INVITE is answered
// by the stack again, from the SDP before the refused offer (RFC 3261 14.2). A refusal at once
// (kRefuse) needs no answer_reoffer. A BYE while the answer is pending: 487 to the re-INVITE.
TEST_F(BasicCall, ReInviteAnsweredLaterByTheUserOrRefused) {
  const std::string b_sdp =
      "v=0\r\no=mgw 7 3 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 4002 RTP/AVP 8\r\n";
  b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.answer(s, {}, Body{"application/sdp", b_sdp}); };
  auto offer = [](int version, std::string_view m) {
    return "v=0\r\no=a 1 " + std::to_string(version) + " IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n" +
           std::string(m) + "\r\n";
  };
  const SessionId s = a.ua.invite(call(offer(1, "m=audio 5000 RTP/AVP 8")));
  pump();
  ASSERT_TRUE(a.user.saw("answered 200"));
  const SessionId bs = b.user.ids.front();
  b.user.reoffer_hook = [](const Message&) { return ReofferDecision{ReofferDecision::kDefer, 488, {}}; };
  ASSERT_TRUE(a.ua.reinvite(s, Body{"application/sdp", offer(2, "m=image 5002 udptl t38")}));
  pump();
  EXPECT_EQ(sent(b, "100").size(), 2u);  // the INVITE's and the re-INVITE's
  EXPECT_EQ(sent(b, "200").size(), 1u);  // nothing final yet
  EXPECT_FALSE(b.user.saw("reoffer"));
  const std::string t38 =
      "v=0\r\no=mgw 7 3 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=image 4002 udptl t38\r\n";
  b.ua.answer_reoffer(bs, 200, Body{"application/sdp", t38}, {});
  pump();
  ASSERT_EQ(sent(b, "200").size(), 2u);
  EXPECT_NE(sent(b, "200").back().find("o=mgw 7 4 IN IP4"), std::string::npos) << sent(b, "200").back();
  EXPECT_NE(sent(b, "200").back().find("m=image 4002 udptl t38\r\n"), std::string::npos);
  EXPECT_TRUE(a.user.saw("refresh 200"));
  EXPECT_EQ(sent(a, "ACK").size(), 2u);
  // Deferred, then refused: 488; the next audio re-offer is the stack's again.
  ASSERT_TRUE(a.ua.reinvite(s, Body{"application/sdp", offer(3, "m=image 5004 udptl t38")}));
  pump();
  b.ua.answer_reoffer(bs, 488, {}, {{"Warning", "399 test \"no T.38\""}});
  b.ua.answer_reoffer(bs, 200, Body{"application/sdp", t38}, {});  // nothing pending any more: ignored
  pump();
  EXPECT_TRUE(a.user.saw("refresh 488"));
  EXPECT_EQ(sent(b, "200").size(), 2u);
  b.user.reoffer_hook = nullptr;
  ASSERT_TRUE(a.ua.reinvite(s, Body{"application/sdp", offer(4, "m=audio 5000 RTP/AVP 8")}));
  pump();
  EXPECT_EQ(sent(b, "200").size(), 3u);
  EXPECT_TRUE(b.user.saw("reoffer"));
  // Refused at once.
  b.user.reoffer_hook = [](const Message&) { return ReofferDecision{ReofferDecision::kRefuse, 488, {}}; };
  ASSERT_TRUE(a.ua.reinvite(s, Body{"application/sdp", offer(5, "m=image 5006 udptl t38")}));
  pump();
  EXPECT_EQ(sent(b, "488").size(), 2u);
  // Deferred, then the caller hangs up: 487 to the re-INVITE, 200 to the BYE.
  b.user.reoffer_hook = [](const Message&) { return ReofferDecision{ReofferDecision::kDefer, 488, {}}; };
  ASSERT_TRUE(a.ua.reinvite(s, Body{"application/sdp", offer(6, "m=image 5008 udptl t38")}));
  pump();
  a.ua.bye(s);
  pump();
  EXPECT_TRUE(b.user.saw("bye"));
  EXPECT_EQ(sent(b, "487").size(), 1u);
  b.ua.answer_reoffer(bs, 200, Body{"application/sdp", t38}, {});  // the session is gone: ignored
  pump();
  EXPECT_EQ(sent(b, "200").size(), 4u);  // the BYE's
}

TEST_F(BasicCall, InfoInDialog) {
  b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.answer(s); };
  const SessionId s = a.ua.invite(call());
  pump();
  a.ua.info(s, {}, Body{"application/ISUP;version=itu-t92+", "\x01\x02"});
  pump();
  EXPECT_TRUE(b.user.saw("info"));
  ASSERT_EQ(sent(b, "200").size(), 2u);  // the INVITE's, then the INFO's
}

// The engine's verdict is the INFO's answer (RFC 3261 8.2.3: a body it cannot
// use is refused 415 with Accept), sent after the callback, never a 200 first.
TEST_F(BasicCall, InfoRefusedWithTheEnginesStatus) {
  b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.answer(s); };
  b.user.info_answer = InfoAnswer{415, {{"Accept", "application/ISUP;version=itu-t92+"}}};
  const SessionId s = a.ua.invite(call());
  pump();
  a.ua.info(s, {}, Body{"application/ISUP;version=ansi00", "\x2c\x02\x00"});
  pump();
  EXPECT_TRUE(b.user.saw("info"));
  ASSERT_EQ(sent(b, "415").size(), 1u);
  EXPECT_NE(sent(b, "415")[0].find("Accept: application/ISUP;version=itu-t92+\r\n"), std::string::npos);
  EXPECT_EQ(sent(b, "200").size(), 1u);  // the INVITE's only
}

TEST_F(BasicCall, OptionsAnsweredWithAllowAcceptSupported) {
  const std::string options =
      "OPTIONS sip:192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKo1\r\nMax-Forwards: 70\r\n"
      "From: <sip:p@192.0.2.9>;tag=1\r\nTo: <sip:192.0.2.2>\r\nCall-ID: o1\r\nCSeq: 1 OPTIONS\r\nContent-Length: "
      "0\r\n\r\n";
  b.ua.receive(Peer{Transport::kUdp, "192.0.2.9", 5060}, options);
  ASSERT_EQ(b.transport.sent.size(), 1u);
  const auto& r = b.transport.sent[0];
  EXPECT_EQ(first_line(r.bytes), "SIP/2.0 200 OK");
  EXPECT_NE(r.bytes.find("Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK, UPDATE, INFO, REFER\r\n"), std::string::npos);
  EXPECT_NE(r.bytes.find("Accept: application/sdp"), std::string::npos);
  EXPECT_NE(r.bytes.find("Supported: 100rel, timer\r\n"), std::string::npos);
  EXPECT_EQ(r.to.host, "192.0.2.9");
}

TEST_F(BasicCall, RportAnsweredToTheSourcePort) {
  const std::string options =
      "OPTIONS sip:192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKo2;rport\r\nMax-Forwards: 70\r\n"
      "From: <sip:p@10.0.0.1>;tag=1\r\nTo: <sip:192.0.2.2>\r\nCall-ID: o2\r\nCSeq: 1 OPTIONS\r\nContent-Length: "
      "0\r\n\r\n";
  b.ua.receive(Peer{Transport::kUdp, "198.51.100.7", 40000}, options);
  ASSERT_EQ(b.transport.sent.size(), 1u);
  // RFC 3581 4: received= and rport= filled in, response to the source address and port.
  EXPECT_NE(b.transport.sent[0].bytes.find(
                "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKo2;received=198.51.100.7;rport=40000\r\n"),
            std::string::npos)
      << b.transport.sent[0].bytes;
  EXPECT_EQ(b.transport.sent[0].to.host, "198.51.100.7");
  EXPECT_EQ(b.transport.sent[0].to.port, 40000);
}

TEST_F(BasicCall, BadRequestAnswered400WithWarning) {
  const std::string bad =
      "INVITE sip:x@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKb1\r\nMax-Forwards: 70\r\n"
      "From: <sip:p@192.0.2.9>;tag=1\r\nTo: <sip:x@192.0.2.2>\r\nCall-ID: b1\r\nCSeq: x INVITE\r\nContent-Length: "
      "0\r\n\r\n";
  b.ua.receive(Peer{Transport::kUdp, "192.0.2.9", 5060}, bad);
  ASSERT_EQ(b.transport.sent.size(), 1u);
  EXPECT_EQ(first_line(b.transport.sent[0].bytes), "SIP/2.0 400 Bad Request");
  EXPECT_NE(b.transport.sent[0].bytes.find("Warning: 399 isupgw \"CSeq:"), std::string::npos);
  // Garbage is dropped and counted; the stack keeps serving.
  b.ua.receive(Peer{Transport::kUdp, "192.0.2.9", 5060}, "\x01\x02 not sip");
  EXPECT_EQ(b.counters.value("sip.rx.unparseable"), 1u);
  EXPECT_EQ(b.transport.sent.size(), 1u);
}

// RFC 4475 3.1.2.18 / RFC 3261 8.2.6: a request without Call-ID, From and To
// still gets its 400, along its Via; one without Via is dropped and counted.
TEST_F(BasicCall, RequestWithoutCallIdAnswered400AlongItsVia) {
  const std::string insuf =
      "INVITE sip:x@192.0.2.2 SIP/2.0\r\nCSeq: 193942 INVITE\r\nVia: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKi1\r\n"
      "Content-Length: 0\r\n\r\n";
  b.ua.receive(Peer{Transport::kUdp, "192.0.2.95", 5060}, insuf);
  ASSERT_EQ(b.transport.sent.size(), 1u);
  Message r;
  ASSERT_TRUE(parse_frame(b.transport.sent[0].bytes, r).ok()) << b.transport.sent[0].bytes;
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.first(HeaderId::kVia), "SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKi1");
  EXPECT_EQ(r.first(HeaderId::kCSeq), "193942 INVITE");
  EXPECT_FALSE(r.has(HeaderId::kCallId));
  EXPECT_EQ(b.transport.sent[0].to.host, "192.0.2.95");
  EXPECT_EQ(b.counters.value("sip.rx.bad_requests"), 1u);
  EXPECT_EQ(b.counters.value("sip.rx.bad_requests_unanswered"), 0u);

  const std::string novia =
      "OPTIONS sip:x@192.0.2.2 SIP/2.0\r\nMax-Forwards: 70\r\nFrom: <sip:p@192.0.2.95>;tag=1\r\n"
      "To: <sip:x@192.0.2.2>\r\nCall-ID: nv1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
  b.ua.receive(Peer{Transport::kUdp, "192.0.2.95", 5060}, novia);
  EXPECT_EQ(b.transport.sent.size(), 1u);
  EXPECT_EQ(b.counters.value("sip.rx.bad_requests"), 2u);
  EXPECT_EQ(b.counters.value("sip.rx.bad_requests_unanswered"), 1u);
}

TEST_F(BasicCall, MergedRequestGets482) {
  b.user.invite_hook = [](SessionId, const Message&) {};
  const std::string inv1 =
      "INVITE sip:x@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKm1\r\nMax-Forwards: 70\r\n"
      "From: <sip:p@192.0.2.9>;tag=1\r\nTo: <sip:x@192.0.2.2>\r\nCall-ID: m1\r\nCSeq: 1 INVITE\r\nContent-Length: "
      "0\r\n\r\n";
  std::string inv2 = inv1;
  inv2.replace(inv2.find("z9hG4bKm1"), 9, "z9hG4bKm2");  // same request, another path
  b.ua.receive(Peer{Transport::kUdp, "192.0.2.9", 5060}, inv1);
  b.ua.receive(Peer{Transport::kUdp, "192.0.2.9", 5060}, inv2);
  ASSERT_EQ(b.transport.sent.size(), 2u);
  EXPECT_EQ(first_line(b.transport.sent[1].bytes), "SIP/2.0 482 Loop Detected");
  EXPECT_EQ(b.user.events, (std::vector<std::string>{"invite"}));
}

TEST_F(BasicCall, OwnRequestComingBackIsALoop) {
  a.ua.invite(call());
  const std::string inv = a.transport.sent.at(0).bytes;
  a.ua.receive(Peer{Transport::kUdp, "192.0.2.1", 5060}, inv);  // routed back to us
  ASSERT_EQ(a.transport.sent.size(), 2u);
  EXPECT_EQ(first_line(a.transport.sent[1].bytes), "SIP/2.0 482 Loop Detected");
  EXPECT_EQ(a.counters.value("sip.tx_layer.loops"), 1u);
  EXPECT_TRUE(a.user.events.empty());
}

TEST_F(BasicCall, ByeForUnknownDialogGets481) {
  const std::string bye =
      "BYE sip:x@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKy1\r\nMax-Forwards: 70\r\n"
      "From: <sip:p@192.0.2.9>;tag=1\r\nTo: <sip:x@192.0.2.2>;tag=2\r\nCall-ID: y1\r\nCSeq: 2 BYE\r\nContent-Length: "
      "0\r\n\r\n";
  b.ua.receive(Peer{Transport::kUdp, "192.0.2.9", 5060}, bye);
  ASSERT_EQ(b.transport.sent.size(), 1u);
  EXPECT_EQ(first_line(b.transport.sent[0].bytes), "SIP/2.0 481 Call/Transaction Does Not Exist");
}

TEST_F(BasicCall, UnknownRequireGets420) {
  const std::string inv =
      "INVITE sip:x@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKr1\r\nMax-Forwards: 70\r\n"
      "From: <sip:p@192.0.2.9>;tag=1\r\nTo: <sip:x@192.0.2.2>\r\nCall-ID: r1\r\nCSeq: 1 INVITE\r\n"
      "Require: foo\r\nContent-Length: 0\r\n\r\n";
  b.ua.receive(Peer{Transport::kUdp, "192.0.2.9", 5060}, inv);
  ASSERT_GE(b.transport.sent.size(), 1u);
  EXPECT_EQ(first_line(b.transport.sent[0].bytes), "SIP/2.0 420 Bad Extension");
  EXPECT_NE(b.transport.sent[0].bytes.find("Unsupported: foo\r\n"), std::string::npos);
}

TEST_F(BasicCall, UnreachablePeerEndsWithTransportError) {
  a.transport.fail_sends = true;
  a.ua.invite(call());
  EXPECT_TRUE(a.user.events.empty());  // never from inside invite()
  timers.advance(Clock::duration::zero());
  EXPECT_EQ(a.user.events, (std::vector<std::string>{"ended transport-error"}));
}

TEST_F(BasicCall, StopEndsEverySession) {
  b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.answer(s); };
  a.ua.invite(call());
  pump();
  b.ua.stop();
  pump();
  EXPECT_TRUE(b.user.saw("ended shutdown"));
  EXPECT_TRUE(a.user.saw("bye"));
}

class SessionTimers : public Pair {
 protected:
  static UserAgentOptions opts() {
    UserAgentOptions o;
    o.min_se = 90;
    return o;
  }
  SessionTimers() : Pair(opts()) {}
};

TEST_F(SessionTimers, UacRefreshesAtHalfTheInterval) {
  b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.answer(s); };
  auto c = call();
  c.session_expires = 120;
  const SessionId s = a.ua.invite(c);
  pump();
  ASSERT_TRUE(a.user.saw("answered 200"));
  // B supports timer and A did not say who refreshes: the UAC does (RFC 4028 9).
  EXPECT_NE(sent(b, "200")[0].find("Session-Expires: 120;refresher=uac\r\n"), std::string::npos);
  run_for(seconds(61), seconds(1));
  // B allows UPDATE: the refresh is an UPDATE (RFC 4028 7.4).
  EXPECT_EQ(sent(a, "UPDATE").size(), 1u);
  EXPECT_TRUE(a.user.saw("refresh 200"));
  run_for(seconds(200), seconds(1));
  EXPECT_GE(sent(a, "UPDATE").size(), 4u);
  EXPECT_FALSE(b.user.saw("ended session-expired"));
  a.ua.bye(s);
  pump();
}

TEST_F(SessionTimers, NoRefreshEndsTheSessionWithBye) {
  b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.answer(s); };
  auto c = call();
  c.session_expires = 90;
  a.ua.invite(c);
  pump();
  auto lose_updates = [](const std::string& w) { return method_or_status(w) == "UPDATE"; };
  run_for(seconds(100), seconds(1), lose_updates);
  // B gives up at 90 - 30 = 60 s after the last refresh... none arrived.
  EXPECT_TRUE(b.user.saw("ended session-expired"));
  EXPECT_EQ(sent(b, "BYE").size(), 1u);
  EXPECT_TRUE(a.user.saw("bye"));
}

TEST_F(SessionTimers, TooSmallIntervalGets422) {
  const std::string inv =
      "INVITE sip:x@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKs1\r\nMax-Forwards: 70\r\n"
      "From: <sip:p@192.0.2.9>;tag=1\r\nTo: <sip:x@192.0.2.2>\r\nCall-ID: s1\r\nCSeq: 1 INVITE\r\n"
      "Supported: timer\r\nSession-Expires: 30\r\nContent-Length: 0\r\n\r\n";
  b.ua.receive(Peer{Transport::kUdp, "192.0.2.9", 5060}, inv);
  ASSERT_GE(b.transport.sent.size(), 1u);
  EXPECT_EQ(first_line(b.transport.sent[0].bytes), "SIP/2.0 422 Session Interval Too Small");
  EXPECT_NE(b.transport.sent[0].bytes.find("Min-SE: 90\r\n"), std::string::npos);
}

class Pings : public Pair {
 protected:
  static UserAgentOptions opts() {
    UserAgentOptions o;
    o.ping_targets = {Peer{Transport::kUdp, "192.0.2.2", 5060}};
    o.ping_interval = seconds(30);
    return o;
  }
  Pings() : Pair(opts()) {}
};

TEST_F(Pings, TrunkUpWhileAnsweredDownWhenSilent) {
  ASSERT_FALSE(a.ua.start());
  pump();
  ASSERT_EQ(a.user.peer_states.size(), 1u);
  EXPECT_TRUE(a.user.peer_states[0].second);
  auto lose_all = [](const std::string&) { return true; };
  run_for(seconds(70), seconds(1), lose_all);
  ASSERT_EQ(a.user.peer_states.size(), 2u);
  EXPECT_FALSE(a.user.peer_states[1].second);
  run_for(seconds(31), seconds(1));
  ASSERT_EQ(a.user.peer_states.size(), 3u);
  EXPECT_TRUE(a.user.peer_states[2].second);
}

// Trunk health (issue 18): a ping without a final response when the next is due has failed -- the
// peer is known dead within one interval, not at Timer F (64*T1 = 32 s); every outcome is reported.
TEST_F(Pings, APingUnansweredByTheNextIsAFailureReportedEachTime) {
  ASSERT_FALSE(a.ua.start());
  pump();
  ASSERT_EQ(a.user.ping_results, std::vector<bool>{true});
  auto lose_all = [](const std::string&) { return true; };
  run_for(seconds(30), seconds(1), lose_all);  // the second ping goes out at 30 s, lost
  EXPECT_EQ(a.user.ping_results, std::vector<bool>{true});
  run_for(seconds(30), seconds(1), lose_all);  // the third is due: the second failed (before its Timer F)
  ASSERT_EQ(a.user.ping_results, (std::vector<bool>{true, false}));
  ASSERT_EQ(a.user.peer_states.size(), 2u);
  EXPECT_FALSE(a.user.peer_states[1].second);
  run_for(seconds(31), seconds(1));  // the loss ends: the third is answered (a retransmission, Timer E), the fourth too
  EXPECT_EQ(a.user.ping_results, (std::vector<bool>{true, false, true, true}));
}

// Trunk health (issue 18): a ping fails ping_timeout after it was sent (default half the interval), so a
// peer that dies is known within one interval of its death even when it sends no ICMP.
TEST_F(Pings, APingFailsAtItsTimeoutHalfTheIntervalByDefault) {
  ASSERT_FALSE(a.ua.start());
  pump();
  auto lose_all = [](const std::string&) { return true; };
  run_for(seconds(44), seconds(1), lose_all);  // the second ping at 30 s; its timeout at 45 s
  EXPECT_EQ(a.user.ping_results, std::vector<bool>{true});
  run_for(seconds(2), seconds(1), lose_all);
  EXPECT_EQ(a.user.ping_results, (std::vector<bool>{true, false}));
  run_for(seconds(13), seconds(1), lose_all);  // the third at 60 s: no second report of the second ping
  EXPECT_EQ(a.user.ping_results, (std::vector<bool>{true, false}));
}

}  // namespace
}  // namespace isupgw::sip::test

namespace isupgw::sip::test {
namespace {

// A configured ping_timeout (options_timeout_ms): the ping fails that long after it was sent.
TEST(PingTimeout, AConfiguredTimeoutFailsThePingThen) {
  ManualClock clock;
  ManualTimerService timers(clock);
  Logger log([](std::string_view) {});
  UserAgentOptions o;
  o.ping_targets = {Peer{Transport::kUdp, "192.0.2.9", 5060}};
  o.ping_interval = seconds(10);
  o.ping_timeout = seconds(2);
  Node a("192.0.2.1", timers, clock, log, o);
  ASSERT_FALSE(a.ua.start());
  timers.advance(std::chrono::milliseconds(1900));
  EXPECT_TRUE(a.user.ping_results.empty());
  timers.advance(std::chrono::milliseconds(200));
  EXPECT_EQ(a.user.ping_results, std::vector<bool>{false});
}

// RFC 4028 9: a UAC without timer support asked for 90 s: the UAS refreshes
// (refresher=uas, no Require), by re-INVITE when the peer allows no UPDATE.
TEST(SessionTimerUas, UasRefreshesWhenTheUacDoesNotSupportTimers) {
  ManualClock clock;
  ManualTimerService timers(clock);
  Logger log([](std::string_view) {});
  Node b("192.0.2.2", timers, clock, log, {});
  b.user.invite_hook = [&](SessionId s, const Message&) { b.ua.answer(s, {}, Body{"application/sdp", "v=0\r\n"}); };
  const Peer far{Transport::kUdp, "192.0.2.9", 5060};
  b.ua.receive(far,
               "INVITE sip:x@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKu1\r\nMax-Forwards: 70\r\n"
               "From: <sip:p@192.0.2.9>;tag=1\r\nTo: <sip:x@192.0.2.2>\r\nCall-ID: u1\r\nCSeq: 1 INVITE\r\n"
               "Contact: <sip:p@192.0.2.9>\r\nSession-Expires: 90\r\nContent-Length: 0\r\n\r\n");
  ASSERT_EQ(b.transport.sent.size(), 2u);  // 100, 200
  const std::string ok = b.transport.sent[1].bytes;
  EXPECT_NE(ok.find("Session-Expires: 90;refresher=uas\r\n"), std::string::npos) << ok;
  EXPECT_EQ(ok.find("Require: timer"), std::string::npos);
  Message m;
  ASSERT_TRUE(parse_message(ok, m));
  const std::string tag(m.to.tag());
  b.ua.receive(far,
               "ACK sip:x@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKu2\r\nMax-Forwards: 70\r\n"
               "From: <sip:p@192.0.2.9>;tag=1\r\nTo: <sip:x@192.0.2.2>;tag=" +
                   tag + "\r\nCall-ID: u1\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(b.user.saw("ack"));
  timers.advance(std::chrono::seconds(44));
  EXPECT_EQ(b.transport.sent.size(), 2u);
  timers.advance(std::chrono::milliseconds(1200));  // at 45 s; Timer A would resend at 45.5 s
  ASSERT_EQ(b.transport.sent.size(), 3u);
  const std::string refresh = b.transport.sent[2].bytes;
  EXPECT_EQ(first_line(refresh), "INVITE sip:p@192.0.2.9 SIP/2.0");
  EXPECT_NE(refresh.find("Session-Expires: 90;refresher=uac\r\n"), std::string::npos) << refresh;
  EXPECT_NE(refresh.find("v=0\r\n"), std::string::npos);  // the same SDP again
}

}  // namespace
}  // namespace isupgw::sip::test
