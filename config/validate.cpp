#include "config/validate.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <tuple>

#include <sys/stat.h>

#include "base/ip_address.h"
#include "base/log.h"

namespace isupgw::config {

std::optional<FieldError> check_endpoint(const Endpoint& e, const std::string& p, bool required, bool need_port) {
  const std::string side = p.ends_with("remote") ? "remote" : "local";
  auto fail = [&](std::string path, std::string reason) {
    return std::optional<FieldError>(FieldError{std::move(path), std::move(reason)});
  };
  if (e.address().empty()) {
    if (!required) return std::nullopt;
    return fail(p, side + " needs an address (IPv4 or IPv6 literal)");
  }
  if (!valid_ip(e.address())) return fail(p + ".address", "'" + e.address() + "' is not an IPv4 or IPv6 address");
  if (e.port() > 65535) return fail(p + ".port", "port " + std::to_string(e.port()) + " is out of range 0..65535");
  if (need_port && e.port() == 0) return fail(p, side + " needs a port");
  return std::nullopt;
}

namespace {

class Validator {
 public:
  explicit Validator(const Config& cfg) : cfg_(cfg) {}

  Result<Settings, FieldError> run() {
    if (!check()) return Err(error_);
    return std::move(out_);
  }

 private:
  bool check() {
    const auto& cfg = cfg_;
    for (const auto& [name, level] : cfg.logging().subsystems()) {
      if (!subsystem_from_string(name))
        return fail("logging.subsystems." + name,
                    "unknown subsystem '" + name + "' (known: core, config, sip, isup, m3ua, mgcp, call)");
    }
    std::set<std::pair<Transport, std::string>> bound;
    for (int i = 0; i < cfg.sip().listeners_size(); ++i) {
      const auto& l = cfg.sip().listeners(i);
      const std::string p = "sip.listeners[" + std::to_string(i) + "]";
      if (l.transport() == TRANSPORT_UNSPECIFIED) return fail(p, "listener needs 'transport' (udp, tcp or tls)");
      if (l.transport() == TRANSPORT_TLS &&
          (cfg.sip().tls().certificate().empty() || cfg.sip().tls().private_key().empty()))
        return fail(p + ".transport", "a TLS listener needs sip.tls.certificate and sip.tls.private_key");
      if (l.address().empty()) return fail(p, "listener needs 'address' (an IPv4 or IPv6 literal)");
      if (!valid_ip(l.address())) return fail(p + ".address", "'" + l.address() + "' is not an IPv4 or IPv6 address");
      if (l.port() > 65535) return fail(p + ".port", "port " + std::to_string(l.port()) + " is out of range 0..65535");
      if (l.has_udp_receive_buffer()) {
        if (l.transport() != TRANSPORT_UDP)
          return fail(p + ".udp_receive_buffer", "udp_receive_buffer is for a udp listener");
        // Below 4 KiB not even one large SIP datagram fits; above 1 GiB is surely a unit mistake.
        if (l.udp_receive_buffer() < 4096 || l.udp_receive_buffer() > (1u << 30))
          return fail(p + ".udp_receive_buffer", "udp_receive_buffer " + std::to_string(l.udp_receive_buffer()) +
                                                     " is out of range 4096..1073741824 (bytes)");
      }
      if (l.port() != 0 && !bound.insert({l.transport(), l.address() + ":" + std::to_string(l.port())}).second)
        return fail(p, "duplicate listener " + l.address() + ":" + std::to_string(l.port()));
    }
    if (!check_tls_files(cfg.sip().tls(), "sip.tls")) return false;
    out_.sip_tls = tls_options(cfg.sip().tls(), SipTls{}, false);
    auto ss7 = build_ss7(cfg.ss7());
    if (!ss7) return fail(ss7.error());
    out_.ss7 = std::move(*ss7);
    if (!check_trunks(cfg.sip())) return false;
    auto pri = build_pri(cfg);  // before the routes, which name spans
    if (!pri) return fail(pri.error());
    out_.pri_spans = std::move(*pri);
    if (!check_routes(cfg)) return false;
    auto media = build_media(cfg, out_.ss7);
    if (!media) return fail(media.error());
    out_.media = std::move(*media);
    auto management = build_management(cfg.management());
    if (!management) return fail(management.error());
    out_.management = std::move(*management);
    auto vty = build_vty(cfg);
    if (!vty) return fail(vty.error());
    out_.vty = std::move(*vty);
    auto cdr = build_cdr(cfg);
    if (!cdr) return fail(cdr.error());
    out_.cdr = std::move(*cdr);
    auto trace = build_trace(cfg);
    if (!trace) return fail(trace.error());
    out_.trace = std::move(*trace);
    auto radius = build_radius(cfg);
    if (!radius) return fail(radius.error());
    out_.radius = std::move(*radius);
    if (auto e = check_admission(cfg)) return fail(*e);
    auto dns = build_dns(cfg);
    if (!dns) return fail(dns.error());
    out_.dns = std::move(*dns);
    if (cfg.runtime().shutdown_grace_ms() > 600000)
      return fail("runtime.shutdown_grace_ms", "shutdown_grace_ms must be at most 600000 (10 minutes)");
    return true;
  }

