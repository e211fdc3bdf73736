#include "mgmt/json.h"

#include <nlohmann/json.hpp>

namespace isupgw::mgmt::json {

namespace {

using J = nlohmann::ordered_json;

// Strings from the network (SIP tags, Call-IDs) may be any octets: invalid
// UTF-8 is replaced (U+FFFD), never an exception.
std::string dump(const J& j) { return j.dump(-1, ' ', false, J::error_handler_t::replace) + "\n"; }

template <class E>
std::string str(E e) {
  return std::string(to_string(e));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view profile_name(mapping::SipProfile::Kind k) {
  switch (k) {
    case mapping::SipProfile::kSip: return "sip";
    case mapping::SipProfile::kSipI: return "sip_i";
    case mapping::SipProfile::kSipT: return "sip_t";
  }
  return "?";
}

J leg(const LegView& l) {
  J j;
  switch (l.kind) {
    case LegView::Kind::kNone: j["kind"] = "none"; break;
    case LegView::Kind::kSip:
      j["kind"] = "sip";
      j["trunk"] = l.trunk;
      j["call_id"] = l.call_id;
      j["local_tag"] = l.local_tag;
      j["remote_tag"] = l.remote_tag;
      j["peer"] = l.peer;
      break;
    case LegView::Kind::kIsup:
      j["kind"] = "isup";
      j["trunk_group"] = l.trunk;
      j["cic"] = l.cic;
      break;
  }
  return j;
}

J call(const CallView& c) {
  J j;
  j["id"] = c.id;
  j["state"] = str(c.state);
  j["answered"] = c.answered;
  j["age_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(c.age).count();
  j["called"] = c.called;
  j["a"] = leg(c.a);
  j["b"] = leg(c.b);
  if (c.media)
    j["media"] = J{{"mg", c.media->mg}, {"endpoint", c.media->endpoint}, {"connection_id", c.media->connection_id}};
  return j;
}

// An association's SCTP paths (multi-homing, issue 19).
J paths_json(const std::vector<sigtran::TransportPath>& paths) {
  J a = J::array();
  for (const auto& p : paths) a.push_back(J{{"address", p.address}, {"active", p.active}, {"primary", p.primary}});
  return a;
}

}  // namespace

std::string render(const std::vector<M3uaLinkView>& v) {
  J a = J::array();
  for (const auto& l : v) {
    J as = J::array();
    for (const auto& s : l.as) as.push_back(J{{"routing_context", s.routing_context}, {"state", str(s.state)}});
    a.push_back(J{{"name", l.name},
                  {"role", str(l.role)},
                  {"ready", l.ready},
                  {"asp", str(l.asp)},
                  {"peer_asp", str(l.peer_asp)},
                  {"as", std::move(as)},
                  {"paths", paths_json(l.paths)}});
  }
  return dump(a);
}

std::string render(const std::vector<LinkSetView>& v) {
  J a = J::array();
  for (const auto& ls : v) {
    J links = J::array();
    for (const auto& l : ls.links)
      links.push_back(J{{"slc", l.slc},
                        {"status", str(l.status)},
                        {"state", str(l.state)},
                        {"m2pa", str(l.m2pa)},
                        {"paths", paths_json(l.paths)}});
    a.push_back(J{{"name", ls.name},
                  {"local_pc", ls.local_pc},
                  {"adjacent_pc", ls.adjacent_pc},
                  {"active_links", ls.active_links},
                  {"restart", str(ls.restart)},
                  {"links", std::move(links)}});
  }
  return dump(a);
}

std::string render(const std::vector<TrunkGroupView>& v) {
  J a = J::array();
  for (const auto& g : v)
    a.push_back(J{{"name", g.name},
                  {"opc", g.opc},
                  {"dpc", g.dpc},
                  {"variant", str(g.variant)},
                  {"admin", str(g.admin)},
                  {"circuits", g.circuits},
                  {"idle", g.idle},
                  {"busy", g.busy},
                  {"local_blocked", g.local_blocked},
                  {"remote_blocked", g.remote_blocked},
                  {"resetting", g.resetting},
                  {"unequipped", g.unequipped},
                  {"active_calls", g.active_calls}});
  return dump(a);
}

std::string render(const std::vector<CircuitView>& v) {
  J a = J::array();
  for (const auto& c : v)
    a.push_back(J{{"cic", c.cic},
                  {"call_state", str(c.call_state)},
                  {"blocking", str(c.blocking)},
                  {"local_maintenance_blocked", c.local_maintenance_blocked},
                  {"local_hardware_blocked", c.local_hardware_blocked},
                  {"remote_maintenance_blocked", c.remote_maintenance_blocked},
                  {"remote_hardware_blocked", c.remote_hardware_blocked},
                  {"resetting", c.resetting},
                  {"unequipped", c.unequipped},
                  {"controlled_here", c.controlled_here},
                  {"call", c.call}});
  return dump(a);
}

std::string render(const std::vector<CallView>& v) {
  J a = J::array();
  for (const auto& c : v) a.push_back(call(c));
  return dump(a);
}

std::string render(const CallView& v) { return dump(call(v)); }

J registration(const std::optional<sip::RegistrationStatus>& r) {
  if (!r) return nullptr;
  J j{{"state", str(r->state)},
      {"aor", r->aor},
      {"registrar", r->registrar},
      {"target", r->target.host + ":" + std::to_string(r->target.port) + "/" + str(r->target.transport)},
      {"expires", r->expires},
      {"last_status", r->last_status},
      {"next_register_ms", nullptr}};
  if (r->next_in) j["next_register_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(*r->next_in).count();
  return j;
}

std::string render(const std::vector<SipTrunkView>& v) {
  J a = J::array();
  for (const auto& t : v) {
    J health = nullptr;
    if (t.health) health = lower(to_string(*t.health));
    a.push_back(J{{"name", t.name},
                  {"address", t.address},
                  {"port", t.port},
                  {"transport", str(t.transport)},
                  {"profile", profile_name(t.profile)},
                  {"options", str(t.options)},
                  {"admin", str(t.admin)},
                  {"active_calls", t.active_calls},
                  {"health", health},
                  {"registration", registration(t.registration)}});
  }
  return dump(a);
}

std::string render(const std::vector<MediaGatewayView>& v) {
  J a = J::array();
  for (const auto& m : v)
    a.push_back(J{{"name", m.name},
                  {"address", m.address},
                  {"port", m.port},
                  {"health", str(m.health)},
                  {"connections", m.connections}});
  return dump(a);
}

std::string render(const std::vector<std::pair<std::string, std::uint64_t>>& counters) {
  J o = J::object();
  for (const auto& [k, v] : counters) o[k] = v;
  return dump(o);
}

std::string render(const ActionReport& r) { return dump(J{{"sent", r.sent}, {"note", r.note}}); }

std::string render(const QueryTable& t) {
  J rows = J::array();
  for (const auto& r : t.rows)
    rows.push_back(J{{"cic", r.cic},
                     {"indicator", r.indicator},
                     {"maintenance", r.maintenance},
                     {"call", r.call},
                     {"hardware", r.hardware},
                     {"hung", r.hung}});
  return dump(J{{"trunk_group", t.group}, {"first", t.first}, {"rows", std::move(rows)}});
}

std::string render(const ValidationReport& v) {
  return dump(J{{"trunk_group", v.group},
                {"cic", v.cic},
                {"success", v.success},
                {"consistent", v.consistent},
                {"ours", v.ours},
                {"theirs", v.theirs}});
}

std::string render(const ReloadReport& r) { return dump(J{{"source", r.source}, {"notes", r.notes}}); }

}  // namespace isupgw::mgmt::json
