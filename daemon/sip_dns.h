// RFC 3263 for the daemon (issue 18): c-ares on the loop (sip/dns_cares.h) and
// the resolver of every SIP trunk whose address is a host name
// (sip/rfc3263.h), configured by the dns section.
#pragma once

#include <memory>

#include "base/asio.h"

#include "base/asio_timer_service.h"
#include "config/loader.h"
#include "sip/dns_cares.h"
#include "sip/rfc3263.h"

namespace isupgw::daemon {

class SipDns {
 public:
  // nullptr (and no error) when no trunk needs DNS.
  static Result<std::unique_ptr<SipDns>, std::string> create(boost::asio::io_context& io,
                                                             const config::LoadedConfig& cfg, Clock& clock, Logger& log,
                                                             Counters& counters);
  sip::Rfc3263Resolver& resolver() { return *resolver_; }
  // ENUM (RFC 6116) under dns.enum_suffix with the same c-ares client.
  void enum_lookup(const std::string& e164, std::function<void(Result<std::string, std::string>)> done);

 private:
  SipDns(boost::asio::io_context& io) : timers_(io) {}
  AsioTimerService timers_;
  std::unique_ptr<sip::dns::CaresClient> client_;
  std::unique_ptr<sip::Rfc3263Resolver> resolver_;
  std::string enum_suffix_;
};

}  // namespace isupgw::daemon
