// M3UA over TCP (lab, tests, peers without SCTP): one connection, messages
// delimited by the M3UA length field (m3ua_framer.h). Client mode connects to
// a peer; server mode listens and serves one peer at a time: once started it
// keeps accepting, admits a connection only when its PeerGuard allows the
// source and no connection is established, and resets every other at once
// (issue 23). Writes are coalesced into one buffer, so sending allocates
// nothing in steady state.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "base/asio.h"
#include "base/counters.h"
#include "base/log.h"
#include "sigtran/m3ua_framer.h"
#include "sigtran/transport.h"

namespace isupgw::sigtran {

struct TcpConfig {
  bool server = false;
  std::string address = "127.0.0.1";  // server: bind address; client: peer address
  std::uint16_t port = 0;             // server: 0 = ephemeral (tests)
  std::size_t max_queued_bytes = 16 * 1024 * 1024;
};

class TcpTransport final : public Transport {
 public:
  TcpTransport(boost::asio::io_context& io, TcpConfig cfg, Logger& log, Counters& counters);
  ~TcpTransport() override;

  // Server: bind and listen now (so local_port() is known before start()).
  std::error_code listen();
  std::uint16_t local_port() const;

  void set_handler(TransportHandler* h) override { handler_ = h; }
  void start() override;
  bool send(std::uint16_t stream, std::span<const std::uint8_t> message) override;
  void close() override;
  bool connected() const override { return connected_; }
  std::uint16_t streams() const override { return 1; }
  void set_peer_guard(PeerGuard* guard) override { guard_ = guard; }
  void reject() override;

 private:
  void accept_next();
  void admit(boost::asio::ip::tcp::socket s);
  void on_open();
  void read();
  void write();
  void drop(const std::string& reason);

  boost::asio::io_context& io_;
  TcpConfig cfg_;
  Logger& log_;
  Counter& rx_bytes_;
  Counter& tx_bytes_;
  Counter& framing_errors_;
  Counter& queue_full_;
  Counter& refused_busy_;  // without a guard (tools); with one the guard counts
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_retry_;  // after an accept error (e.g. out of descriptors)
  PeerGuard* guard_ = nullptr;
  bool accepting_ = false;       // server: started and not closed locally
  bool accept_pending_ = false;  // server: an async_accept is outstanding
  std::unique_ptr<boost::asio::ip::tcp::socket> socket_;
  TransportHandler* handler_ = nullptr;
  bool connected_ = false;
  bool busy_ = false;  // connecting or accepting
  bool writing_ = false;
  bool reject_pending_ = false;   // reject() while a write is out: drop once it is done
  std::uint64_t generation_ = 0;  // bumps on every drop: stale completions are ignored
  m3ua::StreamFramer framer_;
  std::vector<std::uint8_t> rx_;
  std::vector<std::uint8_t> pending_;
  std::vector<std::uint8_t> in_flight_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace isupgw::sigtran
