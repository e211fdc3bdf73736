#include "mgmt/metrics.h"

#include <cstdio>
#include <initializer_list>
#include <set>

namespace isupgw::mgmt {

namespace {

std::string_view health_name(engine::TrunkHealthState s) {
  switch (s) {
    case engine::TrunkHealthState::kUp: return "up";
    case engine::TrunkHealthState::kProbing: return "probing";
    case engine::TrunkHealthState::kDown: return "down";
  }
  return "?";
}

// Label values escape backslash, double quote and line feed (exposition format 0.0.4).
void append_label_value(std::string& out, std::string_view v) {
  for (const char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out.push_back(c);
  }
}

using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

class Writer {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  void sample(std::string_view name, Labels labels, double value) { sample(name, labels, {}, number(value)); }
  void sample(std::string_view name, Labels labels, std::uint64_t value) {
    sample(name, labels, {}, std::to_string(value));
  }
  void sample(std::string_view name, Labels labels, const std::vector<std::pair<std::string, std::string>>& more,
              const std::string& value) {
    out_ += name;
    bool first = true;
    auto label = [&](std::string_view k, std::string_view v) {
      out_ += first ? '{' : ',';
      first = false;
      out_ += k;
      out_ += "=\"";
      append_label_value(out_, v);
      out_ += '"';
    };
    for (const auto& [k, v] : labels) label(k, v);
    for (const auto& [k, v] : more) label(k, v);
    if (!first) out_ += '}';
    out_ += ' ';
    out_ += value;
    out_ += '\n';
  }
  static std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace

std::string counter_metric_name(std::string_view counter) {
  std::string n = "isupgw_";
  for (const char c : counter) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    n.push_back(ok ? c : '_');
  }
  n += "_total";
  return n;
}

std::string render_metrics(const Model& model) {
  Writer w;
  // Counters: each its own family.
  std::set<std::string, std::less<>> seen;
  for (const auto& [name, value] : model.counters()) {
    auto metric = counter_metric_name(name);
    if (!seen.insert(metric).second) continue;  // two names that differ only in punctuation: the first wins
    w.family(metric, "counter", "isupgw counter " + name);
    w.sample(metric, {}, value);
  }

  const auto calls = model.calls().size();
  w.family("isupgw_calls_active", "gauge", "Calls the call engine holds now");
  w.sample("isupgw_calls_active", {}, static_cast<std::uint64_t>(calls));

  const auto ov = model.overload();
  w.family("isupgw_overload_state", "gauge", "Node-wide overload: 0 normal, 1 or 2 (Q.764 2.11 congestion level)");
  w.sample("isupgw_overload_state", {}, static_cast<std::uint64_t>(ov.level));
  w.family("isupgw_overload_refusal_ratio", "gauge", "Fraction of new calls refused for the node's load");
  w.sample("isupgw_overload_refusal_ratio", {}, ov.refusal);
  w.family("isupgw_overload_sip_rx_backlog_ratio", "gauge",
           "The fullest SIP UDP socket's receive queue over its buffer, last sample");
  w.sample("isupgw_overload_sip_rx_backlog_ratio", {}, ov.rx_backlog);

  const auto groups = model.trunk_groups();
  if (!groups.empty()) {
    w.family("isupgw_trunk_group_active_calls", "gauge", "Calls on an ISUP trunk group");
    for (const auto& g : groups)
      w.sample("isupgw_trunk_group_active_calls", {{"trunk_group", g.name}},
               static_cast<std::uint64_t>(g.active_calls));
    w.family("isupgw_trunk_group_in_service", "gauge", "1 in service, 0 out of service or draining (management)");
    for (const auto& g : groups)
      w.sample("isupgw_trunk_group_in_service", {{"trunk_group", g.name}},
               static_cast<std::uint64_t>(g.admin == AdminState::kInService));
    w.family("isupgw_trunk_group_circuits", "gauge", "Circuits of an ISUP trunk group by state");
    for (const auto& g : groups) {
      const std::pair<std::string_view, std::size_t> states[] = {{"total", g.circuits},
                                                                 {"idle", g.idle},
                                                                 {"busy", g.busy},
                                                                 {"local_blocked", g.local_blocked},
                                                                 {"remote_blocked", g.remote_blocked},
                                                                 {"resetting", g.resetting},
                                                                 {"unequipped", g.unequipped}};
      for (const auto& [state, n] : states)
        w.sample("isupgw_trunk_group_circuits", {{"trunk_group", g.name}, {"state", state}},
                 static_cast<std::uint64_t>(n));
    }
  }

  const auto trunks = model.sip_trunks();
  if (!trunks.empty()) {
    w.family("isupgw_sip_trunk_active_calls", "gauge", "Calls on a SIP trunk");
    for (const auto& t : trunks)
      w.sample("isupgw_sip_trunk_active_calls", {{"trunk", t.name}}, static_cast<std::uint64_t>(t.active_calls));
    w.family("isupgw_sip_trunk_in_service", "gauge", "1 in service, 0 out of service or draining (management)");
    for (const auto& t : trunks)
      w.sample("isupgw_sip_trunk_in_service", {{"trunk", t.name}},
               static_cast<std::uint64_t>(t.admin == AdminState::kInService));
    w.family("isupgw_sip_trunk_up", "gauge", "OPTIONS keepalive: 1 answered, 0 not (trunks with options_interval_ms)");
    for (const auto& t : trunks)
      if (t.options != OptionsState::kOff)
        w.sample("isupgw_sip_trunk_up", {{"trunk", t.name}},
                 static_cast<std::uint64_t>(t.options == OptionsState::kUp));
    w.family("isupgw_sip_trunk_health", "gauge",
             "Trunk health in routing: 1 for the trunk's state (up, probing, down), 0 for the others "
             "(trunks with options_interval_ms)");
    for (const auto& t : trunks)
      if (t.health)
        for (auto s :
             {engine::TrunkHealthState::kUp, engine::TrunkHealthState::kProbing, engine::TrunkHealthState::kDown})
          w.sample("isupgw_sip_trunk_health", {{"trunk", t.name}, {"state", health_name(s)}},
                   static_cast<std::uint64_t>(*t.health == s));
    w.family("isupgw_sip_trunk_registered", "gauge",
             "Outbound registration (RFC 3261 10.2): 1 while the registrar holds our binding (trunks with register:)");
    for (const auto& t : trunks)
      if (t.registration)
        w.sample("isupgw_sip_trunk_registered", {{"trunk", t.name}},
                 static_cast<std::uint64_t>(t.registration->state == sip::RegistrationState::kRegistered));
  }

  const auto links = model.m3ua_links();
  if (!links.empty()) {
    w.family("isupgw_m3ua_link_up", "gauge", "1 when the M3UA association carries traffic");
    for (const auto& l : links)
      w.sample("isupgw_m3ua_link_up", {{"link", l.name}}, static_cast<std::uint64_t>(l.ready));
    w.family("isupgw_m3ua_asp_state", "gauge", "1 for the ASP's current state (RFC 4666 4.3.1)");
    for (const auto& l : links) {
      const bool ours = l.role != sigtran::m3ua::Role::kSg && l.role != sigtran::m3ua::Role::kIpspServer;
      const std::string state(ours ? to_string(l.asp) : to_string(l.peer_asp));
      w.sample("isupgw_m3ua_asp_state", {{"link", l.name}, {"state", state}}, std::uint64_t{1});
    }
    w.family("isupgw_m3ua_as_active", "gauge", "1 when the AS of a routing context is active (RFC 4666 4.3.2)");
    for (const auto& l : links)
      for (const auto& as : l.as) {
        const auto rc = std::to_string(as.routing_context);
        w.sample("isupgw_m3ua_as_active", {{"link", l.name}, {"routing_context", rc}},
                 static_cast<std::uint64_t>(as.state == sigtran::m3ua::AsState::kActive));
      }
  }

  const auto linksets = model.linksets();
  if (!linksets.empty()) {
    w.family("isupgw_linkset_active_links", "gauge", "Signalling links available in an M2PA link set");
    for (const auto& ls : linksets)
      w.sample("isupgw_linkset_active_links", {{"linkset", ls.name}}, static_cast<std::uint64_t>(ls.active_links));
    w.family("isupgw_signalling_link_up", "gauge", "1 when the signalling link is available (Q.704 3.2)");
    for (const auto& ls : linksets)
      for (const auto& l : ls.links) {
        const auto slc = std::to_string(l.slc);
        w.sample("isupgw_signalling_link_up", {{"linkset", ls.name}, {"slc", slc}},
                 static_cast<std::uint64_t>(l.status == sigtran::mtp3::LinkStatus::kActive));
      }
  }

  const auto mgs = model.media_gateways();
  if (!mgs.empty()) {
    w.family("isupgw_media_gateway_up", "gauge", "1 when the media gateway answers (MGCP keepalive)");
    for (const auto& m : mgs)
      w.sample("isupgw_media_gateway_up", {{"media_gateway", m.name}},
               static_cast<std::uint64_t>(m.health == mediagw::HealthState::kUp));
    w.family("isupgw_media_gateway_connections", "gauge", "Connections of the calls on a media gateway");
    for (const auto& m : mgs)
      w.sample("isupgw_media_gateway_connections", {{"media_gateway", m.name}},
               static_cast<std::uint64_t>(m.connections));
  }

  std::set<std::string, std::less<>> families;
  for (const auto& h : model.histograms()) {
    const std::string name = "isupgw_" + h.name;
    if (families.insert(name).second) w.family(name, "histogram", h.help);
    const auto& d = h.data;
    for (std::size_t i = 0; i < d.bounds.size(); ++i) {
      auto labels = h.labels;
      labels.emplace_back("le", Writer::number(d.bounds[i]));
      w.sample(name + "_bucket", {}, labels, std::to_string(d.cumulative[i]));
    }
    auto inf = h.labels;
    inf.emplace_back("le", "+Inf");
    w.sample(name + "_bucket", {}, inf, std::to_string(d.count));
    w.sample(name + "_sum", {}, h.labels, Writer::number(d.sum));
    w.sample(name + "_count", {}, h.labels, std::to_string(d.count));
  }
  return w.take();
}

}  // namespace isupgw::mgmt
