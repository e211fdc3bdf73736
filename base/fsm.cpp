#include "base/fsm.h"

namespace isupgw::fsm::detail {

MeterBase::MeterBase(Logger& log, Counters& counters, const Options& o, std::size_t events,
                     std::string_view (*event_name)(std::size_t))
    : log_(log),
      name_(o.name),
      label_key_(o.label_key),
      id_key_(o.id_key),
      transition_log_(o.transition_log),
      refused_log_(o.refused_log),
      prefix_(o.counters.empty() ? o.name : o.counters),
      refused_name_(o.refused_counter.empty() ? prefix_ + ".refused" : std::string(o.refused_counter)),
      o_(o),
      transitions_(&counters.get(prefix_ + ".transitions")),
      refused_(&counters.get(refused_name_)),
      accepted_(std::make_unique<Counter*[]>(events)),
      refused_by_event_(std::make_unique<Counter*[]>(events)) {
  o_.name = name_;
  o_.label_key = label_key_;
  o_.id_key = id_key_;
  o_.transition_log = transition_log_;
  o_.refused_log = refused_log_;
  o_.counters = prefix_;
  o_.refused_counter = refused_name_;
  for (std::size_t e = 0; e < events; ++e) {
    const std::string ev(event_name(e));
    accepted_[e] = &counters.get(prefix_ + ".event." + ev);
    refused_by_event_[e] = &counters.get(refused_name_ + "." + ev);
  }
}

namespace {
// fsm=, the label and the id when their keys are set.
template <std::size_t N>
std::size_t head(std::array<LogField, N>& f, const Options& o, const Label& l) {
  std::size_t n = 0;
  if (!o.name.empty()) f[n++] = LogField("fsm", o.name);
  if (!o.label_key.empty()) f[n++] = LogField(o.label_key, l.text);
  if (!o.id_key.empty()) f[n++] = LogField(o.id_key, l.id);
  return n;
}
}  // namespace

void MeterBase::log_transition(const Label& l, std::string_view from, std::string_view event, std::string_view to,
                               std::string_view action, std::string_view extra_key, std::int64_t extra_value) const {
  std::array<LogField, 8> f;
  std::size_t n = head(f, o_, l);
  f[n++] = LogField("from", from);
  f[n++] = LogField("event", event);
  f[n++] = LogField("to", to);
  if (!action.empty()) f[n++] = LogField("action", action);
  if (!extra_key.empty()) f[n++] = LogField(extra_key, extra_value);
  log_.log(o_.subsystem, o_.transition_level, o_.transition_log, std::span<const LogField>(f.data(), n));
}

void MeterBase::log_refusal(const Label& l, std::string_view state, std::string_view event) const {
  std::array<LogField, 5> f;
  std::size_t n = head(f, o_, l);
  f[n++] = LogField("state", state);
  f[n++] = LogField("event", event);
  log_.log(o_.subsystem, o_.refused_level, o_.refused_log, std::span<const LogField>(f.data(), n));
}

}  // namespace isupgw::fsm::detail
