#include "daemon/vty_render.h"

#include <chrono>
#include <cstdio>

#include "engine/call_fsm.h"
#include "isup/variant.h"
#include "media-gw/mg_health_fsm.h"
#include "sip/transport_listener.h"

namespace isupgw::daemon::vty {

namespace {

std::string str(std::string_view s) { return std::string(s); }

std::string_view role_name(sigtran::m3ua::Role r) {
  switch (r) {
    case sigtran::m3ua::Role::kAsp: return "asp";
    case sigtran::m3ua::Role::kSg: return "sg";
    case sigtran::m3ua::Role::kIpspClient: return "ipsp_client";
    case sigtran::m3ua::Role::kIpspServer: return "ipsp_server";
    case sigtran::m3ua::Role::kIpspDouble: return "ipsp_double";
  }
  return "?";
}

std::string_view profile_name(mapping::SipProfile::Kind k) {
  switch (k) {
    case mapping::SipProfile::kSip: return "sip";
    case mapping::SipProfile::kSipI: return "sip-i";
    case mapping::SipProfile::kSipT: return "sip-t";
  }
  return "?";
}

std::string leg(const mgmt::LegView& l) {
  switch (l.kind) {
    case mgmt::LegView::Kind::kNone: return "none";
    case mgmt::LegView::Kind::kSip: {
      std::string s = "SIP trunk " + l.trunk;
      if (!l.call_id.empty()) s += ", Call-ID " + l.call_id;
      if (!l.local_tag.empty() || !l.remote_tag.empty())
        s += ", tags " + (l.local_tag.empty() ? "-" : l.local_tag) + "/" + (l.remote_tag.empty() ? "-" : l.remote_tag);
      if (!l.peer.empty()) s += ", peer " + l.peer;
      return s;
    }
    case mgmt::LegView::Kind::kIsup:
      return "ISUP trunk group " + l.trunk + ", " +
             (l.cic == 0 ? std::string("no circuit") : "CIC " + std::to_string(l.cic));
  }
  return "?";
}

}  // namespace

std::string render_calls(const std::vector<mgmt::CallView>& calls) {
  std::string out = std::to_string(calls.size()) + (calls.size() == 1 ? " call\n" : " calls\n");
  for (const auto& c : calls) {
    const auto age = std::chrono::duration_cast<std::chrono::seconds>(c.age).count();
    out += "Call " + std::to_string(c.id) + ": " + str(engine::to_string(c.state)) + (c.answered ? ", answered" : "") +
           ", age " + std::to_string(age) + " s, called " + (c.called.empty() ? "-" : c.called) + "\n";
    out += "  A: " + leg(c.a) + "\n";
    out += "  B: " + leg(c.b) + "\n";
    if (c.media)
      out += "  media: MG " + c.media->mg + ", endpoint " + (c.media->endpoint.empty() ? "-" : c.media->endpoint) +
             ", connection " + (c.media->connection_id.empty() ? "-" : c.media->connection_id) + "\n";
  }
  return out;
}

std::string render_circuits(std::string_view group, const std::vector<mgmt::CircuitView>& circuits) {
  std::string out = "Trunk group " + str(group) + ": " + std::to_string(circuits.size()) + " circuits\n";
  for (const auto& c : circuits) {
    char head[16];
    std::snprintf(head, sizeof head, "CIC %5u: ", static_cast<unsigned>(c.cic));
    out += head + str(isup::to_string(c.call_state));
    if (c.call != 0) out += ", call " + std::to_string(c.call);
    // Our BLO/UBL procedure while it waits for BLA/UBA (T12-T15); settled states show as the flags below.
    if (c.blocking != isup::BlockingState::kUnblocked && c.blocking != isup::BlockingState::kBlocked)
      out += ", BLO/UBL " + str(isup::to_string(c.blocking));
    if (c.local_maintenance_blocked) out += ", blocked locally (maintenance)";
    if (c.local_hardware_blocked) out += ", blocked locally (hardware)";
    if (c.remote_maintenance_blocked) out += ", blocked remotely (maintenance)";
    if (c.remote_hardware_blocked) out += ", blocked remotely (hardware)";
    if (c.resetting) out += ", resetting";
    if (c.unequipped) out += ", unequipped";
    out += "\n";
  }
  return out;
}

namespace {
// "  SCTP path 10.0.1.2: active, primary" for each peer address of an association (issue 19).
std::string render_paths(const std::vector<sigtran::TransportPath>& paths, const std::string& indent) {
  std::string out;
  for (const auto& p : paths)
    out += indent + "SCTP path " + p.address + ": " + (p.active ? "active" : "inactive") +
           (p.primary ? ", primary" : "") + "\n";
  return out;
}
}  // namespace

std::string render_links(const std::vector<mgmt::M3uaLinkView>& m3ua, const std::vector<mgmt::LinkSetView>& linksets) {
  std::string out;
  if (m3ua.empty() && linksets.empty()) return "No SS7 links\n";
  for (const auto& l : m3ua) {
    out += "M3UA link " + l.name + ": " + str(role_name(l.role)) + ", " + (l.ready ? "ready" : "not ready") + ", ASP " +
           str(sigtran::m3ua::to_string(l.asp)) + ", peer ASP " + str(sigtran::m3ua::to_string(l.peer_asp)) + "\n";
    for (const auto& as : l.as)
      out += "  AS routing context " + std::to_string(as.routing_context) + ": " +
             str(sigtran::m3ua::to_string(as.state)) + "\n";
    out += render_paths(l.paths, "  ");
  }
  for (const auto& s : linksets) {
    out += "Link set " + s.name + ": " + s.local_pc + " -> " + s.adjacent_pc + ", " + std::to_string(s.active_links) +
           " of " + std::to_string(s.links.size()) + " links active, restart " +
           str(sigtran::mtp3::to_string(s.restart)) + "\n";
    for (const auto& l : s.links) {
      out += "  SLC " + std::to_string(l.slc) + ": " + str(sigtran::mtp3::to_string(l.status)) + ", MTP3 " +
             str(sigtran::mtp3::to_string(l.state)) + ", M2PA " + str(sigtran::m2pa::to_string(l.m2pa)) + "\n";
      out += render_paths(l.paths, "    ");
    }
  }
  return out;
}

// "  registration registered as sip:gw@example.net at sip:example.net (127.0.0.1:5060/udp), expires 600 s,
// last 200, next REGISTER in 300 s"
std::string render_registration(const sip::RegistrationStatus& r) {
  std::string out = "  registration " + str(sip::to_string(r.state)) + " as " + r.aor + " at " + r.registrar + " (" +
                    r.target.host + ":" + std::to_string(r.target.port) + "/" +
                    str(sip::to_string(r.target.transport)) + ")";
  if (r.expires != 0) out += ", expires " + std::to_string(r.expires) + " s";
  if (!r.last_status.empty()) out += ", last " + r.last_status;
  if (r.next_in)
    out += ", next REGISTER in " +
           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(*r.next_in).count()) + " s";
  return out + "\n";
}

