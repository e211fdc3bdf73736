// Dialog state (RFC 3261 12): identifiers, local/remote sequence numbers,
// remote target and route set, and building requests within the dialog
// (12.2.1.1). A value type; the UserAgent keeps one per session.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sip/message.h"
#include "sip/serializer.h"
#include "sip/session_api.h"

namespace isupgw::sip {

struct Dialog {
  std::string call_id;
  std::string local_tag;
  std::string remote_tag;
  std::string local_party;   // our From (UAC) / To (UAS) header value, with our tag
  std::string remote_party;  // the peer's, with its tag once known
  std::uint32_t local_cseq = 0;
  std::optional<std::uint32_t> remote_cseq;
  std::string remote_target;           // the peer's Contact URI (12.1.1 / 12.1.2)
  std::vector<std::string> route_set;  // Route values in sending order
  bool confirmed = false;

  // Dialog id as a map key (12: Call-ID, local tag, remote tag).
  static std::string key(std::string_view call_id, std::string_view local_tag, std::string_view remote_tag);
  std::string key() const { return key(call_id, local_tag, remote_tag); }

  // UAS side, from the dialog-creating request (12.1.1).
  static Dialog from_request(const Message& request, std::string local_tag);
  // UAC side, completing the dialog from a 1xx/2xx with a To tag (12.1.2).
  void update_from_response(const Message& response);
  // Target refresh (12.2): Contact of a re-INVITE/UPDATE or its 2xx.
  void refresh_target(const Message& m);

  // 12.2.1.1: Request-URI = remote target (or the first strict route),
  // Via, Max-Forwards, Route = the route set, From/To/Call-ID of the
  // dialog, CSeq `cseq` `method`.
  OutMessage request(std::string method, std::uint32_t cseq, std::string via) const;

  // Where a request in this dialog goes (8.1.2): the first Route if any,
  // else the remote target; nullopt if that host is not an IP literal.
  std::optional<Peer> next_hop(Transport transport) const;
};

// The URI inside a name-addr or addr-spec ("<sip:a@b>;x" -> "sip:a@b").
std::string_view uri_of(std::string_view name_addr);
// An IP-literal sip/sips URI as a transport destination.
std::optional<Peer> peer_of_uri(std::string_view uri, Transport default_transport);

}  // namespace isupgw::sip
