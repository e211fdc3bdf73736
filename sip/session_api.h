// The SIP side as the call engine sees it: INVITE sessions (RFC 3261 13-15)
// with everything below a call's meaning kept inside the stack.
//
// The stack (sip/user_agent) implements SessionApi; the call engine
// (engine/call_engine) implements SessionUser. Both run on one io_context
// thread; callbacks are never made from inside a SessionApi call (the stack
// posts them), so the engine may call back into the API from any callback.
//
// Inside the stack and never seen here: 100 Trying, retransmissions, ACK for
// non-2xx and for 2xx, PRACK for reliable provisionals received (RFC 3262),
// the 200 to CANCEL and the 487 to the cancelled INVITE, the 200 to BYE,
// session-timer refreshes (RFC 4028), OPTIONS answers and trunk pings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sip/message.h"
#include "sip/transport_listener.h"

namespace isupgw::sip {

using SessionId = std::uint64_t;  // 0 = none

// Extra headers for an outgoing request or response, canonical long names
// ("P-Asserted-Identity", "Reason"), in order.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// An outgoing body: application/sdp, application/ISUP, or a multipart/mixed
// built with sip/multipart.h (content_type then carries the boundary). Empty
// content_type = no body.
struct Body {
  std::string content_type;
  std::string content;
  bool empty() const { return content_type.empty(); }
};

// Where a request goes (a configured SIP trunk) or where one came from.
struct Peer {
  Transport transport = Transport::kUdp;
  std::string host;  // IP literal
  std::uint16_t port = 5060;
};

// A new INVITE session from the engine (UAC).
struct OutgoingInvite {
  Peer peer;
  // RFC 3263 4.3: further targets of the same trunk, tried in order with a new
  // transaction when `peer` answers 503, times out or refuses the connection
  // before any provisional response other than 100 (sip/ua_failover.cpp).
  std::vector<Peer> alternates;
  std::string request_uri;            // "sip:+4930123456@192.0.2.10;user=phone"
  std::string from;                   // name-addr without tag: "<sip:+4930999@gw.example.net;user=phone>"
  std::string to;                     // name-addr without tag
  std::string call_id;                // empty: the stack makes one (RFC 3578 overlap reuses one)
  HeaderList headers;                 // P-Asserted-Identity, Privacy, Diversion, History-Info, Max-Forwards ...
  Body body;                          // offer
  bool offer_100rel = true;           // Supported: 100rel
  std::uint32_t session_expires = 0;  // RFC 4028 Session-Expires to ask for; 0 = no session timer
};

// Why a session ended without a final response or BYE from the peer.
enum class EndReason : std::uint8_t {
  kTimeout,         // Timer B / F (no response: treated as 408), or no ACK for our 2xx (Timer H / 13.3.1.4)
  kTransportError,  // could not send (treated as 503)
  kSessionExpired,  // RFC 4028 10: no refresh before the session interval ran out
  kShutdown,        // the stack is stopping
};
inline std::string_view to_string(EndReason r) {
  switch (r) {
    case EndReason::kTimeout: return "timeout";
    case EndReason::kTransportError: return "transport-error";
    case EndReason::kSessionExpired: return "session-expired";
    case EndReason::kShutdown: return "shutdown";
  }
  return "?";
}

// Implemented by the stack.
class SessionApi {
 public:
  virtual ~SessionApi() = default;

  // --- UAC ---
  // Sends the INVITE. The returned id names the session in later callbacks.
  virtual SessionId invite(OutgoingInvite req) = 0;
  // CANCEL (RFC 3261 9.1) before a final response; `headers` usually a Reason.
  // After a 2xx raced the CANCEL the stack reports on_answered and the engine sends bye().
  virtual void cancel(SessionId s, HeaderList headers = {}) = 0;

  // --- UAS (answers to the INVITE reported by on_invite) ---
  // 1xx other than 100. reliable = send with Require: 100rel when the INVITE
  // allowed it (RFC 3262 3); the stack retransmits it until PRACK.
  virtual void provisional(SessionId s, int status, HeaderList headers = {}, Body body = {}, bool reliable = false) = 0;
  // 2xx; the stack retransmits it until ACK (RFC 3261 13.3.1.4).
  virtual void answer(SessionId s, HeaderList headers = {}, Body body = {}) = 0;
  // 3xx-6xx final response (Reason, Warning in `headers`).
  virtual void reject(SessionId s, int status, HeaderList headers = {}, Body body = {}) = 0;

