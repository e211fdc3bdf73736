// cdr (issue 17): where and how call detail records are written (cdr/cdr_writer.h).
#include "config/validate.h"

namespace isupgw::config {

Result<std::optional<cdr::WriterOptions>, FieldError> build_cdr(const Config& cfg) {
  if (!cfg.has_cdr()) return std::optional<cdr::WriterOptions>();
  const auto& c = cfg.cdr();
  auto fail = [](std::string path, std::string reason) { return Err(FieldError{std::move(path), std::move(reason)}); };
  cdr::WriterOptions o;
  if (c.directory().empty()) return fail("cdr", "cdr needs 'directory' (where the CDR files are written)");
  o.directory = c.directory();
  if (!c.base_name().empty()) {
    if (c.base_name().find('/') != std::string::npos || c.base_name()[0] == '.')
      return fail("cdr.base_name", "base_name '" + c.base_name() + "' must be a file name (no '/', not starting '.')");
    o.base_name = c.base_name();
  }
  if (c.formats_size() > 0) {
    o.csv = o.json = false;
    for (int i = 0; i < c.formats_size(); ++i) {
      const auto& f = c.formats(i);
      bool& on = f == "csv" ? o.csv : o.json;
      if (f != "csv" && f != "jsonl")
        return fail("cdr.formats[" + std::to_string(i) + "]", "unknown CDR format '" + f + "' (csv, jsonl)");
      if (on) return fail("cdr.formats[" + std::to_string(i) + "]", "CDR format '" + f + "' twice");
      on = true;
    }
  }
  if (c.csv_columns_size() > 0) {
    std::vector<std::string> names(c.csv_columns().begin(), c.csv_columns().end());
    auto cols = cdr::parse_columns(names);
    if (!cols) {
      // Name the offending entry's line.
      std::size_t bad = 0;
      for (std::size_t i = 0; i < names.size(); ++i) {
        if (cols.error().find("'" + names[i] + "'") != std::string::npos) {
          bad = i;
          break;
        }
      }
      if (cols.error().find("twice") != std::string::npos)
        for (std::size_t i = names.size(); i-- > 0;)
          if (names[i] == names[bad] && i != bad) {
            bad = i;
            break;
          }
      return fail("cdr.csv_columns[" + std::to_string(bad) + "]", cols.error());
    }
    o.columns = std::move(*cols);
  }
  if (c.rotate_bytes() != 0) {
    if (c.rotate_bytes() < 4096) return fail("cdr.rotate_bytes", "rotate_bytes must be at least 4096");
    o.rotate_bytes = c.rotate_bytes();
  }
  if (c.rotate_interval_s() != 0) o.rotate_interval = std::chrono::seconds(c.rotate_interval_s());
  if (c.has_sync_interval_ms()) {
    if (c.sync_interval_ms() > 600000)
      return fail("cdr.sync_interval_ms", "sync_interval_ms must be at most 600000 (10 minutes)");
    o.sync_interval = std::chrono::milliseconds(c.sync_interval_ms());
  }
  return std::optional<cdr::WriterOptions>(std::move(o));
}

}  // namespace isupgw::config
