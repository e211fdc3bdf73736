// The MG simulator's IUA SG end between two independent parties: libpri 1.6
// (Asterisk's Q.921 + Q.931, EuroISDN E1, user side) as the PBX on a socketpair
// attached to the SG's LAPD, and our IUA ASP (sigtran/iua_link) over TCP on
// 127.0.0.87 to the SG. libpri's own events and tshark are the verdicts:
//   libpri's SABME -> its D channel up (PRI_EVENT_DCHAN_UP) and an IUA
//   Establish Indication at the ASP; a SETUP from libpri -> a Data Indication at
//   the ASP carrying the octets of libpri's I frame; a RELEASE COMPLETE from the
//   ASP -> libpri's PRI_EVENT_HANGUP with its cause; tshark reads every IUA
//   message on the association with nothing malformed.
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
#include <optional>
#include <string>
#include <vector>

#include "base/asio.h"
#include "base/asio_timer_service.h"
#include "base/hex.h"
#include "media-gw/iua_sg.h"
#include "q931/codec.h"
#include "sigtran/transport_factory.h"
#include "tests/support/tshark_oracle.h"

namespace isupgw::mediagw {
namespace {

using namespace std::chrono_literals;
namespace iua = sigtran::iua;

// A transport that keeps a copy of every message its side sends (what goes on the wire).
class Tap final : public sigtran::Transport {
 public:
  Tap(sigtran::Transport& inner, std::vector<std::vector<std::uint8_t>>& wire) : inner_(inner), wire_(wire) {}
  void set_handler(sigtran::TransportHandler* h) override { inner_.set_handler(h); }
  void start() override { inner_.start(); }
  bool send(std::uint16_t stream, std::span<const std::uint8_t> m) override {
    wire_.emplace_back(m.begin(), m.end());
    return inner_.send(stream, m);
  }
  void close() override { inner_.close(); }
  bool connected() const override { return inner_.connected(); }
  std::uint16_t streams() const override { return inner_.streams(); }

 private:
  sigtran::Transport& inner_;
  std::vector<std::vector<std::uint8_t>>& wire_;
};

struct AspUser final : iua::LinkUser {
  std::vector<iua::MessageType> types;
  std::vector<std::vector<std::uint8_t>> data;  // Data Indications' Q.931 octets
  void on_link_ready(bool) override {}
  void on_primitive(const iua::Primitive& p) override {
    types.push_back(p.type);
    if (p.type == iua::MessageType::kDataIndication) data.emplace_back(p.data.begin(), p.data.end());
  }
  std::size_t count(iua::MessageType t) const {
    return static_cast<std::size_t>(std::count(types.begin(), types.end(), t));
  }
};

class IuaSgLibpri : public ::testing::Test {
 protected:
  static std::vector<struct pri*>& kept() {
    static auto* v = new std::vector<struct pri*>;  // libpri 1.6 has no destructor for a struct pri
    return *v;
  }
  void SetUp() override {
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
    sigtran::TransportSpec server;
    server.kind = sigtran::TransportSpec::Kind::kTcp;
    server.server = true;
    server.address = "127.0.0.87";
    server.ppid = iua::kPpid;
    server.name = "sg";
    auto s = sigtran::open_transport(io, server, clock, log, counters);
    ASSERT_TRUE(s.ok()) << s.error();
    sg_opened = std::move(*s);
    sigtran::TransportSpec client = server;
    client.server = false;
    client.port = sg_opened.local_port;
    client.name = "asp";
    auto c = sigtran::open_transport(io, client, clock, log, counters);
    ASSERT_TRUE(c.ok()) << c.error();
    asp_opened = std::move(*c);
    sg_tap = std::make_unique<Tap>(*sg_opened.transport, wire);
    asp_tap = std::make_unique<Tap>(*asp_opened.transport, wire);

    IuaSgConfig sc;
    sc.link.name = "sg";
    sc.interfaces = {1};
    sg = std::make_unique<IuaSg>(sc, *sg_tap, timers, log, counters,
                                 [this](std::uint32_t, std::span<const std::uint8_t> f) {
                                   std::vector<std::uint8_t> b(f.begin(), f.end());
                                   b.push_back(0);
                                   b.push_back(0);  // the dummy FCS libpri drops (oracles.md)
                                   ASSERT_EQ(write(sv[0], b.data(), b.size()), static_cast<ssize_t>(b.size()));
                                 });
    iua::LinkConfig ac;
    ac.name = "asp";
    ac.role = iua::Role::kAsp;
    ac.interface_ids = {1};
    ac.asp_identifier = 3;
    ac.traffic_mode = 1;
    asp = std::make_unique<iua::Link>(ac, *asp_tap, asp_meters, timers, log, counters, asp_user);
    pri = pri_new(sv[1], PRI_CPE, PRI_SWITCH_EUROISDN_E1);
    ASSERT_NE(pri, nullptr);
    pri_set_debug(pri, 0);
  }
  void TearDown() override {
    asp.reset();
    sg.reset();
    asp_tap.reset();
    sg_tap.reset();
    asp_opened.transport.reset();
    sg_opened.transport.reset();
    if (pri) kept().push_back(pri);
    close(sv[0]);
    close(sv[1]);
  }

