// Inside the user agent (not for the call engine): the per-session record
// shared by the files that implement UserAgent (user_agent, invite_client_session,
// invite_server_session, reliable_provisional, session_refresh, session_timer,
// options_keepalive), and the small helpers they all use.
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sip/multipart.h"
#include "sip/offer_answer.h"
#include "sip/response.h"
#include "sip/user_agent.h"

namespace isupgw::sip {

namespace ua {

constexpr std::string_view kAllow = "INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK, UPDATE, INFO";
constexpr std::string_view kAccept = "application/sdp, application/isup, multipart/mixed";
constexpr std::string_view kSupported = "100rel, timer";

inline std::string_view via_transport(Transport t) {
  switch (t) {
    case Transport::kUdp: return "UDP";
    case Transport::kTcp: return "TCP";
    case Transport::kTls: return "TLS";
  }
  return "UDP";
}

inline bool has_token(const Message& m, HeaderId id, std::string_view token) {
  for (std::string_view v : m.values(id))
    if (grammar::iequals(grammar::trim(v), token)) return true;
  return false;
}

inline bool has_header(const HeaderList& h, std::string_view name) {
  return std::any_of(h.begin(), h.end(), [&](const auto& p) { return grammar::iequals(p.first, name); });
}

inline void add_headers(OutMessage& m, const HeaderList& h) {
  for (const auto& [name, value] : h) m.add(name, value);
}

inline void set_body(OutMessage& m, const Body& b) {
  if (!b.empty()) m.set_body(b.content_type, b.content);
}

// The SDP of a body we send: application/sdp alone or inside multipart/mixed (SIP-I).
inline std::optional<std::string> sdp_part(const Body& b) {
  if (b.empty()) return std::nullopt;
  auto parts = split_bodies(b.content_type, {}, b.content);
  if (!parts || !parts->sdp) return std::nullopt;
  return std::string(*parts->sdp);
}

// The SDP of a received request, if it has one.
inline std::optional<std::string_view> sdp_part(const Message& m) {
  if (m.body.empty()) return std::nullopt;
  auto parts = split_bodies(m.first(HeaderId::kContentType).value_or(std::string_view{}),
                            m.first(HeaderId::kContentDisposition).value_or(std::string_view{}), m.body);
  if (!parts || !parts->sdp) return std::nullopt;
  return parts->sdp;
}

}  // namespace ua

struct UserAgent::StoredRequest {
  std::string bytes;
  Message msg;
  Peer from;
};

struct UserAgent::Session {
  enum class State : std::uint8_t { kCalling, kEarly, kConfirmed, kEnding };
  SessionId id = 0;
  bool uac = false;
  State state = State::kCalling;
  Peer peer;  // UAC: the trunk; UAS: where the INVITE came from (the flow)
  Dialog dialog;
  std::string indexed_key;
  TransactionId invite_tx = 0;
  std::vector<TransactionId> txs;  // client transactions referring to this session
  Body local_body;                 // the user's last body (offer, answer, 18x/2xx)
  std::string sent_sdp;            // the last SDP we sent (RFC 3264 8: o= versions)
  std::string remote_body;         // last one received
  bool peer_update = false;        // the peer allows UPDATE
  // UAC
  std::string invite_bytes;
  std::string invite_branch;
  bool provisional_seen = false;
  bool cancel_pending = false;
  bool cancelled = false;
  HeaderList cancel_headers;
  std::string ack_bytes;
  std::uint32_t ack_cseq = 0;
  std::uint32_t last_rseq = 0;
  // UAS
  std::unique_ptr<StoredRequest> invite;
  bool peer_100rel = false;
  bool peer_timer = false;
  bool acked = false;
  std::uint32_t rseq = 0;
  std::string reliable_bytes;
  std::uint32_t reliable_rseq = 0;
  TimerService::Id reliable_timer = 0;
  Clock::duration reliable_interval{};
  Clock::time_point reliable_deadline{};
  std::string ok_bytes;  // 2xx retransmitted until ACK (13.3.1.4)
  std::uint32_t ok_cseq = 0;
  Peer ok_to;
  TimerService::Id ok_timer = 0;
  Clock::duration ok_interval{};
  Clock::time_point ok_deadline{};
  // Session timer (RFC 4028)
  std::uint32_t se_interval = 0;
  bool we_refresh = false;
  TimerService::Id se_timer = 0;
  TransactionId refresh_tx = 0;  // our re-INVITE/UPDATE in progress
};

}  // namespace isupgw::sip
