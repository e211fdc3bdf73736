// The HTTP/1.1 server (RFC 9112) on the gateway's own io_context: keep-alive,
// TLS (OpenSSL) when configured, and bounds on everything a client controls
// (header bytes and count, body bytes, connections, idle time). Requests beyond
// a bound get 4xx (400, 413, 431) and the connection is closed; connections
// beyond max_connections are closed at accept. Routes: router() (http/router.h).
#pragma once

#include "base/asio.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/counters.h"
#include "base/result.h"
#include "http/router.h"

namespace isupgw::http {

struct ServerConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: an ephemeral port (tests); port() tells
  // Both set: HTTPS (PEM files). Both empty: plain HTTP.
  std::string tls_certificate, tls_private_key;
  std::string token;  // empty: no Authorization asked for
  std::size_t max_connections = 32;
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_headers = 64;
  std::size_t max_body_bytes = 64 * 1024;
  std::chrono::milliseconds idle_timeout{10000};  // also bounds reading one request
};

class Server {
 public:
  Server(boost::asio::io_context& io, ServerConfig cfg, Counters& counters);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  Router& router() { return router_; }

  // Binds and starts accepting: the bound port, or the reason (naming the
  // address) it could not.
  Result<std::uint16_t, std::string> start();
  // Stops accepting and closes every connection.
  void stop();
  std::uint16_t port() const { return port_; }
  // "http://127.0.0.1:8080" ("https://..." with TLS; IPv6 in brackets).
  std::string url() const;

  struct State;  // shared with the connections (they may outlive a stop())

 private:
  void accept();

  ServerConfig cfg_;
  Router router_;
  std::shared_ptr<State> state_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
};

}  // namespace isupgw::http
