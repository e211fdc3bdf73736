// Prometheus exposition (text format 0.0.4) of the management model: every
// counter (isupgw_<name>_total), gauges of calls, circuits, links and peers,
// and the call path's histograms. Read-only and off the call path: one pass
// over the views per scrape.
#pragma once

#include <string>

#include "mgmt/model.h"

namespace isupgw::mgmt {

inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string render_metrics(const Model& model);

// "call.completed" -> "isupgw_call_completed_total" (metric names: [a-zA-Z_:][a-zA-Z0-9_:]*).
std::string counter_metric_name(std::string_view counter);

}  // namespace isupgw::mgmt