  void on_event(pri_event* e) {
    if (!e) return;
    switch (e->e) {
      case PRI_EVENT_DCHAN_UP: dchan_up = true; break;
      case PRI_EVENT_HANGUP:
        hangup_cause = e->hangup.cause;
        pri_hangup(pri, e->hangup.call, e->hangup.cause);  // frees libpri's call
        break;
      default: break;
    }
  }

  // Runs the association, the SG and libpri until done() or the deadline.
  bool pump(std::chrono::milliseconds max, const std::function<bool()>& done) {
    const auto start = std::chrono::steady_clock::now();
    while (!done()) {
      if (std::chrono::steady_clock::now() - start > max) return false;
      io.poll();
      pollfd p[2] = {{sv[0], POLLIN, 0}, {sv[1], POLLIN, 0}};
      poll(p, 2, 5);
      if (p[1].revents & POLLIN) on_event(pri_check_event(pri));
      if (timeval* tv = pri_schedule_next(pri)) {
        timeval now;
        gettimeofday(&now, nullptr);
        if (timercmp(&now, tv, >=)) on_event(pri_schedule_run(pri));
      }
      if (p[0].revents & POLLIN) {
        std::uint8_t buf[512];
        const auto n = read(sv[0], buf, sizeof buf);
        if (n >= 5) {
          std::span<const std::uint8_t> frame(buf, static_cast<std::size_t>(n) - 2);
          if (auto f = q931::lapd::decode(frame); f && f->type == q931::lapd::FrameType::kI)
            i_frames.emplace_back(f->info.begin(), f->info.end());
          if (!sg->receive_frame(1, frame)) ++bad_frames;
        }
      }
    }
    return true;
  }

