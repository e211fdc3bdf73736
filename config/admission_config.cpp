// sip.trunks[].admission and ss7.trunk_groups[].admission (issue 18, engine/admission.h), and a
// trunk's health thresholds (down_after, up_after; engine/trunk_health.h).
#include <cmath>

#include "config/validate.h"

namespace isupgw::config {

namespace {

std::optional<FieldError> check_one(const Admission& a, const std::string& p) {
  auto fail = [](std::string path, std::string reason) {
    return std::optional<FieldError>(FieldError{std::move(path), std::move(reason)});
  };
  const double cps = a.calls_per_second();
  if (!std::isfinite(cps) || cps < 0 || cps > 100000)
    return fail(p + ".calls_per_second", "calls_per_second must be between 0 (no limit) and 100000");
  if (a.burst() != 0 && cps == 0) return fail(p + ".burst", "burst needs calls_per_second");
  if (a.burst() > 1000000) return fail(p + ".burst", "burst must be at most 1000000");
  if (a.max_calls() > 10000000) return fail(p + ".max_calls", "max_calls must be at most 10000000");
  if (a.retry_after_s() > 86400) return fail(p + ".retry_after_s", "retry_after_s must be at most 86400 (a day)");
  return std::nullopt;
}

}  // namespace

std::optional<FieldError> check_admission(const Config& cfg) {
  if (cfg.has_overload()) {  // node-wide overload control (issue 19, engine/overload.h)
    const auto& o = cfg.overload();
    if (o.sample_ms() != 0 && (o.sample_ms() < 10 || o.sample_ms() > 10000))
      return FieldError{"overload.sample_ms", "sample_ms must be between 10 and 10000"};
    if (o.backlog_percent() > 100) return FieldError{"overload.backlog_percent", "backlog_percent must be 1..100"};
    if (o.lag_ms() > 60000) return FieldError{"overload.lag_ms", "lag_ms must be at most 60000"};
    if (o.hold_ms() > 600000) return FieldError{"overload.hold_ms", "hold_ms must be at most 600000"};
    if (o.retry_after_s() > 86400) return FieldError{"overload.retry_after_s", "retry_after_s must be at most 86400"};
  }
  for (int i = 0; i < cfg.sip().trunks_size(); ++i) {  // trunk health (issue 18)
    const auto& t = cfg.sip().trunks(i);
    const std::string p = "sip.trunks[" + std::to_string(i) + "]";
    if ((t.down_after() != 0 || t.up_after() != 0) && t.options_interval_ms() == 0)
      return FieldError{p + (t.down_after() != 0 ? ".down_after" : ".up_after"),
                        "down_after and up_after need options_interval_ms (the OPTIONS keepalive)"};
    if (t.options_timeout_ms() != 0 && t.options_interval_ms() == 0)
      return FieldError{p + ".options_timeout_ms",
                        "options_timeout_ms needs options_interval_ms (the OPTIONS keepalive)"};
    if (t.options_timeout_ms() > t.options_interval_ms())
      return FieldError{p + ".options_timeout_ms", "options_timeout_ms must be at most options_interval_ms"};
    if (t.down_after() > 100) return FieldError{p + ".down_after", "down_after must be at most 100"};
    if (t.up_after() > 100) return FieldError{p + ".up_after", "up_after must be at most 100"};
  }
  for (int i = 0; i < cfg.sip().trunks_size(); ++i)
    if (cfg.sip().trunks(i).has_admission())
      if (auto e = check_one(cfg.sip().trunks(i).admission(), "sip.trunks[" + std::to_string(i) + "].admission"))
        return e;
  for (int i = 0; i < cfg.ss7().trunk_groups_size(); ++i)
    if (cfg.ss7().trunk_groups(i).has_admission())
      if (auto e =
              check_one(cfg.ss7().trunk_groups(i).admission(), "ss7.trunk_groups[" + std::to_string(i) + "].admission"))
        return e;
  return std::nullopt;
}

}  // namespace isupgw::config
