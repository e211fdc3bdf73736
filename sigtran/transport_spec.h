// What a SIGTRAN association's transport is (kernel SCTP or TCP, server or
// client, addresses, allowed peers), apart from opening it
// (transport_factory.h): the configuration's settings carry it without Asio.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/log.h"
#include "sigtran/peer_guard.h"

namespace isupgw::sigtran {

struct TransportSpec {
  enum class Kind : std::uint8_t { kSctp, kTcp };
  Kind kind = Kind::kSctp;
  bool server = false;
  std::string address;        // server: bind address; client: the peer's address (an IP literal)
  std::uint16_t port = 0;     // server: 0 = ephemeral (tests)
  std::string local_address;  // SCTP client: bind here before connecting (empty = any)
  std::uint16_t local_port = 0;
  // SCTP multi-homing (RFC 4960 6.4, issue 19); empty: the single address above.
  // local_addresses: every local address (bound with sctp_bindx; server: the
  // first is `address`, client: the first is `local_address`). remote_addresses:
  // every address of the peer (client: sctp_connectx to all, the first is
  // `address` and the primary path; server: the primary path once one is up).
  std::vector<std::string> local_addresses;
  std::vector<std::string> remote_addresses;
  std::uint32_t ppid = 3;      // SCTP payload protocol identifier: 3 M3UA (RFC 4666), 5 M2PA (RFC 4165)
  std::uint16_t streams = 17;  // SCTP inbound and outbound streams (M3UA: 0 + 16 for DATA)
  // Server: who may connect (issue 23); nullopt: anyone. A connection while one
  // is established is refused either way.
  std::optional<std::vector<AllowedPeer>> allowed_peers;
  std::string name;  // the link's: names the guard's counters and log lines
  Subsystem subsystem = Subsystem::kM3ua;
};

}  // namespace isupgw::sigtran
