// Two UserAgents on real loopback sockets (UDP, TCP, TLS off here): the
// daemon form of the stack, listeners on ephemeral ports.
#include <gtest/gtest.h>

#include "tests/unit/sip/ua_harness.h"

namespace isupgw::sip::test {
namespace {

struct AsioNode {
  AsioNode(boost::asio::io_context& io, Logger& log, Transport t)
      : ua(io, {ListenerConfig{t, "127.0.0.1", 0}}, user, clock, log, counters) {}
  SteadyClock clock;
  Counters counters;
  RecordingUser user;
  UserAgent ua;
};

void basic_call(Transport t) {
  boost::asio::io_context io;
  Logger log([](std::string_view) {});
  AsioNode a(io, log, t), b(io, log, t);
  ASSERT_FALSE(a.ua.start());
  ASSERT_FALSE(b.ua.start());
  ASSERT_NE(b.ua.port(t), 0);
  b.user.invite_hook = [&](SessionId s, const Message&) {
    b.ua.provisional(s, 180);
    b.ua.answer(s, {}, Body{"application/sdp", "v=0\r\n"});
  };
  SessionId s = 0;
  a.user.answered_hook = [&](SessionId id, const Message&) { a.ua.bye(id); };
  OutgoingInvite r;
  r.peer = Peer{t, "127.0.0.1", b.ua.port(t)};
  r.request_uri = "sip:123@127.0.0.1:" + std::to_string(b.ua.port(t));
  r.from = "<sip:999@127.0.0.1>";
  r.to = "<sip:123@127.0.0.1>";
  r.body = Body{"application/sdp", "v=0\r\n"};
  s = a.ua.invite(r);
  for (int i = 0; i < 100 && !b.user.saw("bye"); ++i) io.run_for(std::chrono::milliseconds(20));
  EXPECT_EQ(a.user.events, (std::vector<std::string>{"provisional 180", "answered 200"}));
  EXPECT_EQ(b.user.events, (std::vector<std::string>{"invite", "ack", "bye"}));
  EXPECT_NE(s, 0u);
  a.ua.stop();
  b.ua.stop();
  io.run_for(std::chrono::milliseconds(20));
}

TEST(UserAgentAsio, BasicCallOverUdp) { basic_call(Transport::kUdp); }
TEST(UserAgentAsio, BasicCallOverTcp) { basic_call(Transport::kTcp); }

}  // namespace
}  // namespace isupgw::sip::test

namespace isupgw::sip::test {
namespace {

// RFC 3261 17.1.4: a TCP connect that fails ends the INVITE at once with a
// transport error instead of waiting for Timer B.
TEST(UserAgentAsio, RefusedTcpConnectEndsTheCallWithTransportError) {
  boost::asio::io_context io;
  Logger log([](std::string_view) {});
  AsioNode a(io, log, Transport::kTcp);
  ASSERT_FALSE(a.ua.start());
  // A port with no listener: bind one, note it, close it.
  boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = probe.local_endpoint().port();
  probe.close();
  OutgoingInvite r;
  r.peer = Peer{Transport::kTcp, "127.0.0.1", port};
  r.request_uri = "sip:123@127.0.0.1:" + std::to_string(port) + ";transport=tcp";
  r.from = "<sip:999@127.0.0.1>";
  r.to = "<sip:123@127.0.0.1>";
  a.ua.invite(r);
  for (int i = 0; i < 50 && a.user.events.empty(); ++i) io.run_for(std::chrono::milliseconds(20));
  EXPECT_EQ(a.user.events, (std::vector<std::string>{"ended transport-error"}));
  EXPECT_EQ(a.counters.value("sip.stream.connect_failures"), 1u);
}

}  // namespace
}  // namespace isupgw::sip::test

namespace isupgw::sip::test {
namespace {

// RFC 3261 18.4 / 8.1.3.1: an INVITE over UDP to a closed port comes back as an ICMP port unreachable
// (IP_RECVERR): the transaction ends at once with a transport error instead of at Timer B; an OPTIONS
// ping to it fails at once too (trunk health, issue 18), long before its ping_timeout.
TEST(UserAgentAsio, UdpToAClosedPortEndsTheCallAndThePingAtOnce) {
  boost::asio::io_context io;
  Logger log([](std::string_view) {});
  boost::asio::ip::udp::socket probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = probe.local_endpoint().port();
  probe.close();
  UserAgentOptions o;
  o.ping_targets = {Peer{Transport::kUdp, "127.0.0.1", port}};
  o.ping_interval = std::chrono::seconds(60);  // its timeout: 30 s
  SteadyClock clock;
  Counters counters;
  RecordingUser user;
  UserAgent ua(io, {ListenerConfig{Transport::kUdp, "127.0.0.1", 0}}, user, clock, log, counters, o);
  ASSERT_FALSE(ua.start());
  for (int i = 0; i < 100 && user.ping_results.empty(); ++i) io.run_for(std::chrono::milliseconds(20));
  EXPECT_EQ(user.ping_results, std::vector<bool>{false});
  OutgoingInvite r;
  r.peer = Peer{Transport::kUdp, "127.0.0.1", port};
  r.request_uri = "sip:123@127.0.0.1:" + std::to_string(port);
  r.from = "<sip:999@127.0.0.1>";
  r.to = "<sip:123@127.0.0.1>";
  ua.invite(r);
  for (int i = 0; i < 100 && user.events.empty(); ++i) io.run_for(std::chrono::milliseconds(20));
  EXPECT_EQ(user.events, (std::vector<std::string>{"ended transport-error"}));
  EXPECT_GE(counters.value("sip.udp.rx_icmp_unreachable"), 2u);
  ua.stop();
  io.run_for(std::chrono::milliseconds(20));
}

}  // namespace
}  // namespace isupgw::sip::test
