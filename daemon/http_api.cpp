#include "daemon/http_api.h"

#include "mgmt/rest_api.h"

namespace isupgw::daemon {

Result<std::unique_ptr<http::Server>, std::string> start_management(boost::asio::io_context& io,
                                                                    const config::ManagementSettings& s,
                                                                    mgmt::Model& model, Logger& log,
                                                                    Counters& counters) {
  if (!s.enabled) return std::unique_ptr<http::Server>();
  http::ServerConfig cfg;
  cfg.address = s.address;
  cfg.port = s.port;
  cfg.tls_certificate = s.tls_certificate;
  cfg.tls_private_key = s.tls_private_key;
  cfg.token = s.token;
  cfg.max_connections = s.max_connections;
  cfg.max_body_bytes = s.max_body_bytes;
  cfg.idle_timeout = s.idle_timeout;
  auto server = std::make_unique<http::Server>(io, std::move(cfg), counters);
  mgmt::register_rest_api(server->router(), model);
  auto port = server->start();
  if (!port) return Err(port.error());
  log.notice(Subsystem::kCore, "management",
             {{"url", server->url()},
              {"tls", s.tls_certificate.empty() ? "off" : "on"},
              {"token", s.token.empty() ? "off" : "on"}});
  return server;
}

}  // namespace isupgw::daemon
