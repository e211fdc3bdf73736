// What a reload changes (issue 16): the running configuration against the
// file re-read, item by item, each either applied live or needing a restart.
// The rule (README "Reload"): a file that loads is applied in its live items;
// every item that needs a restart is named in one log line and counted, and
// keeps its running value until the daemon restarts. A file that does not load
// changes nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/loader.h"

namespace isupgw::config {

struct ConfigChange {
  std::string item;  // "routes", "sip.trunks[carrier-a]", "ss7.trunk_groups[tg1].opc", ...
  std::string what;  // "added", "removed", "changed", or the detail ("cics +33-40 -5-8")
  bool live = false;
};

// A trunk group's circuits added and removed (ascending CICs).
struct CicChange {
  std::string group;
  std::vector<std::uint16_t> added, removed;
};

struct ConfigDiff {
  std::vector<ConfigChange> changes;
  std::vector<CicChange> cics;                             // live: trunk groups present in both whose CIC ranges differ
  std::vector<int> listeners_added;                        // live: indexes into the new file's sip.listeners
  bool logging = false, runtime = false, routing = false;  // routing: routes or sip.trunks
  bool empty() const { return changes.empty(); }
  std::vector<ConfigChange> needs_restart() const;
  std::vector<ConfigChange> live() const;
};

ConfigDiff diff(const LoadedConfig& running, const LoadedConfig& next);

// "1-4,9,12-13"
std::string cic_list(const std::vector<std::uint16_t>& cics);

}  // namespace isupgw::config
