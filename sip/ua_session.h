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

#include "sip/invite_session.h"
#include "sip/multipart.h"
#include "sip/offer_answer.h"
#include "sip/reliable_provisional.h"
#include "sip/response.h"
#include "sip/user_agent.h"

namespace isupgw::sip {

namespace ua {

constexpr std::string_view kAllow = "INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK, UPDATE, INFO, REFER";
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

// `bytes` (a request we built) with a new Via branch and CSeq number, and the header `name`
// set to `value` when `name` is not empty (sip/ua_auth.cpp).
std::optional<std::string> rewrite_request(std::string_view bytes, std::string_view branch, std::uint32_t cseq,
                                           std::string_view name = {}, std::string_view value = {});

}  // namespace ua

struct UserAgent::StoredRequest {
  std::string bytes;
  Message msg;
  Peer from;
};

// RFC 3261 14.1 leaves the number of retries after 491 open; three keep a
// persistent glare from looping.
inline constexpr unsigned kGlareRetries = 3;

// One INVITE session. Its phase and offer/answer state are `fsm` (the table
// in invite_session.cpp); the rest is data the rows' actions need.
struct UserAgent::Session {
  Session(const InviteMeter& meter, SessionId session, bool is_uac, InviteState initial)
      : id(session), uac(is_uac), fsm(meter, initial, fsm::Label{{}, session}) {}
  SessionId id = 0;
  bool uac = false;  // we sent the INVITE, so we own the Call-ID (RFC 3261 14.1)
  InviteMachine fsm;
  Peer peer;  // UAC: the trunk; UAS: where the INVITE came from (the flow)
  Dialog dialog;
  std::string indexed_key;
  TransactionId invite_tx = 0;
  std::vector<TransactionId> txs;  // client transactions referring to this session
  Body local_body;                 // the user's last body (offer, answer, 18x/2xx)
  std::string sent_sdp;            // the last SDP we sent (RFC 3264 8: o= versions)
  std::string remote_body;         // last one received
  // What the peer said it supports (Allow, Supported of its INVITE or 2xx).
  bool peer_update = false;
  bool peer_100rel = false;
  bool peer_timer = false;
  // UAC
  std::string invite_bytes;
  std::string invite_branch;
  HeaderList cancel_headers;
  std::vector<Peer> alternates;    // RFC 3263 4.3: targets left after `peer`
  bool heard_provisional = false;  // a 1xx other than 100: too late to fail over
  std::string ack_bytes;
  std::uint32_t ack_cseq = 0;
  std::uint32_t last_rseq = 0;  // RFC 3262 4: the last reliable provisional PRACKed
  // UAS
  std::unique_ptr<StoredRequest> invite;  // until its ACK
  ReliableProvisional reliable;           // RFC 3262 3
  std::string ok_bytes;                   // 2xx retransmitted until ACK (13.3.1.4)
  std::uint32_t ok_cseq = 0;
  Peer ok_to;
  TimerService::Id ok_timer = 0;
  Clock::duration ok_interval{};
  Clock::time_point ok_deadline{};
  // Session timer (RFC 4028)
  std::uint32_t se_interval = 0;
  bool we_refresh = false;
  TimerService::Id se_timer = 0;
  // Our re-INVITE/UPDATE (RFC 3261 14, RFC 3311): the pending transaction, the
  // offer it carries (retried as it is after a 491), the user's body before
  // that offer (restored when it fails: 14.1 keeps the old session), and the
  // 14.1 glare retry.
  TransactionId refresh_tx = 0;
  std::string refresh_method;  // "INVITE" or "UPDATE"
  HeaderList refresh_headers;
  Body refresh_offer;
  Body confirmed_body;
  TimerService::Id glare_timer = 0;
  unsigned glare_retries = 0;
  // A peer's re-INVITE whose answer the user gives later (SessionUser::screen_reoffer).
  std::unique_ptr<StoredRequest> reoffer;
  TransactionId reoffer_tx = 0;
};

}  // namespace isupgw::sip
