#include "daemon/vty_commands.h"

#include <charconv>
#include <cstdint>

#include "daemon/vty_render.h"
#include "daemon/vty_server.h"

namespace isupgw::daemon {

namespace {

using namespace std::chrono_literals;
using mgmt::Model;
using vty::render_error;

constexpr auto kQueryTimeout = 15s;  // a CQM waits up to T28 (10 s, Q.764 2.10.4) for the CQR

const std::string kNoAnswer = "% timeout: the gateway's event loop did not answer in time\n";

std::uint64_t number(const std::string& s) {
  std::uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);  // libosmovty has checked the range already
  return v;
}
std::uint16_t cic(const std::string& s) { return static_cast<std::uint16_t>(number(s)); }

template <class T, class R>
std::string show(VtyServer& v, std::function<T(Model&)> q, R render) {
  auto r = v.ask<T>(std::move(q), v.timeout());
  return r ? render(*r) : kNoAnswer;
}

// An action's Outcome<ActionReport> as text.
std::string act(VtyServer& v, std::function<mgmt::Outcome<mgmt::ActionReport>(Model&)> a) {
  auto r = v.ask<mgmt::Outcome<mgmt::ActionReport>>(std::move(a), v.timeout());
  if (!r) return kNoAnswer;
  return *r ? vty::render_report(**r) : render_error(r->error());
}

mgmt::CircuitRange range(const std::vector<std::string>& a) {
  mgmt::CircuitRange r{a.at(0), std::nullopt, std::nullopt};
  if (a.size() >= 2) r.first = r.last = cic(a[1]);
  if (a.size() >= 3) r.last = cic(a[2]);
  return r;
}

std::string query(VtyServer& v, const std::vector<std::string>& a) {
  auto r = v.ask_async<mgmt::Outcome<mgmt::QueryTable>>(
      [r = range(a)](Model& m, std::function<void(mgmt::Outcome<mgmt::QueryTable>)> done) {
        m.query(r, std::move(done));
      },
      kQueryTimeout);
  if (!r) return kNoAnswer;
  return *r ? vty::render_query(**r) : render_error(r->error());
}

std::string reload(VtyServer& v, const std::vector<std::string>&) {
  auto r = v.ask_async<mgmt::Outcome<mgmt::ReloadReport>>(
      [](Model& m, std::function<void(mgmt::Outcome<mgmt::ReloadReport>)> done) { m.reload(std::move(done)); },
      v.timeout());
  if (!r) return kNoAnswer;
  return *r ? vty::render_reload(**r) : render_error(r->error());
}

// `trunk NAME in-service|out-of-service`: the SIP trunk of that name, else the ISUP trunk group.
std::string trunk_service(VtyServer& v, const std::vector<std::string>& a) {
  const bool in = a.at(1) == "in-service";
  return act(v, [name = a.at(0), in](Model& m) {
    auto r = m.set_sip_trunk_service(name, in);
    if (!r && r.error().code == mgmt::Error::Code::kNotFound) {
      r = m.set_trunk_group_service(name, in);
      if (!r && r.error().code == mgmt::Error::Code::kNotFound)
        r = Err(mgmt::Error{mgmt::Error::Code::kNotFound, "no SIP trunk or ISUP trunk group named '" + name + "'"});
    }
    return r;
  });
}

std::vector<VtyCommand> make() {
  return {
      {"show calls", "Show running system information\nCalls in progress, both legs\n", false,
       [](VtyServer& v, const std::vector<std::string>&) {
         return show<std::vector<mgmt::CallView>>(
             v, [](Model& m) { return m.calls(); }, vty::render_calls);
       }},
      {"show circuits WORD",
       "Show running system information\nCircuits of an ISUP trunk group\nISUP trunk group name\n", false,
       [](VtyServer& v, const std::vector<std::string>& a) {
         return show<mgmt::Outcome<std::vector<mgmt::CircuitView>>>(
             v, [g = a.at(0)](Model& m) { return m.circuits(g); },
             [g = a.at(0)](const mgmt::Outcome<std::vector<mgmt::CircuitView>>& r) {
               return r ? vty::render_circuits(g, *r) : render_error(r.error());
             });
       }},
      {"show links", "Show running system information\nM3UA links and M2PA link sets\n", false,
       [](VtyServer& v, const std::vector<std::string>&) {
         using Links = std::pair<std::vector<mgmt::M3uaLinkView>, std::vector<mgmt::LinkSetView>>;
         return show<Links>(
             v,
             [](Model& m) {
               return Links{m.m3ua_links(), m.linksets()};
             },
             [](const Links& l) { return vty::render_links(l.first, l.second); });
       }},
      {"show trunks", "Show running system information\nSIP trunks and ISUP trunk groups\n", false,
       [](VtyServer& v, const std::vector<std::string>&) {
         using Trunks = std::pair<std::vector<mgmt::SipTrunkView>, std::vector<mgmt::TrunkGroupView>>;
         return show<Trunks>(
             v,
             [](Model& m) {
               return Trunks{m.sip_trunks(), m.trunk_groups()};
             },
             [](const Trunks& t) { return vty::render_trunks(t.first, t.second); });
       }},
      {"show sip registrations",
       "Show running system information\nSIP\nOutbound registrations of the SIP trunks (RFC 3261 10.2)\n", false,
       [](VtyServer& v, const std::vector<std::string>&) {
         return show<std::vector<mgmt::SipTrunkView>>(
             v, [](Model& m) { return m.sip_trunks(); }, vty::render_registrations);
       }},
      {"show media-gateways", "Show running system information\nMedia gateways (MGCP)\n", false,
       [](VtyServer& v, const std::vector<std::string>&) {
         return show<std::vector<mgmt::MediaGatewayView>>(
             v, [](Model& m) { return m.media_gateways(); }, vty::render_media_gateways);
       }},
      {"show pri-spans", "Show running system information\nPRI spans: IUA, data link, restart, busy B channels\n", false,
       [](VtyServer& v, const std::vector<std::string>&) {
         return show<std::vector<mgmt::PriSpanView>>(
             v, [](Model& m) { return m.pri_spans(); }, vty::render_pri_spans);
       }},
      {"show overload", "Show running system information\nNode-wide overload control (refusals, load)\n", false,
       [](VtyServer& v, const std::vector<std::string>&) {
         return show<mgmt::OverloadView>(v, [](Model& m) { return m.overload(); }, vty::render_overload);
       }},
      {"show counters", "Show running system information\nEvery counter\n", false,
       [](VtyServer& v, const std::vector<std::string>&) {
         return show<std::vector<std::pair<std::string, std::uint64_t>>>(
             v, [](Model& m) { return m.counters(); }, vty::render_counters);
       }},
      {"block cic WORD <0-16383>",
       "Block circuits for maintenance (BLO, Q.764 2.8.2)\nOne circuit (BLO)\nISUP trunk group name\n"
       "Circuit identification code\n",
       true,
       [](VtyServer& v, const std::vector<std::string>& a) {
         return act(v, [r = range(a)](Model& m) { return m.block(r); });
       }},
      {"block cics WORD <0-16383> <0-16383>",
       "Block circuits for maintenance (BLO, Q.764 2.8.2)\nA range of circuits (CGB, maintenance)\n"
       "ISUP trunk group name\nFirst CIC\nLast CIC\n",
       true,
       [](VtyServer& v, const std::vector<std::string>& a) {
         return act(v, [r = range(a)](Model& m) { return m.block(r); });
       }},
      {"unblock cic WORD <0-16383>",
       "Unblock circuits (UBL, Q.764 2.8.2)\nOne circuit (UBL)\nISUP trunk group name\nCircuit identification code\n",
       true,
       [](VtyServer& v, const std::vector<std::string>& a) {
         return act(v, [r = range(a)](Model& m) { return m.unblock(r); });
       }},
      {"unblock cics WORD <0-16383> <0-16383>",
       "Unblock circuits (UBL, Q.764 2.8.2)\nA range of circuits (CGU, maintenance)\nISUP trunk group name\n"
       "First CIC\nLast CIC\n",
       true,
       [](VtyServer& v, const std::vector<std::string>& a) {
         return act(v, [r = range(a)](Model& m) { return m.unblock(r); });
       }},
      {"reset cic WORD <0-16383>",
       "Reset circuits (Q.764 2.10.3); calls on them are released\nOne circuit (RSC)\nISUP trunk group name\n"
       "Circuit identification code\n",
       true,
       [](VtyServer& v, const std::vector<std::string>& a) {
         return act(v, [r = range(a)](Model& m) { return m.reset(r); });
       }},
      {"reset group WORD",
       "Reset circuits (Q.764 2.10.3); calls on them are released\nEvery circuit of the group (GRS)\n"
       "ISUP trunk group name\n",
       true,
       [](VtyServer& v, const std::vector<std::string>& a) {
         return act(v, [r = range(a)](Model& m) { return m.reset(r); });
       }},
      {"query circuits WORD", "Ask the far end (CQM, Q.764 2.10.4)\nCircuit states (CQR)\nISUP trunk group name\n",
       true, query},
      {"query circuits WORD <0-16383> <0-16383>",
       "Ask the far end (CQM, Q.764 2.10.4)\nCircuit states (CQR)\nISUP trunk group name\nFirst CIC\nLast CIC\n", true,
       query},
      {"release call <1-4294967295> cause <1-127>",
       "Release a call on both legs\nA call\nCall id (show calls)\nWith a Q.850 cause\nCause value\n", true,
       [](VtyServer& v, const std::vector<std::string>& a) {
         return act(v, [id = number(a.at(0)), cause = static_cast<int>(number(a.at(1)))](Model& m) {
           return m.release_call(id, cause);
         });
       }},
      {"trunk WORD (in-service|out-of-service)",
       "Administrative state of a SIP trunk or ISUP trunk group\nTrunk or trunk group name\n"
       "Take new calls again\nRefuse new calls (SIP 503 + Retry-After, ISUP cause 41); calls up run to their end\n",
       true, trunk_service},
      {"reload", "Read the configuration file again and apply it\n", true, reload},
  };
}

}  // namespace

const std::vector<VtyCommand>& vty_commands() {
  static const std::vector<VtyCommand> commands = make();
  return commands;
}

}  // namespace isupgw::daemon
