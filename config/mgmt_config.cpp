// management: the REST/Prometheus listener (issue 16). Beyond loopback the API
// carries operator actions over the network: it must be encrypted and
// authenticated, so a non-loopback listener without TLS and a token is refused
// here, at the configuration check, not at the first request.
#include <arpa/inet.h>

#include <fstream>

#include "base/ip_address.h"
#include "config/validate.h"

namespace isupgw::config {

namespace {

bool loopback(const std::string& address) {
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, address.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

bool readable(const std::string& path) { return std::ifstream(path).good(); }

}  // namespace

Result<ManagementSettings, FieldError> build_management(const Management& m) {
  ManagementSettings s;
  auto fail = [](std::string path, std::string reason) { return Err(FieldError{std::move(path), std::move(reason)}); };
  if (!m.has_listen()) {
    if (!m.token_file().empty() || !m.tls_certificate().empty() || !m.tls_private_key().empty())
      return fail("management", "management needs 'listen' (address and port) for its other settings to apply");
    return s;
  }
  if (auto e = check_endpoint(m.listen(), "management.listen", true, false)) return Err(std::move(*e));
  s.enabled = true;
  s.address = m.listen().address();
  s.port = static_cast<std::uint16_t>(m.listen().port());
  if (m.tls_certificate().empty() != m.tls_private_key().empty())
    return fail(m.tls_certificate().empty() ? "management.tls_private_key" : "management.tls_certificate",
                "TLS needs both tls_certificate and tls_private_key");
  if (!m.tls_certificate().empty() && !readable(m.tls_certificate()))
    return fail("management.tls_certificate", "cannot read '" + m.tls_certificate() + "'");
  if (!m.tls_private_key().empty() && !readable(m.tls_private_key()))
    return fail("management.tls_private_key", "cannot read '" + m.tls_private_key() + "'");
  s.tls_certificate = m.tls_certificate();
  s.tls_private_key = m.tls_private_key();
  if (!m.token_file().empty()) {
    std::ifstream f(m.token_file());
    if (!f) return fail("management.token_file", "cannot read '" + m.token_file() + "'");
    std::getline(f, s.token);
    while (!s.token.empty() && (s.token.back() == '\r' || s.token.back() == ' ' || s.token.back() == '\t'))
      s.token.pop_back();
    if (s.token.size() < 16)
      return fail("management.token_file", "the token in '" + m.token_file() + "' is shorter than 16 characters");
    for (const char c : s.token)
      if (c <= ' ' || c > '~')
        return fail("management.token_file", "the token must be printable ASCII without spaces (RFC 6750 2.1)");
  }
  if (!loopback(s.address) && (s.tls_certificate.empty() || s.token.empty()))
    return fail("management.listen", "a management listener beyond loopback (" + s.address +
                                         ") needs TLS (tls_certificate, tls_private_key) and a token (token_file)");
  if (m.max_connections() != 0) s.max_connections = m.max_connections();
  if (m.max_connections() > 4096) return fail("management.max_connections", "max_connections must be at most 4096");
  if (m.max_body_bytes() != 0) s.max_body_bytes = m.max_body_bytes();
  if (m.max_body_bytes() > 16 * 1024 * 1024)
    return fail("management.max_body_bytes", "max_body_bytes must be at most 16777216");
  if (m.idle_timeout_ms() != 0) s.idle_timeout = std::chrono::milliseconds(m.idle_timeout_ms());
  return s;
}

}  // namespace isupgw::config
