// The ss7-peer bridge's MTP2 (tools/ss7-peer): signal units as libss7's
// software MTP2 writes them (hex taken from libss7's own MTP2 debug dump:
// "Len = 4 [ ff ff 01 00 ]" is an LSSU SIO with FSN/BSN 127, FIB/BIB 1, plus
// the 2 FCS octets every frame carries), and the link's alignment and
// in-service procedures (Q.703 5, 7) driven frame by frame in virtual time.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <vector>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/counters.h"
#include "base/hex.h"
#include "base/log.h"
#include "base/timer_service.h"
#include "tools/ss7-peer/mtp2_bridge.h"
#include "tools/ss7-peer/mtp2_signal_unit.h"

namespace isupgw::tools::ss7peer {
namespace {

std::vector<std::uint8_t> bytes(std::initializer_list<int> l) {
  std::vector<std::uint8_t> v;
  for (int b : l) v.push_back(static_cast<std::uint8_t>(b));
  return v;
}

TEST(Mtp2SignalUnit, LssuSioFromLibss7) {
  const auto su = decode(bytes({0xff, 0xff, 0x01, 0x00, 0x12, 0x34}));  // FCS octets: anything
  ASSERT_TRUE(su);
  EXPECT_EQ(su->kind, SuKind::kLssu);
  EXPECT_EQ(su->status, LinkStatus::kSio);
  EXPECT_EQ(su->bsn, 127);
  EXPECT_TRUE(su->bib);
  EXPECT_EQ(su->fsn, 127);
  EXPECT_TRUE(su->fib);
}

TEST(Mtp2SignalUnit, LssuSieAndTwoOctetStatusField) {
  const auto sie = decode(bytes({0xff, 0xff, 0x01, 0x02, 0, 0}));
  ASSERT_TRUE(sie);
  EXPECT_EQ(sie->status, LinkStatus::kSie);
  // Q.703 11.1.2: a two-octet status field; the second octet is ignored.
  const auto sios = decode(bytes({0xff, 0xff, 0x02, 0x03, 0x00, 0, 0}));
  ASSERT_TRUE(sios);
  EXPECT_EQ(sios->status, LinkStatus::kSios);
}

TEST(Mtp2SignalUnit, FisuWithSequenceNumbersAndIndicatorBits) {
  // BSN 5, BIB 0; FSN 9, FIB 1; LI 0.
  const auto su = decode(bytes({0x05, 0x89, 0x00, 0, 0}));
  ASSERT_TRUE(su);
  EXPECT_EQ(su->kind, SuKind::kFisu);
  EXPECT_EQ(su->bsn, 5);
  EXPECT_FALSE(su->bib);
  EXPECT_EQ(su->fsn, 9);
  EXPECT_TRUE(su->fib);
}

TEST(Mtp2SignalUnit, MsuCarriesSioAndSif) {
  // LI 5: SIO 0x85 (national, ISUP) and a 4-octet SIF.
  const auto su = decode(bytes({0xff, 0x80, 0x05, 0x85, 0x01, 0x02, 0x03, 0x04, 0, 0}));
  ASSERT_TRUE(su);
  EXPECT_EQ(su->kind, SuKind::kMsu);
  EXPECT_EQ(su->fsn, 0);
  EXPECT_EQ(su->msu, bytes({0x85, 0x01, 0x02, 0x03, 0x04}));
}

TEST(Mtp2SignalUnit, LiSixtyThreeStandsForEveryLongerMsu) {
  // Q.703 2.3.3: LI 63 for an SIO + SIF of 63 octets or more; the length is the frame's.
  SignalUnit su;
  su.kind = SuKind::kMsu;
  su.msu.assign(100, 0x85);
  const auto frame = encode(su);
  ASSERT_EQ(frame.size(), 3u + 100u + 2u);
  EXPECT_EQ(frame[2], 63);
  const auto back = decode(frame);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->msu.size(), 100u);
}

TEST(Mtp2SignalUnit, RefusesShortFramesAndLengthMismatches) {
  EXPECT_FALSE(decode(bytes({0xff, 0xff, 0x00, 0})));                       // under FISU + FCS
  EXPECT_FALSE(decode(bytes({0xff, 0xff, 0x00, 0x85, 0, 0})));              // LI 0 with an octet
  EXPECT_FALSE(decode(bytes({0xff, 0xff, 0x05, 0x85, 0x01, 0, 0})));        // LI 5, 2 octets
  EXPECT_FALSE(decode(bytes({0xff, 0xff, 0x01, 0x07, 0, 0})));              // status 7 undefined
  EXPECT_FALSE(decode(bytes({0xff, 0xff, 0x3f, 0x85, 0x01, 0x02, 0, 0})));  // LI 63, 3 octets
}

TEST(Mtp2SignalUnit, EncodesLssuAndFisuAsLibss7ReadsThem) {
  SignalUnit sie;
  sie.kind = SuKind::kLssu;
  sie.status = LinkStatus::kSie;
  EXPECT_EQ(to_hex(encode(sie)), "ffff01020000");
  SignalUnit fisu;
  fisu.bsn = 0;
  EXPECT_EQ(to_hex(encode(fisu)), "80ff000000");
}

TEST(Mtp2LinkFsm, TableAcceptsWhatQ703Says) {
  const auto& t = mtp2_table();
  EXPECT_TRUE(t.accepts(Mtp2State::kNotAligned).contains(Mtp2Event::kRxSio));
  EXPECT_FALSE(t.accepts(Mtp2State::kNotAligned).contains(Mtp2Event::kRxMsu));
  EXPECT_TRUE(t.successors(Mtp2State::kInService).contains(Mtp2State::kNotAligned));
  EXPECT_FALSE(t.successors(Mtp2State::kNotAligned).contains(Mtp2State::kInService));
}

// libss7's side, played by the test on the other end of the socketpair.
class Mtp2BridgeTest : public ::testing::Test {
 protected:
  Mtp2BridgeTest() {
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv_), 0);
    bridge_ = std::make_unique<Mtp2Bridge>(
        sv_[1], Mtp2Timers{}, meter_, timers_, log_,
        Mtp2Bridge::User{.in_service = [this] { ++in_service_; },
                         .out_of_service = [this] { ++out_of_service_; },
                         .msu = [this](std::span<const std::uint8_t> m) { msus_.emplace_back(m.begin(), m.end()); }});
  }
  ~Mtp2BridgeTest() override {
    bridge_.reset();
    ::close(sv_[0]);
    ::close(sv_[1]);
  }
  void peer_sends(std::initializer_list<int> frame) {
    const auto f = bytes(frame);
    ASSERT_EQ(::send(sv_[0], f.data(), f.size(), 0), static_cast<ssize_t>(f.size()));
    bridge_->on_readable();
  }
  // Every frame the bridge wrote since the last call, in hex.
  std::vector<std::string> bridge_sent() {
    std::vector<std::string> out;
    std::array<std::uint8_t, 512> buf{};
    for (ssize_t n; (n = ::recv(sv_[0], buf.data(), buf.size(), MSG_DONTWAIT)) > 0;)
      out.push_back(to_hex(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n))));
    return out;
  }
  void align() {
    bridge_->start();
    peer_sends({0xff, 0xff, 0x01, 0x00, 0, 0});  // SIO
    peer_sends({0xff, 0xff, 0x01, 0x02, 0, 0});  // SIE
    timers_.advance(std::chrono::milliseconds(500));
    peer_sends({0xff, 0xff, 0x00, 0, 0});  // FISU: libss7's proving ended
    bridge_sent();
  }

  int sv_[2] = {-1, -1};
  ManualClock clock_;
  ManualTimerService timers_{clock_};
  Logger log_{[](std::string_view) {}};
  Counters counters_;
  Mtp2Bridge::Meter meter_ = Mtp2Bridge::make_meter(log_, counters_);
  std::unique_ptr<Mtp2Bridge> bridge_;
  int in_service_ = 0, out_of_service_ = 0;
  std::vector<std::vector<std::uint8_t>> msus_;
};

