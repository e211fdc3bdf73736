// isup-peer scenario engine: parsing, message building/checking, and
// scenarios run in virtual time against isupgw's call control over the
// in-process loopback.
#include "tools/isup-peer/scenario.h"

#include <gtest/gtest.h>

#include "isup/codes.h"
#include "tools/isup-peer/scenario_runner.h"

namespace isupgw::isup::peer {
namespace {

LoopbackOptions options() {
  LoopbackOptions o;
  o.exchange.name = "sut";
  o.exchange.opc = 100;
  o.exchange.dpc = 200;
  o.exchange.cics.emplace_back(1, 31);
  return o;
}

class PeerTest : public ::testing::Test {
 protected:
  std::vector<std::string> run(std::string_view text, LoopbackOptions o = options()) {
    auto sc = parse_scenario(text, "t");
    EXPECT_TRUE(sc) << (sc ? "" : sc.error().what);
    if (!sc) return {"parse"};
    return run_loopback(*sc, o, log, counters);
  }
  Logger log{[](std::string_view) {}};
  Counters counters;
};

TEST_F(PeerTest, ParsesStepsLoopsAndDurations) {
  auto sc = parse_scenario("send IAM cic=1 called=12F # comment\nexpect ACM timeout=500ms\nloop 3\nwait 1.5s\nend\n");
  ASSERT_TRUE(sc);
  ASSERT_EQ(sc->steps.size(), 5u);
  EXPECT_EQ(sc->steps[0].message, "IAM");
  EXPECT_EQ(sc->steps[0].fields.at("called"), "12F");
  EXPECT_EQ(sc->steps[1].duration, std::chrono::milliseconds(500));
  EXPECT_EQ(sc->steps[2].count, 3u);
  EXPECT_EQ(sc->steps[3].duration, std::chrono::milliseconds(1500));
  EXPECT_FALSE(parse_scenario("loop 2\nsend IAM\n"));
  EXPECT_FALSE(parse_scenario("end\n"));
  EXPECT_EQ(parse_scenario("send IAM\nfrobnicate\n").error().line, 2u);
  EXPECT_FALSE(parse_scenario("send IAM cic\n"));
}

TEST_F(PeerTest, BuildsAndChecksMessages) {
  Step send;
  send.message = "REL";
  send.fields = {{"cic", "7"}, {"cause", "31"}};
  auto bytes = build_message(send, Variant::kItu);
  ASSERT_TRUE(bytes);
  // CIC 7, REL, pointer 2, no optional part, cause length 2: location 2, value 31.
  EXPECT_EQ(*bytes, (std::vector<std::uint8_t>{0x07, 0x00, 0x0c, 0x02, 0x00, 0x02, 0x82, 0x9f}));
  Step expect;
  expect.kind = Step::Kind::kExpect;
  expect.message = "REL";
  expect.fields = {{"cic", "7"}, {"cause", "31"}};
  EXPECT_EQ(check_message(expect, *bytes, Variant::kItu), "");
  expect.fields["cause"] = "16";
  EXPECT_EQ(check_message(expect, *bytes, Variant::kItu), "REL cause: expected 16, received 31");
  expect.message = "RLC";
  EXPECT_NE(check_message(expect, *bytes, Variant::kItu), "");
  send.message = "NOPE";
  EXPECT_FALSE(build_message(send, Variant::kItu));
}

TEST_F(PeerTest, BasicCallPasses) {
  EXPECT_EQ(run("send IAM cic=2 called=1234F calling=5550001\n"
                "expect ACM cic=2 called_status=1\n"
                "expect ANM cic=2\n"
                "wait 2s\n"
                "send REL cic=2 cause=16\n"
                "expect RLC cic=2\n"),
            std::vector<std::string>{});
}

TEST_F(PeerTest, LoopsAndMaintenance) {
  EXPECT_EQ(
      run("loop 5\n send IAM cic=4\n expect ACM cic=4\n expect ANM cic=4\n send REL cic=4\n expect RLC cic=4\nend\n"
          "send BLO cic=3\nexpect BLA cic=3\n"
          "send CGB cic=1 type=0 range=7 status=ff\nexpect CGBA cic=1 range=7 status=ff\n"
          "send GRS cic=1 range=15\nexpect GRA cic=1 range=15 status=0000\n"
          "send CQM cic=1 range=1\nexpect CQR cic=1 circuit_state_indicator=0c0c\n"
          "send RSC cic=4000\nexpect UCIC cic=4000\n"),
      std::vector<std::string>{});
}

TEST_F(PeerTest, MismatchAndTimeoutFail) {
  auto f = run("send IAM cic=2\nexpect ANM cic=2\n");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0], "t:2: expected ANM, received ACM cic 2");
  auto o = options();
  o.answer = false;
  f = run("send IAM cic=2\nexpect ACM cic=2 timeout=3s\n", o);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0], "t:2: timeout waiting for ACM");
}

TEST_F(PeerTest, ExchangeTimersSeenFromThePeer) {
  auto o = options();
  o.answer = false;
  // The exchange under test resets its 31 circuits on start and repeats the
  // GRS after T22 (15 s) until the peer acknowledges it.
  o.start_reset = true;
  EXPECT_EQ(run("expect GRS cic=1 range=30\nwait 15s\nexpect GRS cic=1 range=30\nsend GRA cic=1 range=30 "
                "status=00000000\nwait 60s\n",
                o),
            std::vector<std::string>{});
}

}  // namespace
}  // namespace isupgw::isup::peer
