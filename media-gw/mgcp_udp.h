// MGCP over UDP on an Asio io_context (RFC 3435 3.5: UDP, Call Agent port
// 2727, gateway port 2427). One socket per media gateway: datagrams go to the
// MG's address; datagrams from any other peer are dropped and counted.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <system_error>

#include "base/asio.h"
#include "base/counters.h"
#include "base/log.h"
#include "media-gw/mgcp_client.h"
#include "media-gw/mgcp_udp_config.h"

namespace isupgw::mediagw {

class MgcpUdpTransport final : public DatagramSender {
 public:
  using Receiver = std::function<void(std::span<const std::uint8_t>)>;

  MgcpUdpTransport(boost::asio::io_context& io, Logger& log, Counters& counters);
  ~MgcpUdpTransport() override { close(); }

  // Binds and starts receiving; datagrams from the MG go to `receiver`.
  std::error_code open(const UdpConfig& cfg, Receiver receiver);
  bool send(std::span<const std::uint8_t> datagram) override;
  std::uint16_t local_port() const;
  void close();
  // Sees every datagram sent to and accepted from the MG (the daemon's trace, issue 17).
  using Tap = std::function<void(bool outgoing, std::span<const std::uint8_t> datagram)>;
  void set_tap(Tap tap) { tap_ = std::move(tap); }

 private:
  void receive();

  boost::asio::ip::udp::socket socket_;
  boost::asio::ip::udp::endpoint mg_;
  boost::asio::ip::udp::endpoint peer_;
  std::array<std::uint8_t, 65536> buffer_{};
  Receiver receiver_;
  Tap tap_;
  Logger& log_;
  Counter& rx_foreign_;
  Counter& rx_errors_;
  Counter& tx_errors_;
};

}  // namespace isupgw::mediagw