TEST_F(Mtp2BridgeTest, AlignsWithEmergencyProvingThenInServiceOnTheFirstFisu) {
  bridge_->start();
  EXPECT_EQ(bridge_sent(), std::vector<std::string>{"ffff01000000"});  // SIO
  peer_sends({0xff, 0xff, 0x01, 0x00, 0, 0});
  EXPECT_EQ(bridge_sent(), std::vector<std::string>{"ffff01020000"});  // SIE
  EXPECT_EQ(bridge_->state(), Mtp2State::kAligned);
  peer_sends({0xff, 0xff, 0x01, 0x02, 0, 0});
  peer_sends({0xff, 0xff, 0x01, 0x02, 0, 0});  // repeated status: one event
  EXPECT_EQ(bridge_->state(), Mtp2State::kProving);
  timers_.advance(std::chrono::milliseconds(499));
  EXPECT_EQ(bridge_->state(), Mtp2State::kProving);
  timers_.advance(std::chrono::milliseconds(1));  // T4 emergency (Pe) 500 ms
  EXPECT_EQ(bridge_->state(), Mtp2State::kAlignedReady);
  EXPECT_EQ(bridge_sent(), (std::vector<std::string>{"ffff01020000", "ffff000000"}));  // SIE (proving), FISU
  peer_sends({0xff, 0xff, 0x00, 0, 0});
  EXPECT_TRUE(bridge_->in_service());
  EXPECT_EQ(in_service_, 1);
}

