// The calls' media connections on one media gateway (RFC 3435 2.3.5-2.3.8),
// as the call engine uses them: create a connection (specific TDM endpoint or
// a wildcard such as "rtpbridge/*@mgw"), change its mode and remote SDP as
// the call progresses, delete it at release — and learn when the MG lost it.
//
// Nothing is left behind: a release while the CRCX is still in flight deletes
// the connection as soon as the MG names it. Connections the MG drops (RSIP
// forced or restart covering the endpoint, RFC 3435 2.3.12) or that become
// unreachable (the keepalive audit is lost: health DOWN) are reported through
// on_lost() with the Q.850 cause to release the call with:
//   41 temporary failure       RSIP restart / forced (the MG restarts)
//   38 network out of order    the MG stopped answering
// No sockets and no timers of its own: MgcpClient carries the commands; wire
// MgcpClient::on_restart to handle_restart() and the health listener to
// handle_health().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/counters.h"
#include "base/log.h"
#include "base/result.h"
#include "media-gw/mg_health_fsm.h"
#include "media-gw/mgcp_client.h"
#include "media-gw/mgcp_connection.h"

namespace isupgw::mediagw {

using MediaId = std::uint64_t;  // 0 = none

inline constexpr int kCauseMgRestart = 41;      // Q.850 temporary failure
inline constexpr int kCauseMgUnreachable = 38;  // Q.850 network out of order

class MgConnections {
 public:
  using Created = std::function<void(const Result<ConnectionInfo, ConnectionFailure>&)>;
  using Modified = std::function<void(bool ok, const std::string& sdp)>;
  using Lost = std::function<void(MediaId id, int cause)>;

  MgConnections(std::string mg_name, MgcpClient& client, Logger& log, Counters& counters);
  ~MgConnections();
  MgConnections(const MgConnections&) = delete;
  MgConnections& operator=(const MgConnections&) = delete;

  // CRCX. `done` is called once with the MG's answer, unless release() came first.
  // The MGCP Call-ID (RFC 3435 3.2.2.2) is `call_id`, or one of our own when
  // empty; connections that must share an endpoint share a Call-ID.
  MediaId create(std::string endpoint, mgcp::ConnectionMode mode, std::string remote_sdp, Created done,
                 std::string call_id = {});
  // MDCX: new mode and/or remote SDP (empty = unchanged); `local_options` (L:, RFC 3435 2.3.3)
  // when not empty, else L: a:CODEC;telephone-event when the remote SDP and the MG's both list
  // RFC 4733 telephone-event (mgcp_media_options.h).
  void modify(MediaId id, std::optional<mgcp::ConnectionMode> mode, std::string remote_sdp, Modified done = {},
              std::string local_options = {});
  // RQNT playing `signal` (e.g. "D/5", RFC 3660) on the connection's endpoint; false when the
  // connection is unknown or not created yet.
  bool signal(MediaId id, std::string signal);
  // DLCX (deferred until the CRCX is answered when it is still in flight). Idempotent.
  void release(MediaId id);

  void on_lost(Lost f) { lost_ = std::move(f); }
  void handle_restart(const RestartNotice& n);
  void handle_health(HealthState from, HealthState to);

  // New connections make sense only while the MG is UP (or not yet audited).
  bool usable() const;
  std::size_t active() const { return connections_.size(); }
  const ConnectionInfo* info(MediaId id) const;
  const std::string& name() const { return name_; }

 private:
  struct Connection {
    ConnectionInfo info;  // endpoint = requested until the MG answers
    std::string call_id;
    bool created = false;
    bool release_pending = false;
  };
  void send_dlcx(const Connection& c);
  void lose(const std::vector<MediaId>& ids, int cause, std::string_view why);

  std::string name_;
  MgcpClient& client_;
  Logger& log_;
  Counters& counters_;
  std::map<MediaId, Connection> connections_;
  MediaId next_id_ = 1;
  std::uint64_t next_request_ = 1;  // RQNT X: (RFC 3435 3.2.2.3)
  Lost lost_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // guards client callbacks after destruction
};

}  // namespace isupgw::mediagw
