// One interface for the transports under M3UA: TCP with M3UA length framing
// (tests, labs) and kernel SCTP (production; PPID 3, stream 0 for management,
// SLS-based streams for DATA, RFC 4666 1.4.7). No Asio in this header.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace isupgw::sigtran {

class PeerGuard;

// One path of an SCTP association (RFC 4960 6.4 multi-homing): a peer address
// and whether heartbeats reach it; data goes on the primary path while it is active.
struct TransportPath {
  std::string address;
  bool active = false;
  bool primary = false;
};

class TransportHandler {
 public:
  virtual ~TransportHandler() = default;
  virtual void on_connected() = 0;
  // Exactly one complete M3UA message (framing is the transport's job).
  virtual void on_message(std::uint16_t stream, std::span<const std::uint8_t> message) = 0;
  virtual void on_disconnected(std::string_view reason) = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual void set_handler(TransportHandler* h) = 0;
  // Client: connect (again). Server: accept the next peer. Reports through the handler.
  virtual void start() = 0;
  // Queues one complete M3UA message; false if not connected or the queue is full.
  virtual bool send(std::uint16_t stream, std::span<const std::uint8_t> message) = 0;
  // Drops the current connection (the handler hears on_disconnected). start() reconnects.
  virtual void close() = 0;
  virtual bool connected() const = 0;
  // Outbound streams (1 for TCP: the stream number is ignored).
  virtual std::uint16_t streams() const = 0;
  // Listening transports: who may connect (sigtran/peer_guard.h; nullptr: anyone).
  // A connection arriving while one is established is refused either way, so the
  // peer's association is never displaced. Clients ignore it.
  virtual void set_peer_guard(PeerGuard* /*guard*/) {}
  // Ends the current connection as refused: what is queued (an ERR) goes out
  // first, and a listening transport goes on accepting. Clients: close().
  virtual void reject() { close(); }
  // SCTP: the association's paths, one per peer address (empty when not connected, and for TCP).
  virtual std::vector<TransportPath> paths() const { return {}; }
};

}  // namespace isupgw::sigtran