TEST_F(Mtp2BridgeTest, PeerReadyFirstGoesInServiceWhenOurProvingEnds) {
  bridge_->start();
  peer_sends({0xff, 0xff, 0x01, 0x02, 0, 0});  // SIE straight away: proving
  peer_sends({0xff, 0xff, 0x00, 0, 0});        // libss7's proving ended before ours
  EXPECT_EQ(bridge_->state(), Mtp2State::kProving);
  timers_.advance(std::chrono::milliseconds(500));
  EXPECT_TRUE(bridge_->in_service());
}

TEST_F(Mtp2BridgeTest, MsuAcceptedOnceInSequenceAndAcknowledgedAtOnce) {
  align();
  peer_sends({0xff, 0x80, 0x05, 0x85, 0x01, 0x02, 0x03, 0x04, 0, 0});  // FSN 0
  ASSERT_EQ(msus_.size(), 1u);
  EXPECT_EQ(msus_[0], bytes({0x85, 0x01, 0x02, 0x03, 0x04}));
  EXPECT_EQ(bridge_sent(), std::vector<std::string>{"80ff000000"});    // FISU, BSN 0
  peer_sends({0xff, 0x80, 0x05, 0x85, 0x01, 0x02, 0x03, 0x04, 0, 0});  // the same FSN: discarded
  peer_sends({0xff, 0x82, 0x05, 0x85, 0x01, 0x02, 0x03, 0x04, 0, 0});  // FSN 2: out of sequence
  EXPECT_EQ(msus_.size(), 1u);
  peer_sends({0xff, 0x81, 0x05, 0x85, 0x09, 0x02, 0x03, 0x04, 0, 0});  // FSN 1
  EXPECT_EQ(msus_.size(), 2u);
}

TEST_F(Mtp2BridgeTest, SendsMsusWithTheNextFsnAndTheLastAcceptedAsBsn) {
  align();
  peer_sends({0xff, 0x80, 0x05, 0x85, 0x01, 0x02, 0x03, 0x04, 0, 0});
  bridge_sent();
  EXPECT_TRUE(bridge_->send_msu(bytes({0x85, 0xaa, 0xbb, 0xcc, 0xdd})));
  EXPECT_EQ(bridge_sent(), std::vector<std::string>{"80800585aabbccdd0000"});
}

TEST_F(Mtp2BridgeTest, SiosInServiceIsALinkFailureAndAlignmentRestarts) {
  align();
  peer_sends({0xff, 0xff, 0x01, 0x03, 0, 0});
  EXPECT_EQ(out_of_service_, 1);
  EXPECT_EQ(bridge_->state(), Mtp2State::kNotAligned);
  EXPECT_EQ(bridge_sent(), std::vector<std::string>{"ffff01000000"});  // SIO, sequence numbers reset
  EXPECT_FALSE(bridge_->send_msu(bytes({0x85, 1, 2, 3, 4})));
}

}  // namespace
}  // namespace isupgw::tools::ss7peer
