// JSON renderings of the management model's views (mgmt/model.h), one object
// per view with the enum states as their lower-case names: what the REST API
// serves, reusable by any other front end. No logic: fields as the views hold them.
#pragma once

#include <string>
#include <vector>

#include "mgmt/model.h"

namespace isupgw::mgmt::json {

std::string render(const std::vector<M3uaLinkView>& v);
std::string render(const std::vector<LinkSetView>& v);
std::string render(const std::vector<TrunkGroupView>& v);
std::string render(const std::vector<CircuitView>& v);
std::string render(const std::vector<CallView>& v);
std::string render(const CallView& v);
std::string render(const std::vector<SipTrunkView>& v);
std::string render(const std::vector<MediaGatewayView>& v);
std::string render(const std::vector<std::pair<std::string, std::uint64_t>>& counters);  // {"name": value, ...}
std::string render(const ActionReport& r);
std::string render(const QueryTable& t);
std::string render(const ValidationReport& v);
std::string render(const ReloadReport& r);

}  // namespace isupgw::mgmt::json
