// The cdr section (issue 17): YAML in, writer options out; mistakes as FILE:LINE: reason.
#include <gtest/gtest.h>

#include "config/loader.h"

namespace isupgw::config {
namespace {

std::string error_of(std::string_view yaml) {
  auto r = load_config_text(yaml, "t.yaml");
  EXPECT_FALSE(r.ok()) << "accepted:\n" << yaml;
  return r.ok() ? std::string() : r.error().to_string();
}

TEST(CdrConfig, AbsentSectionWritesNoCdrs) {
  auto r = load_config_text("", "t.yaml");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_FALSE(r->settings.cdr);
}

TEST(CdrConfig, DefaultsBothFormatsEveryColumn) {
  auto r = load_config_text("cdr:\n  directory: /var/lib/isupgw/cdr\n", "t.yaml");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_TRUE(r->settings.cdr);
  const auto& o = *r->settings.cdr;
  EXPECT_EQ(o.directory, "/var/lib/isupgw/cdr");
  EXPECT_EQ(o.base_name, "cdr");
  EXPECT_TRUE(o.csv);
  EXPECT_TRUE(o.json);
  EXPECT_EQ(o.columns.size(), cdr::all_columns().size());
  EXPECT_EQ(o.rotate_bytes, 64u << 20);
  EXPECT_EQ(o.rotate_interval, std::chrono::seconds(3600));
  EXPECT_EQ(o.sync_interval, std::chrono::milliseconds(1000));
}

TEST(CdrConfig, EveryField) {
  auto r = load_config_text(
      "cdr:\n  directory: /tmp/c\n  base_name: calls\n  formats: [csv]\n  csv_columns: [call_id, cause, duration_ms]\n"
      "  rotate_bytes: 1048576\n  rotate_interval_s: 60\n  sync_interval_ms: 0\n",
      "t.yaml");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const auto& o = *r->settings.cdr;
  EXPECT_EQ(o.base_name, "calls");
  EXPECT_TRUE(o.csv);
  EXPECT_FALSE(o.json);
  EXPECT_EQ(o.columns, (std::vector<cdr::Column>{cdr::Column::kCallId, cdr::Column::kCause, cdr::Column::kDurationMs}));
  EXPECT_EQ(o.rotate_bytes, 1048576u);
  EXPECT_EQ(o.rotate_interval, std::chrono::seconds(60));
  EXPECT_EQ(o.sync_interval, std::chrono::milliseconds(0));  // fdatasync after every record
}

TEST(CdrConfig, MistakesNameFileAndLine) {
  EXPECT_EQ(error_of("cdr:\n  base_name: x\n"), "t.yaml:1: cdr needs 'directory' (where the CDR files are written)");
  EXPECT_EQ(error_of("cdr:\n  directory: /tmp/c\n  formats:\n    - csv\n    - xml\n"),
            "t.yaml:5: unknown CDR format 'xml' (csv, jsonl)");
  EXPECT_EQ(error_of("cdr:\n  directory: /tmp/c\n  formats: [jsonl, jsonl]\n"), "t.yaml:3: CDR format 'jsonl' twice");
  EXPECT_EQ(error_of("cdr:\n  directory: /tmp/c\n  csv_columns:\n    - call_id\n    - colour\n"),
            "t.yaml:5: unknown CDR column 'colour'");
  EXPECT_EQ(error_of("cdr:\n  directory: /tmp/c\n  csv_columns:\n    - cic\n    - cause\n    - cic\n"),
            "t.yaml:6: CDR column 'cic' twice");
  EXPECT_EQ(error_of("cdr:\n  directory: /tmp/c\n  base_name: a/b\n"),
            "t.yaml:3: base_name 'a/b' must be a file name (no '/', not starting '.')");
  EXPECT_EQ(error_of("cdr:\n  directory: /tmp/c\n  rotate_bytes: 100\n"),
            "t.yaml:3: rotate_bytes must be at least 4096");
  EXPECT_EQ(error_of("cdr:\n  directory: /tmp/c\n  sync_interval_ms: 700000\n"),
            "t.yaml:3: sync_interval_ms must be at most 600000 (10 minutes)");
}

}  // namespace
}  // namespace isupgw::config
