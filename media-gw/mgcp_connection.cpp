#include "media-gw/mgcp_connection.h"

#include "media-gw/endpoint_map.h"

namespace isupgw::mediagw {

namespace param = mgcp::param;
using mgcp::Command;
using mgcp::Verb;

std::string_view to_string(ConnectionError e) {
  switch (e) {
    case ConnectionError::kTransaction: return "transaction";
    case ConnectionError::kMissingConnectionId: return "missing_connection_id";
    case ConnectionError::kMissingSpecificEndpoint: return "missing_specific_endpoint";
    case ConnectionError::kBadSpecificEndpoint: return "bad_specific_endpoint";
  }
  return "?";
}

Command make_crcx(const CrcxRequest& r) {
  Command c;
  c.verb = Verb::kCrcx;
  c.endpoint = r.endpoint;
  c.set(param::kCallId, r.call_id);
  if (!r.notified_entity.empty()) c.set(param::kNotifiedEntity, r.notified_entity);
  if (!r.local_options.empty()) c.set(param::kLocalConnectionOptions, r.local_options);
  c.set(param::kConnectionMode, std::string(mgcp::to_string(r.mode)));
  c.sdp = r.remote_sdp;
  return c;
}

Command make_mdcx(std::string endpoint, std::string call_id, std::string connection_id,
                  std::optional<mgcp::ConnectionMode> mode, std::string remote_sdp, std::string local_options) {
  Command c;
  c.verb = Verb::kMdcx;
  c.endpoint = std::move(endpoint);
  c.set(param::kCallId, std::move(call_id));
  c.set(param::kConnectionId, std::move(connection_id));
  if (!local_options.empty()) c.set(param::kLocalConnectionOptions, std::move(local_options));
  if (mode) c.set(param::kConnectionMode, std::string(mgcp::to_string(*mode)));
  c.sdp = std::move(remote_sdp);
  return c;
}

Command make_dlcx(std::string endpoint, std::string call_id, std::string connection_id) {
  Command c;
  c.verb = Verb::kDlcx;
  c.endpoint = std::move(endpoint);
  if (!call_id.empty()) c.set(param::kCallId, std::move(call_id));
  if (!connection_id.empty()) c.set(param::kConnectionId, std::move(connection_id));
  return c;
}

Command make_auep(std::string endpoint, std::string requested_info) {
  Command c;
  c.verb = Verb::kAuep;
  c.endpoint = std::move(endpoint);
  if (!requested_info.empty()) c.set(param::kRequestedInfo, std::move(requested_info));
  return c;
}

Result<ConnectionInfo, ConnectionFailure> connection_from_crcx(const Command& request, const mgcp::Response& response) {
  using E = Err<ConnectionFailure>;
  ConnectionInfo info;
  const auto* ci = response.param(param::kConnectionId);
  if (ci == nullptr || ci->empty()) return E(ConnectionFailure{ConnectionError::kMissingConnectionId, {}});
  info.connection_id = *ci;
  if (is_wildcard(request.endpoint)) {
    const auto* z = response.param(param::kSpecificEndpointId);
    if (z == nullptr || z->empty()) return E(ConnectionFailure{ConnectionError::kMissingSpecificEndpoint, {}});
    // The MG may only pick among the endpoints the wildcard named: same domain, no wildcard left.
    if (is_wildcard(*z) || !mgcp::iequals(endpoint_domain(*z), endpoint_domain(request.endpoint)))
      return E(ConnectionFailure{ConnectionError::kBadSpecificEndpoint, {}});
    info.endpoint = *z;
  } else {
    info.endpoint = request.endpoint;
  }
  info.sdp = response.sdp;
  return info;
}

void create_connection(MgcpClient& client, const CrcxRequest& r,
                       std::function<void(const Result<ConnectionInfo, ConnectionFailure>&)> done) {
  Command c = make_crcx(r);
  Command request = c;
  client.send(std::move(c), [request = std::move(request), done = std::move(done)](const Outcome& o) {
    if (!o.ok()) {
      done(Err(ConnectionFailure{ConnectionError::kTransaction, o.error()}));
      return;
    }
    done(connection_from_crcx(request, o.value()));
  });
}

}  // namespace isupgw::mediagw