  // --- Either side, in a confirmed dialog ---
  // BYE; `body` e.g. the encapsulated REL of SIP-I/SIP-T (Q.1912.5, RFC 3372:
  // REL -> BYE), its Content-Disposition/MIME-Version in `headers`. Before the
  // dialog is confirmed: CANCEL as UAC (no body, nor the headers describing
  // one: CANCEL carries no ISUP body), 480 with the body as UAS.
  virtual void bye(SessionId s, HeaderList headers = {}, Body body = {}) = 0;
  // INFO (RFC 6086) in the dialog, e.g. SIP-I carrying an ISUP message without
  // SIP equivalent (Q.1912.5 7.3).
  virtual void info(SessionId s, HeaderList headers, Body body) = 0;
  // re-INVITE with a new offer (hold, retrieval, codec change, RFC 3261 14);
  // the final response goes to on_refresh_result. While the peer's re-INVITE
  // awaits its ACK the offer waits for it; while ours waits for its 14.1 glare
  // retry this offer replaces it (true in both cases). False when there is no
  // confirmed dialog, an offer of the peer's is unanswered, or our re-INVITE
  // is out (14.1: one at a time; the result comes to on_refresh_result).
  virtual bool reinvite(SessionId /*s*/, Body /*offer*/) { return false; }
  // RFC 4916 4: the identity we answer for in this dialog changed (e.g. a connected number other than the one
  // called): later requests carry `from_uri` in From (our tag kept), and an UPDATE without an offer (RFC 3311
  // 5.1) goes now with `headers` (P-Asserted-Identity, Privacy); its result comes to on_refresh_result. False,
  // nothing changed: no confirmed dialog, the peer's Allow has no UPDATE, or a re-INVITE/UPDATE is out.
  virtual bool update_identity(SessionId /*s*/, std::string /*from_uri*/, HeaderList /*headers*/) { return false; }
  // RFC 3515 2.4.4-2.4.5: after a REFER answered 202 (on_refer), the progress of the referred
  // request as a NOTIFY (Event: refer, message/sipfrag "SIP/2.0 <status> <reason>"); `final` ends the
  // implicit subscription (Subscription-State: terminated;reason=noresource). The stack itself sends
  // the first one, 100 Trying, right after the 202.
  virtual void refer_progress(SessionId /*s*/, int /*status*/, std::string_view /*reason*/, bool /*final*/) {}
  // The final response to a peer's re-INVITE the user deferred (SessionUser::screen_reoffer):
  // 2xx with `answer` (retransmitted until the ACK, RFC 3261 13.3.1.4), or a refusal
  // (3xx-6xx: the session stays as it was, RFC 3261 14.2 / RFC 3264 8). Ignored when nothing
  // is deferred (the peer's BYE answered it 487 meanwhile).
  virtual void answer_reoffer(SessionId /*s*/, int /*status*/, Body /*answer*/ = {}, HeaderList /*headers*/ = {}) {}

  // The session's dialog identity (RFC 3261 12.1: Call-ID, our tag, the peer's tag; empty until known,
  // all empty once the session is gone), for call detail records.
  struct DialogIds {
    std::string call_id, local_tag, remote_tag;
  };
  virtual DialogIds dialog_ids(SessionId /*s*/) const { return {}; }
};

// The answer to an INFO (RFC 2976 / RFC 6086): 200, or a refusal such as 415
// with Accept for a body the engine cannot use (RFC 3261 8.2.3, RFC 3204).
struct InfoAnswer {
  int status = 200;
  HeaderList headers;  // Accept, Warning
};

// The answer to a REFER in the dialog (RFC 3515 2.4.2): 202 Accepted (the stack then sends the
// NOTIFY with 100 Trying), or a refusal such as 603 Decline or 400 (no single Refer-To).
struct ReferAnswer {
  int status = 603;
  HeaderList headers;  // Warning
};

// What the stack does with a peer's re-INVITE carrying a new offer (SessionUser::screen_reoffer):
// answer it from the user's last SDP (hold, retrieval), leave the answer to the user (e.g.
// T.38: the media gateway must agree first), or refuse it at once.
struct ReofferDecision {
  enum Kind : std::uint8_t { kAnswer, kDefer, kRefuse };
  Kind kind = kAnswer;
  int status = 488;    // kRefuse
  HeaderList headers;  // kRefuse: Warning
};

// A new INVITE refused before the stack keeps any state for it (admission control, issue 18).
struct EarlyRefusal {
  int status = 503;
  HeaderList headers;  // Retry-After, Reason, Warning
};

// Implemented by the engine. `msg` views are valid during the callback only.
class SessionUser {
 public:
  virtual ~SessionUser() = default;

