// The interworking rules per call: INVITE -> IAM request and IAM -> INVITE
// fields (plain SIP and SIP-I), the share of mapping/ in the engine's per-call CPU.
#include <benchmark/benchmark.h>

#include <string>

#include "isup/builder.h"
#include "isup/codes.h"
#include "mapping/interworking.h"
#include "sip/message.h"

namespace isupgw::mapping {
namespace {

const std::string kInvite =
    "INVITE sip:+4930222@192.0.2.10;user=phone SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n"
    "From: <sip:+49301234567@192.0.2.1;user=phone>;tag=a\r\n"
    "To: <sip:+4930222@192.0.2.10;user=phone>\r\n"
    "Call-ID: bench@192.0.2.1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
    "P-Asserted-Identity: <sip:+49301234567@192.0.2.1;user=phone>\r\n"
    "Content-Type: application/sdp\r\nContent-Length: 126\r\n\r\n"
    "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
    "m=audio 4000 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\n";

void BM_SetupFromInvite(benchmark::State& state) {
  sip::Message m;
  if (!sip::parse_message(kInvite, m).ok()) state.SkipWithError("parse");
  SipProfile p;
  p.host = "192.0.2.10";
  for (auto _ : state) {
    auto r = setup_from_invite(m, p);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_SetupFromInvite);

void BM_InviteFromSetup(benchmark::State& state) {
  isup::Number called;
  called.kind = isup::NumberKind::kCalled;
  called.nai = 3;
  called.npi = 1;
  called.digits.assign("30222F");
  isup::Number calling = called;
  calling.kind = isup::NumberKind::kCalling;
  calling.screening = 3;
  calling.digits.assign("301234567");
  isup::MessageBuilder iam(isup::msg::kIam, 5);
  iam.fixed(isup::par::kNatureOfConnectionIndicators, std::vector<std::uint8_t>{0x00})
      .fixed(isup::par::kForwardCallIndicators, std::vector<std::uint8_t>{0x60, 0x01})
      .fixed(isup::par::kCallingPartysCategory, std::vector<std::uint8_t>{0x0a})
      .fixed(isup::par::kTransmissionMediumRequirement, std::vector<std::uint8_t>{0x03})
      .variable(isup::par::kCalledPartyNumber, called)
      .optional(isup::par::kCallingPartyNumber, calling)
      .optional(isup::par::kHopCounter, std::vector<std::uint8_t>{0x14});
  isup::IncomingSetup setup;
  setup.called = called;
  setup.calling = calling;
  setup.iam = &iam.message();
  SipProfile p;
  p.host = "192.0.2.10";
  p.kind = state.range(0) ? SipProfile::kSipI : SipProfile::kSip;
  for (auto _ : state) {
    auto f = invite_from_setup(setup, p);
    benchmark::DoNotOptimize(f);
  }
}
BENCHMARK(BM_InviteFromSetup)->Arg(0)->Arg(1);

}  // namespace
}  // namespace isupgw::mapping
