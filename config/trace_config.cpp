// trace (issue 17): rolling pcapng files, HEPv3 export, calls kept in memory (daemon/trace_output.h).
#include "config/validate.h"

namespace isupgw::config {

Result<std::optional<TraceSettings>, FieldError> build_trace(const Config& cfg) {
  if (!cfg.has_trace()) return std::optional<TraceSettings>();
  const auto& t = cfg.trace();
  auto fail = [](std::string path, std::string reason) { return Err(FieldError{std::move(path), std::move(reason)}); };
  TraceSettings o;
  o.directory = !t.directory().empty() ? t.directory() : cfg.has_cdr() ? cfg.cdr().directory() : "";
  if (o.directory.empty())
    return fail("trace", "trace needs 'directory' (where the pcapng files go) or a cdr section to share its directory");
  if (!t.base_name().empty()) {
    if (t.base_name().find('/') != std::string::npos || t.base_name()[0] == '.')
      return fail("trace.base_name",
                  "base_name '" + t.base_name() + "' must be a file name (no '/', not starting '.')");
    o.base_name = t.base_name();
  }
  if (t.rotate_bytes() != 0) {
    if (t.rotate_bytes() < 4096) return fail("trace.rotate_bytes", "rotate_bytes must be at least 4096");
    o.rotate_bytes = t.rotate_bytes();
  }
  if (t.rotate_interval_s() != 0) o.rotate_interval_s = t.rotate_interval_s();
  if (t.max_files() != 0) {
    if (t.max_files() < 2)
      return fail("trace.max_files", "max_files must be at least 2 (the current file and one more)");
    o.max_files = t.max_files();
  }
  if (t.has_hep()) {
    if (auto e = check_endpoint(t.hep(), "trace.hep", true, true)) return Err(std::move(*e));
    o.hep_address = t.hep().address();
    o.hep_port = static_cast<std::uint16_t>(t.hep().port());
  }
  if (t.hep_agent_id() != 0) o.hep_agent_id = t.hep_agent_id();
  if (t.keep_calls() != 0) {
    if (t.keep_calls() > 100000) return fail("trace.keep_calls", "keep_calls must be at most 100000");
    o.keep_calls = t.keep_calls();
  }
  return std::optional<TraceSettings>(std::move(o));
}

}  // namespace isupgw::config
