#include "config/diff.h"

#include <algorithm>
#include <map>
#include <set>

#include <google/protobuf/util/message_differencer.h>

namespace isupgw::config {

namespace {

using google::protobuf::Message;
using google::protobuf::RepeatedPtrField;
using google::protobuf::util::MessageDifferencer;

bool same(const Message& a, const Message& b) { return MessageDifferencer::Equals(a, b); }

template <class T>
bool same_list(const RepeatedPtrField<T>& a, const RepeatedPtrField<T>& b) {
  if (a.size() != b.size()) return false;
  for (int i = 0; i < a.size(); ++i)
    if (!same(a.Get(i), b.Get(i))) return false;
  return true;
}

struct Differ {
  ConfigDiff& out;
  void add(std::string item, std::string what, bool live) {
    out.changes.push_back(ConfigChange{std::move(item), std::move(what), live});
  }
  // A repeated section keyed by name: one change per name added, removed or changed.
  template <class T, class OnChanged>
  void by_name(const std::string& section, const RepeatedPtrField<T>& a, const RepeatedPtrField<T>& b, bool live,
               OnChanged on_changed) {
    std::map<std::string, const T*> old_items, new_items;
    for (const auto& x : a) old_items.emplace(x.name(), &x);
    for (const auto& x : b) new_items.emplace(x.name(), &x);
    for (const auto& [name, x] : old_items)
      if (!new_items.count(name)) add(section + "[" + name + "]", "removed", live);
    for (const auto& [name, x] : new_items) {
      auto it = old_items.find(name);
      if (it == old_items.end())
        add(section + "[" + name + "]", "added", live);
      else if (!same(*it->second, *x))
        on_changed(section + "[" + name + "]", *it->second, *x);
    }
  }
  template <class T>
  void by_name(const std::string& section, const RepeatedPtrField<T>& a, const RepeatedPtrField<T>& b, bool live) {
    by_name(section, a, b, live, [&](const std::string& item, const T&, const T&) { add(item, "changed", live); });
  }
};

std::string listener_text(const SipListener& l) {
  const char* t = l.transport() == TRANSPORT_TCP ? "tcp" : l.transport() == TRANSPORT_TLS ? "tls" : "udp";
  return std::string(t) + " " + l.address() + ":" + std::to_string(l.port());
}

std::set<std::uint16_t> cic_set(const isup::TrunkGroupConfig& g) {
  std::set<std::uint16_t> s;
  for (const auto& r : g.cics)
    for (unsigned c = r.first; c <= r.last; ++c) s.insert(static_cast<std::uint16_t>(c));
  return s;
}

const isup::TrunkGroupConfig* group_named(const Ss7Settings& ss7, const std::string& name) {
  for (const auto& g : ss7.trunk_groups)
    if (g.name == name) return &g;
  return nullptr;
}

// The fields of a trunk group other than its CICs: what needs a restart.
void trunk_group_fields(Differ& d, const std::string& item, const TrunkGroup& a, const TrunkGroup& b) {
  const auto* desc = a.GetDescriptor();
  const auto* refl = a.GetReflection();
  for (int i = 0; i < desc->field_count(); ++i) {
    const auto* f = desc->field(i);
    if (f->name() == "cics" || f->name() == "name" || f->name() == "admission") continue;  // live
    bool equal = true;
    if (f->is_repeated()) {
      equal = refl->FieldSize(a, f) == refl->FieldSize(b, f);
      for (int k = 0; equal && k < refl->FieldSize(a, f); ++k)
        equal = refl->GetRepeatedString(a, f, k) == refl->GetRepeatedString(b, f, k);
    } else {
      switch (f->cpp_type()) {
        case google::protobuf::FieldDescriptor::CPPTYPE_STRING:
          equal = refl->GetString(a, f) == refl->GetString(b, f);
          break;
        case google::protobuf::FieldDescriptor::CPPTYPE_ENUM:
          equal = refl->GetEnumValue(a, f) == refl->GetEnumValue(b, f);
          break;
        case google::protobuf::FieldDescriptor::CPPTYPE_BOOL: equal = refl->GetBool(a, f) == refl->GetBool(b, f); break;
        case google::protobuf::FieldDescriptor::CPPTYPE_UINT32:
          equal = refl->GetUInt32(a, f) == refl->GetUInt32(b, f);
          break;
        case google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE:  // isup_timers: fixed at start
          equal = refl->GetMessage(a, f).SerializeAsString() == refl->GetMessage(b, f).SerializeAsString();
          break;
        default: equal = false;  // a field type this diff does not know: say it needs a restart
      }
    }
    if (!equal) d.add(item + "." + f->name(), "changed", false);
  }
}

}  // namespace

std::vector<ConfigChange> ConfigDiff::needs_restart() const {
  std::vector<ConfigChange> v;
  std::copy_if(changes.begin(), changes.end(), std::back_inserter(v), [](const ConfigChange& c) { return !c.live; });
  return v;
}

std::vector<ConfigChange> ConfigDiff::live() const {
  std::vector<ConfigChange> v;
  std::copy_if(changes.begin(), changes.end(), std::back_inserter(v), [](const ConfigChange& c) { return c.live; });
  return v;
}

std::string cic_list(const std::vector<std::uint16_t>& cics) {
  std::string s;
  for (std::size_t i = 0; i < cics.size();) {
    std::size_t j = i;
    while (j + 1 < cics.size() && cics[j + 1] == cics[j] + 1) ++j;
    if (!s.empty()) s += ',';
    s += std::to_string(cics[i]);
    if (j > i) s += "-" + std::to_string(cics[j]);
    i = j + 1;
  }
  return s;
}

ConfigDiff diff(const LoadedConfig& running, const LoadedConfig& next) {
  ConfigDiff out;
  Differ d{out};
  const Config& a = running.config;
  const Config& b = next.config;

  if (!same(a.node(), b.node())) d.add("node", "changed", false);
  if (!same(a.logging(), b.logging())) {
    d.add("logging", "changed", true);
    out.logging = true;
  }
  if (!same(a.runtime(), b.runtime())) {
    d.add("runtime", "changed", true);
    out.runtime = true;
  }

  // SIP: listeners are bound sockets, the guard's limits sized tables; trunks and routes are live.
  {
    std::set<std::string> la, lb;
    for (const auto& l : a.sip().listeners()) la.insert(listener_text(l));
    for (const auto& l : b.sip().listeners()) lb.insert(listener_text(l));
    for (const auto& l : la)
      if (!lb.count(l)) d.add("sip.listeners[" + l + "]", "removed", false);
    for (int i = 0; i < b.sip().listeners_size(); ++i)
      if (!la.count(listener_text(b.sip().listeners(i)))) {
        d.add("sip.listeners[" + listener_text(b.sip().listeners(i)) + "]", "added", true);
        out.listeners_added.push_back(i);
      }
  }
  if (a.sip().max_tcp_connections() != b.sip().max_tcp_connections())
    d.add("sip.max_tcp_connections", "changed", false);
  if (!same(a.sip().guard(), b.sip().guard())) d.add("sip.guard", "changed", false);
  // TLS contexts (certificates, CAs, expected identities) are built once at start (issue 18).
  if (!same(a.sip().tls(), b.sip().tls())) d.add("sip.tls", "changed", false);
  {
    auto tls_of = [](const Config& c) {
      std::map<std::string, std::string> m;
      for (const auto& t : c.sip().trunks())
        if (t.transport() == TRANSPORT_TLS)
          m[t.name()] = t.address() + "/" + t.domain() + "/" + t.tls().SerializeAsString();
      return m;
    };
    const auto ta = tls_of(a), tb = tls_of(b);
    // Digest credentials and challenges are the SIP stack's, read at start.
    std::map<std::string, std::string> aa, ab;
    for (const auto& t : a.sip().trunks())
      aa[t.name()] = t.address() + "/" + t.auth().SerializeAsString() + "/" + t.register_().SerializeAsString() +
                     (t.has_register_() ? "R" : "");
    for (const auto& t : b.sip().trunks())
      ab[t.name()] = t.address() + "/" + t.auth().SerializeAsString() + "/" + t.register_().SerializeAsString() +
                     (t.has_register_() ? "R" : "");
    for (const auto& t : b.sip().trunks())
      if ((aa.count(t.name()) && aa[t.name()] != ab[t.name()]) ||
          (!aa.count(t.name()) && (t.has_auth() || t.has_register_())))
        d.add("sip.trunks[" + t.name() + "].auth", "authentication or registration settings changed", false);
    if (a.sip().nonce_lifetime_s() != b.sip().nonce_lifetime_s()) d.add("sip.nonce_lifetime_s", "changed", false);
    // Topology hiding and the agent's name are the SIP stack's options, read at start (issue 18).
    if (a.sip().has_user_agent() != b.sip().has_user_agent() || a.sip().user_agent() != b.sip().user_agent())
      d.add("sip.user_agent", "changed", false);
    std::map<std::string, std::string> ha, hb;
    for (const auto& t : a.sip().trunks())
      if (t.topology_hiding()) ha[t.name()] = t.address();
    for (const auto& t : b.sip().trunks())
      if (t.topology_hiding()) hb[t.name()] = t.address();
    std::set<std::string> hidden_changed;
    for (const auto& [n, addr] : ha)
      if (auto it = hb.find(n); it == hb.end() || it->second != addr) hidden_changed.insert(n);
    for (const auto& [n, addr] : hb)
      if (!ha.count(n)) hidden_changed.insert(n);
    for (const auto& n : hidden_changed) d.add("sip.trunks[" + n + "].topology_hiding", "changed", false);
    for (const auto& [n, v] : tb)
      if (auto it = ta.find(n); it == ta.end() || it->second != v)
        d.add("sip.trunks[" + n + "].tls", "TLS settings changed", false);
  }
  const std::size_t before_trunks = out.changes.size();
  d.by_name("sip.trunks", a.sip().trunks(), b.sip().trunks(), true,
            [&](const std::string& item, const SipTrunk&, const SipTrunk&) { d.add(item, "changed", true); });
  if (out.changes.size() != before_trunks) out.routing = true;
  // OPTIONS keepalive targets are the SIP stack's, fixed at start.
  {
    auto pings = [](const Config& c) {
      std::map<std::string, std::string> m;
      for (const auto& t : c.sip().trunks())
        if (t.options_interval_ms() != 0)
          m[t.name()] = t.address() + ":" + std::to_string(t.port()) + "/" + std::to_string(t.transport()) + "/" +
                        std::to_string(t.options_interval_ms());
      return m;
    };
    const auto pa = pings(a), pb = pings(b);
    std::set<std::string> names;
    for (const auto& [n, v] : pa) names.insert(n);
    for (const auto& [n, v] : pb) names.insert(n);
    for (const auto& n : names) {
      auto ia = pa.find(n), ib = pb.find(n);
      if (ia == pa.end() || ib == pb.end() || ia->second != ib->second)
        d.add("sip.trunks[" + n + "].options_interval_ms", "OPTIONS keepalive target changed", false);
    }
  }
  if (!same_list(a.routes(), b.routes())) {
    d.add("routes", std::to_string(a.routes_size()) + " -> " + std::to_string(b.routes_size()) + " routes", true);
    out.routing = true;
  }

  // SS7: links, link sets and point codes are the MTP's, fixed at start; CIC ranges are live.
  const Ss7& sa = a.ss7();
  const Ss7& sb = b.ss7();
  if (sa.point_code_format() != sb.point_code_format()) d.add("ss7.point_code_format", "changed", false);
  d.by_name("ss7.m3ua_links", sa.m3ua_links(), sb.m3ua_links(), false);
  if (!same_list(sa.routes(), sb.routes())) d.add("ss7.routes", "changed", false);
  d.by_name("ss7.linksets", sa.linksets(), sb.linksets(), false);
  d.by_name("ss7.simulated_exchanges", sa.simulated_exchanges(), sb.simulated_exchanges(), false);
  if (sa.grs_in_flight() != sb.grs_in_flight()) d.add("ss7.grs_in_flight", "changed", false);
  if (sa.isup_maintenance_per_second() != sb.isup_maintenance_per_second() ||
      sa.isup_maintenance_burst() != sb.isup_maintenance_burst())
    d.add("ss7.isup_maintenance", "changed", false);
  if (sa.accept_any_origin() != sb.accept_any_origin()) d.add("ss7.accept_any_origin", "changed", false);
  // ISUP timers (issue 20) are the trunk groups' configuration, fixed when call control starts.
  if (!same(sa.isup_timers(), sb.isup_timers())) d.add("ss7.isup_timers", "changed", false);
  d.by_name("ss7.trunk_groups", sa.trunk_groups(), sb.trunk_groups(), false,
            [&](const std::string& item, const TrunkGroup& x, const TrunkGroup& y) {
              trunk_group_fields(d, item, x, y);
              const auto* gx = group_named(running.settings.ss7, x.name());
              const auto* gy = group_named(next.settings.ss7, y.name());
              if (gx == nullptr || gy == nullptr) return;
              const auto cx = cic_set(*gx), cy = cic_set(*gy);
              if (cx == cy) return;
              CicChange c{x.name(), {}, {}};
              std::set_difference(cy.begin(), cy.end(), cx.begin(), cx.end(), std::back_inserter(c.added));
              std::set_difference(cx.begin(), cx.end(), cy.begin(), cy.end(), std::back_inserter(c.removed));
              std::string what;
              if (!c.added.empty()) what += "added " + cic_list(c.added);
              if (!c.removed.empty()) what += std::string(what.empty() ? "" : "; ") + "removed " + cic_list(c.removed);
              d.add(item + ".cics", what, true);
              out.cics.push_back(std::move(c));
            });

  // Admission limits of trunk groups are the call engine's: live (those of SIP trunks change the trunk, above).
  for (const auto& y : sb.trunk_groups())
    for (const auto& x : sa.trunk_groups())
      if (x.name() == y.name() && !same(x.admission(), y.admission())) {
        d.add("ss7.trunk_groups[" + y.name() + "].admission", "changed", true);
        out.routing = true;
      }

  // Node-wide overload control (issue 19) is the call engine's: live.
  if (a.overload().SerializeAsString() != b.overload().SerializeAsString()) {
    d.add("overload", "changed", true);
    out.routing = true;
  }

  d.by_name("media_gateways", a.media_gateways(), b.media_gateways(), false);
  // The management listener is bound at start (its token and TLS files are read then too).
  if (a.management().SerializeAsString() != b.management().SerializeAsString()) d.add("management", "changed", false);
  // The CDR writer opens its files at start.
  if (a.cdr().SerializeAsString() != b.cdr().SerializeAsString()) d.add("cdr", "changed", false);
  // The trace files and the HEP socket are opened at start.
  if (a.trace().SerializeAsString() != b.trace().SerializeAsString()) d.add("trace", "changed", false);
  // The accounting thread and its socket are set up at start.
  if (a.radius().SerializeAsString() != b.radius().SerializeAsString()) d.add("radius", "changed", false);
  return out;
}

}  // namespace isupgw::config
