// The semantic checks after the YAML is on the schema, each building the typed
// Settings as it goes (one parse per string). A failure names the field path
// ("ss7.trunk_groups[0].opc"); the loader turns it into FILE:LINE: reason.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "config/config.pb.h"
#include "config/settings.h"

namespace isupgw::config {

struct FieldError {
  std::string path;
  std::string reason;
};

Result<Settings, FieldError> validate(const Config& cfg);

// `p` is the endpoint's path ("ss7.m3ua_links[0].remote"); required: the address must be given.
std::optional<FieldError> check_endpoint(const Endpoint& e, const std::string& p, bool required, bool need_port);

// The sections, in the order validate() checks them (config/ss7_config.cpp, config/media_config.cpp).
Result<Ss7Settings, FieldError> build_ss7(const Ss7& ss7);
Result<MediaSettings, FieldError> build_media(const Config& cfg, const Ss7Settings& ss7);
Result<ManagementSettings, FieldError> build_management(const Management& m);
Result<std::optional<VtySettings>, FieldError> build_vty(const Config& cfg);
Result<std::optional<cdr::WriterOptions>, FieldError> build_cdr(const Config& cfg);
Result<std::optional<TraceSettings>, FieldError> build_trace(const Config& cfg);
Result<std::optional<RadiusSettings>, FieldError> build_radius(const Config& cfg);
// The admission limits of SIP trunks and ISUP trunk groups (config/admission_config.cpp).
std::optional<FieldError> check_admission(const Config& cfg);
Result<DnsSettings, FieldError> build_dns(const Config& cfg);
// pri_spans (issue 21, config/pri_config.cpp); media gateways' names are checked against cfg.media_gateways.
Result<std::vector<PriSpanSettings>, FieldError> build_pri(const Config& cfg);
// A host name for RFC 3263 (RFC 1123 2.1 labels: letters, digits, '-'; not all digits), not an IP literal.
bool valid_host_name(const std::string& s);

}  // namespace isupgw::config
