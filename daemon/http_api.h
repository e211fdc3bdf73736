// The management API of the running daemon (issue 16): the HTTP server
// (http/) on the runtime's io_context with the REST routes and /metrics of the
// management model (mgmt/rest_api.h), as the management section configures it.
#pragma once

#include <memory>
#include <string>

#include "base/counters.h"
#include "base/log.h"
#include "base/result.h"
#include "config/settings.h"
#include "http/server.h"
#include "mgmt/model.h"

namespace isupgw::daemon {

// Binds the listener and logs "management url=http://ADDRESS:PORT"; null when
// the configuration has no management section; Err naming the listener when
// it cannot bind.
Result<std::unique_ptr<http::Server>, std::string> start_management(boost::asio::io_context& io,
                                                                    const config::ManagementSettings& s,
                                                                    mgmt::Model& model, Logger& log,
                                                                    Counters& counters);

}  // namespace isupgw::daemon
