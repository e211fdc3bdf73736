// The four RFC 3261 17 transaction machines on their own, in virtual time:
// what goes on the wire when, and what reaches the owner.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sip/invite_client_transaction.h"
#include "sip/invite_server_transaction.h"
#include "sip/non_invite_client_transaction.h"
#include "sip/non_invite_server_transaction.h"

namespace isupgw::sip {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kInvite =
    "INVITE sip:b@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKt1\r\nMax-Forwards: 70\r\n"
    "From: <sip:a@192.0.2.1>;tag=a1\r\nTo: <sip:b@192.0.2.2>\r\nCall-ID: t1\r\nCSeq: 7 INVITE\r\n"
    "Route: <sip:p.example.com;lr>\r\nContent-Length: 0\r\n\r\n";

std::string response(int status, std::string_view method = "INVITE", std::string_view cseq = "7") {
  return "SIP/2.0 " + std::to_string(status) +
         " X\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKt1\r\nFrom: <sip:a@192.0.2.1>;tag=a1\r\n"
         "To: <sip:b@192.0.2.2>;tag=b1\r\nCall-ID: t1\r\nCSeq: " +
         std::string(cseq) + " " + std::string(method) + "\r\nContent-Length: 0\r\n\r\n";
}

struct Owner : TransactionOwner {
  std::vector<int> responses;
  std::vector<EndReason> failures;
  bool terminated = false;
  void tx_response(TransactionId, const Message& r) override { responses.push_back(r.status); }
  void tx_failed(TransactionId, EndReason why) override { failures.push_back(why); }
  void tx_terminated(TransactionId) override { terminated = true; }
};

class Machines : public ::testing::Test {
 protected:
  Machines() : timers(clock), log([](std::string_view) {}), ctx{timers, wire, log, TimerValues{}} {
    log.set_all_levels(LogLevel::kTrace);  // every transition is logged (and must not crash)
  }
  // Times (ms since start) at which something was sent, while advancing in 50 ms steps.
  // `seen`: messages already on the wire before this window (earlier ones count as at 0).
  std::vector<long> send_times(Clock::duration total, std::size_t seen) {
    std::vector<long> t;
    const auto start = clock.now();
    for (Clock::duration d{}; d <= total; d += milliseconds(50)) {
      while (seen < wire.sent.size()) {
        t.push_back(std::chrono::duration_cast<milliseconds>(clock.now() - start).count());
        ++seen;
      }
      timers.advance(milliseconds(50));
    }
    return t;
  }
  void deliver(auto& tx, const std::string& wire_text) {
    Message m;
    ASSERT_TRUE(parse_message(wire_text, m));
    tx.on_response(m);
  }

