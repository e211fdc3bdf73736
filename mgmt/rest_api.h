// The REST/JSON API over the management model (issue 16), registered on an
// HTTP router (http/router.h); described route by route in mgmt/openapi.yaml
// (a test checks the two agree). Handlers run on the event loop and only
// translate: path/body -> model call -> JSON (mgmt/json.h) or an error status
// (not_found 404, invalid 400, conflict 409, unavailable 503, timeout 504).
#pragma once

#include "http/router.h"
#include "mgmt/model.h"

namespace isupgw::mgmt {

void register_rest_api(http::Router& router, Model& model);

// The status a model error answers with.
unsigned http_status(Error::Code c);

}  // namespace isupgw::mgmt
