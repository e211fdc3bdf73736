// `isupgw ctl`: the management API's command-line client (issue 16). One
// HTTP(S) request per command to the daemon's REST API (mgmt/openapi.yaml);
// the JSON answer on stdout, an error's JSON on stderr.
#pragma once

#include <string_view>
#include <vector>

namespace isupgw::cli {

// Returns the exit code: 0 on a 2xx answer, 1 on another status or no answer, 2 on bad usage.
int ctl_main(const std::vector<std::string_view>& args);

}  // namespace isupgw::cli
