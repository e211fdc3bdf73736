// The VTY's text for the management model's views and action results (issue 16). Pure functions: views
// in, lines out ("\n"-separated; the VTY turns them into its own line ends). No logic beyond layout: every
// value comes from mgmt/model.h as it is.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "mgmt/model.h"

namespace isupgw::daemon::vty {

std::string render_calls(const std::vector<mgmt::CallView>& calls);
std::string render_circuits(std::string_view group, const std::vector<mgmt::CircuitView>& circuits);
std::string render_links(const std::vector<mgmt::M3uaLinkView>& m3ua, const std::vector<mgmt::LinkSetView>& linksets);
std::string render_trunks(const std::vector<mgmt::SipTrunkView>& sip, const std::vector<mgmt::TrunkGroupView>& groups);
// `show sip registrations`: each registering trunk's outbound registration (RFC 3261 10.2).
std::string render_registrations(const std::vector<mgmt::SipTrunkView>& sip);
std::string render_media_gateways(const std::vector<mgmt::MediaGatewayView>& mgs);
std::string render_pri_spans(const std::vector<mgmt::PriSpanView>& spans);
std::string render_counters(const std::vector<std::pair<std::string, std::uint64_t>>& counters);
std::string render_overload(const mgmt::OverloadView& o);
std::string render_query(const mgmt::QueryTable& table);
std::string render_report(const mgmt::ActionReport& report);
std::string render_reload(const mgmt::ReloadReport& report);
// Osmocom's style for a refused command: "% " then the reason.
std::string render_error(const mgmt::Error& e);

}  // namespace isupgw::daemon::vty
