// dns (issue 18): the resolver of host-name trunks (RFC 3263, sip/rfc3263.h).
#include "base/ip_address.h"
#include "config/validate.h"

namespace isupgw::config {

bool valid_host_name(const std::string& s) {
  if (s.empty() || s.size() > 253 || valid_ip(s)) return false;
  std::size_t label = 0;
  bool all_digits = true;
  char prev = '.';
  for (char c : s) {
    if (c == '.') {
      if (label == 0 || prev == '-') return false;
      label = 0;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
      if (label == 0 && c == '-') return false;
      if (++label > 63) return false;
      if (c < '0' || c > '9') all_digits = false;
    } else {
      return false;
    }
    prev = c;
  }
  return label != 0 && prev != '-' && !all_digits;
}

Result<DnsSettings, FieldError> build_dns(const Config& cfg) {
  DnsSettings o;
  const auto& d = cfg.dns();
  auto fail = [](std::string path, std::string reason) { return Err(FieldError{std::move(path), std::move(reason)}); };
  for (int i = 0; i < d.servers_size(); ++i) {
    const std::string p = "dns.servers[" + std::to_string(i) + "]";
    if (auto e = check_endpoint(d.servers(i), p, true, false)) return Err(std::move(*e));
    const auto& e = d.servers(i);
    const std::string host = e.address().find(':') != std::string::npos ? "[" + e.address() + "]" : e.address();
    o.servers.push_back(host + ":" + std::to_string(e.port() != 0 ? e.port() : 53));
  }
  auto ms = [&](std::uint32_t v, const char* key, std::uint32_t lo, std::uint32_t hi,
                std::chrono::milliseconds& out) -> std::optional<FieldError> {
    if (v == 0) return std::nullopt;
    if (v < lo || v > hi)
      return FieldError{std::string("dns.") + key,
                        std::string(key) + " must be between " + std::to_string(lo) + " and " + std::to_string(hi)};
    out = std::chrono::milliseconds(v);
    return std::nullopt;
  };
  if (auto e = ms(d.timeout_ms(), "timeout_ms", 10, 30000, o.timeout)) return Err(std::move(*e));
  if (auto e = ms(d.avoid_ms(), "avoid_ms", 100, 3600000, o.avoid)) return Err(std::move(*e));
  if (auto e = ms(d.min_ttl_ms(), "min_ttl_ms", 100, 3600000, o.min_ttl)) return Err(std::move(*e));
  if (auto e = ms(d.retry_ms(), "retry_ms", 100, 3600000, o.retry)) return Err(std::move(*e));
  if (!d.enum_suffix().empty()) {
    if (!valid_host_name(d.enum_suffix()))
      return fail("dns.enum_suffix", "'" + d.enum_suffix() + "' is not a domain name");
    o.enum_suffix = d.enum_suffix();
  }
  if (d.tries() != 0) {
    if (d.tries() > 10) return fail("dns.tries", "tries must be at most 10");
    o.tries = static_cast<int>(d.tries());
  }
  return o;
}

}  // namespace isupgw::config