  // UAS: asked first for each new INVITE (no To tag, matching no server transaction), before the stack
  // parses more of it or keeps anything. A refusal is answered statelessly (RFC 3261 8.2.7): no server
  // transaction, no 100 Trying, no session, no on_invite; a retransmission of that INVITE gets the same
  // response and its ACK is absorbed. Called synchronously: it must not call back into SessionApi.
  virtual std::optional<EarlyRefusal> screen_invite(const Message& /*invite*/, const Peer& /*from*/) {
    return std::nullopt;
  }

  // UAS: a new dialog-creating INVITE (100 Trying already sent). `from` is
  // the transport source, for trunk ACLs.
  virtual void on_invite(SessionId s, const Message& invite, const Peer& from) = 0;
  // UAS: the caller cancelled (200 to CANCEL and 487 to the INVITE already sent).
  virtual void on_cancel(SessionId s, const Message& cancel) = 0;
  // UAS: ACK for our 2xx (may carry the answer when our 2xx was the offer).
  virtual void on_ack(SessionId, const Message& /*ack*/) {}

  // UAC: a provisional other than 100 (reliable ones already PRACKed).
  virtual void on_provisional(SessionId s, const Message& response) = 0;
  // UAC: a 2xx (ACK already sent).
  virtual void on_answered(SessionId s, const Message& response) = 0;
  // UAC: a 3xx-6xx final response (ACK already sent).
  virtual void on_rejected(SessionId s, const Message& response) = 0;

  // Either side: the peer sent BYE (200 already sent).
  virtual void on_bye(SessionId s, const Message& bye) = 0;
  // Either side: a re-INVITE or UPDATE with a new offer (hold, codec change),
  // already answered by the stack with the last local SDP. Session-timer
  // refreshes without a new offer are not reported.
  virtual void on_reoffer(SessionId, const Message& /*request*/) {}
  // A re-INVITE with a new offer, before the stack answers it: kDefer has the user answer
  // later with SessionApi::answer_reoffer (100 Trying goes at once); on_reoffer is then not
  // called. Called synchronously: it must not call back into SessionApi.
  virtual ReofferDecision screen_reoffer(SessionId, const Message& /*request*/) { return {}; }
  // Either side: INFO received in the dialog (early or confirmed); the stack
  // answers it with what the engine returns, after the callback.
  virtual InfoAnswer on_info(SessionId, const Message& /*info*/) { return {}; }
  // Either side: REFER received in the confirmed dialog (RFC 3515); the stack answers it with what the
  // engine returns, after the callback. The engine reports progress with SessionApi::refer_progress.
  virtual ReferAnswer on_refer(SessionId, const Message& /*refer*/) { return {}; }
  // Either side: the final response to a re-INVITE or UPDATE we sent
  // (UserAgent::reinvite, session-timer refreshes); 2xx already ACKed. A 491
  // is retried after the RFC 3261 14.1 delay (up to 3 times) before it is
  // reported (an offer that replaced one awaiting its retry shares its
  // result). After a failure the session stays as it was (14.1); 481/408
  // also end it (on_ended follows).
  virtual void on_refresh_result(SessionId, const Message& /*response*/) {}
  // Either side: the session ended for a reason other than the peer's
  // response or BYE. The stack has sent what it could (BYE on session expiry).
  virtual void on_ended(SessionId s, EndReason why) = 0;

  // A configured trunk's OPTIONS keepalive changed state.
  virtual void on_peer_state(const Peer&, bool /*up*/) {}
  // Each OPTIONS keepalive's outcome (trunk health, issue 18): a final response (answered), or
  // none by the time the next one is due, or a transaction failure (not answered).
  virtual void on_ping_result(const Peer&, bool /*answered*/) {}
};

}  // namespace isupgw::sip
