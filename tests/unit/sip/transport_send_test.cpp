// The UDP listener's send path (used to answer broken requests with 400).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sip/transport_listener.h"

namespace isupgw::sip {
namespace {

TEST(UdpListener, SendsFromItsSocketAndTagsReceivedWithListener) {
  boost::asio::io_context io;
  Logger log([](std::string_view) {});
  Counters counters;
  std::vector<std::string> got;
  TransportListener* receiver_seen = nullptr;
  std::uint16_t from_port = 0;
  ListenerConfig cfg;
  cfg.port = 0;
  std::error_code ec;
  auto a = start_listener(
      io, cfg, [](const Received&) {}, log, counters, ec);
  ASSERT_TRUE(a) << ec.message();
  auto b = start_listener(
      io, cfg,
      [&](const Received& r) {
        got.emplace_back(reinterpret_cast<const char*>(r.bytes.data()), r.bytes.size());
        receiver_seen = r.listener;
        from_port = r.peer_port;
        io.stop();
      },
      log, counters, ec);
  ASSERT_TRUE(b) << ec.message();
  const std::string msg = "SIP/2.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
  ASSERT_TRUE(a->send_to(b->local_address(), b->local_port(),
                         std::span(reinterpret_cast<const std::uint8_t*>(msg.data()), msg.size())));
  io.run_for(std::chrono::seconds(2));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], msg);
  EXPECT_EQ(receiver_seen, b.get());
  EXPECT_EQ(from_port, a->local_port());
  EXPECT_EQ(counters.value("sip.udp.tx_datagrams"), 1u);
}

}  // namespace
}  // namespace isupgw::sip
