#include "sigtran/transport_factory.h"

#include "sigtran/sctp_transport.h"
#include "sigtran/tcp_transport.h"

namespace isupgw::sigtran {

Result<OpenedTransport, std::string> open_transport(boost::asio::io_context& io, const TransportSpec& spec,
                                                    const Clock& clock, Logger& log, Counters& counters) {
  OpenedTransport out;
  out.local_port = spec.port;
  if (spec.server && spec.allowed_peers)
    out.guard = std::make_unique<PeerGuard>(
        PeerGuardConfig{.link = spec.name, .allowed = *spec.allowed_peers, .subsystem = spec.subsystem}, clock, log,
        counters);
  if (spec.kind == TransportSpec::Kind::kTcp) {
    TcpConfig tc;
    tc.server = spec.server;
    tc.address = spec.address;
    tc.port = spec.port;
    auto tcp = std::make_unique<TcpTransport>(io, tc, log, counters);
    tcp->set_peer_guard(out.guard.get());
    if (spec.server) {
      if (auto ec = tcp->listen())
        return Err("cannot listen on " + tc.address + ":" + std::to_string(tc.port) + ": " + ec.message());
      out.local_port = tcp->local_port();
    }
    out.transport = std::move(tcp);
    return out;
  }
  SctpConfig sc;
  sc.server = spec.server;
  sc.address = spec.address;
  sc.port = spec.port;
  if (!spec.server) {
    sc.local_address = spec.local_address;
    sc.local_port = spec.local_port;
  }
  sc.local_addresses = spec.local_addresses;
  sc.remote_addresses = spec.remote_addresses;
  sc.name = spec.name;
  sc.ppid = spec.ppid;
  sc.out_streams = sc.in_streams = spec.streams;
  auto sctp = std::make_unique<SctpTransport>(io, sc, log, counters);
  sctp->set_peer_guard(out.guard.get());
  if (spec.server) {
    if (auto ec = sctp->listen())
      return Err("cannot listen on SCTP " + sc.address + ":" + std::to_string(sc.port) + ": " + ec.message());
  }
  out.transport = std::move(sctp);
  return out;
}

}  // namespace isupgw::sigtran
