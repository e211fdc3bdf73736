// dns::Client on c-ares (Debian libc-ares-dev) driven by the Asio loop: c-ares
// tells which sockets it wants watched (ARES_OPT_SOCK_STATE_CB); each is waited
// on with async_wait and handed back to ares_process_fd, and a timer runs
// c-ares' own retransmission/timeout (ares_timeout). Nothing blocks the loop.
// The answer bytes are decoded by our own parser (dns_message.h), which keeps
// the TTLs that c-ares' SRV/NAPTR helpers drop.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/asio.h"

#include "sip/dns_client.h"

namespace isupgw::sip::dns {

struct CaresOptions {
  std::vector<std::string> servers;  // "127.0.0.1:5353", "[::1]:53"; empty: /etc/resolv.conf
  int timeout_ms = 1000;             // first try; c-ares doubles it per round
  int tries = 2;
};

class CaresClient final : public Client {
 public:
  // Fails with c-ares' reason (e.g. a server it cannot parse).
  static Result<std::unique_ptr<CaresClient>, std::string> create(boost::asio::io_context& io, const CaresOptions& opt);
  ~CaresClient() override;
  CaresClient(const CaresClient&) = delete;
  CaresClient& operator=(const CaresClient&) = delete;

  void query(const std::string& name, RrType type, Callback cb) override;

 private:
  struct Impl;
  explicit CaresClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace isupgw::sip::dns