  // sip.trunks[].auth: the credentials file's first line "user:password" (issue 18).
  bool check_auth(const SipTrunk& t, const std::string& p, SipTrunkSettings& s) {
    const auto& a = t.auth();
    SipTrunkSettings::Auth out;
    out.challenge = a.challenge();
    out.realm = a.realm().empty() ? (cfg_.node().name().empty() ? "isupgw" : cfg_.node().name()) : a.realm();
    for (int i = 0; i < a.algorithms_size(); ++i) {
      auto alg = sip::digest_algorithm(a.algorithms(i));
      if (!alg)
        return fail(p + ".auth.algorithms[" + std::to_string(i) + "]",
                    "unknown algorithm '" + a.algorithms(i) + "' (SHA-256, MD5)");
      out.algorithms.push_back(*alg);
    }
    if (out.algorithms.empty()) out.algorithms = {sip::DigestAlgorithm::kSha256, sip::DigestAlgorithm::kMd5};
    if (a.credentials_file().empty()) return fail(p + ".auth", "auth needs a credentials_file (username:password)");
    std::ifstream in(a.credentials_file());
    if (!in) return fail(p + ".auth.credentials_file", "cannot read '" + a.credentials_file() + "'");
    std::string line;
    bool found = false;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty() || line[0] == '#') continue;
      const auto colon = line.find(':');
      if (colon == std::string::npos || colon == 0)
        return fail(p + ".auth.credentials_file", "'" + a.credentials_file() + "' must hold username:password");
      out.username = line.substr(0, colon);
      out.password = line.substr(colon + 1);
      found = true;
      break;
    }
    if (!found) return fail(p + ".auth.credentials_file", "'" + a.credentials_file() + "' holds no username:password");
    struct stat st {};
    out.file = a.credentials_file();
    out.file_open_to_others = ::stat(out.file.c_str(), &st) == 0 && (st.st_mode & 077) != 0;
    s.auth = std::move(out);
    return true;
  }

  // RFC 3261 26.2.1: the files are read at start; name one that cannot be.
  bool check_tls_files(const SipTls& t, const std::string& p) {
    auto readable = [](const std::string& f) { return std::ifstream(f).good(); };
    if (t.certificate().empty() != t.private_key().empty())
      return fail(p, "a TLS certificate needs its private_key (and a key its certificate)");
    if (!t.certificate().empty() && !readable(t.certificate()))
      return fail(p + ".certificate", "cannot read '" + t.certificate() + "'");
    if (!t.private_key().empty() && !readable(t.private_key()))
      return fail(p + ".private_key", "cannot read '" + t.private_key() + "'");
    if (!t.ca_file().empty() && !readable(t.ca_file()))
      return fail(p + ".ca_file", "cannot read '" + t.ca_file() + "'");
    return true;
  }

  // A trunk's own settings over sip.tls's (`fallback`); verify_peer's default depends on the role.
  static sip::TlsOptions tls_options(const SipTls& t, const SipTls& fallback, bool trunk) {
    sip::TlsOptions o;
    const bool own = !t.certificate().empty();
    o.certificate_file = own ? t.certificate() : fallback.certificate();
    o.private_key_file = own ? t.private_key() : fallback.private_key();
    o.ca_file = t.ca_file().empty() ? fallback.ca_file() : t.ca_file();
    o.verify_peer = t.has_verify_peer() ? t.verify_peer() : trunk;
    return o;
  }

  static bool all_digits(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  }

