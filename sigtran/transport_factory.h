// One place that opens a SIGTRAN association's transport from a
// specification: kernel SCTP (RFC 4960; PPID 3 for M3UA, 5 for M2PA) or TCP
// (host tests, where the kernel has no SCTP). A server binds and listens at
// once, so a busy port is reported and an ephemeral port known before start().
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/asio.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/result.h"
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
};

struct OpenedTransport {
  std::unique_ptr<Transport> transport;
  std::uint16_t local_port = 0;  // a TCP server's bound port (the ephemeral one resolved), else spec.port
};

// Errors read "cannot listen on ADDRESS:PORT: reason" ("on SCTP ..." for SCTP).
Result<OpenedTransport, std::string> open_transport(boost::asio::io_context& io, const TransportSpec& spec, Logger& log,
                                                    Counters& counters);

}  // namespace isupgw::sigtran
