// Connection-level MGCP operations for call control (RFC 3435 2.3.5-2.3.9):
// builders for CRCX/MDCX/DLCX/AUEP and the reading of a CRCX answer,
// including wildcard endpoints ("rtpbridge/*@mgw", "ds/e1-0/$@mg") where the
// MG picks the endpoint and names it in SpecificEndPointId (Z:, 2.3.5).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "base/result.h"
#include "media-gw/mgcp_client.h"
#include "media-gw/mgcp_message.h"

namespace isupgw::mediagw {

struct CrcxRequest {
  std::string endpoint;  // specific, or a wildcard the MG resolves
  std::string call_id;   // C: hex, <= 32 characters
  mgcp::ConnectionMode mode = mgcp::ConnectionMode::kRecvOnly;
  std::string local_options;  // L:, e.g. "p:20, a:PCMA" (empty = omit)
  std::string remote_sdp;     // RemoteConnectionDescriptor (empty = none yet)
  std::string notified_entity;
};

mgcp::Command make_crcx(const CrcxRequest& r);
mgcp::Command make_mdcx(std::string endpoint, std::string call_id, std::string connection_id,
                        std::optional<mgcp::ConnectionMode> mode, std::string remote_sdp = {},
                        std::string local_options = {});
// DLCX of one connection; empty connection_id deletes every connection of the
// call on the endpoint, empty call_id too every connection on it (2.3.8).
mgcp::Command make_dlcx(std::string endpoint, std::string call_id = {}, std::string connection_id = {});
mgcp::Command make_auep(std::string endpoint, std::string requested_info = {});

struct ConnectionInfo {
  std::string endpoint;       // the specific endpoint (Z: for a wildcard request)
  std::string connection_id;  // I:
  std::string sdp;            // the MG's local connection descriptor
};

enum class ConnectionError : std::uint8_t {
  kTransaction,              // see `transaction`
  kMissingConnectionId,      // 200 without I:
  kMissingSpecificEndpoint,  // wildcard CRCX answered without Z:
  kBadSpecificEndpoint,      // Z: still a wildcard, or another domain
};
std::string_view to_string(ConnectionError e);

struct ConnectionFailure {
  ConnectionError error = ConnectionError::kTransaction;
  TransactionFailure transaction;
};

Result<ConnectionInfo, ConnectionFailure> connection_from_crcx(const mgcp::Command& request,
                                                               const mgcp::Response& response);

// CRCX through the client; `done` gets the endpoint/connection id/SDP.
void create_connection(MgcpClient& client, const CrcxRequest& r,
                       std::function<void(const Result<ConnectionInfo, ConnectionFailure>&)> done);

}  // namespace isupgw::mediagw
