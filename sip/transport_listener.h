// SIP listening sockets (UDP datagrams, TCP byte streams) on one io_context.
// Bytes received are handed to a sink; framing and parsing live above this.
// Bounded: at most max_tcp_connections accepted streams, each with a bounded
// read buffer; anything refused or dropped is counted.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <system_error>

#include "base/asio.h"
#include "base/counters.h"
#include "base/log.h"

namespace isupgw::sip {

enum class Transport { kUdp, kTcp, kTls };
std::string_view to_string(Transport t);

struct ListenerConfig {
  Transport transport = Transport::kUdp;
  std::string address = "127.0.0.1";
  std::uint16_t port = 5060;  // 0 = ephemeral (tests)
  std::size_t max_tcp_connections = 1024;
  std::uint32_t udp_receive_buffer = 0;  // SO_RCVBUF bytes for a UDP listener; 0: the kernel's default
};

class TransportListener;

// A UDP socket's kernel receive queue (SO_MEMINFO, socket(7) / sock_diag(7)): bytes queued (with the
// kernel's per-datagram overhead), the buffer they count against, datagrams dropped since the socket opened.
struct RxQueue {
  std::uint64_t queued = 0;
  std::uint64_t capacity = 0;
  std::uint64_t drops = 0;
};

struct Received {
  Transport transport;
  boost::asio::ip::address peer_address;
  std::uint16_t peer_port;
  std::span<const std::uint8_t> bytes;
  TransportListener* listener = nullptr;  // the socket it came in on (answers go out the same way)
};

using ReceiveSink = std::function<void(const Received&)>;
// UDP: an ICMP destination unreachable (port, host, network) came back for a datagram we sent to `peer`
// (IP_RECVERR; RFC 3261 18.4: an ICMP error is a transport failure of the request, 8.1.3.1). Called from
// the listener's receive or send path: the sink must post its work rather than act at once.
using UnreachableSink = std::function<void(const boost::asio::ip::address& peer, std::uint16_t port)>;

class TransportListener {
 public:
  virtual ~TransportListener() = default;
  virtual Transport transport() const = 0;
  virtual boost::asio::ip::address local_address() const = 0;
  virtual std::uint16_t local_port() const = 0;
  // Stops accepting/receiving and closes every socket. Idempotent.
  virtual void close() = 0;
  // Sends one message to a peer from this listener's socket (UDP: one
  // datagram). False when it could not be sent or the transport cannot send
  // yet (TCP: connection-bound sends come with the transaction layer).
  virtual bool send_to(const boost::asio::ip::address& /*peer*/, std::uint16_t /*port*/,
                       std::span<const std::uint8_t> /*bytes*/) {
    return false;
  }
  // The receive queue (UDP only; false for streams, whose backlog the kernel paces by TCP's window).
  virtual bool rx_queue(RxQueue& /*out*/) const { return false; }
};

// Binds and starts receiving. On failure returns nullptr and fills `error`.
std::unique_ptr<TransportListener> start_listener(boost::asio::io_context& io, const ListenerConfig& config,
                                                  ReceiveSink sink, Logger& log, Counters& counters,
                                                  std::error_code& error, UnreachableSink unreachable = {});

}  // namespace isupgw::sip
