// The INVITE session (RFC 3261 13-15) as one state table on the FSM kit: the
// dialog's phase and its offer/answer state (RFC 3264, RFC 6337) in one
// state, named after reSIProcate's InviteSession states. The user agent
// classifies what happens (a response, a request, a call from the engine, a
// timer) into an InviteEvent, steps the machine and runs the row's action;
// an event the state does not accept is refused, counted and logged.
//
// Only what isupgw does is modelled: our INVITE always carries an offer; a
// received INVITE may come without one (the 2xx then offers, the ACK answers);
// re-INVITE and UPDATE in both directions, with RFC 3261 14.1 glare (491 and
// a retry after the randomised delay); one client re-INVITE/UPDATE at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "base/clock.h"
#include "base/fsm.h"

namespace isupgw::sip {

enum class InviteState : std::uint8_t {
  // UAC, before the 2xx.
  kUacStart,            // INVITE with our offer sent, nothing heard: CANCEL waits (9.1)
  kUacEarly,            // a provisional heard, no answer in one
  kUacEarlyWithAnswer,  // a provisional carried the answer (early media)
  kUacCancelPending,    // the user cancelled before any provisional: CANCEL when one comes
  kUacCancelled,        // CANCEL sent; a 2xx may still race it
  // UAS, before the ACK.
  kUasOffer,                  // INVITE with an offer, reported to the user
  kUasNoOffer,                // INVITE without an offer: ours goes in the 2xx or a reliable 18x
  kUasEarlyOffer,             // 1xx sent without SDP, the offer not answered yet
  kUasEarlyProvidedAnswer,    // 1xx sent with the answer
  kUasEarlyNoOffer,           // 1xx sent without SDP, no offer on either side yet
  kUasEarlyProvidedOffer,     // 1xx sent with our offer
  kUasAccepted,               // 2xx with the answer sent, retransmitted until the ACK (13.3.1.4)
  kUasAcceptedWaitingAnswer,  // 2xx with our offer sent; the ACK brings the answer
  // Both, once the dialog is confirmed.
  kConnected,              // offer/answer complete, nothing pending
  kSentUpdate,             // our UPDATE (session refresh, RFC 3311) awaits its final response
  kSentUpdateGlare,        // it got 491: retried after the 14.1 delay
  kSentReinvite,           // our re-INVITE awaits its final response
  kSentReinviteGlare,      // it got 491: retried after the 14.1 delay
  kReceivedReinvite,       // the peer's re-INVITE answered 2xx; its ACK awaited
  kReceivedReinviteGlare,  // the same while our 491'd re-INVITE waits for its retry
  kWaitingToOffer,         // our re-INVITE waits for the ACK of the peer's (14.1: one INVITE at a time)
  kTerminated,             // BYE sent; its response awaited
  kCount
};

enum class InviteEvent : std::uint8_t {
  // Responses to our INVITE (UAC).
  kRx1xx,         // a provisional without SDP
  kRx1xxAnswer,   // a provisional with SDP: the answer
  kRx2xx,         // a 2xx (the first, or a retransmission once connected)
  kRxFailure,     // 3xx-6xx
  kInviteFailed,  // Timer B or a transport error
  // The user, as UAC or on a confirmed dialog.
  kCancel,    // SessionApi::cancel, or bye() before the 2xx
  kBye,       // SessionApi::bye on a confirmed dialog (or stop())
  kInfo,      // SessionApi::info
  kReinvite,  // SessionApi::reinvite: a new offer
  // The user, as UAS.
  kTx1xx,             // provisional() without SDP
  kTx1xxSdp,          // provisional() with SDP
  kTx2xx,             // answer()
  kTxReject,          // reject(), or bye() before the 2xx (480)
  kTxReofferRefused,  // a peer's re-INVITE refused (screen_reoffer / answer_reoffer): the session stays
  // Requests from the peer.
  kRxAck,     // the ACK of our 2xx (initial INVITE or re-INVITE)
  kRxCancel,  // CANCEL of the INVITE, still proceeding
  kRxBye,
  kRxPrack,
  kRxInfo,
  kRxReinvite,  // a re-INVITE (target refresh, session refresh, new offer)
  kRxUpdate,    // an UPDATE (RFC 3311)
  // Responses to our re-INVITE/UPDATE.
  kRxRefresh2xx,      // the 2xx of the pending one
  kRxRefresh491,      // 491 Request Pending: glare (14.1)
  kRxRefreshFailure,  // other 3xx-6xx, or a 491 after the last retry: the old session stays
  kRxRefreshFatal,    // 481 or 408, or no response at all: the dialog is gone (12.2.1.2)
  // Timers.
  kGlareTimer,         // the 14.1 retry delay ran out
  kRefreshByUpdate,    // RFC 4028: our turn to refresh, the peer allows UPDATE
  kRefreshByReinvite,  // the same, by re-INVITE
  kSessionExpired,     // RFC 4028 10: no refresh came
  kNoAck,              // our 2xx had no ACK within 64*T1 (13.3.1.4)
  kNoPrack,            // our reliable provisional had no PRACK within 64*T1 (RFC 3262 3)
  kShutdown,           // stop()
  kByeDone,            // the final response to our BYE, or its failure
  kCount
};

// What the user agent does for a row (the code lives with the spec entity:
// invite_client_session, invite_server_session, session_refresh, ...).
enum class InviteAction : std::uint8_t {
  kNone,
  // UAC
  kReportProvisional,    // dialog from a tagged 1xx, PRACK when reliable, on_provisional
  kCancelOnProvisional,  // the pending CANCEL goes now, then as kReportProvisional
  kAnswered,             // 2xx: confirm the dialog, ACK, session timer, on_answered
  kAckAgain,             // a 2xx retransmission: the same ACK again (13.2.2.4)
  kRejected,             // the session is over: on_rejected
  kInviteFailed,         // on_ended (timeout, transport error)
  kSendCancel,           // CANCEL now (9.1)
  kCancelLater,          // remember the CANCEL until a provisional
  // UAS
  kSendProvisional,
  kSendAnswer,
  kSendReject,
  kRejectForBye,  // bye() before the 2xx: 480 with the user's body
  kAck,           // stop the 2xx retransmission; the first ACK goes to the user
  kAckThenOffer,  // as kAck, then our waiting re-INVITE goes
  kCancelled,     // 487 to the INVITE, on_cancel
  kPrack,         // RFC 3262: stop the reliable provisional's retransmission
  kPrackTimeout,  // 504 to the INVITE, on_ended
  // Either side
  kSendBye,
  kByeReceived,  // 487 to a proceeding INVITE, on_bye, forget the session
  kSendInfo,
  kInfoReceived,
  kAnswerReinvite,  // 2xx with our SDP (answer to a new offer), retransmitted until ACK
  kAnswerUpdate,    // 2xx with our SDP when the UPDATE offered
  kReply491,        // 14.1 / RFC 3311 5.2: ours is pending
  kReply500,        // 14.2: an INVITE is unfinished -> 500 with Retry-After
  kSendReinvite,    // our offer in a re-INVITE
  kQueueOffer,      // our offer waits (WaitingToOffer) or replaces the one awaiting its retry
  kSendRefresh,     // RFC 4028: UPDATE or re-INVITE with the last SDP
  kRefreshLater,    // a request is pending: refresh a little later
  kRefreshDone,     // ACK a 2xx to re-INVITE, restart the session timer, on_refresh_result
  kArmGlareTimer,   // 14.1: retry after the randomised delay
  kRefreshFailed,   // the old session stays (RFC 3261 14.1), on_refresh_result
  kRetryReinvite,   // the glare delay ran out: the re-INVITE again, with a new CSeq
  kRetryUpdate,     // the same for an UPDATE
  kEndWithBye,      // BYE, on_ended (no ACK, session expired, dialog gone)
  kShutdownEnd,     // stop(): nothing to send (no provisional yet, or CANCEL sent), on_ended
  kShutdownCancel,  // stop(): CANCEL (a provisional was heard), on_ended
  kShutdownReject,  // stop(): 503 to the INVITE, on_ended
  kShutdownBye,     // stop(): BYE with Reason 503, on_ended
  kForget,          // the BYE's transaction is over: forget the session
};

std::string_view to_string(InviteState s);
std::string_view to_string(InviteEvent e);

using InviteRow = fsm::Row<InviteState, InviteEvent, InviteAction>;
using InviteMeter = fsm::Meter<InviteRow>;
using InviteMachine = fsm::Machine<InviteRow>;

// The table (for the user agent's Meter and for tests: accepts(), successors()).
std::unique_ptr<InviteMeter> make_invite_meter(Logger& log, Counters& counters);
fsm::Set<InviteEvent> invite_accepts(InviteState s);
fsm::Set<InviteState> invite_successors(InviteState s);

// RFC 3261 14.1: the retry delay after a 491, in units of 10 ms: 2.1-4 s for
// the owner of the dialog's Call-ID (the UA that sent the initial INVITE),
// 0-2 s for the other. `random` is any uniformly distributed value.
Clock::duration glare_retry_delay(bool call_id_owner, std::uint64_t random);

}  // namespace isupgw::sip
