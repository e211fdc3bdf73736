#include "sip/invite_session.h"

namespace isupgw::sip {

namespace {

using S = InviteState;
using E = InviteEvent;
using A = InviteAction;
using fsm::in;
using fsm::stay;

// Groups of states that share rows.
constexpr auto kUacBefore2xx =
    in(S::kUacStart, S::kUacEarly, S::kUacEarlyWithAnswer, S::kUacCancelPending, S::kUacCancelled);
constexpr auto kUasOfferSide = in(S::kUasOffer, S::kUasEarlyOffer, S::kUasEarlyProvidedAnswer);
constexpr auto kUasNoOfferSide = in(S::kUasNoOffer, S::kUasEarlyNoOffer, S::kUasEarlyProvidedOffer);
constexpr auto kUasBefore2xx = kUasOfferSide | kUasNoOfferSide;
constexpr auto kUasEarly =
    in(S::kUasEarlyOffer, S::kUasEarlyProvidedAnswer, S::kUasEarlyNoOffer, S::kUasEarlyProvidedOffer);
constexpr auto kUasAcceptedAny = in(S::kUasAccepted, S::kUasAcceptedWaitingAnswer);
// Our re-INVITE/UPDATE is out: what arrives meanwhile gets 491 (14.1, RFC 3311 5.2).
constexpr auto kSending = in(S::kSentReinvite, S::kSentUpdate);
// An INVITE transaction is unfinished (our 2xx awaits its ACK): a re-INVITE gets 500 (14.2).
constexpr auto kAwaitingAck = kUasAcceptedAny | in(S::kReceivedReinvite, S::kReceivedReinviteGlare, S::kWaitingToOffer);
constexpr auto kGlare = in(S::kSentReinviteGlare, S::kSentUpdateGlare);
constexpr auto kConfirmed = kUasAcceptedAny | in(S::kConnected) | kSending | kGlare |
                            in(S::kReceivedReinvite, S::kReceivedReinviteGlare, S::kWaitingToOffer);
constexpr auto kAll = kUacBefore2xx | kUasBefore2xx | kConfirmed | in(S::kTerminated);
// A refresh must wait: something is pending.
constexpr auto kBusy = kSending | kGlare | in(S::kReceivedReinvite, S::kReceivedReinviteGlare, S::kWaitingToOffer);

// clang-format off
constexpr InviteRow kRows[] = {
    // --- UAC: responses to our INVITE (RFC 3261 13.2.2) ---
    {in(S::kUacStart, S::kUacEarly),                      E::kRx1xx,         S::kUacEarly,           A::kReportProvisional},
    {in(S::kUacEarlyWithAnswer, S::kUacCancelled),        E::kRx1xx,         stay,                   A::kReportProvisional},
    {in(S::kUacStart, S::kUacEarly, S::kUacEarlyWithAnswer), E::kRx1xxAnswer, S::kUacEarlyWithAnswer, A::kReportProvisional},
    {in(S::kUacCancelled),                                E::kRx1xxAnswer,   stay,                   A::kReportProvisional},
    {in(S::kUacCancelPending),                            E::kRx1xx,         S::kUacCancelled,       A::kCancelOnProvisional},
    {in(S::kUacCancelPending),                            E::kRx1xxAnswer,   S::kUacCancelled,       A::kCancelOnProvisional},
    {kUacBefore2xx,                                       E::kRx2xx,         S::kConnected,          A::kAnswered},  // a 2xx may race the CANCEL
    {kConfirmed | in(S::kTerminated),                     E::kRx2xx,         stay,                   A::kAckAgain},  // 13.2.2.4
    {kUacBefore2xx,                                       E::kRxFailure,     S::kTerminated,         A::kRejected},
    {kUacBefore2xx | kConfirmed,                          E::kInviteFailed,  S::kTerminated,         A::kInviteFailed},
    // --- UAC: CANCEL (9.1), also bye() before the 2xx ---
    {in(S::kUacStart),                                    E::kCancel,        S::kUacCancelPending,   A::kCancelLater},
    {in(S::kUacEarly, S::kUacEarlyWithAnswer),            E::kCancel,        S::kUacCancelled,       A::kSendCancel},
    {in(S::kUacCancelPending),                            E::kCancel,        stay,                   A::kCancelLater},
    {in(S::kUacCancelled),                                E::kCancel,        stay,                   A::kNone},
    {in(S::kUacStart),                                    E::kBye,           S::kUacCancelPending,   A::kCancelLater},
    {in(S::kUacEarly, S::kUacEarlyWithAnswer),            E::kBye,           S::kUacCancelled,       A::kSendCancel},
    {in(S::kUacCancelPending, S::kUacCancelled),          E::kBye,           stay,                   A::kNone},
    // --- UAS: our answers to the INVITE (13.3.1), offer/answer per RFC 3264 / RFC 6337 ---
    {in(S::kUasOffer),                                    E::kTx1xx,         S::kUasEarlyOffer,          A::kSendProvisional},
    {in(S::kUasNoOffer),                                  E::kTx1xx,         S::kUasEarlyNoOffer,        A::kSendProvisional},
    {kUasEarly,                                           E::kTx1xx,         stay,                       A::kSendProvisional},
    {kUasOfferSide,                                       E::kTx1xxSdp,      S::kUasEarlyProvidedAnswer, A::kSendProvisional},
    {kUasNoOfferSide,                                     E::kTx1xxSdp,      S::kUasEarlyProvidedOffer,  A::kSendProvisional},
    {kUasOfferSide,                                       E::kTx2xx,         S::kUasAccepted,            A::kSendAnswer},
    {kUasNoOfferSide,                                     E::kTx2xx,         S::kUasAcceptedWaitingAnswer, A::kSendAnswer},
    {kUasBefore2xx,                                       E::kTxReject,      S::kTerminated,         A::kSendReject},
    {kUasBefore2xx,                                       E::kBye,           S::kTerminated,         A::kRejectForBye},
    {kUasBefore2xx,                                       E::kRxCancel,      S::kTerminated,         A::kCancelled},
    {kUasEarly | kUasAcceptedAny,                         E::kRxPrack,       stay,                   A::kPrack},  // a PRACK may cross our 2xx
    {kUasEarly,                                           E::kNoPrack,       S::kTerminated,         A::kPrackTimeout},
    // --- ACK of our 2xx (13.3.1.4) ---
    {kUasAcceptedAny | in(S::kReceivedReinvite),          E::kRxAck,         S::kConnected,          A::kAck},
    {in(S::kReceivedReinviteGlare),                       E::kRxAck,         S::kSentReinviteGlare,  A::kAck},
    {in(S::kWaitingToOffer),                              E::kRxAck,         S::kSentReinvite,       A::kAckThenOffer},
    {in(S::kConnected, S::kTerminated) | kSending | kGlare, E::kRxAck,       stay,                   A::kAck},  // late or repeated
    {kConfirmed,                                          E::kNoAck,         S::kTerminated,         A::kEndWithBye},
    // --- Either side: requests in the dialog ---
    {kConfirmed,                                          E::kBye,           S::kTerminated,         A::kSendBye},
    {in(S::kTerminated),                                  E::kBye,           stay,                   A::kNone},
    {kAll,                                                E::kRxBye,         S::kTerminated,         A::kByeReceived},
    {kConfirmed | in(S::kUacEarly, S::kUacEarlyWithAnswer, S::kUacCancelled) | kUasBefore2xx,
                                                          E::kInfo,          stay,                   A::kSendInfo},
    {kAll,                                                E::kRxInfo,        stay,                   A::kInfoReceived},
    // --- re-INVITE and UPDATE from the peer (14.2, RFC 3311 5.2) ---
    {in(S::kConnected),                                   E::kRxReinvite,    S::kReceivedReinvite,       A::kAnswerReinvite},
    {in(S::kSentReinviteGlare),                           E::kRxReinvite,    S::kReceivedReinviteGlare,  A::kAnswerReinvite},
    {in(S::kSentUpdateGlare),                             E::kRxReinvite,    stay,                   A::kAnswerReinvite},
    {kSending,                                            E::kRxReinvite,    stay,                   A::kReply491},
    // The user refused the peer's re-INVITE (a deferred T.38 offer the MG refused): as before it.
    {in(S::kReceivedReinvite),                            E::kTxReofferRefused, S::kConnected,       A::kNone},
    {in(S::kReceivedReinviteGlare),                       E::kTxReofferRefused, S::kSentReinviteGlare, A::kNone},
    {in(S::kWaitingToOffer),                              E::kTxReofferRefused, S::kSentReinvite,    A::kAckThenOffer},
    {kAwaitingAck | kUacBefore2xx | kUasBefore2xx | in(S::kTerminated),
                                                          E::kRxReinvite,    stay,                   A::kReply500},
    {kSending,                                            E::kRxUpdate,      stay,                   A::kReply491},
    {fsm::Set<S>::from_bits(kAll.bits() & ~kSending.bits()),                              E::kRxUpdate,      stay,                   A::kAnswerUpdate},
    // --- our re-INVITE (14.1) ---
    {in(S::kConnected, S::kUasAccepted, S::kSentUpdateGlare), E::kReinvite,  S::kSentReinvite,       A::kSendReinvite},
    {in(S::kReceivedReinvite),                            E::kReinvite,      S::kWaitingToOffer,     A::kQueueOffer},
    {in(S::kSentReinviteGlare, S::kReceivedReinviteGlare, S::kWaitingToOffer), E::kReinvite, stay,   A::kQueueOffer},
    // --- session-timer refresh (RFC 4028 9): UPDATE when the peer allows it ---
    {in(S::kConnected) | kUasAcceptedAny,                 E::kRefreshByUpdate,   S::kSentUpdate,     A::kSendRefresh},
    {in(S::kConnected, S::kUasAccepted),                  E::kRefreshByReinvite, S::kSentReinvite,   A::kSendRefresh},
    {kBusy,                                               E::kRefreshByUpdate,   stay,               A::kRefreshLater},
    {kBusy | in(S::kUasAcceptedWaitingAnswer),            E::kRefreshByReinvite, stay,               A::kRefreshLater},
    // --- responses to our re-INVITE/UPDATE ---
    {kSending,                                            E::kRxRefresh2xx,     S::kConnected,         A::kRefreshDone},
    {in(S::kSentReinvite),                                E::kRxRefresh491,     S::kSentReinviteGlare, A::kArmGlareTimer},
    {in(S::kSentUpdate),                                  E::kRxRefresh491,     S::kSentUpdateGlare,   A::kArmGlareTimer},
    {kSending,                                            E::kRxRefreshFailure, S::kConnected,         A::kRefreshFailed},
    {kSending | kGlare,                                   E::kRxRefreshFatal,   S::kTerminated,        A::kEndWithBye},
    {in(S::kSentReinviteGlare),                           E::kGlareTimer,       S::kSentReinvite,      A::kRetryReinvite},
    {in(S::kSentUpdateGlare),                             E::kGlareTimer,       S::kSentUpdate,        A::kRetryUpdate},
    {in(S::kReceivedReinviteGlare),                       E::kGlareTimer,       S::kWaitingToOffer,    A::kNone},
    // --- the end ---
    {kConfirmed,                                          E::kSessionExpired,   S::kTerminated,        A::kEndWithBye},
    {in(S::kUacStart, S::kUacCancelPending, S::kUacCancelled), E::kShutdown,    S::kTerminated,        A::kShutdownEnd},
    {in(S::kUacEarly, S::kUacEarlyWithAnswer),            E::kShutdown,         S::kTerminated,        A::kShutdownCancel},
    {kUasBefore2xx,                                       E::kShutdown,         S::kTerminated,        A::kShutdownReject},
    {kConfirmed,                                          E::kShutdown,         S::kTerminated,        A::kShutdownBye},
    {in(S::kTerminated),                                  E::kShutdown,         stay,                  A::kNone},
    {in(S::kTerminated),                                  E::kByeDone,          stay,                  A::kForget},
};
// clang-format on

constexpr auto kTable =
    fsm::make_table<static_cast<std::size_t>(S::kCount), static_cast<std::size_t>(E::kCount)>(kRows);

}  // namespace

std::string_view to_string(InviteState s) {
  switch (s) {
    case S::kUacStart: return "UAC_Start";
    case S::kUacEarly: return "UAC_Early";
    case S::kUacEarlyWithAnswer: return "UAC_EarlyWithAnswer";
    case S::kUacCancelPending: return "UAC_CancelPending";
    case S::kUacCancelled: return "UAC_Cancelled";
    case S::kUasOffer: return "UAS_Offer";
    case S::kUasNoOffer: return "UAS_NoOffer";
    case S::kUasEarlyOffer: return "UAS_EarlyOffer";
    case S::kUasEarlyProvidedAnswer: return "UAS_EarlyProvidedAnswer";
    case S::kUasEarlyNoOffer: return "UAS_EarlyNoOffer";
    case S::kUasEarlyProvidedOffer: return "UAS_EarlyProvidedOffer";
    case S::kUasAccepted: return "UAS_Accepted";
    case S::kUasAcceptedWaitingAnswer: return "UAS_AcceptedWaitingAnswer";
    case S::kConnected: return "Connected";
    case S::kSentUpdate: return "SentUpdate";
    case S::kSentUpdateGlare: return "SentUpdateGlare";
    case S::kSentReinvite: return "SentReinvite";
    case S::kSentReinviteGlare: return "SentReinviteGlare";
    case S::kReceivedReinvite: return "ReceivedReinvite";
    case S::kReceivedReinviteGlare: return "ReceivedReinviteGlare";
    case S::kWaitingToOffer: return "WaitingToOffer";
    case S::kTerminated: return "Terminated";
    case S::kCount: break;
  }
  return "?";
}

std::string_view to_string(InviteEvent e) {
  switch (e) {
    case E::kRx1xx: return "rx_1xx";
    case E::kRx1xxAnswer: return "rx_1xx_answer";
    case E::kRx2xx: return "rx_2xx";
    case E::kRxFailure: return "rx_failure";
    case E::kInviteFailed: return "invite_failed";
    case E::kCancel: return "cancel";
    case E::kBye: return "bye";
    case E::kInfo: return "info";
    case E::kReinvite: return "reinvite";
    case E::kTx1xx: return "tx_1xx";
    case E::kTx1xxSdp: return "tx_1xx_sdp";
    case E::kTx2xx: return "tx_2xx";
    case E::kTxReject: return "tx_reject";
    case E::kTxReofferRefused: return "tx_reoffer_refused";
    case E::kRxAck: return "rx_ack";
    case E::kRxCancel: return "rx_cancel";
    case E::kRxBye: return "rx_bye";
    case E::kRxPrack: return "rx_prack";
    case E::kRxInfo: return "rx_info";
    case E::kRxReinvite: return "rx_reinvite";
    case E::kRxUpdate: return "rx_update";
    case E::kRxRefresh2xx: return "rx_refresh_2xx";
    case E::kRxRefresh491: return "rx_refresh_491";
    case E::kRxRefreshFailure: return "rx_refresh_failure";
    case E::kRxRefreshFatal: return "rx_refresh_fatal";
    case E::kGlareTimer: return "glare_timer";
    case E::kRefreshByUpdate: return "refresh_by_update";
    case E::kRefreshByReinvite: return "refresh_by_reinvite";
    case E::kSessionExpired: return "session_expired";
    case E::kNoAck: return "no_ack";
    case E::kNoPrack: return "no_prack";
    case E::kShutdown: return "shutdown";
    case E::kByeDone: return "bye_done";
    case E::kCount: break;
  }
  return "?";
}

std::unique_ptr<InviteMeter> make_invite_meter(Logger& log, Counters& counters) {
  fsm::Options o;
  o.name = "invite_session";
  o.counters = "sip.session";
  o.subsystem = Subsystem::kSip;
  o.id_key = "session";
  return std::make_unique<InviteMeter>(kTable, log, counters, o);
}

fsm::Set<InviteEvent> invite_accepts(InviteState s) { return kTable.accepts(s); }
fsm::Set<InviteState> invite_successors(InviteState s) { return kTable.successors(s); }

// RFC 3261 14.1: "T has a randomly chosen value between 2.1 and 4 seconds in
// units of 10 ms" for the Call-ID's owner, "between 0 and 2 seconds" for the other.
Clock::duration glare_retry_delay(bool call_id_owner, std::uint64_t random) {
  const std::uint64_t lo = call_id_owner ? 210 : 0, hi = call_id_owner ? 400 : 200;  // in 10 ms
  return std::chrono::milliseconds(10 * (lo + random % (hi - lo + 1)));
}

}  // namespace isupgw::sip