  int sv[2] = {-1, -1};
  boost::asio::io_context io;
  SteadyClock clock;
  AsioTimerService timers{io};
  Logger log{[](std::string_view) {}};
  Counters counters;
  sigtran::OpenedTransport sg_opened, asp_opened;
  std::vector<std::vector<std::uint8_t>> wire;  // every IUA message either end sent
  std::unique_ptr<Tap> sg_tap, asp_tap;
  std::unique_ptr<IuaSg> sg;
  iua::LinkMeters asp_meters{log, counters};
  AspUser asp_user;
  std::unique_ptr<iua::Link> asp;
  struct pri* pri = nullptr;
  std::vector<std::vector<std::uint8_t>> i_frames;  // what libpri sent in I frames
  bool dchan_up = false;
  int hangup_cause = -1, bad_frames = 0;
};

TEST_F(IuaSgLibpri, LinkUpSetupRelayedToTheAspAndItsReleaseCompleteReachesLibpri) {
  sg->start();
  asp->start();
  // libpri (CPE) sends SABME; the SG's LAPD answers UA; the ASP hears Establish Indication once active.
  ASSERT_TRUE(pump(
      10s, [&] { return dchan_up && asp->ready() && asp_user.count(iua::MessageType::kEstablishIndication) >= 1; }))
      << "dchan_up=" << dchan_up << " asp=" << to_string(asp->asp_state());
  EXPECT_EQ(sg->lapd_state(1), q931::lapd::LinkState::k7Established);
  const iua::InterfaceId one{1u};
  const iua::Dlci d0{0, 0, false};
  EXPECT_TRUE(asp->established(one, d0));
  // An Establish Request on an established link: confirmed at once (Q.921 5.5.1).
  ASSERT_TRUE(asp->send_primitive(iua::MessageType::kEstablishRequest, one, d0));
  ASSERT_TRUE(pump(5s, [&] { return asp_user.count(iua::MessageType::kEstablishConfirm) >= 1; }));

  // libpri calls 30999777 on B channel 3: its SETUP reaches the ASP as the same octets.
  char caller[] = "30123456", called[] = "30999777";
  q931_call* c = pri_new_call(pri);
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(pri_call(pri, c, PRI_TRANS_CAP_SPEECH, 3, 1, 1, caller, PRI_NATIONAL_ISDN, nullptr, PRI_PRES_ALLOWED,
                     called, PRI_NATIONAL_ISDN, PRI_LAYER_1_ALAW),
            0);
  ASSERT_TRUE(pump(5s, [&] { return !asp_user.data.empty(); }));
  ASSERT_EQ(i_frames.size(), 1u);
  EXPECT_EQ(to_hex(asp_user.data[0]), to_hex(i_frames[0]));
  auto setup = q931::decode(asp_user.data[0]);
  ASSERT_TRUE(setup.ok()) << setup.error().to_string();
  EXPECT_EQ(setup->type, q931::msg::kSetup);
  ASSERT_TRUE(setup->called);
  EXPECT_EQ(setup->called->digits, "30999777");

  // The ASP refuses it: RELEASE COMPLETE cause 17 (user busy) on the call reference, flag set (we answer).
  q931::Message rc;
  rc.type = q931::msg::kReleaseComplete;
  rc.call_ref = q931::CallReference{setup->call_ref.length, true, setup->call_ref.value};
  rc.causes.push_back(q931::Cause{0, 2, std::nullopt, 17, {}});
  auto rc_bytes = q931::encode(rc);
  ASSERT_TRUE(rc_bytes.ok());
  ASSERT_TRUE(asp->send_data(one, d0, *rc_bytes));
  ASSERT_TRUE(pump(5s, [&] { return hangup_cause != -1; }));
  EXPECT_EQ(hangup_cause, 17);  // libpri's own event
  EXPECT_EQ(bad_frames, 0);
  EXPECT_EQ(counters.value("iua.rx.decode_errors"), 0u);
  EXPECT_EQ(counters.value("iua.rx.err"), 0u);

  // tshark: every IUA message on the association, both directions, with nothing malformed.
  if (!tshark::available()) GTEST_SKIP() << "tshark/text2pcap not installed";
  auto ds = tshark::dissect_many(wire, tshark::Wrap::kIua, tshark::q931_options());
  ASSERT_EQ(ds.size(), wire.size());
  std::vector<std::string> q931_types;
  for (std::size_t i = 0; i < ds.size(); ++i) {
    SCOPED_TRACE(to_hex(wire[i]));
    ASSERT_TRUE(ds[i].ok()) << ds[i].error;
    EXPECT_FALSE(ds[i].malformed) << ds[i].problems();
    EXPECT_TRUE(ds[i].first("iua.message_class").has_value());
    if (auto t = ds[i].first("q931.message_type")) q931_types.push_back(*t);
  }
  ASSERT_EQ(q931_types.size(), 2u);  // the SETUP up, the RELEASE COMPLETE down
  EXPECT_EQ(std::stoul(q931_types[0], nullptr, 0), 0x05u);
  EXPECT_EQ(std::stoul(q931_types[1], nullptr, 0), 0x5au);
}

}  // namespace
}  // namespace isupgw::mediagw

#else
TEST(IuaSgLibpri, Skipped) { GTEST_SKIP() << "libpri-dev not installed (scripts/setup.sh installs it)"; }
#endif