std::string render_trunks(const std::vector<mgmt::SipTrunkView>& sip, const std::vector<mgmt::TrunkGroupView>& groups) {
  std::string out;
  if (sip.empty() && groups.empty()) return "No trunks\n";
  for (const auto& t : sip)
    out += "SIP trunk " + t.name + ": " + t.address + ":" + std::to_string(t.port) + "/" +
           str(sip::to_string(t.transport)) + ", " + str(profile_name(t.profile)) + ", OPTIONS " +
           str(mgmt::to_string(t.options)) + ", " + str(mgmt::to_string(t.admin)) + ", " +
           std::to_string(t.active_calls) + " calls" +
           (t.health ? ", health " + str(engine::to_string(*t.health)) : "") + "\n" +
           (t.registration ? render_registration(*t.registration) : "");
  for (const auto& g : groups)
    out += "Trunk group " + g.name + ": " + g.opc + " -> " + g.dpc + " " + str(isup::to_string(g.variant)) + ", " +
           str(mgmt::to_string(g.admin)) + ", " + std::to_string(g.active_calls) + " calls, " +
           std::to_string(g.circuits) + " circuits: " + std::to_string(g.idle) + " idle, " + std::to_string(g.busy) +
           " busy, " + std::to_string(g.local_blocked) + " blocked locally, " + std::to_string(g.remote_blocked) +
           " blocked remotely, " + std::to_string(g.resetting) + " resetting, " + std::to_string(g.unequipped) +
           " unequipped\n";
  return out;
}