  ManualClock clock;
  ManualTimerService timers;
  MemoryTransportLayer wire;
  Logger log;
  TransactionContext ctx;
  Owner owner;
  const Peer udp{Transport::kUdp, "192.0.2.2", 5060};
  const Peer tcp{Transport::kTcp, "192.0.2.2", 5060};
};

TEST_F(Machines, InviteClientTimerADoublesUntilTimerB) {
  InviteClientTransaction ict(1, ctx, owner, udp, kInvite);
  ict.start();
  // 17.1.1.2: sent at 0, then after T1, 2T1, 4T1 ... ; Timer B = 64*T1 = 32 s.
  EXPECT_EQ(send_times(seconds(33), 0), (std::vector<long>{0, 500, 1500, 3500, 7500, 15500, 31500}));
  EXPECT_EQ(owner.failures, (std::vector<EndReason>{EndReason::kTimeout}));
  EXPECT_TRUE(owner.terminated);
}

TEST_F(Machines, InviteClientOverTcpDoesNotRetransmit) {
  InviteClientTransaction ict(1, ctx, owner, tcp, kInvite);
  ict.start();
  EXPECT_EQ(send_times(seconds(33), 0), (std::vector<long>{0}));
  EXPECT_EQ(owner.failures, (std::vector<EndReason>{EndReason::kTimeout}));
}

TEST_F(Machines, InviteClientAcksAFailureAndAbsorbsItsRetransmissions) {
  InviteClientTransaction ict(1, ctx, owner, udp, kInvite);
  ict.start();
  deliver(ict, response(180));
  EXPECT_EQ(ict.state(), InviteClientTransaction::State::kProceeding);
  deliver(ict, response(486));
  EXPECT_EQ(ict.state(), InviteClientTransaction::State::kCompleted);
  deliver(ict, response(486));  // retransmitted: ACK again, not reported again
  EXPECT_EQ(owner.responses, (std::vector<int>{180, 486}));
  ASSERT_EQ(wire.sent.size(), 3u);  // INVITE, ACK, ACK
  const std::string ack = wire.sent[1].bytes;
  EXPECT_EQ(wire.sent[2].bytes, ack);
  // 17.1.1.3: same Request-URI, Via branch, CSeq number, Route; To from the response.
  EXPECT_EQ(ack.rfind("ACK sip:b@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKt1\r\n"
                      "Route: <sip:p.example.com;lr>\r\n",
                      0),
            0u)
      << ack;
  EXPECT_NE(ack.find("To: <sip:b@192.0.2.2>;tag=b1\r\n"), std::string::npos);
  EXPECT_NE(ack.find("CSeq: 7 ACK\r\n"), std::string::npos);
  EXPECT_TRUE(ict.request().empty());  // Completed resends the ACK only: the INVITE's bytes are gone
  // Timer D (32 s over UDP) then terminated.
  timers.advance(seconds(31));
  EXPECT_FALSE(owner.terminated);
  timers.advance(seconds(2));
  EXPECT_TRUE(owner.terminated);
}

TEST_F(Machines, InviteClient2xxGoesToTheTuEachTimeUntilTimerM) {
  InviteClientTransaction ict(1, ctx, owner, udp, kInvite);
  ict.start();
  deliver(ict, response(200));
  deliver(ict, response(200));
  // RFC 6026 7.2: Accepted passes every 2xx up; the transaction sends no ACK.
  EXPECT_EQ(owner.responses, (std::vector<int>{200, 200}));
  EXPECT_EQ(wire.sent.size(), 1u);
  EXPECT_EQ(ict.state(), InviteClientTransaction::State::kAccepted);
  EXPECT_TRUE(ict.request().empty());  // RFC 6026 8.4: never sent again, so not kept for Timer M (issue 19)
  timers.advance(seconds(33));
  EXPECT_TRUE(owner.terminated);
}

TEST_F(Machines, NonInviteClientTimerECapsAtT2) {
  NonInviteClientTransaction nict(1, ctx, owner, udp, response(0).replace(0, 0, ""));
  nict.start();
  // 17.1.2.2: E = T1, 2T1, 4T1, then T2 (4 s) until F = 64*T1.
  EXPECT_EQ(send_times(seconds(33), 0),
            (std::vector<long>{0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500}));
  EXPECT_EQ(owner.failures, (std::vector<EndReason>{EndReason::kTimeout}));
}

TEST_F(Machines, NonInviteClientAfterAProvisionalRetransmitsEveryT2) {
  NonInviteClientTransaction nict(1, ctx, owner, udp, "BYE");
  nict.start();
  timers.advance(milliseconds(100));
  deliver(nict, response(100, "BYE"));
  EXPECT_EQ(send_times(seconds(10), 1), (std::vector<long>{400, 4400, 8400}));
  deliver(nict, response(200, "BYE"));
  deliver(nict, response(200, "BYE"));  // absorbed in Completed
  EXPECT_EQ(owner.responses, (std::vector<int>{100, 200}));
  timers.advance(seconds(5));  // Timer K = T4
  EXPECT_TRUE(owner.terminated);
}

TEST_F(Machines, InviteServerRetransmitsAFailureUntilAck) {
  InviteServerTransaction ist(1, ctx, owner, udp);
  ist.respond(180, "180");
  ist.on_retransmission();  // the INVITE again: the last provisional again
  EXPECT_EQ(wire.sent.size(), 2u);
  ist.respond(486, "486");
  // 17.2.1: G = T1, doubling to T2.
  EXPECT_EQ(send_times(seconds(8), 2), (std::vector<long>{0, 500, 1500, 3500, 7500}));
  const std::string ack_text =
      "ACK sip:b@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKt1\r\nMax-Forwards: 70\r\n"
      "From: <sip:a@192.0.2.1>;tag=a1\r\nTo: <sip:b@192.0.2.2>;tag=b1\r\nCall-ID: t1\r\nCSeq: 7 ACK\r\n"
      "Content-Length: 0\r\n\r\n";
  Message ack;
  ASSERT_TRUE(parse_message(ack_text, ack));
  ist.on_ack(ack);
  EXPECT_EQ(ist.state(), InviteServerTransaction::State::kConfirmed);
  EXPECT_EQ(send_times(seconds(5), wire.sent.size()), std::vector<long>{});  // I = T4
  EXPECT_TRUE(owner.terminated);                                             // Timer I = T4
}

TEST_F(Machines, InviteServerAcceptedLeavesThe2xxToTheTu) {
  InviteServerTransaction ist(1, ctx, owner, udp);
  ist.respond(200, "200 first");
  EXPECT_EQ(ist.state(), InviteServerTransaction::State::kAccepted);
  ist.on_retransmission();  // RFC 6026 8.5: absorbed; the TU's 2xx timer retransmits
  ist.respond(200, "200 again");
  ASSERT_EQ(wire.sent.size(), 2u);
  EXPECT_EQ(wire.sent[0].bytes, "200 first");
  EXPECT_EQ(wire.sent[1].bytes, "200 again");
  timers.advance(seconds(33));  // Timer L
  EXPECT_TRUE(owner.terminated);
}

TEST_F(Machines, InviteServerWithoutAckGivesUpAtTimerH) {
  InviteServerTransaction ist(1, ctx, owner, udp);
  ist.respond(503, "503");
  timers.advance(seconds(33));
  EXPECT_EQ(owner.failures, (std::vector<EndReason>{EndReason::kTimeout}));
  EXPECT_TRUE(owner.terminated);
}

TEST_F(Machines, AnEventTheStateDoesNotAcceptIsRefusedAndCounted) {
  Counters counters;
  TransactionContext counted(timers, wire, log, TimerValues{}, &counters);
  NonInviteServerTransaction nist(1, counted, owner, udp);
  nist.respond(200, response(200, "OPTIONS"));
  nist.respond(486, response(486, "OPTIONS"));  // a second final response: Completed has no row for it
  EXPECT_EQ(wire.sent.size(), 1u);
  EXPECT_EQ(nist.state(), NonInviteServerTransaction::State::kCompleted);
  EXPECT_EQ(counters.value("sip.nist.refused"), 1u);
  EXPECT_EQ(counters.value("sip.nist.refused.send_final"), 1u);
  EXPECT_EQ(counters.value("sip.nist.event.send_final"), 1u);
}

TEST_F(Machines, NonInviteServerAnswersRetransmissionsWithTheLastResponse) {
  NonInviteServerTransaction nist(1, ctx, owner, udp);
  nist.on_retransmission();  // nothing to send yet
  EXPECT_TRUE(wire.sent.empty());
  nist.respond(200, "200");
  nist.on_retransmission();
  ASSERT_EQ(wire.sent.size(), 2u);
  EXPECT_EQ(wire.sent[1].bytes, "200");
  timers.advance(seconds(31));
  EXPECT_FALSE(owner.terminated);
  timers.advance(seconds(2));  // Timer J = 64*T1
  EXPECT_TRUE(owner.terminated);
}

TEST_F(Machines, TransportErrorEndsTheTransaction) {
  wire.fail_sends = true;
  NonInviteClientTransaction nict(1, ctx, owner, udp, "OPTIONS");
  nict.start();
  EXPECT_EQ(owner.failures, (std::vector<EndReason>{EndReason::kTransportError}));
  EXPECT_TRUE(owner.terminated);
}

}  // namespace
}  // namespace isupgw::sip
