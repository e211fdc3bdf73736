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
#include "sigtran/transport_spec.h"

namespace isupgw::sigtran {

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
