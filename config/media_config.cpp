#include "config/media_config.h"

#include <algorithm>
#include <set>

#include "base/ip_address.h"
#include "config/validate.h"
#include "media-gw/endpoint_map.h"

namespace isupgw::config {

namespace {

std::string describe(mediagw::PatternError e) {
  using E = mediagw::PatternError;
  switch (e) {
    case E::kEmpty: return "empty";
    case E::kNoDomain: return "no @domain after the local name";
    case E::kUnknownPlaceholder:
      return "unknown placeholder (known: {span}, {timeslot}, {e1}, {ts}, {cic}, with :x for hex)";
    case E::kUnterminatedPlaceholder: return "unterminated placeholder";
    case E::kMissingSpan: return "missing {span} (or {cic} alone)";
    case E::kMissingTimeslot: return "missing {timeslot}";
    case E::kDuplicatePlaceholder: return "a placeholder appears twice";
    case E::kAdjacentPlaceholders:
      return "a placeholder followed by a digit or another placeholder cannot be read back";
    case E::kWildcard: return "wildcards are for RTP endpoints only (\"rtpbridge/*@mgw\")";
    case E::kMixedPlaceholders: return "{cic} names the endpoint alone, without {span} or {timeslot}";
    case E::kBadLayout: return "bad circuit layout";
  }
  return std::string(mediagw::to_string(e));
}

}  // namespace

std::string describe_pattern_error(mediagw::PatternError e) { return describe(e); }

bool is_wildcard(std::string_view endpoint) {
  const auto at = endpoint.find('@');
  const auto local = endpoint.substr(0, at);
  return local.find('*') != std::string_view::npos || local.find('$') != std::string_view::npos;
}

std::string domain_of(std::string_view endpoint) {
  const auto at = endpoint.rfind('@');
  return at == std::string_view::npos ? std::string() : std::string(endpoint.substr(at + 1));
}

namespace {

// What the AUEP keepalive audits for a group's endpoints: the per-circuit
// term made a wildcard ("rtpbridge/{cic:x}@mgw" -> "rtpbridge/*@mgw", which
// osmo-mgw answers; it refuses "*@mgw"), else the whole domain ("*@mg1").
std::string keepalive_for(std::string_view endpoints) {
  const std::string domain = domain_of(endpoints);
  std::string local(endpoints.substr(0, endpoints.rfind('@')));
  for (std::string_view cic : {"{cic}", "{cic:x}"}) {
    const auto at = local.find(cic);
    const bool whole_term = at != std::string::npos && (at == 0 || local[at - 1] == '/') &&
                            (at + cic.size() == local.size() || local[at + cic.size()] == '/');
    if (whole_term) return local.replace(at, cic.size(), "*") + "@" + domain;
  }
  return "*@" + domain;
}

std::uint32_t lowest_cic(const isup::TrunkGroupConfig& g) {
  std::uint32_t low = 0;
  for (const auto& r : g.cics)
    if (low == 0 || r.first < low) low = r.first;
  return low == 0 ? 1 : low;
}

Result<MediaSettings, FieldError> fail(std::string path, std::string reason) {
  return Err(FieldError{std::move(path), std::move(reason)});
}

}  // namespace

Result<MediaSettings, FieldError> build_media(const Config& cfg, const Ss7Settings& ss7) {
  MediaSettings out;
  std::set<std::string> names;
  std::set<std::string> h248_names;  // media gateways with protocol: h248
  for (int i = 0; i < cfg.media_gateways_size(); ++i) {
    const auto& mg = cfg.media_gateways(i);
    const std::string p = "media_gateways[" + std::to_string(i) + "]";
    if (mg.name().empty()) return fail(p, "media gateway needs a 'name'");
    if (!names.insert(mg.name()).second) return fail(p + ".name", "duplicate media gateway '" + mg.name() + "'");
    if (mg.address().address().empty())
      return fail(p, "media gateway '" + mg.name() + "' needs 'address' (the MG's IP literal and port)");
    if (!valid_ip(mg.address().address()))
      return fail(p + ".address.address", "'" + mg.address().address() + "' is not an IPv4 or IPv6 address");
    if (mg.address().port() > 65535) return fail(p + ".address.port", "port out of range 0..65535");
    if (!mg.local().address().empty() && !valid_ip(mg.local().address()))
      return fail(p + ".local.address", "'" + mg.local().address() + "' is not an IPv4 or IPv6 address");
    if (mg.local().port() > 65535) return fail(p + ".local.port", "port out of range 0..65535");
    if (mg.max_rto_ms() != 0 && mg.max_rto_ms() < mg.initial_rto_ms())
      return fail(p + ".max_rto_ms", "max_rto_ms must not be below initial_rto_ms");
    if (mg.max_retransmissions() > 20)
      return fail(p + ".max_retransmissions", "max_retransmissions must be at most 20");
    const bool h248 = mg.protocol() == "h248";
    if (!mg.protocol().empty() && !h248 && mg.protocol() != "mgcp")
      return fail(p + ".protocol", "protocol '" + mg.protocol() + "' is not mgcp or h248");
    if (h248) h248_names.insert(mg.name());
    // Our mId (H.248.1 7.2.8, B.2) is the address the MG sends to: it is named, never guessed from the MG's own.
    if (h248 && (mg.local().address().empty() || mg.local().address() == "0.0.0.0" || mg.local().address() == "::"))
      return fail(mg.local().address().empty() ? p : p + ".local.address",
                  "media gateway '" + mg.name() +
                      "' speaks h248: it needs 'local.address', our address towards it (the mId of our messages)");
    if (h248 && !mg.keepalive_endpoint().empty())
      return fail(p + ".keepalive_endpoint", "an h248 media gateway is audited on ROOT: no keepalive_endpoint");
    if (!mg.keepalive_endpoint().empty() && mg.keepalive_endpoint().find('@') == std::string::npos)
      return fail(p + ".keepalive_endpoint", "endpoint '" + mg.keepalive_endpoint() + "' has no @domain");

    MediaGatewaySettings s;
    s.udp.mg_address = mg.address().address();
    // RFC 3435 3.5: MGs listen on 2427; H.248.1 D.1: 2944 for the text encoding.
    const std::uint16_t default_port = h248 ? 2944 : 2427;
    s.udp.mg_port = static_cast<std::uint16_t>(mg.address().port() == 0 ? default_port : mg.address().port());
    s.udp.local_address = mg.local().address().empty()
                              ? (mg.address().address().find(':') != std::string::npos ? "::" : "0.0.0.0")
                              : mg.local().address();
    s.udp.local_port = static_cast<std::uint16_t>(mg.local().port());
    // The keepalive audits the MG's domain unless told which endpoint to use.
    std::string keepalive = mg.keepalive_endpoint();
    if (keepalive.empty()) {
      for (const auto& g : cfg.ss7().trunk_groups())
        if (g.media_gateway() == mg.name()) {
          keepalive = keepalive_for(g.endpoints());
          break;
        }
      if (keepalive.empty()) keepalive = "*@" + mg.name();
    }
    auto& cc = s.client;
    cc.mg_name = mg.name();
    cc.keepalive_endpoint = keepalive;
    cc.keepalive_interval = std::chrono::milliseconds(mg.keepalive_ms() == 0 ? 10000 : mg.keepalive_ms());
    if (mg.initial_rto_ms() != 0) cc.initial_rto = std::chrono::milliseconds(mg.initial_rto_ms());
    if (mg.max_rto_ms() != 0) cc.max_rto = std::chrono::milliseconds(mg.max_rto_ms());
    if (mg.max_retransmissions() != 0) cc.max_retransmissions = mg.max_retransmissions();
    if (h248) {
      s.h248 = true;
      auto& hc = s.h248_client;
      hc.mg_name = cc.mg_name;
      hc.keepalive_interval = cc.keepalive_interval;
      hc.initial_rto = cc.initial_rto;
      hc.max_rto = cc.max_rto;
      hc.max_retransmissions = cc.max_retransmissions;
      // hc.mid: "[local address]:port", set when the socket is bound (daemon/media_stack.cpp).
    }
    out.gateways.push_back(std::move(s));
  }
  for (int i = 0; i < cfg.ss7().trunk_groups_size(); ++i) {
    const auto& g = cfg.ss7().trunk_groups(i);
    const std::string p = "ss7.trunk_groups[" + std::to_string(i) + "]";
    if (g.continuity_check() && (g.media_gateway().empty() || is_wildcard(g.endpoints())))
      return fail(p + ".continuity_check",
                  "continuity_check needs the circuits' TDM endpoints ('media_gateway' and an endpoint pattern)");
    if (g.media_gateway().empty()) {
      if (!g.endpoints().empty())
        return fail(p + ".endpoints", "'endpoints' needs 'media_gateway' (which MG carries the circuits)");
      continue;
    }
    if (!names.count(g.media_gateway()))
      return fail(p + ".media_gateway", "unknown media gateway '" + g.media_gateway() + "'");
    if (g.endpoints().empty())
      return fail(p, "trunk group '" + g.name() +
                         "' needs 'endpoints' (\"ds/e1-{span}/{timeslot}@mg1\" or \"rtpbridge/*@mgw\")");
    GroupMediaSettings s;
    s.trunk_group = g.name();
    s.media_gateway = g.media_gateway();
    const bool h248 = h248_names.count(g.media_gateway()) != 0;
    if (h248 && (is_wildcard(g.endpoints()) || g.endpoints().find('@') != std::string::npos))
      return fail(p + ".endpoints", "media gateway '" + g.media_gateway() +
                                        "' speaks h248: 'endpoints' is a termination pattern without @domain or "
                                        "wildcards, e.g. \"tdm/e1-{span}/{timeslot}\"");
    if (is_wildcard(g.endpoints())) {
      if (domain_of(g.endpoints()).empty())
        return fail(p + ".endpoints", "endpoint '" + g.endpoints() + "' has no @domain");
      s.rtp_endpoint = g.endpoints();
    } else {
      const auto& tg = ss7.trunk_groups.at(static_cast<std::size_t>(i));  // build_ss7 kept every group, in order
      mediagw::TrunkLayout layout;
      layout.first_cic = lowest_cic(tg);
      auto pattern = mediagw::EndpointPattern::parse(g.endpoints(), layout, !h248);
      if (!pattern)
        return fail(p + ".endpoints", "endpoint pattern '" + g.endpoints() + "': " + describe(pattern.error()));
      s.tdm = std::move(*pattern);
      s.pc_low = std::min(tg.opc, tg.dpc);
      s.pc_high = std::max(tg.opc, tg.dpc);
    }
    out.groups.push_back(std::move(s));
  }
  return out;
}

}  // namespace isupgw::config
