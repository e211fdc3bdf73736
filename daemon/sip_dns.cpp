#include "daemon/sip_dns.h"

#include "base/ip_address.h"
#include "config/sip_peer.h"
#include "sip/enum.h"

namespace isupgw::daemon {

Result<std::unique_ptr<SipDns>, std::string> SipDns::create(boost::asio::io_context& io,
                                                            const config::LoadedConfig& cfg, Clock& clock, Logger& log,
                                                            Counters& counters) {
  std::vector<sip::DnsTrunk> trunks;
  for (const auto& t : cfg.config.sip().trunks()) {
    if (valid_ip(t.address())) continue;
    trunks.push_back(
        {t.name(), t.address(), static_cast<std::uint16_t>(t.port()), config::sip_transport(t.transport())});
  }
  bool enum_routes = false;
  for (const auto& r : cfg.config.routes())
    for (const auto& t : r.targets()) enum_routes = enum_routes || t.enum_lookup();
  if (trunks.empty() && !enum_routes) return std::unique_ptr<SipDns>();
  const auto& s = cfg.settings.dns;
  sip::dns::CaresOptions co;
  co.servers = s.servers;
  co.timeout_ms = static_cast<int>(s.timeout.count());
  co.tries = s.tries;
  auto client = sip::dns::CaresClient::create(io, co);
  if (!client) return Err(client.error());
  std::unique_ptr<SipDns> d(new SipDns(io));
  d->client_ = std::move(*client);
  d->enum_suffix_ = s.enum_suffix;
  sip::Rfc3263Options ro;
  ro.avoid = s.avoid;
  ro.min_ttl = s.min_ttl;
  ro.retry = s.retry;
  d->resolver_ =
      std::make_unique<sip::Rfc3263Resolver>(*d->client_, d->timers_, clock, log, counters, ro, std::move(trunks));
  log.info(Subsystem::kSip, "dns_resolver", {{"servers", s.servers.empty() ? std::string("/etc/resolv.conf") : [&] {
                                                std::string all;
                                                for (const auto& x : s.servers) all += (all.empty() ? "" : ",") + x;
                                                return all;
                                              }()}});
  return d;
}

void SipDns::enum_lookup(const std::string& e164, std::function<void(Result<std::string, std::string>)> done) {
  sip::enum_::lookup(*client_, e164, enum_suffix_, std::move(done));
}

}  // namespace isupgw::daemon
