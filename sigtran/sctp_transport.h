// M3UA over kernel SCTP (lksctp, RFC 4666 1.4.7): one-to-one style sockets,
// PPID 3 on every DATA chunk, stream 0 for management, the Link picks
// SLS-based streams >= 1 for DATA. A server, once started, keeps accepting and
// admits an association only when its PeerGuard allows the source and none is
// established; it aborts every other at once (issue 23). Readiness through Asio, I/O with
// sctp_sendmsg / sctp_recvmsg. Multi-homed (issue 19): bound to every local
// address (sctp_bindx), connected to every peer address (sctp_connectx), a
// listener admits an association only when the guard allows every one of its
// peer addresses; path changes are logged and counted. (Tested in a VM with SCTP; this machine's
// kernel has none, so here it is only compiled.)
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "base/asio.h"
#include "base/counters.h"
#include "base/log.h"
#include "sigtran/sctp_transport_paths.h"
#include "sigtran/transport.h"

namespace isupgw::sigtran {

struct SctpConfig {
  bool server = false;
  std::string address = "127.0.0.1";
  std::uint16_t port = 2905;
  // Client: bind here before connecting (0 = any). An SG matches a static ASP
  // by the association's source address and port (e.g. osmo-stp "asp NAME RPORT LPORT").
  std::string local_address;
  std::uint16_t local_port = 0;
  // Multi-homing (issue 19; empty: the single address above). local_addresses:
  // every local address, bound with sctp_bindx (server: port, client: local_port).
  // remote_addresses: the peer's (client: sctp_connectx to all); the first is
  // made the primary path (SCTP_PRIMARY_ADDR) once the association is up.
  std::vector<std::string> local_addresses;
  std::vector<std::string> remote_addresses;
  std::string name;  // the link's, in path log lines
  std::uint16_t out_streams = 17;  // stream 0 + 16 for DATA (SLS 0..15)
  std::uint16_t in_streams = 17;
  std::size_t max_queued = 100000;
  std::uint32_t ppid = 3;  // payload protocol identifier: 3 M3UA (RFC 4666), 5 M2PA (RFC 4165)
};

class SctpTransport final : public Transport {
 public:
  SctpTransport(boost::asio::io_context& io, SctpConfig cfg, Logger& log, Counters& counters);
  ~SctpTransport() override;

  std::error_code listen();

  void set_handler(TransportHandler* h) override { handler_ = h; }
  void start() override;
  bool send(std::uint16_t stream, std::span<const std::uint8_t> message) override;
  void close() override;
  bool connected() const override { return connected_; }
  std::uint16_t streams() const override { return streams_; }
  void set_peer_guard(PeerGuard* guard) override { guard_ = guard; }
  void reject() override;
  std::vector<TransportPath> paths() const override { return paths_.paths(); }

 private:
  int make_socket(int family, std::error_code& ec) const;
  int family() const;
  // The association on `fd` is up: its peer addresses into paths_, our primary set.
  void learn_paths(int fd);
  void on_path_change(const void* note);
  void accept_next();
  void admit(int fd, const void* peer, unsigned peer_len);
  void on_open(int fd);
  void wait_read();
  void flush();
  void drop(const std::string& reason);

  boost::asio::io_context& io_;
  SctpConfig cfg_;
  Logger& log_;
  Counter& rx_msgs_;
  Counter& tx_msgs_;
  Counter& bad_ppid_;
  Counter& queue_full_;
  Counter& refused_busy_;  // without a guard (tools); with one the guard counts
  PathTable paths_;        // counts sctp.path_down / sctp.path_up
  std::unique_ptr<boost::asio::posix::stream_descriptor> listener_;
  PeerGuard* guard_ = nullptr;
  bool accepting_ = false;       // server: started and not closed locally
  bool accept_pending_ = false;  // server: a wait for the next association is outstanding
  std::unique_ptr<boost::asio::posix::stream_descriptor> conn_;
  TransportHandler* handler_ = nullptr;
  bool connected_ = false;
  bool busy_ = false;
  bool wait_write_ = false;
  std::uint16_t streams_ = 1;
  std::uint64_t generation_ = 0;
  std::vector<std::uint8_t> rx_;
  std::vector<std::uint8_t> partial_;  // message spread over several reads (no MSG_EOR yet)
  std::deque<std::pair<std::uint16_t, std::vector<std::uint8_t>>> queue_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace isupgw::sigtran
