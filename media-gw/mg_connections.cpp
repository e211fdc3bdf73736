#include "media-gw/mg_connections.h"

#include <cstdio>
#include <vector>

#include "media-gw/endpoint_map.h"
#include "media-gw/mgcp_media_options.h"
#include "media-gw/mgcp_message.h"

namespace isupgw::mediagw {

MgConnections::MgConnections(std::string mg_name, MgcpClient& client, Logger& log, Counters& counters)
    : name_(std::move(mg_name)), client_(client), log_(log), counters_(counters) {}

MgConnections::~MgConnections() { *alive_ = false; }

bool MgConnections::usable() const {
  const HealthState s = client_.health().state();
  return s == HealthState::kUp || s == HealthState::kUnknown;
}

const ConnectionInfo* MgConnections::info(MediaId id) const {
  auto it = connections_.find(id);
  return it == connections_.end() || !it->second.created ? nullptr : &it->second.info;
}

MediaId MgConnections::create(std::string endpoint, mgcp::ConnectionMode mode, std::string remote_sdp, Created done,
                              std::string call_id) {
  const MediaId id = next_id_++;
  Connection& c = connections_[id];
  if (call_id.empty()) {
    char own[24];
    std::snprintf(own, sizeof own, "%llX", static_cast<unsigned long long>(id));
    call_id = own;
  }
  c.call_id = std::move(call_id);
  c.info.endpoint = endpoint;
  counters_.get("mgcp.connections.create").inc();
  CrcxRequest r;
  r.endpoint = std::move(endpoint);
  r.call_id = c.call_id;
  r.mode = mode;
  r.remote_sdp = std::move(remote_sdp);
  std::weak_ptr<bool> alive = alive_;
  create_connection(client_, r,
                    [this, alive, id, done = std::move(done)](const Result<ConnectionInfo, ConnectionFailure>& res) {
                      if (alive.expired()) return;
                      auto it = connections_.find(id);
                      if (it == connections_.end()) return;  // lost meanwhile (RSIP / MG down)
                      Connection& conn = it->second;
                      if (!res.ok()) {
                        counters_.get("mgcp.connections.create_failed").inc();
                        log_.warn(Subsystem::kMgcp, "connection.create_failed",
                                  {{"mg", name_},
                                   {"endpoint", conn.info.endpoint},
                                   {"error", to_string(res.error().error)},
                                   {"code", res.error().transaction.code}});
                        const bool wanted = !conn.release_pending;
                        connections_.erase(it);
                        if (wanted && done) done(res);
                        return;
                      }
                      conn.info = res.value();
                      conn.created = true;
                      log_.debug(Subsystem::kMgcp, "connection.created",
                                 {{"mg", name_}, {"endpoint", conn.info.endpoint}, {"id", conn.info.connection_id}});
                      if (conn.release_pending) {
                        send_dlcx(conn);
                        connections_.erase(it);
                        return;
                      }
                      if (done) done(res);
                    });
  return id;
}

void MgConnections::modify(MediaId id, std::optional<mgcp::ConnectionMode> mode, std::string remote_sdp, Modified done,
                           std::string local_options) {
  auto it = connections_.find(id);
  if (it == connections_.end() || !it->second.created || it->second.release_pending) {
    if (done) done(false, {});
    return;
  }
  const Connection& c = it->second;
  std::weak_ptr<bool> alive = alive_;
  if (local_options.empty() && !remote_sdp.empty()) local_options = telephone_event_options(c.info.sdp, remote_sdp);
  client_.send(make_mdcx(c.info.endpoint, c.call_id, c.info.connection_id, mode, std::move(remote_sdp),
                         std::move(local_options)),
               [this, alive, id, done = std::move(done)](const Outcome& o) {
                 if (alive.expired()) return;
                 if (!o.ok()) {
                   counters_.get("mgcp.connections.modify_failed").inc();
                   log_.warn(Subsystem::kMgcp, "connection.modify_failed",
                             {{"mg", name_}, {"error", to_string(o.error().error)}, {"code", o.error().code}});
                 }
                 auto it2 = connections_.find(id);
                 if (o.ok() && it2 != connections_.end() && !o.value().sdp.empty())
                   it2->second.info.sdp = o.value().sdp;
                 if (done) done(o.ok(), it2 != connections_.end() ? it2->second.info.sdp : std::string());
               });
}

bool MgConnections::signal(MediaId id, std::string signal) {
  auto it = connections_.find(id);
  if (it == connections_.end() || !it->second.created || it->second.release_pending) return false;
  char rid[24];
  std::snprintf(rid, sizeof rid, "%llX", static_cast<unsigned long long>(next_request_++));
  counters_.get("mgcp.signals").inc();
  std::weak_ptr<bool> alive = alive_;
  const std::string endpoint = it->second.info.endpoint;
  client_.send(make_rqnt_signal(endpoint, rid, std::move(signal)), [this, alive, endpoint](const Outcome& o) {
    if (alive.expired() || o.ok()) return;
    counters_.get("mgcp.signals_failed").inc();
    log_.warn(Subsystem::kMgcp, "signal_failed",
              {{"mg", name_}, {"endpoint", endpoint}, {"error", to_string(o.error().error)}, {"code", o.error().code}});
  });
  return true;
}

void MgConnections::release(MediaId id) {
  auto it = connections_.find(id);
  if (it == connections_.end() || it->second.release_pending) return;
  counters_.get("mgcp.connections.release").inc();
  if (!it->second.created) {
    it->second.release_pending = true;  // DLCX once the MG has named the connection
    return;
  }
  send_dlcx(it->second);
  connections_.erase(it);
}

void MgConnections::send_dlcx(const Connection& c) {
  std::weak_ptr<bool> alive = alive_;
  const std::string endpoint = c.info.endpoint;
  client_.send(make_dlcx(c.info.endpoint, c.call_id, c.info.connection_id), [this, alive, endpoint](const Outcome& o) {
    if (alive.expired() || o.ok()) return;
    // 515 "incorrect connection id" / 250-style answers after an MG restart: it is gone either way.
    counters_.get("mgcp.connections.delete_failed").inc();
    log_.warn(Subsystem::kMgcp, "connection.delete_failed",
              {{"mg", name_}, {"endpoint", endpoint}, {"error", to_string(o.error().error)}, {"code", o.error().code}});
  });
}

void MgConnections::lose(const std::vector<MediaId>& ids, int cause, std::string_view why) {
  for (MediaId id : ids) {
    auto it = connections_.find(id);
    if (it == connections_.end() || it->second.release_pending) continue;
    const bool wanted = !it->second.release_pending;
    log_.notice(Subsystem::kMgcp, "connection.lost",
                {{"mg", name_}, {"endpoint", it->second.info.endpoint}, {"why", why}, {"cause", cause}});
    counters_.get("mgcp.connections.lost").inc();
    if (it->second.created) {
      connections_.erase(it);
    } else {
      // The CRCX may still succeed: delete what it creates, but the call is lost now.
      it->second.release_pending = true;
    }
    if (wanted && lost_) lost_(id, cause);
  }
}

void MgConnections::handle_restart(const RestartNotice& n) {
  // RFC 3435 2.3.12: forced = connections already lost; restart = the endpoints
  // restarted, nothing of their state survived. Graceful keeps calls up.
  if (n.method != mgcp::RestartMethod::kForced && n.method != mgcp::RestartMethod::kRestart) return;
  std::vector<MediaId> doomed;
  for (const auto& [id, c] : connections_)
    if (endpoint_matches(n.endpoint, c.info.endpoint)) doomed.push_back(id);
  lose(doomed, kCauseMgRestart, n.method == mgcp::RestartMethod::kForced ? "rsip-forced" : "rsip-restart");
}

void MgConnections::handle_health(HealthState /*from*/, HealthState to) {
  if (to != HealthState::kDown) return;
  std::vector<MediaId> all;
  for (const auto& [id, c] : connections_) all.push_back(id);
  lose(all, kCauseMgUnreachable, "mg-down");
}

}  // namespace isupgw::mediagw
