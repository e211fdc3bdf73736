// management.vty (issue 16): where the VTY listens (the REST API's section: config/mgmt_config.cpp).
#include "base/ip_address.h"
#include "config/validate.h"

namespace isupgw::config {

Result<std::optional<VtySettings>, FieldError> build_vty(const Config& cfg) {
  if (!cfg.has_management() || !cfg.management().has_vty()) return std::optional<VtySettings>();
  const auto& v = cfg.management().vty();
  VtySettings out;
  if (!v.address().empty()) {
    if (!valid_ip(v.address()))
      return Err(FieldError{"management.vty.address", "'" + v.address() + "' is not an IPv4 or IPv6 address"});
    out.address = v.address();
  }
  if (v.has_port()) {
    if (v.port() > 65535)
      return Err(FieldError{"management.vty.port", "port " + std::to_string(v.port()) + " is out of range 0..65535"});
    out.port = static_cast<std::uint16_t>(v.port());
  }
  return std::optional<VtySettings>(out);
}

}  // namespace isupgw::config
