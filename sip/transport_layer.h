// The transport layer as the transaction layer sees it (RFC 3261 18): send
// one complete message to a peer, and know our own sent-by per transport.
// Received messages flow the other way: whoever owns the sockets hands each
// complete message (datagram, or one frame cut by sip/stream_framer) to
// UserAgent::receive(). MemoryTransportLayer lets unit tests and benchmarks
// run the whole stack without sockets.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sip/session_api.h"

namespace isupgw::sip {

class TransportLayer {
 public:
  virtual ~TransportLayer() = default;
  // Queues one message for `to` (UDP: one datagram; TCP/TLS: an existing
  // connection to that address and port is reused, else one is opened).
  // False when it cannot be sent (no listener for that transport, queue full).
  virtual bool send(const Peer& to, std::string_view bytes) = 0;
  // Host and port to put in Via sent-by and Contact (RFC 3261 18.1.1).
  virtual std::string local_host(Transport t) const = 0;
  virtual std::uint16_t local_port(Transport t) const = 0;
  // Streams (TCP/TLS) are reliable: no retransmission timers (17.1.1.2).
  static bool reliable(Transport t) { return t != Transport::kUdp; }
};

// Records what the stack sends; tests read `sent` and feed answers back.
class MemoryTransportLayer final : public TransportLayer {
 public:
  struct Sent {
    Peer to;
    std::string bytes;
  };
  explicit MemoryTransportLayer(std::string host = "192.0.2.1", std::uint16_t port = 5060)
      : host_(std::move(host)), port_(port) {}

  bool send(const Peer& to, std::string_view bytes) override {
    if (fail_sends) return false;
    sent.push_back(Sent{to, std::string(bytes)});
    return true;
  }
  std::string local_host(Transport) const override { return host_; }
  std::uint16_t local_port(Transport) const override { return port_; }

  std::vector<Sent> sent;
  bool fail_sends = false;

 private:
  std::string host_;
  std::uint16_t port_;
};

}  // namespace isupgw::sip