  bool check_trunks(const Sip& sip) {
    std::set<std::string> names;
    for (int i = 0; i < sip.trunks_size(); ++i) {
      const auto& t = sip.trunks(i);
      const std::string p = "sip.trunks[" + std::to_string(i) + "]";
      if (t.name().empty()) return fail(p, "SIP trunk needs a 'name'");
      if (!names.insert(t.name()).second) return fail(p + ".name", "duplicate SIP trunk name '" + t.name() + "'");
      if (t.address().empty())
        return fail(p, "SIP trunk needs an 'address' (IPv4 or IPv6 literal or host name of the peer)");
      const bool by_name = !valid_ip(t.address());
      if (by_name && !valid_host_name(t.address()))
        return fail(p + ".address", "'" + t.address() + "' is neither an IPv4/IPv6 address nor a host name");
      // RFC 3263 trunks: what is keyed by the trunk's address (credentials, TLS context, OPTIONS target)
      // is not resolved by this build.
      if (by_name && t.has_auth())
        return fail(p + ".auth", "auth with a host-name address is not supported by this build (use an IP address)");
      if (by_name && t.transport() == TRANSPORT_TLS)
        return fail(p + ".transport",
                    "tls with a host-name address is not supported by this build (use an IP address)");
      if (by_name && t.options_interval_ms() != 0)
        return fail(p + ".options_interval_ms",
                    "OPTIONS keepalive with a host-name address is not supported by this build (use an IP address)");
      if (t.port() > 65535) return fail(p + ".port", "port " + std::to_string(t.port()) + " is out of range 0..65535");
      SipTrunkSettings s;
      s.name = t.name();
      if (t.has_auth() && !check_auth(t, p, s)) return false;
      if (t.has_tls() && t.transport() != TRANSPORT_TLS) return fail(p + ".tls", "tls settings need transport: tls");
      if (t.transport() == TRANSPORT_TLS) {
        if (!check_tls_files(t.tls(), p + ".tls")) return false;
        s.tls = tls_options(t.tls(), sip.tls(), true);
        if (!t.tls().server_name().empty())
          s.tls->peer_identity = t.tls().server_name();
        else
          s.tls->peer_identity = t.domain().empty() ? t.address() : t.domain();
        if (s.tls->verify_peer && s.tls->ca_file.empty())
          return fail(p + ".tls", "verifying the peer (verify_peer, the default) needs a ca_file (here or in sip.tls)");
      }
      for (int j = 0; j < t.allowed_sources_size(); ++j) {
        auto net = IpPrefix::parse(t.allowed_sources(j));
        if (!net)
          return fail(p + ".allowed_sources[" + std::to_string(j) + "]",
                      "'" + t.allowed_sources(j) + "' is not an address or address/prefix-length");
        s.allowed_sources.push_back(*net);
      }
      // Without allowed_sources only the trunk's own address may send it calls (a host name: none).
      if (s.allowed_sources.empty() && !by_name) s.allowed_sources.push_back(*IpPrefix::parse(t.address()));
      const auto& np = t.number_plan();
      if (!all_digits(np.country_code()) || np.country_code().size() > 3)
        return fail(p + ".number_plan.country_code", "country code '" + np.country_code() + "' must be 1-3 digits");
      if (!all_digits(np.area_code()) || np.area_code().size() > 8)
        return fail(p + ".number_plan.area_code", "area code '" + np.area_code() + "' must be up to 8 digits");
      if (t.options_interval_ms() != 0 && t.options_interval_ms() < 1000)
        return fail(p + ".options_interval_ms", "options_interval_ms must be 0 (off) or at least 1000");
      // Issue 20: a 3xx followed at most this often per call (RFC 3261 8.1.3.4 leaves the limit to the UAC).
      if (t.max_redirects() != 0 && t.redirect() != SIP_REDIRECT_FOLLOW)
        return fail(p + ".max_redirects", "max_redirects needs redirect: follow");
      if (t.max_redirects() > 10)
        return fail(p + ".max_redirects", "max_redirects " + std::to_string(t.max_redirects()) + " is over 10");
      out_.sip_trunks.push_back(std::move(s));
    }
    sip_guard();
    return true;
  }

