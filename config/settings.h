// The configuration as values: what the loader parsed and checked once --
// point codes, CIC ranges, endpoints, endpoint patterns, address blocks, with
// their defaults -- in the types the stacks take (LoadedConfig::settings).
// Ss7Stack, SimExchange, MediaStack and the call engine build from these and
// never read the configuration's strings again.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/ip_address.h"
#include "cdr/cdr_writer.h"
#include "isup/isup_cc_config.h"
#include "isup/screening.h"
#include "media-gw/endpoint_map.h"
#include "media-gw/h248_client.h"
#include "media-gw/mgcp_client.h"
#include "media-gw/mgcp_udp_config.h"
#include "sigtran/m2pa_link.h"
#include "sigtran/m3ua_link.h"
#include "sigtran/mtp3_linkset.h"
#include "sigtran/point_code.h"
#include "sigtran/transport_spec.h"
#include "sip/digest.h"
#include "sip/source_guard.h"
#include "sip/tls_options.h"

namespace isupgw::config {

// ss7.m3ua_links[]: one association under the MTP3 service.
struct M3uaLinkSettings {
  sigtran::TransportSpec transport;  // a server's allowed peers (issue 23)
  sigtran::m3ua::LinkConfig link;    // name, role, routing contexts, traffic mode, ASP identifier, BEAT, guards
};

// ss7.routes[]: the M3UA links towards a DPC, or the default route.
struct M3uaRouteSettings {
  std::optional<std::uint32_t> dpc;  // nullopt: the default route
  std::vector<std::size_t> links;    // indexes into Ss7Settings::m3ua_links, in preference order
  sigtran::m3ua::TrafficMode mode = sigtran::m3ua::TrafficMode::kOverride;
};

// ss7.linksets[]: M2PA links under MTP3 (issue 9).
struct LinkSetSettings {
  struct Link {
    sigtran::TransportSpec transport;
    sigtran::m2pa::LinkConfig link;  // name "<linkset>/<slc>", SLC, proving period
  };
  sigtran::mtp3::LinkSetConfig config;  // point codes, NI, destinations, MTP3 timers, restart
  std::vector<Link> links;
};

// ss7.simulated_exchanges[]: isup-peer's answering exchange behind an M3UA/TCP IPSP server.
struct SimulatedExchangeSettings {
  std::string name;
  sigtran::TransportSpec listen;  // TCP server
  std::uint32_t routing_context = 1;
  std::uint32_t opc = 0;                                                // the exchange's
  std::uint32_t dpc = 0;                                                // ours
  sigtran::PointCodeFormat format = sigtran::PointCodeFormat::kItu383;  // for logs
  std::vector<isup::CicRange> cics;
  std::chrono::milliseconds ring{1000};
};

struct Ss7Settings {
  sigtran::PointCodeFormat format = sigtran::PointCodeFormat::kItu383;
  std::vector<M3uaLinkSettings> m3ua_links;
  std::vector<M3uaRouteSettings> routes;
  std::vector<LinkSetSettings> linksets;
  std::vector<isup::TrunkGroupConfig> trunk_groups;  // name, point codes, NI, variant, CIC ranges, overlap
  unsigned grs_in_flight = 0;                        // 0: ISUP's default
  std::vector<SimulatedExchangeSettings> simulated_exchanges;
  isup::ScreeningConfig screening;  // ss7.isup_maintenance_* (issue 23)
  bool origin_check = true;         // !ss7.accept_any_origin (issue 23)
};

// media_gateways[]: one MGCP association.
struct MediaGatewaySettings {
  mediagw::UdpConfig udp;
  mediagw::ClientConfig client;  // MG name, keepalive endpoint and interval, retransmission
  bool h248 = false;             // protocol: h248 (issue 22); `h248_client` then replaces `client`
  mediagw::H248Config h248_client;
};

// A trunk group carried by a media gateway: where each circuit's media lives.
struct GroupMediaSettings {
  std::string trunk_group;
  std::string media_gateway;
  std::optional<mediagw::EndpointPattern> tdm;  // per-circuit endpoints
  std::string rtp_endpoint;                     // else one wildcard RTP endpoint ("rtpbridge/*@mgw")
  std::uint32_t pc_low = 0, pc_high = 0;        // the group's OPC and DPC, ordered (per-circuit Call-IDs)
};

struct MediaSettings {
  std::vector<MediaGatewaySettings> gateways;
  std::vector<GroupMediaSettings> groups;
};

// sip.trunks[]: the parsed access list (allowed_sources, or the trunk's address).
struct SipTrunkSettings {
  std::string name;
  std::vector<IpPrefix> allowed_sources;
  std::optional<sip::TlsOptions> tls;  // transport tls: merged with sip.tls (config/validate.cpp)
  // auth: credentials read from credentials_file at load (issue 18).
  struct Auth {
    std::string username, password;
    bool challenge = false;
    std::string realm;
    std::vector<sip::DigestAlgorithm> algorithms;
    std::string file;
    bool file_open_to_others = false;  // group/other may read it: warned at start
  };
  std::optional<Auth> auth;
};

// management: the REST/Prometheus listener (config/mgmt_config.cpp).
struct ManagementSettings {
  bool enabled = false;  // management.listen given
  std::string address;
  std::uint16_t port = 0;
  std::string token;  // read from token_file at load; empty: none asked for (loopback only)
  std::string tls_certificate, tls_private_key;
  std::uint32_t max_connections = 32;
  std::uint32_t max_body_bytes = 64 * 1024;
  std::chrono::milliseconds idle_timeout{10000};
};

// management.vty (issue 16): present = the VTY is served.
struct VtySettings {
  std::string address = "127.0.0.1";
  std::uint16_t port = 4290;
};

// radius (issue 17, config/radius_config.cpp): RFC 2866 accounting servers, tried in order.
struct RadiusSettings {
  struct Server {
    std::string address;
    std::uint16_t port = 1813;
  };
  std::vector<Server> servers;  // primary, then secondary
  std::string secret;
  std::chrono::milliseconds timeout{2000};
  unsigned retries = 3;
  std::string nas_identifier;
  std::string spool_file;  // empty: no spool (a request no server answered is lost)
  std::uint64_t spool_max_bytes = 16ull << 20;
  std::chrono::seconds interim_interval{0};  // 0: no Interim-Update
};

// trace (issue 17, config/trace_config.cpp): pcapng files, HEP export, calls kept in memory.
struct TraceSettings {
  std::string directory;
  std::string base_name = "trace";
  std::uint64_t rotate_bytes = 64ull << 20;
  std::int64_t rotate_interval_s = 3600;
  std::uint32_t max_files = 16;  // a ring: the oldest file goes when a new one would make more
  std::string hep_address;       // empty: no HEP
  std::uint16_t hep_port = 0;
  std::uint32_t hep_agent_id = 2001;
  std::uint32_t keep_calls = 1000;
};

// dns (issue 18, config/dns_config.cpp): the resolver of host-name trunks (RFC 3263).
struct DnsSettings {
  std::vector<std::string> servers;  // "127.0.0.1:5353", "[::1]:53"; empty: /etc/resolv.conf
  std::chrono::milliseconds timeout{1000};
  int tries = 2;
  std::chrono::milliseconds avoid{30000};
  std::chrono::milliseconds min_ttl{1000};
  std::chrono::milliseconds retry{5000};
  std::string enum_suffix = "e164.arpa";
};

// pri_spans[] (issue 21, config/pri_config.cpp): one PRI's D channel over IUA (we are the ASP) and its B
// channels on a media gateway.
struct PriSpanSettings {
  std::string name;
  sigtran::TransportSpec transport;                    // client towards the SG; PPID 1, port default 9900
  std::variant<std::uint32_t, std::string> interface;  // RFC 4233 3.1.3 integer or text identifier
  std::optional<std::uint32_t> asp_identifier;
  std::chrono::milliseconds beat{0};
  bool user_side = false;              // Q.931 side: network (default) or user
  bool trust_calling_number = false;   // Q.951 CLIP: the PBX's calling numbers passed as verified
  std::vector<std::uint8_t> channels;  // B channel numbers (E1 timeslots), ascending
  std::string media_gateway;           // empty: no media (signalling only)
  // Channel N's endpoint is the pattern's CIC N (one span, first CIC 1: timeslot N of E1 mg_span).
  std::optional<mediagw::EndpointPattern> endpoints;
};

struct Settings {
  std::vector<PriSpanSettings> pri_spans;  // config/pri_config.cpp
  std::optional<RadiusSettings> radius;   // the radius section (config/radius_config.cpp); absent: none
  std::optional<TraceSettings> trace;     // the trace section; absent: no tracing
  std::optional<cdr::WriterOptions> cdr;  // the cdr section (config/cdr_config.cpp); absent: no CDRs
  Ss7Settings ss7;
  MediaSettings media;
  std::vector<SipTrunkSettings> sip_trunks;  // in sip.trunks order
  // sip.guard; listed: every trunk's allowed sources (issue 23).
  sip::SourceGuardConfig sip_guard;
  sip::TlsOptions sip_tls;  // sip.tls: the TLS listeners' context (issue 18)
  ManagementSettings management;
  std::optional<VtySettings> vty;  // config/vty_config.cpp
  DnsSettings dns;                 // config/dns_config.cpp
};

}  // namespace isupgw::config