std::string render_registrations(const std::vector<mgmt::SipTrunkView>& sip) {
  std::string out;
  for (const auto& t : sip)
    if (t.registration) out += "SIP trunk " + t.name + ":\n" + render_registration(*t.registration);
  return out.empty() ? "No registrations\n" : out;
}

std::string render_media_gateways(const std::vector<mgmt::MediaGatewayView>& mgs) {
  if (mgs.empty()) return "No media gateways\n";
  std::string out;
  for (const auto& m : mgs)
    out += "MG " + m.name + ": " + m.address + ":" + std::to_string(m.port) + ", " + str(mediagw::to_string(m.health)) +
           ", " + std::to_string(m.connections) + " connections\n";
  return out;
}

std::string render_pri_spans(const std::vector<mgmt::PriSpanView>& spans) {
  if (spans.empty()) return "No PRI spans\n";
  std::string out;
  for (const auto& s : spans) {
    out += "Span " + s.name + ": " + s.asp_state + ", data link " + (s.data_link ? "up" : "down") + ", restart " +
           s.restart + ", " + std::to_string(s.channels) + " B channels, " + std::to_string(s.busy.size()) +
           " busy, " + std::to_string(s.calls) + (s.calls == 1 ? " call\n" : " calls\n");
    if (!s.busy.empty()) {
      out += "  busy:";
      for (auto ch : s.busy) out += " " + std::to_string(ch);
      out += "\n";
    }
  }
  return out;
}

std::string render_counters(const std::vector<std::pair<std::string, std::uint64_t>>& counters) {
  std::string out;
  for (const auto& [name, value] : counters) out += name + " " + std::to_string(value) + "\n";
  return out;
}

std::string render_overload(const mgmt::OverloadView& o) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "Overload: %s (congestion level %u), refusing %.0f %% of new calls\n"
                "  last sample: load %.2f, SIP receive queue %.0f %% of its buffer, %llu dropped, loop lag %.1f ms\n",
                o.state.c_str(), o.level, o.refusal * 100, o.load, o.rx_backlog * 100,
                static_cast<unsigned long long>(o.rx_drops), o.loop_lag_ms);
  return buf;
}

std::string render_query(const mgmt::QueryTable& t) {
  std::string out = "Circuit query, trunk group " + t.group + ": " + std::to_string(t.rows.size()) + " circuits\n";
  for (const auto& r : t.rows) {
    char head[16];
    std::snprintf(head, sizeof head, "CIC %5u: ", static_cast<unsigned>(r.cic));
    out += head + ("maintenance " + str(r.maintenance) + ", call " + str(r.call) + ", hardware " + str(r.hardware)) +
           (r.hung ? ", HUNG" : "") + "\n";
  }
  return out;
}

std::string render_report(const mgmt::ActionReport& r) {
  std::string out;
  for (const auto& s : r.sent) out += "sent " + s + "\n";
  if (!r.note.empty()) out += r.note + "\n";
  if (out.empty()) out = "done\n";
  return out;
}

std::string render_reload(const mgmt::ReloadReport& r) {
  std::string out = "Reloaded " + r.source + "\n";
  for (const auto& n : r.notes) out += "  " + n + "\n";
  return out;
}

std::string render_error(const mgmt::Error& e) { return "% " + str(mgmt::to_string(e.code)) + ": " + e.message + "\n"; }

}  // namespace isupgw::daemon::vty