  // Issue 23: sources no trunk allows, judged before parsing (sip/source_guard.h).
  void sip_guard() {
    const auto& g = cfg_.sip().guard();
    auto& o = out_.sip_guard;
    for (const auto& t : out_.sip_trunks)
      o.listed.insert(o.listed.end(), t.allowed_sources.begin(), t.allowed_sources.end());
    auto rate = [](std::uint32_t v, RateLimit& r) {
      if (v != 0) r = {double(v), 2.0 * v};
    };
    rate(g.unlisted_per_second(), o.unlisted_per_source);
    rate(g.unlisted_total_per_second(), o.unlisted_total);
    if (g.connections_per_source() != 0) o.unlisted_connections_per_source = g.connections_per_source();
    if (g.connections_total() != 0) o.unlisted_connections_total = g.connections_total();
    if (g.idle_timeout_ms() != 0) o.unlisted_idle_timeout = std::chrono::milliseconds(g.idle_timeout_ms());
    if (g.tracked_sources() != 0) o.tracked_sources = g.tracked_sources();
  }

  bool check_routes(const Config& cfg) {
    std::set<std::string> trunks, groups;
    for (const auto& t : cfg.sip().trunks()) trunks.insert(t.name());
    for (const auto& g : cfg.ss7().trunk_groups()) groups.insert(g.name());
    std::set<std::string> spans;
    for (const auto& x : cfg.pri_spans()) spans.insert(x.name());
    std::set<std::tuple<std::string, std::string, std::string>> seen;
    for (int i = 0; i < cfg.routes_size(); ++i) {
      const auto& r = cfg.routes(i);
      const std::string p = "routes[" + std::to_string(i) + "]";
      if (!all_digits(r.prefix()))
        return fail(p + ".prefix", "route prefix '" + r.prefix() + "' must be digits only (\"\" matches every number)");
      if (!all_digits(r.rn_prefix()))
        return fail(p + ".rn_prefix", "route rn_prefix '" + r.rn_prefix() + "' must be digits only (a national routing number)");
      if (!r.from().empty() && !trunks.count(r.from()) && !groups.count(r.from()) && !spans.count(r.from()))
        return fail(p + ".from", "no SIP trunk, ISUP trunk group or PRI span named '" + r.from() + "'");
      if (!seen.insert({r.from(), r.prefix(), r.rn_prefix()}).second)
        return fail(p + ".prefix", "duplicate route for prefix '" + r.prefix() + "'" +
                                       (r.rn_prefix().empty() ? "" : " rn_prefix '" + r.rn_prefix() + "'") +
                                       (r.from().empty() ? "" : " from '" + r.from() + "'"));
      if (r.targets().empty()) return fail(p, "route needs 'targets' (sip_trunk or trunk_group)");
      for (int j = 0; j < r.targets_size(); ++j) {
        const auto& t = r.targets(j);
        const std::string tp = p + ".targets[" + std::to_string(j) + "]";
        const int kinds = !t.sip_trunk().empty() + !t.trunk_group().empty() + !t.pri_span().empty();
        if (kinds != 1) {
          if (t.pri_span().empty())
            return fail(tp, "route target needs exactly one of 'sip_trunk' and 'trunk_group'");
          return fail(tp, "route target needs exactly one of 'sip_trunk', 'trunk_group' and 'pri_span'");
        }
        if (!t.pri_span().empty() && !spans.count(t.pri_span()))
          return fail(tp + ".pri_span", "no PRI span named '" + t.pri_span() + "'");
        if (!t.sip_trunk().empty() && !trunks.count(t.sip_trunk()))
          return fail(tp + ".sip_trunk", "no SIP trunk named '" + t.sip_trunk() + "'");
        if (!t.trunk_group().empty() && !groups.count(t.trunk_group()))
          return fail(tp + ".trunk_group", "no ISUP trunk group named '" + t.trunk_group() + "'");
        if (!all_digits(t.prefix())) return fail(tp + ".prefix", "prefix '" + t.prefix() + "' must be digits only");
        if (t.strip() > 30) return fail(tp + ".strip", "strip must be at most 30 digits");
        if (t.enum_lookup() && t.sip_trunk().empty())
          return fail(tp + ".enum_lookup", "enum_lookup needs a sip_trunk (its transport and profile are used)");
      }
    }
    return true;
  }

  bool fail(std::string path, std::string reason) {
    error_ = FieldError{std::move(path), std::move(reason)};
    return false;
  }
  bool fail(FieldError e) {
    error_ = std::move(e);
    return false;
  }

  const Config& cfg_;
  Settings out_;
  FieldError error_;
};

}  // namespace

Result<Settings, FieldError> validate(const Config& cfg) { return Validator(cfg).run(); }

}  // namespace isupgw::config
