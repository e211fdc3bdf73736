// The Runtime's VTY (issue 16): started when the configuration has management.vty, after the SIP
// listeners, stopped when the event loop has returned (daemon/runtime.cpp).
#include "daemon/runtime.h"

namespace isupgw::daemon {

bool Runtime::start_vty() {
  const auto& cfg = config_.settings.vty;
  if (!cfg) return true;
  vty_ = std::make_unique<VtyServer>(model_);
  auto port = vty_->start(cfg->address, cfg->port);
  if (!port) {
    log_.error(Subsystem::kCore, "vty_listen_failed",
               {{"address", cfg->address}, {"port", cfg->port}, {"error", port.error()}});
    vty_.reset();
    return false;
  }
  log_.notice(Subsystem::kCore, "vty_listening", {{"address", cfg->address}, {"port", *port}});
  return true;
}

}  // namespace isupgw::daemon
