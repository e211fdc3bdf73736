#include "cdr/cdr_record.h"

#include <algorithm>
#include <array>

namespace isupgw::cdr {

namespace {

struct ColumnName {
  Column column;
  std::string_view name;
};

constexpr std::array<ColumnName, 33> kColumns{{
    {Column::kCallId, "call_id"},
    {Column::kDirection, "direction"},
    {Column::kSipCallId, "sip_call_id"},
    {Column::kSipFromTag, "sip_from_tag"},
    {Column::kSipToTag, "sip_to_tag"},
    {Column::kOpc, "opc"},
    {Column::kDpc, "dpc"},
    {Column::kCic, "cic"},
    {Column::kMgEndpoint, "mg_endpoint"},
    {Column::kMgConnectionId, "mg_connection_id"},
    {Column::kCallingIn, "calling_in"},
    {Column::kCallingOut, "calling_out"},
    {Column::kCalledIn, "called_in"},
    {Column::kCalledOut, "called_out"},
    {Column::kPresentation, "presentation"},
    {Column::kIngressTrunk, "ingress_trunk"},
    {Column::kEgressTrunk, "egress_trunk"},
    {Column::kRoute, "route"},
    {Column::kSeizure, "seizure"},
    {Column::kSetup, "setup"},
    {Column::kProgress, "progress"},
    {Column::kAnswer, "answer"},
    {Column::kRelease, "release"},
    {Column::kReleaseComplete, "release_complete"},
    {Column::kPostDialDelayMs, "post_dial_delay_ms"},
    {Column::kDurationMs, "duration_ms"},
    {Column::kCause, "cause"},
    {Column::kCauseLocation, "cause_location"},
    {Column::kReleasedBy, "released_by"},
    {Column::kSipStatus, "sip_status"},
    {Column::kCodec, "codec"},
    {Column::kChargeMessages, "charge_messages"},
    {Column::kChargeInfo, "charge_info"},
}};

// column_name() indexes kColumns by the enum's value.
constexpr bool in_enum_order() {
  for (std::size_t i = 0; i < kColumns.size(); ++i)
    if (static_cast<std::size_t>(kColumns[i].column) != i) return false;
  return true;
}
static_assert(in_enum_order());

constexpr std::array<Column, kColumns.size()> kAll = [] {
  std::array<Column, kColumns.size()> a{};
  for (std::size_t i = 0; i < kColumns.size(); ++i) a[i] = kColumns[i].column;
  return a;
}();

}  // namespace

std::optional<std::int64_t> CdrRecord::post_dial_delay_ms() const {
  if (setup == 0) return std::nullopt;
  EpochMs first = progress != 0 ? progress : answer;
  if (first == 0) return std::nullopt;
  return first - setup;
}

std::int64_t CdrRecord::duration_ms() const {
  if (answer == 0 || release == 0 || release < answer) return 0;
  return release - answer;
}

std::span<const Column> all_columns() { return kAll; }

std::string_view column_name(Column c) { return kColumns[static_cast<std::size_t>(c)].name; }

std::optional<Column> column_from_name(std::string_view name) {
  for (const auto& c : kColumns)
    if (c.name == name) return c.column;
  return std::nullopt;
}

Result<std::vector<Column>, std::string> parse_columns(std::span<const std::string> names) {
  std::vector<Column> out;
  for (const auto& n : names) {
    auto c = column_from_name(n);
    if (!c) return Err(std::string("unknown CDR column '") + n + "'");
    if (std::find(out.begin(), out.end(), *c) != out.end()) return Err(std::string("CDR column '") + n + "' twice");
    out.push_back(*c);
  }
  if (out.empty()) return Err(std::string("no CDR columns"));
  return out;
}

}  // namespace isupgw::cdr
