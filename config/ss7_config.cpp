#include "config/ss7_config.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "base/ip_address.h"
#include "config/validate.h"
#include "sigtran/m2pa_codec.h"

namespace isupgw::config {

namespace {

std::optional<unsigned> parse_number(std::string_view s) {
  unsigned v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

sigtran::m3ua::Role role_of(M3uaRole r) {
  using sigtran::m3ua::Role;
  switch (r) {
    case M3UA_ROLE_SG: return Role::kSg;
    case M3UA_ROLE_IPSP_CLIENT: return Role::kIpspClient;
    case M3UA_ROLE_IPSP_SERVER: return Role::kIpspServer;
    case M3UA_ROLE_IPSP_DOUBLE: return Role::kIpspDouble;
    default: return Role::kAsp;
  }
}

std::optional<sigtran::m3ua::TrafficMode> mode_of(TrafficMode m) {
  using sigtran::m3ua::TrafficMode;
  switch (m) {
    case TRAFFIC_MODE_OVERRIDE: return TrafficMode::kOverride;
    case TRAFFIC_MODE_LOADSHARE: return TrafficMode::kLoadshare;
    case TRAFFIC_MODE_BROADCAST: return TrafficMode::kBroadcast;
    default: return std::nullopt;
  }
}

isup::Variant variant_of(IsupVariant v) {
  switch (v) {
    case ISUP_VARIANT_ANSI: return isup::Variant::kAnsi;
    case ISUP_VARIANT_ETSI: return isup::Variant::kEtsi;
    default: return isup::Variant::kItu;
  }
}

sigtran::TransportSpec::Kind kind_of(SigtranTransport t) {
  return t == SIGTRAN_TRANSPORT_TCP ? sigtran::TransportSpec::Kind::kTcp : sigtran::TransportSpec::Kind::kSctp;
}

// Builds Ss7Settings while checking; the first failure ends the build.
class Ss7Builder {
 public:
  explicit Ss7Builder(const Ss7& ss7) : ss7_(ss7) {
    out_.format = point_code_format(ss7);
    out_.grs_in_flight = ss7.grs_in_flight();
    if (ss7.isup_maintenance_per_second() != 0)
      out_.screening.maintenance_per_second = ss7.isup_maintenance_per_second();
    out_.screening.maintenance_burst = ss7.isup_maintenance_burst();
    out_.origin_check = !ss7.accept_any_origin();
  }

  Result<Ss7Settings, FieldError> build() {
    if (!m3ua_links() || !routes() || !linksets() || !trunk_groups() || !simulated_exchanges()) return Err(error_);
    return std::move(out_);
  }

 private:
  std::optional<std::uint32_t> pc(const std::string& text, const std::string& path) {
    auto v = sigtran::parse_point_code(text, out_.format);
    if (!v) {
      const char* name = out_.format == sigtran::PointCodeFormat::kAnsi888   ? "ansi 8-8-8"
                         : out_.format == sigtran::PointCodeFormat::kDecimal ? "decimal"
                                                                             : "itu 3-8-3";
      fail(path, "'" + text + "' is not a point code in the " + std::string(name) + " format");
      return std::nullopt;
    }
    return v->value;
  }

  bool endpoint(const Endpoint& e, const std::string& p, bool required, bool need_port) {
    if (auto err = check_endpoint(e, p, required, need_port)) {
      error_ = std::move(*err);
      return false;
    }
    return true;
  }

  // A listening link's allowed peers (issue 23): the listed blocks, else the
  // remote address (and port) when one is configured, else anyone.
  template <class List>
  bool allowed_peers(const List& list, const Endpoint& remote, const std::string& p, sigtran::TransportSpec& t) {
    std::vector<sigtran::AllowedPeer> out;
    for (int i = 0; i < list.size(); ++i) {
      auto net = IpPrefix::parse(list.Get(i));
      if (!net)
        return fail(p + ".allowed_peers[" + std::to_string(i) + "]",
                    "'" + list.Get(i) + "' is not an address or address/prefix-length");
      out.push_back({*net, 0});
    }
    if (out.empty() && !remote.address().empty()) {
      auto net = IpPrefix::parse(remote.address());
      if (!net) return fail(p + ".remote.address", "'" + remote.address() + "' is not an IP address");
      out.push_back({*net, static_cast<std::uint16_t>(remote.port())});
    }
    if (!out.empty()) t.allowed_peers = std::move(out);
    return true;
  }

  // SCTP multi-homing (issue 19): a link's local_addresses / remote_addresses,
  // checked (SCTP only, instead of the single address, IP literals, no
  // wildcard, no duplicate, one family for the whole association) and copied
  // into `t` (t.kind, t.server, t.address, t.local_address already set).
  template <class Link>
  bool multihoming(const Link& l, const std::string& p, sigtran::TransportSpec& t) {
    if (l.local_addresses().empty() && l.remote_addresses().empty()) return true;
    const char* which = l.local_addresses().empty() ? "remote_addresses" : "local_addresses";
    if (t.kind != sigtran::TransportSpec::Kind::kSctp)
      return fail(p + "." + which, std::string(which) + " is for SCTP (multi-homing); a TCP connection has one address");
    std::optional<bool> v6;  // the association's family, from the first address seen
    auto family = [&](const std::string& a) { return a.find(':') != std::string::npos; };
    auto list = [&](const auto& in, const std::string& name, const std::string& single,
                    std::vector<std::string>& out) {
      if (in.empty()) {
        if (!single.empty()) v6 = v6.value_or(family(single));
        return true;
      }
      if (!single.empty())
        return fail(p + "." + name, "set " + std::string(name == "local_addresses" ? "local" : "remote") +
                                        ".address or " + name + ", not both");
      std::set<std::string> seen;
      for (int i = 0; i < in.size(); ++i) {
        const std::string& a = in.Get(i);
        const std::string ip = p + "." + name + "[" + std::to_string(i) + "]";
        auto host = IpPrefix::parse(a);
        if (!host || a.find('/') != std::string::npos)
          return fail(ip, "'" + a + "' is not an IPv4 or IPv6 address");
        if (std::all_of(host->addr.begin(), host->addr.end(), [](std::uint8_t o) { return o == 0; }))
          return fail(ip, "'" + a + "' is the wildcard address: list the addresses themselves");
        if (!seen.insert(ip_text({host->addr.data(), host->v6 ? 16u : 4u})).second)
          return fail(ip, "duplicate address '" + a + "'");
        if (v6 && *v6 != host->v6)
          return fail(ip, "'" + a + "' mixes IPv4 and IPv6 in one association (one family)");
        v6 = host->v6;
        out.push_back(a);
      }
      return true;
    };
    if (!list(l.local_addresses(), "local_addresses", l.local().address(), t.local_addresses)) return false;
    if (!list(l.remote_addresses(), "remote_addresses", l.remote().address(), t.remote_addresses)) return false;
    if (!t.local_addresses.empty()) (t.server ? t.address : t.local_address) = t.local_addresses.front();
    if (!t.remote_addresses.empty() && !t.server) t.address = t.remote_addresses.front();
    return true;
  }

  // A multi-homed server's default allowed peers: every address of the peer (with remote.port when set).
  template <class List>
  static void multihomed_peers(const List& list, const Endpoint& remote, sigtran::TransportSpec& t) {
    if (list.empty()) return;
    std::vector<sigtran::AllowedPeer> out;
    for (const auto& a : list)
      if (auto net = IpPrefix::parse(a)) out.push_back({*net, static_cast<std::uint16_t>(remote.port())});
    t.allowed_peers = std::move(out);
  }

  bool m3ua_links() {
    for (int i = 0; i < ss7_.m3ua_links_size(); ++i) {
      const auto& l = ss7_.m3ua_links(i);
      const std::string p = "ss7.m3ua_links[" + std::to_string(i) + "]";
      if (l.name().empty()) return fail(p, "link needs a 'name'");
      if (!links_.emplace(l.name(), out_.m3ua_links.size()).second)
        return fail(p + ".name", "duplicate link name '" + l.name() + "'");
      if (l.role() == M3UA_ROLE_UNSPECIFIED)
        return fail(p, "link needs a 'role' (asp, sg, ipsp_client, ipsp_server, ipsp_double)");
      if (l.transport() == SIGTRAN_TRANSPORT_UNSPECIFIED) return fail(p, "link needs a 'transport' (sctp, tcp)");
      const bool client = is_client_role(l.role());
      if (!endpoint(l.remote(), p + ".remote", client && l.remote_addresses().empty(), client)) return false;
      if (client && !l.remote_addresses().empty() && l.remote().port() == 0) return fail(p + ".remote", "remote needs a port");
      // A server may listen on port 0 (ephemeral; tests read the bound port from the log).
      if (!endpoint(l.local(), p + ".local", !client && l.local_addresses().empty(), false)) return false;

      M3uaLinkSettings s;
      const auto& ep = client ? l.remote() : l.local();
      s.transport.kind = kind_of(l.transport());
      s.transport.server = !client;
      s.transport.address = ep.address();
      s.transport.port = static_cast<std::uint16_t>(ep.port());
      if (client) {
        s.transport.local_address = l.local().address();
        s.transport.local_port = static_cast<std::uint16_t>(l.local().port());
      }
      if (!multihoming(l, p, s.transport)) return false;
      s.link.name = l.name();
      s.link.role = role_of(l.role());
      s.link.routing_contexts.assign(l.routing_contexts().begin(), l.routing_contexts().end());
      s.link.traffic_mode = mode_of(l.traffic_mode());
      if (l.asp_identifier() != 0) s.link.asp_identifier = l.asp_identifier();
      s.link.t_beat = std::chrono::milliseconds(l.beat_interval_ms());
      s.transport.name = l.name();
      if (!client) {
        // Issue 23: who may connect, what the peer must present, what it may send.
        if (!allowed_peers(l.allowed_peers(), l.remote(), p, s.transport)) return false;
        if (!s.transport.allowed_peers) multihomed_peers(l.remote_addresses(), l.remote(), s.transport);
        if (l.peer_asp_identifier() != 0) s.link.peer_asp_identifier = l.peer_asp_identifier();
        s.link.handshake_timeout = std::chrono::milliseconds(l.handshake_ms() != 0 ? l.handshake_ms() : 10000);
        const double mgmt = l.max_management_per_second() != 0 ? l.max_management_per_second() : 200;
        s.link.management_rate = {mgmt, 2 * mgmt};
        if (l.max_data_per_second() != 0)
          s.link.data_rate = {double(l.max_data_per_second()), 2.0 * l.max_data_per_second()};
      } else if (l.allowed_peers_size() > 0) {
        return fail(p + ".allowed_peers", "allowed_peers is for server links (sg, ipsp_server); a client connects out");
      }
      out_.m3ua_links.push_back(std::move(s));
    }
    return true;
  }

  bool routes() {
    for (int i = 0; i < ss7_.routes_size(); ++i) {
      const auto& r = ss7_.routes(i);
      const std::string p = "ss7.routes[" + std::to_string(i) + "]";
      M3uaRouteSettings s;
      if (r.dpc() == "default") {
        if (has_default_) return fail(p + ".dpc", "more than one default route");
        has_default_ = true;
      } else {
        s.dpc = pc(r.dpc(), p + ".dpc");
        if (!s.dpc) return false;
        if (!routed_.insert(*s.dpc).second) return fail(p + ".dpc", "duplicate route for " + r.dpc());
      }
      if (r.links().empty()) return fail(p, "route needs 'links'");
      for (int j = 0; j < r.links_size(); ++j) {
        auto it = links_.find(r.links(j));
        if (it == links_.end())
          return fail(p + ".links[" + std::to_string(j) + "]", "no M3UA link named '" + r.links(j) + "'");
        s.links.push_back(it->second);
      }
      s.mode = mode_of(r.traffic_mode()).value_or(sigtran::m3ua::TrafficMode::kOverride);
      out_.routes.push_back(std::move(s));
    }
    return true;
  }

  // ss7.linksets (issue 9): names, point codes, SLCs, endpoints; their DPCs count as routed.
  bool linksets() {
    std::set<std::string> names;
    for (int i = 0; i < ss7_.linksets_size(); ++i) {
      const auto& ls = ss7_.linksets(i);
      const std::string p = "ss7.linksets[" + std::to_string(i) + "]";
      if (ls.name().empty()) return fail(p, "link set needs a 'name'");
      if (!names.insert(ls.name()).second) return fail(p + ".name", "duplicate link set name '" + ls.name() + "'");
      if (ls.local_pc().empty() || ls.adjacent_pc().empty())
        return fail(p, "link set needs 'local_pc' and 'adjacent_pc'");
      LinkSetSettings s;
      auto& c = s.config;
      c.name = ls.name();
      c.variant = out_.format == sigtran::PointCodeFormat::kAnsi888 ? sigtran::mtp3::Variant::kAnsi
                                                                    : sigtran::mtp3::Variant::kItu;
      c.pc_format = out_.format;
      c.ni = network_indicator(ls.network_indicator());
      auto local = pc(ls.local_pc(), p + ".local_pc");
      if (!local) return false;
      c.local_pc = *local;
      auto adj = pc(ls.adjacent_pc(), p + ".adjacent_pc");
      if (!adj) return false;
      c.adjacent_pc = *adj;
      routed_.insert(*adj);
      for (int j = 0; j < ls.destinations_size(); ++j) {
        auto d = pc(ls.destinations(j), p + ".destinations[" + std::to_string(j) + "]");
        if (!d) return false;
        routed_.insert(*d);
        c.destinations.push_back(*d);
      }
      struct Timer {
        const char* field;
        std::uint32_t value, min, max;
        const char* clause;
        Clock::duration* into;
      };
      const Timer timers[] = {
          {"t1_changeover_ms", ls.t1_changeover_ms(), 500, 1200, "Q.704 16.8 T1", &c.t1_changeover},
          {"t2_changeover_ms", ls.t2_changeover_ms(), 700, 2000, "Q.704 16.8 T2", &c.t2_changeover},
          {"t4_changeback_ms", ls.t4_changeback_ms(), 800, 1200, "Q.704 16.8 T4", &c.t4_changeback},
          {"slt_t1_ms", ls.slt_t1_ms(), 4000, 12000, "Q.707 5.5 T1", &c.t1_slt},
          {"slt_t2_ms", ls.slt_t2_ms(), 30000, 90000, "Q.707 5.5 T2", &c.t2_slt},
          {"t19_ms", ls.t19_ms(), 67000, 69000, "Q.704 16.8 T19", &c.restart.t19},
          {"t20_ms", ls.t20_ms(), 59000, 61000, "Q.704 16.8 T20", &c.restart.t20},
          {"t21_ms", ls.t21_ms(), 63000, 65000, "Q.704 16.8 T21", &c.restart.t21},
      };
      for (const auto& t : timers) {
        if (t.value == 0) continue;  // the default
        if (t.value < t.min || t.value > t.max)
          return fail(p + "." + t.field, std::string(t.field) + " " + std::to_string(t.value) + " is outside " +
                                             t.clause + "'s range " + std::to_string(t.min) + ".." +
                                             std::to_string(t.max) + " ms");
        *t.into = std::chrono::milliseconds(t.value);
      }
      c.own_restart = ls.mtp_restart() != MTP_RESTART_ADJACENT;
      if (ls.links().empty()) return fail(p, "link set needs 'links'");
      if (ls.links_size() > 16) return fail(p + ".links", "at most 16 links in a link set (Q.704 2.3.5)");
      std::set<std::uint32_t> slcs;
      for (int j = 0; j < ls.links_size(); ++j) {
        const auto& l = ls.links(j);
        const std::string lp = p + ".links[" + std::to_string(j) + "]";
        if (l.slc() > 15) return fail(lp + ".slc", "SLC " + std::to_string(l.slc()) + " is out of range 0..15");
        if (!slcs.insert(l.slc()).second) return fail(lp + ".slc", "duplicate SLC " + std::to_string(l.slc()));
        if (l.transport() == SIGTRAN_TRANSPORT_UNSPECIFIED) return fail(lp, "link needs a 'transport' (sctp, tcp)");
        const bool client = !l.remote().address().empty() || !l.remote_addresses().empty();
        if (client && !endpoint(l.remote(), lp + ".remote", l.remote_addresses().empty(), true)) return false;
        if (!endpoint(l.local(), lp + ".local", !client && l.local_addresses().empty(), false)) return false;

        LinkSetSettings::Link link;
        const auto& ep = client ? l.remote() : l.local();
        auto& t = link.transport;
        t.kind = kind_of(l.transport());
        t.server = !client;
        t.address = ep.address();
        t.port = static_cast<std::uint16_t>(ep.port());
        if (t.kind == sigtran::TransportSpec::Kind::kSctp) {
          if (t.port == 0) t.port = sigtran::m2pa::kPort;
          t.ppid = sigtran::m2pa::kPpid;
          t.streams = 2;  // RFC 4165 1.3.3: link status on stream 0, user data on 1
          if (client) {
            t.local_address = l.local().address();
            t.local_port = static_cast<std::uint16_t>(l.local().port());
          }
        }
        if (!multihoming(l, lp, t)) return false;
        t.name = ls.name() + "/" + std::to_string(l.slc());
        if (!client && !allowed_peers(l.allowed_peers(), l.remote(), lp, t)) return false;
        if (client && l.allowed_peers_size() > 0)
          return fail(lp + ".allowed_peers", "allowed_peers is for listening links (no remote)");
        link.link.name = ls.name() + "/" + std::to_string(l.slc());
        link.link.slc = static_cast<std::uint8_t>(l.slc());
        if (ls.proving_ms() != 0) link.link.timers.t4n = std::chrono::milliseconds(ls.proving_ms());
        s.links.push_back(std::move(link));
      }
      out_.linksets.push_back(std::move(s));
    }
    return true;
  }

  // ISUP timers (issue 20): Q.764 Annex A Table A.1 ranges; 0 keeps the value already in `into`.
  bool isup_timers(const IsupTimers& t, const std::string& p, isup::IsupTimerConfig& into) {
    using std::chrono::milliseconds;
    struct Timer {
      const char* field;
      std::uint32_t value, min, max;
      const char* source;
      milliseconds* target;
    };
    constexpr std::uint32_t s = 1000, min = 60'000;
    const Timer timers[] = {
        {"t1_ms", t.t1_ms(), 15 * s, 60 * s, "Q.764 Table A.1 T1", &into.t1},
        {"t3_ms", t.t3_ms(), 1 * min, 5 * min, "the accepted T3 (Table A.1: 2 min)", &into.t3},
        {"t5_ms", t.t5_ms(), 5 * min, 15 * min, "Q.764 Table A.1 T5", &into.t5},
        {"t7_ms", t.t7_ms(), 20 * s, 30 * s, "Q.764 Table A.1 T7", &into.t7},
        {"t8_ms", t.t8_ms(), 10 * s, 15 * s, "Q.764 Table A.1 T8", &into.t8},
        {"t9_ms", t.t9_ms(), 90 * s, 180 * s, "Q.118 T9", &into.t9},
        {"t12_ms", t.t12_ms(), 15 * s, 60 * s, "Q.764 Table A.1 T12", &into.t12},
        {"t13_ms", t.t13_ms(), 5 * min, 15 * min, "Q.764 Table A.1 T13", &into.t13},
        {"t14_ms", t.t14_ms(), 15 * s, 60 * s, "Q.764 Table A.1 T14", &into.t14},
        {"t15_ms", t.t15_ms(), 5 * min, 15 * min, "Q.764 Table A.1 T15", &into.t15},
        {"t16_ms", t.t16_ms(), 15 * s, 60 * s, "Q.764 Table A.1 T16", &into.t16},
        {"t17_ms", t.t17_ms(), 5 * min, 15 * min, "Q.764 Table A.1 T17", &into.t17},
        {"t22_ms", t.t22_ms(), 15 * s, 60 * s, "Q.764 Table A.1 T22", &into.t22},
        {"t23_ms", t.t23_ms(), 5 * min, 15 * min, "Q.764 Table A.1 T23", &into.t23},
        {"t33_ms", t.t33_ms(), 12 * s, 15 * s, "Q.764 Table A.1 T33", &into.t33},
        {"t34_ms", t.t34_ms(), 2 * s, 4 * s, "Q.764 Table A.1 T34", &into.t34},
        {"t35_ms", t.t35_ms(), 15 * s, 20 * s, "Q.764 Table A.1 T35", &into.t35},
        {"tcra_ms", t.tcra_ms(), 5 * s, 60 * s, "the accepted T_CRA", &into.tcra},
        {"tcvt_ms", t.tcvt_ms(), 5 * s, 60 * s, "the accepted T_CVT", &into.tcvt},
    };
    for (const auto& x : timers) {
      if (x.value == 0) continue;  // the default (or the ss7-wide value)
      if (x.value < x.min || x.value > x.max)
        return fail(p + "." + x.field, std::string(x.field) + " " + std::to_string(x.value) + " is outside " + x.source +
                                           "'s range " + std::to_string(x.min) + ".." + std::to_string(x.max) + " ms");
      *x.target = milliseconds(x.value);
    }
    return true;
  }

  bool trunk_groups() {
    isup::IsupTimerConfig node_wide;  // checked once, even without trunk groups
    if (!isup_timers(ss7_.isup_timers(), "ss7.isup_timers", node_wide)) return false;
    std::set<std::string> names;
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<isup::CicRange>> used;
    for (int i = 0; i < ss7_.trunk_groups_size(); ++i) {
      const auto& g = ss7_.trunk_groups(i);
      const std::string p = "ss7.trunk_groups[" + std::to_string(i) + "]";
      if (g.name().empty()) return fail(p, "trunk group needs a 'name'");
      if (!names.insert(g.name()).second) return fail(p + ".name", "duplicate trunk group name '" + g.name() + "'");
      if (g.opc().empty()) return fail(p, "trunk group needs 'opc' (our point code)");
      if (g.dpc().empty()) return fail(p, "trunk group needs 'dpc' (the adjacent exchange)");
      auto opc = pc(g.opc(), p + ".opc");
      if (!opc) return false;
      auto dpc = pc(g.dpc(), p + ".dpc");
      if (!dpc) return false;
      if (!has_default_ && !routed_.count(*dpc))
        return fail(p + ".dpc", "no route to " + g.dpc() + " (add it to ss7.routes or add a default route)");
      if (g.cics().empty()) return fail(p, "trunk group needs 'cics' (e.g. \"1-31\")");
      isup::TrunkGroupConfig tg;
      tg.name = g.name();
      tg.opc = *opc;
      tg.dpc = *dpc;
      tg.ni = network_indicator(g.network_indicator());
      tg.variant = variant_of(g.variant());
      tg.overlap_incoming = g.overlap();
      tg.continuity_check = g.continuity_check();
      if (g.overload_response() == "olm")
        tg.overload_olm = true;
      else if (!g.overload_response().empty() && g.overload_response() != "rel")
        return fail(p + ".overload_response", "overload_response must be 'rel' or 'olm', not '" +
                                                  g.overload_response() + "'");
      if (!isup_timers(ss7_.isup_timers(), "ss7.isup_timers", tg.timers) ||
          !isup_timers(g.isup_timers(), p + ".isup_timers", tg.timers))
        return false;
      const unsigned max = max_cic(g.variant());
      auto& spans = used[{*opc, *dpc}];
      for (int j = 0; j < g.cics_size(); ++j) {
        const std::string cp = p + ".cics[" + std::to_string(j) + "]";
        auto span = parse_cic_range(g.cics(j), max);
        if (!span) return fail(cp, "'" + g.cics(j) + "' is not a CIC or CIC range within 0.." + std::to_string(max));
        for (const auto& s : spans)
          if (span->first <= s.last && s.first <= span->last)
            return fail(cp, "CICs " + g.cics(j) + " overlap another range between the same point codes");
        spans.push_back(*span);
        tg.cics.push_back(*span);
      }
      out_.trunk_groups.push_back(std::move(tg));
    }
    return true;
  }

  bool simulated_exchanges() {
    std::set<std::string> names;
    for (int i = 0; i < ss7_.simulated_exchanges_size(); ++i) {
      const auto& x = ss7_.simulated_exchanges(i);
      const std::string p = "ss7.simulated_exchanges[" + std::to_string(i) + "]";
      if (x.name().empty()) return fail(p, "simulated exchange needs a 'name'");
      if (!names.insert(x.name()).second) return fail(p + ".name", "duplicate simulated exchange '" + x.name() + "'");
      if (!endpoint(x.listen(), p + ".listen", true, false)) return false;
      if (x.opc().empty() || x.dpc().empty()) return fail(p, "simulated exchange needs 'opc' and 'dpc'");
      SimulatedExchangeSettings s;
      auto opc = pc(x.opc(), p + ".opc");
      if (!opc) return false;
      auto dpc = pc(x.dpc(), p + ".dpc");
      if (!dpc) return false;
      if (x.cics().empty()) return fail(p, "simulated exchange needs 'cics' (e.g. \"1-31\")");
      for (int j = 0; j < x.cics_size(); ++j) {
        auto span = parse_cic_range(x.cics(j), 4095);
        if (!span) return fail(p + ".cics[" + std::to_string(j) + "]", "'" + x.cics(j) + "' is not a CIC or CIC range");
        s.cics.push_back(*span);
      }
      s.name = x.name();
      s.listen.kind = sigtran::TransportSpec::Kind::kTcp;
      s.listen.server = true;
      s.listen.address = x.listen().address();
      s.listen.port = static_cast<std::uint16_t>(x.listen().port());
      s.routing_context = x.routing_context() == 0 ? 1 : x.routing_context();
      s.opc = *opc;
      s.dpc = *dpc;
      s.format = out_.format;
      s.ring = std::chrono::milliseconds(x.ring_ms() == 0 ? 1000 : x.ring_ms());
      out_.simulated_exchanges.push_back(std::move(s));
    }
    return true;
  }

  bool fail(const std::string& path, std::string reason) {
    error_ = FieldError{path, std::move(reason)};
    return false;
  }

  const Ss7& ss7_;
  Ss7Settings out_;
  FieldError error_;
  std::map<std::string, std::size_t> links_;  // M3UA link name -> index
  bool has_default_ = false;
  std::set<std::uint32_t> routed_;
};

}  // namespace

sigtran::PointCodeFormat point_code_format(const Ss7& ss7) {
  switch (ss7.point_code_format()) {
    case POINT_CODE_FORMAT_ANSI: return sigtran::PointCodeFormat::kAnsi888;
    case POINT_CODE_FORMAT_DECIMAL: return sigtran::PointCodeFormat::kDecimal;
    default: return sigtran::PointCodeFormat::kItu383;
  }
}

std::optional<isup::CicRange> parse_cic_range(std::string_view text, unsigned max) {
  auto dash = text.find('-');
  auto first = parse_number(text.substr(0, dash));
  auto last = dash == std::string_view::npos ? first : parse_number(text.substr(dash + 1));
  if (!first || !last || *first > *last || *last > max) return std::nullopt;
  return isup::CicRange(static_cast<std::uint16_t>(*first), static_cast<std::uint16_t>(*last));
}

unsigned max_cic(IsupVariant v) { return v == ISUP_VARIANT_ANSI ? 0x3fff : 0x0fff; }

std::uint8_t network_indicator(NetworkIndicator ni) {
  switch (ni) {
    case NETWORK_INDICATOR_INTERNATIONAL: return 0;
    case NETWORK_INDICATOR_INTERNATIONAL_SPARE: return 1;
    case NETWORK_INDICATOR_NATIONAL_SPARE: return 3;
    default: return 2;
  }
}

bool is_client_role(M3uaRole r) {
  return r == M3UA_ROLE_ASP || r == M3UA_ROLE_IPSP_CLIENT || r == M3UA_ROLE_IPSP_DOUBLE;
}

Result<Ss7Settings, FieldError> build_ss7(const Ss7& ss7) { return Ss7Builder(ss7).build(); }

}  // namespace isupgw::config
