// One place that opens a SIGTRAN association's transport from a
// specification: kernel SCTP (RFC 4960; PPID 3 for M3UA, 5 for M2PA) or TCP
// (host tests, where the kernel has no SCTP). A server binds and listens at
// once, so a busy port is reported and an ephemeral port known before start().
// A server with allowed peers gets a PeerGuard (issue 23) that judges every
// connection it accepts.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/asio.h"
#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/result.h"
#include "sigtran/peer_guard.h"
#include "sigtran/transport.h"

namespace isupgw::sigtran {

struct TransportSpec {
  enum class Kind : std::uint8_t { kSctp, kTcp };
  Kind kind = Kind::kSctp;
  bool server = false;
  std::string address;        // server: bind address; client: the peer's address (an IP literal)
  std::uint16_t port = 0;     // server: 0 = ephemeral (tests)
  std::string local_address;  // SCTP client: bind here before connecting (empty = any)
  std::uint16_t local_port = 0;
  std::uint32_t ppid = 3;      // SCTP payload protocol identifier: 3 M3UA (RFC 4666), 5 M2PA (RFC 4165)
  std::uint16_t streams = 17;  // SCTP inbound and outbound streams (M3UA: 0 + 16 for DATA)
  // Server: who may connect (issue 23); nullopt: anyone. A connection while one
  // is established is refused either way.
  std::optional<std::vector<AllowedPeer>> allowed_peers;
  std::string name;  // the link's: names the guard's counters and log lines
  Subsystem subsystem = Subsystem::kM3ua;
};

struct OpenedTransport {
  std::unique_ptr<Transport> transport;
  std::uint16_t local_port = 0;  // a TCP server's bound port (the ephemeral one resolved), else spec.port
  // The transport's PeerGuard (spec.allowed_peers): must outlive the transport.
  std::unique_ptr<PeerGuard> guard;
};

// Errors read "cannot listen on ADDRESS:PORT: reason" ("on SCTP ..." for SCTP).
// `clock` times the guard's log throttle.
Result<OpenedTransport, std::string> open_transport(boost::asio::io_context& io, const TransportSpec& spec,
                                                    const Clock& clock, Logger& log, Counters& counters);

}  // namespace isupgw::sigtran
