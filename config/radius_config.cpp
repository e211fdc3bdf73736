// radius (issue 17): RFC 2866 accounting servers (daemon/radius_accounting.h).
#include <fstream>

#include "config/validate.h"

namespace isupgw::config {

Result<std::optional<RadiusSettings>, FieldError> build_radius(const Config& cfg) {
  if (!cfg.has_radius()) return std::optional<RadiusSettings>();
  const auto& r = cfg.radius();
  auto fail = [](std::string path, std::string reason) { return Err(FieldError{std::move(path), std::move(reason)}); };
  RadiusSettings o;
  if (r.servers_size() == 0) return fail("radius", "radius needs 'servers' (primary, optional secondary)");
  if (r.servers_size() > 2) return fail("radius.servers[2]", "at most two servers (primary, secondary)");
  for (int i = 0; i < r.servers_size(); ++i) {
    const std::string p = "radius.servers[" + std::to_string(i) + "]";
    if (auto e = check_endpoint(r.servers(i), p, true, true)) return Err(std::move(*e));
    o.servers.push_back({r.servers(i).address(), static_cast<std::uint16_t>(r.servers(i).port())});
  }
  if (r.secret_file().empty()) return fail("radius", "radius needs 'secret_file' (the shared secret, RFC 2865 3)");
  std::ifstream f(r.secret_file());
  if (!f) return fail("radius.secret_file", "cannot read '" + r.secret_file() + "'");
  std::getline(f, o.secret);
  if (!o.secret.empty() && o.secret.back() == '\r') o.secret.pop_back();
  if (o.secret.empty()) return fail("radius.secret_file", "the first line of '" + r.secret_file() + "' is empty");
  if (r.timeout_ms() != 0) {
    if (r.timeout_ms() < 10 || r.timeout_ms() > 60000)
      return fail("radius.timeout_ms", "timeout_ms must be between 10 and 60000");
    o.timeout = std::chrono::milliseconds(r.timeout_ms());
  }
  if (r.retries() != 0) {
    if (r.retries() > 10) return fail("radius.retries", "retries must be at most 10");
    o.retries = r.retries();
  }
  o.nas_identifier = !r.nas_identifier().empty() ? r.nas_identifier()
                     : cfg.node().name().empty() ? "isupgw"
                                                 : cfg.node().name();
  if (o.nas_identifier.size() > 253) return fail("radius.nas_identifier", "nas_identifier longer than 253 octets");
  o.spool_file = r.spool_file();
  if (r.spool_max_bytes() != 0) {
    if (r.spool_max_bytes() < 4096) return fail("radius.spool_max_bytes", "spool_max_bytes must be at least 4096");
    o.spool_max_bytes = r.spool_max_bytes();
  }
  // RFC 2869 2.1 advises at least 60 s between Interim-Updates; shorter ones serve tests.
  if (r.interim_interval_s() > 86400)
    return fail("radius.interim_interval_s", "interim_interval_s must be at most 86400");
  o.interim_interval = std::chrono::seconds(r.interim_interval_s());
  return std::optional<RadiusSettings>(std::move(o));
}

}  // namespace isupgw::config
