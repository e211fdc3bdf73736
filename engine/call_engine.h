// The interworking call engine (issue 7): joins a SIP dialog (sip::SessionApi)
// to an ISUP circuit (isup::IsupCallControl) in both directions, using the
// pure rules of mapping/interworking.h (Q.1912.5, RFC 3398, RFC 3372/3204).
//
// A call is an incoming leg A and an outgoing leg B, driven by the state table
// of call_fsm.h. SIP -> ISUP: INVITE -> IAM, ACM/CPG -> 180/183 (early media
// with the SDP answer), ANM -> 200, REL -> final response or BYE with Reason,
// CANCEL/BYE -> REL. ISUP -> SIP: IAM -> INVITE, 18x -> ACM/CPG, 200 -> ANM,
// final error -> REL with the mapped (or Reason) cause, REL -> CANCEL/BYE.
// Routing (router.h) picks the target by called-number prefix and tries
// alternates on congestion (34/42). CIC hunting is IsupCallControl's
// (controlled circuits first). Retransmissions, PRACK, ACK, session-timer
// refreshes stay inside the SIP stack and never reach ISUP.
//
// Media: no media gateway is driven yet (MGCP integration is issue 8), so the
// SDP the gateway offers/answers names a placeholder RTP endpoint.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/boxed.h"
#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/rate_limit.h"
#include "base/timer_service.h"
#include "cdr/cdr_record.h"
#include "config/config_fwd.h"
#include "config/settings.h"
#include "engine/admission.h"
#include "engine/call_fsm.h"
#include "engine/call_media.h"
#include "engine/call_timings.h"
#include "engine/overload.h"
#include "engine/router.h"
#include "engine/source_acl.h"
#include "engine/trunk_health.h"
#include "isup/isup_cc.h"
#include "mapping/interworking.h"
#include "q931/message.h"
#include "q931/span_user.h"
#include "sip/offer_answer.h"
#include "sip/rfc3263.h"
#include "sip/session_api.h"
#include "trace/capture.h"

namespace isupgw::engine {

struct SipTrunkInfo {
  std::string name;
  sip::Peer peer;
  bool by_name = false;  // peer.host is a host name: the targets come from set_trunk_targets() (RFC 3263)
  SourceAcl acl;
  mapping::SipProfile profile;
  // Trunk health (issue 18, trunk_health.h): only trunks with OPTIONS keepalives are monitored.
  bool monitored = false;
  unsigned down_after = 1, up_after = 2;
  // A 3xx to our INVITE (issue 20, call_engine_redirect.cpp): refused like any failure, followed (a new
  // INVITE to the Contact, at most max_redirects a call) or returned to ISUP in the REL (cause 23).
  enum class Redirect : std::uint8_t { kRefuse, kFollow, kIsup };
  Redirect redirect = Redirect::kRefuse;
  unsigned max_redirects = 3;
  bool transfer = false;  // REFER performed (call_engine_transfer.cpp); else 603
};

struct EngineConfig {
  std::vector<SipTrunkInfo> trunks;
  std::map<std::string, isup::GroupId, std::less<>> groups;  // ISUP trunk group name -> id
  Router router;
  std::string media_address = "127.0.0.1";  // placeholder RTP address in our SDP
  // Incoming ISUP overlap (IAM without ST): digits are collected until ST or
  // this long after the latest digit, then the INVITE goes en bloc.
  std::chrono::milliseconds digit_timeout{4000};
  // Admission limits (issue 18) of SIP trunks and ISUP trunk groups, by name.
  AdmissionConfig sip_admission, group_admission;
  OverloadConfig overload;  // node-wide overload control (issue 19)
};

// Trunks and routes from the configuration (the trunks' access lists as the
// loader parsed them, `settings`); `groups` from the SS7 stack.
EngineConfig make_engine_config(const config::Config& cfg, const config::Settings& settings,
                                std::map<std::string, isup::GroupId, std::less<>> groups);

// The trunks and routes calls are set up by. Reload (issue 16) swaps in a new
// one; each call holds the one it started with, so its route and trunk stay
// valid (and alternates follow the route it was routed by) until it ends.
struct Routing {
  std::vector<SipTrunkInfo> trunks;
  Router router;
  const SipTrunkInfo* trunk_named(std::string_view name) const;
  const SipTrunkInfo* trunk_for_source(const std::string& host) const;
};

class CallEngine final : public sip::SessionUser, public isup::CallControlUser, public q931::SpanUser {
 public:
  CallEngine(EngineConfig cfg, Logger& log, Counters& counters);
  ~CallEngine() override;
  CallEngine(const CallEngine&) = delete;
  CallEngine& operator=(const CallEngine&) = delete;

  // Both must be attached before the first call (either may be absent: calls
  // needing it are refused).
  void attach(sip::SessionApi* sip, isup::IsupCallControl* isup, TimerService* timers = nullptr) {
    sip_ = sip;
    isup_ = isup;
    timers_ = timers;
  }

  // MG connections for the circuits of calls (issue 8); without it the SDP
  // names a placeholder RTP endpoint.
  void attach_media(CallMedia* media);

  // A PRI span calls are routed to (route target pri_span, its name) and come from (route `from:`), issue 21
  // (call_engine_pri.cpp). Its hooks reach the engine as q931::SpanUser.
  // `trust_calling`: the span's user-provided calling numbers count as verified (Q.951 CLIP, dss1_map.h).
  void add_pri_span(q931::Span* span, bool trust_calling = false);

  // ISUP trunk group name -> id, once the SS7 stack has built them.
  void set_groups(std::map<std::string, isup::GroupId, std::less<>> groups) { cfg_.groups = std::move(groups); }

  // Reload (issue 16): the next calls use `cfg`'s trunks and routes; calls
  // in progress keep theirs. Groups are the SS7 stack's (unchanged by reload);
  // the media address is the first listener's (bound at start).
  // Drain states of trunks no longer configured are forgotten.
  void reload(EngineConfig cfg);
  // Calls still set up by an earlier Routing than the current one.
  std::size_t calls_on_old_routing() const;

  std::size_t active_calls() const { return calls_.size(); }
  // Releases every call (shutdown); cause 16 towards ISUP, BYE/CANCEL/503 towards SIP.
  void release_all();

  // Call detail records (issue 17): the sink gets each call's record once, when the call ends (the
  // writer formats it; the engine only copies what it already holds). Empty: no records.
  // A call whose ISUP leg we released hands its record over once the RLC came (its time is in the
  // record) or, failing that, after kRlcWait.
  using CdrSink = std::function<void(cdr::CdrRecord&&)>;
  void set_cdr_sink(CdrSink sink) { cdr_sink_ = std::move(sink); }
  // RADIUS accounting Start (RFC 2866): at answer, a copy of the record so far (call id, numbers, times
  // up to the answer). Empty: nothing is copied.
  using AnswerSink = std::function<void(const cdr::CdrRecord&)>;
  void set_answer_sink(AnswerSink sink) { answer_sink_ = std::move(sink); }
  // One trace per call (issue 17, call_engine_trace.cpp): the engine tells the capture which SIP
  // Call-IDs, circuit and MGCP connection each call owns, as it learns them. nullptr: no tracing.
  void set_trace(trace::Capture* capture) { trace_ = capture; }
  static constexpr std::chrono::seconds kRlcWait{20};
  // Hands over the records still waiting for an RLC (shutdown), without its time.
  void flush_cdrs();
  std::size_t cdrs_awaiting_rlc() const { return awaiting_rlc_.size(); }

  // --- Management (issue 16, mgmt/model.h; call_engine_admin.cpp) ---
  // Time for call ages and the call path's timings (default: steady clock).
  void set_clock(const Clock& clock) { clock_ = &clock; }
  // RFC 3263: the ordered targets of trunks whose address is a host name (sip/rfc3263.h); the INVITE goes
  // to the first, the others are its alternates (RFC 3263 4.3).
  void set_trunk_targets(const sip::TrunkTargets* targets) { trunk_targets_ = targets; }
  // ENUM (RFC 6116): the sip: URI for an E.164 number ("+4930..."), or why there is none; `done` runs later
  // on the engine's loop. Unset: route targets with enum_lookup refuse their calls (cause 3).
  using EnumLookup =
      std::function<void(const std::string& e164, std::function<void(Result<std::string, std::string>)> done)>;
  void set_enum_lookup(EnumLookup fn) { enum_lookup_ = std::move(fn); }
  const CallTimings& timings() const { return timings_; }
  const std::vector<SipTrunkInfo>& trunks() const { return routing_->trunks; }
  CallMedia* media() const { return media_; }
  struct LegSummary {
    bool sip = false;
    sip::SessionId sid = 0;  // SIP: the session in the SIP stack (0: none or ended)
    isup::CallId cid = 0;    // ISUP: the call in ISUP call control (0: none or released)
    std::string_view trunk;  // SIP trunk or ISUP trunk group name (empty: none yet)
  };
  struct CallSummary {
    std::uint64_t id = 0;
    CallState state = CallState::kIdle;
    bool answered = false;
    Clock::time_point started{};
    std::string_view called;
    LegSummary a, b;
    CallMedia::Id media = 0;
  };
  std::vector<CallSummary> call_summaries() const;
  std::optional<CallSummary> call_summary(std::uint64_t id) const;
  // The engine's call on an ISUP call id (0: none).
  std::uint64_t call_of_isup(isup::CallId cid) const;
  // Operator release of both legs with Q.850 `cause`; false: no such call.
  bool release_call(std::uint64_t id, int cause);
  // Drain: out of service refuses new calls (a SIP trunk's INVITEs get 503
  // with Retry-After, an ISUP group's IAMs REL cause 41, and as a route target
  // either is skipped for the next target, cause 34 when none is left) while
  // established calls run to their end. False: no such trunk or group.
  bool set_sip_trunk_service(std::string_view name, bool in_service, std::chrono::seconds retry_after);
  bool set_group_service(std::string_view name, bool in_service);
  bool sip_trunk_in_service(std::string_view name) const { return !out_of_service_trunks_.count(name); }
  bool group_in_service(std::string_view name) const { return !out_of_service_groups_.count(name); }
  // Trunk health (issue 18): the machine of a monitored SIP trunk (nullptr: not monitored).
  const TrunkHealth* sip_trunk_health(std::string_view name) const {
    auto it = health_.find(name);
    return it == health_.end() ? nullptr : it->second.get();
  }
  // Admission control (issue 18): the gate of a SIP trunk or trunk group with limits (nullptr: none).
  const AdmissionGate* admission_sip_trunk(std::string_view name) const { return admission_.sip_trunk(name); }
  const AdmissionGate* admission_group(std::string_view name) const { return admission_.group(name); }

  // --- sip::SessionUser ---
  std::optional<sip::EarlyRefusal> screen_invite(const sip::Message& invite, const sip::Peer& from) override;
  // Node-wide overload (issue 19, engine/overload.h): the daemon feeds a sample of its load every
  // overload().config().sample; a change of state is passed on to ISUP (the ACL in every REL, Q.764 2.11).
  void overload_sample(const LoadSample& s);
  const OverloadControl& overload() const { return overload_; }
  void on_invite(sip::SessionId s, const sip::Message& invite, const sip::Peer& from) override;
  void on_cancel(sip::SessionId s, const sip::Message& cancel) override;
  void on_provisional(sip::SessionId s, const sip::Message& response) override;
  void on_answered(sip::SessionId s, const sip::Message& response) override;
  void on_rejected(sip::SessionId s, const sip::Message& response) override;
  void on_bye(sip::SessionId s, const sip::Message& bye) override;
  void on_ended(sip::SessionId s, sip::EndReason why) override;
  void on_reoffer(sip::SessionId s, const sip::Message& request) override;
  // A T.38 re-INVITE: deferred until the MG switched (or refused) (call_engine_fax.cpp).
  sip::ReofferDecision screen_reoffer(sip::SessionId s, const sip::Message& request) override;
  void on_refresh_result(sip::SessionId s, const sip::Message& response) override;
  // SIP-I/SIP-T INFO with ISUP (RFC 3372): into ISUP, or refused (call_engine_info.cpp).
  sip::InfoAnswer on_info(sip::SessionId s, const sip::Message& info) override;
  // REFER (RFC 3515) from a trunk with transfer: perform, else 603 (call_engine_transfer.cpp).
  sip::ReferAnswer on_refer(sip::SessionId s, const sip::Message& refer) override;
  // Each OPTIONS keepalive's outcome: the health of the trunks at that peer (call_engine_admission.cpp).
  void on_ping_result(const sip::Peer& peer, bool answered) override;

  // --- isup::CallControlUser ---
  void on_setup(isup::CallId call, const isup::IncomingSetup& setup) override;
  void on_progress(isup::CallId call, const isup::BackwardIndication& ind) override;
  void on_answer(isup::CallId call, const isup::Message& answer) override;
  void on_release(isup::CallId call, const isup::ReleaseIndication& rel) override;
  void on_more_digits(isup::CallId call, std::string_view digits, bool complete) override;
  // Mid-call ISUP without SIP equivalent -> INFO on SIP-I/SIP-T (call_engine_info.cpp).
  void on_suspend(isup::CallId call, bool network, const isup::Message& sus) override;
  void on_resume(isup::CallId call, bool network, const isup::Message& res) override;
  void on_information(isup::CallId call, const isup::InformationIndicators& ind, const isup::Message& inf) override;
  void on_user_to_user(isup::CallId call, const isup::Message& usr) override;
  void on_facility(isup::CallId call, const isup::Message& fac) override;
  void on_charge(isup::CallId call, const isup::Message& crg) override;  // call_engine_cdr.cpp
  void on_release_complete(isup::GroupId group, std::uint16_t cic) override;  // call_engine_cdr.cpp
  void on_repeat_attempt(isup::CallId call, isup::GroupId group, std::uint16_t cic) override;  // call_engine_repeat.cpp

  // --- q931::SpanUser (PRI legs, call_engine_pri.cpp) ---
  std::optional<std::uint8_t> on_pri_setup(q931::Span& span, std::uint32_t call, const q931::Message& setup,
                                           std::uint8_t channel) override;
  void on_pri_message(q931::Span& span, std::uint32_t call, const q931::Message& m) override;
  void on_pri_released(q931::Span& span, std::uint32_t call, std::uint8_t cause) override;

 private:
  struct Leg {
    bool sip = false;
    sip::SessionId sid = 0;
    isup::CallId cid = 0;
    const SipTrunkInfo* trunk = nullptr;
    isup::GroupId group = 0;
    // A PRI leg (issue 21): its span, and the Q.931 call on it (0: released by either side).
    q931::Span* span = nullptr;
    std::uint32_t pri = 0;
  };
  struct Call {
    Call(const CallMeter& meter, std::uint64_t call_id)
        : id(call_id), fsm(meter, CallState::kIdle, fsm::Label{{}, call_id}) {}
    CallState state() const { return fsm.state(); }
    std::uint64_t id = 0;
    CallMachine fsm;                                // the table in call_fsm.cpp: every state change goes through it
    Clock::time_point started{};                    // setup received (or the number completed, overlap ISUP)
    bool pdd_seen = false;                          // post-dial delay observed (first progress or answer forwarded)
    Clock::time_point progressed{}, answered_at{};  // first progress, answer forwarded (CDR; 0: none)
    std::string called;                             // as received from leg A, for management
    Leg a, b;
    std::shared_ptr<const Routing> routing;  // the trunks and routes at setup: Leg::trunk and route point into it
    const RouteEntry* route = nullptr;
    std::size_t target = 0;
    Boxed<isup::SetupRequest> setup;           // SIP -> ISUP: the IAM to send (kept for alternates)
    std::vector<sip::OutgoingInvite> invites;  // ISUP -> SIP: one INVITE per route target
    std::string sdp;                           // our SDP answer to A (SIP -> ISUP)
    // ISUP -> SIP: what the IAM's bearer (TMR/USI) lets us offer (mapping.md 4, Q.1912.5): the
    // codecs (empty: the defaults) and whether telephone-event may go with them (not with CLEARMODE).
    std::vector<std::string> offer_codecs;
    bool offer_telephone_event = true;
    int cause = 0;
    // SIP-I/SIP-T: the location of the cause in the REL the SIP side encapsulated
    // (BYE, CANCEL, final response), passed on in our REL; -1: none, ours (LN).
    int sip_cause_location = -1;
    // ISUP -> PRI (issue 21): the location of the cause in the PBX's DISCONNECT (Q.850 2.2.3), passed on in
    // our REL; -1: none, ours (LN).
    int pri_cause_location = -1;
    // The location of the cause in the REL received from ISUP, for the REL a
    // SIP-I/SIP-T BYE or final response encapsulates; -1: none (BI).
    int isup_cause_location = -1;
    bool answered = false;
    // Hold (Q.733.2, RFC 3264 8.4) by the SIP side's re-offer, and by the ISUP side's CPG notification.
    bool held_by_sip = false, held_by_isup = false;
    MediaMode sip_mode = MediaMode::kSendRecv;  // the MG mode the SIP side's last offer or answer asks for
    // The ISUP hold as told to SIP by our re-INVITE: what the SIP side last
    // agreed to, and what the re-INVITE now out offers (none: nothing out).
    bool sip_hold_agreed = false;
    std::optional<bool> sip_hold_offered;
    // Media (issue 8): the MG connection of the call's circuit. While its CRCX
    // is in flight, whatever goes to SIP with our SDP waits in `deferred`.
    CallMedia::Id media = 0;
    bool media_pending = false;
    // A TDM-TDM call (PRI -> ISUP or PRI, issue 21): leg B's circuit or B channel has its own
    // connection, made with A's connection's SDP as its remote; A's connection then gets B's.
    CallMedia::Id media_b = 0;
    // Overlap sending towards a PRI B leg (issue 21, Q.931 5.2.4 seen from the network): the called number of
    // our SETUP (sent without Sending complete), and the digits of later RFC 3578 INVITEs (or SAMs) held until
    // the PBX's SETUP ACKNOWLEDGE lets INFORMATION go (the network table sends none in N6).
    std::optional<q931::PartyNumber> pri_called_b;
    std::vector<isup::Number> pri_info_pending;
    std::vector<std::function<void(Call&)>> deferred;
    std::string offer;                  // SIP -> ISUP: A's SDP offer
    std::string a_call_id, a_from_tag;  // SIP -> ISUP: to recognise RFC 3578 overlap INVITEs
    std::vector<std::vector<std::uint8_t>>
        invite_isup;  // ISUP -> SIP: each INVITE's ISUP body, to rebuild with the MG's SDP
    // Overlap collection (ISUP A leg): the IAM as received and the called number so far.
    std::vector<std::uint8_t> iam;
    Boxed<isup::IncomingSetup> collecting;
    // Overlap receiving on a PRI A leg (Q.931 5.2.4): the SETUP with the called number so far.
    Boxed<q931::Message> pri_collecting;
    TimerService::Id digit_timer = 0;
    // Call detail record (issue 17): each item stored when it becomes known (call_engine_cdr.cpp);
    // the times stay on clock_ until finish() turns them into wall-clock time.
    cdr::CdrRecord rec;
    Clock::time_point seized_at{}, rlc_at{};
    isup::GroupId cdr_group = 0;  // the circuit's group (the CIC is in rec): names the RLC after finish()
    // Admission (issue 18): the gates that admitted leg A and leg B's current target, released at the end.
    AdmissionGate* gate_a = nullptr;
    AdmissionGate* gate_b = nullptr;
    // 3xx followed (issue 20): how many, and the targets tried (user@host:port, the loop guard).
    unsigned redirects = 0;
    std::vector<std::string> tried;
    std::optional<isup::RedirectionInformation> iam_redirection;  // ISUP caller: the IAM's (Q.763 3.45)
    // ISUP caller: the IAM asked for the connected line identity (Q.763 3.38 bit H, Q.731.5 COLP): only then
    // does the answer carry a connected number.
    bool colp_requested = false;
    // SIP caller with Supported: from-change (RFC 4916): the IAM's called number, to tell a different connected
    // party by UPDATE after the answer (mapping/colp_map.h identity_update).
    std::optional<isup::Number> from_change_called;
    // REFER performed (issue 20, call_engine_transfer.cpp): the new leg while it is set up, its trunk and
    // INVITE; leg B stays the referrer's until the new leg answers.
    sip::SessionId transfer_sid = 0;
    const SipTrunkInfo* transfer_trunk = nullptr;
    Boxed<sip::OutgoingInvite> transfer_invite;
  };
  // What the event carries, for the action.
  struct EventData {
    int cause = 0;
    int status = 0;  // refuse_a towards SIP
    std::string warning;
    const sip::Message* msg = nullptr;
    const isup::BackwardIndication* ind = nullptr;
    // The ISUP message of the event (ANM/CON answered, REL received): SIP-I/SIP-T
    // encapsulate it unchanged (RFC 3372 transparency).
    const isup::Message* isup = nullptr;
    int retry_after = 0;  // refuse_a towards SIP: Retry-After seconds (0: none)
    // The REL towards ISUP is built on this one (a 3xx returned to ISUP: cause 23 and the redirection).
    const isup::Message* isup_basis = nullptr;
    // The Q.931 message of the event (ALERTING/PROGRESS/CONNECT from a PRI leg B).
    const q931::Message* q931 = nullptr;
  };

  static std::uint8_t isup_location(const Call& c);
  static std::uint8_t sip_location(const Call& c);
  void fire(Call& c, CallEvent e);
  void fire(Call& c, CallEvent e, const EventData& d);
  void perform(Call& c, const CallTransition& t, const EventData& d);
  void start_b(Call& c);
  void route_isup_call(Call& c, const isup::IncomingSetup& setup);
  void digits_done(Call& c);
  void b_failed_now(Call& c, int cause, const sip::Message* msg = nullptr, const isup::Message* rel = nullptr);
  void send_bye(const Leg& leg, int cause, std::uint8_t location, const isup::Message* rel = nullptr);
  // The REL towards ISUP, rebuilt on the REL a SIP-I/SIP-T peer encapsulated in
  // `msg` (BYE, CANCEL, final response; trunk of `from`) when there is one.
  void release_isup(const Call& c, isup::CallId id, int cause, const sip::Message* msg, const Leg& from,
                    const isup::Message* own_basis = nullptr);
  // A 3xx to leg B's INVITE per the trunk's setting (call_engine_redirect.cpp). True: handled (a new
  // INVITE went out, or the call was released with the redirection); false: release it as a failure.
  bool on_redirect(Call& c, const sip::Message& response);
  bool follow_redirect(Call& c, const sip::Message& response);
  bool return_redirect(Call& c, const sip::Message& response);
  // The trunk a URI names (configured at its host and port), else `fallback` as the next hop.
  const SipTrunkInfo* trunk_at(const Call& c, const sip::Uri& u, const SipTrunkInfo* fallback) const;
  // The new leg of a transfer (call_engine_transfer.cpp): its progress, answer, failure; the referrer's
  // BYE while it is set up. True: `s` was the call's transfer leg (or the referrer gone meanwhile).
  bool transfer_progress(sip::SessionId s, const sip::Message& response);
  bool transfer_answered(sip::SessionId s, const sip::Message& response);
  bool transfer_failed(sip::SessionId s, int status, std::string_view reason);
  bool referrer_left(Call& c, sip::SessionId s);
  // A mid-call ISUP message towards the SIP leg of the call (INFO, or 183 while
  // the SIP caller is unanswered): SIP-I/SIP-T only (call_engine_info.cpp).
  void isup_to_sip(isup::CallId id, const isup::Message& m);
  void finish(Call& c);
  // --- PRI legs (call_engine_pri.cpp) ---
  void route_pri_call(Call& c, const q931::Message& setup);
  void pri_digits_done(Call& c);
  void pri_start_b(Call& c, const RouteTarget& t);
  // Sends `m` (ALERTING, PROGRESS, CONNECT, ... by its type) on a PRI leg still held; false when it is not.
  bool pri_request(const Leg& leg, q931::Message m);
  // Clears a PRI leg we release (DISCONNECT, or RELEASE COMPLETE before any answer) and forgets it.
  // `location`: the cause's (Q.850 2.2.3) as an ISUP REL gave it (Q.699: passed unchanged); -1: ours.
  void pri_release(Leg& leg, int cause, int location = -1);
  // The peer cleared a PRI leg (DISCONNECT received, or the call gone): the call goes on through the table.
  void pri_cleared(Call& c, q931::Span& span, std::uint32_t id, int cause);
  // More digits for an overlap PRI B leg: INFORMATION now, or once the PBX has acknowledged the SETUP.
  bool pri_send_digits(Call& c, const isup::Number& more);
  Call* by_pri(const q931::Span* span, std::uint32_t id);
  void pri_digit_timer(Call& c);  // (re)starts the overlap digit timeout of a PRI A leg
  // Trace bindings (call_engine_trace.cpp), each right after the engine learnt the key.
  void trace_sip(const Call& c, std::string_view call_id);  // a SIP leg's Call-ID
  void trace_invite_sent(const Call& c);                    // the INVITE just sent is c's
  void trace_circuit(const Call& c, isup::CallId id);       // the circuit of ISUP call `id`
  void trace_media_opened(const Call& c);                   // the CRCX just sent is c's
  void trace_end(const Call& c);
  // --- call detail records (call_engine_cdr.cpp) ---
  cdr::CdrRecord cdr_of(Call& c) const;
  std::string direction_of(const Call& c) const;  // the record's direction
  void cdr_answered(const Call& c) const;      // the answer sink's copy of the record
  void cdr_emit(Call& c);                      // from finish(): to the sink, or waiting for the RLC
  void cdr_seized(Call& c, isup::CallId cid);  // the circuit, its point codes and the seizure time
  void cdr_sip_a(Call& c, sip::SessionId s, const sip::Message& invite);  // SIP leg A: ids, numbers in
  void cdr_sip_b(Call& c, const sip::OutgoingInvite& inv);                // SIP leg B: ids, numbers out
  static void cdr_response(Call& c, const sip::Message& response);        // SIP leg B: To tag, final status
  static void cdr_released_by(Call& c, const char* side) {
    if (c.rec.released_by.empty()) c.rec.released_by = side;
  }
  // Admission (issue 18, call_engine_admission.cpp): false when `gate` refuses the call (counted, logged
  // at most once a second); `why` then names the limit and `retry_after` the seconds to wait.
  bool admit(AdmissionGate& gate, const Call& c, std::string_view trunk, std::string& why, int& retry_after);
  // A refusal by `gate` (counted by it): the reason, the Retry-After, the throttled log line.
  // `call` 0: refused before any call existed (screen_invite), logged with the INVITE's `call_id`.
  std::string refused(AdmissionGate& gate, AdmissionVerdict verdict, Clock::time_point now, std::uint64_t call,
                      std::string_view call_id, std::string_view trunk, int& retry_after);
  void release_gates(Call& c);
  void adopt_calls();
  void sync_health();                        // a machine per monitored trunk of routing_ (start, reload)
  void trunk_failed(const SipTrunkInfo& t);  // an INVITE transaction timed out
  void observe_pdd(Call& c) {
    if (!c.pdd_seen) {
      c.pdd_seen = true;
      timings_.post_dial_delay.observe(clock_->now() - c.started);
    }
  }
  LegSummary summary_of(const Leg& leg) const;
  CallSummary summary_of(const Call& c) const;
  Call& new_call();
  Call* by_sid(sip::SessionId s);
  Call* by_cid(isup::CallId id);
  std::string group_name(isup::GroupId g) const;
  sip::LocalMedia media_for(const Call& c) const;
  bool overlap_invite(Call& fresh, sip::SessionId s, const sip::Message& invite);
  void open_media(Call& c, isup::GroupId group, std::uint16_t cic, const std::string& remote, MediaMode mode);
  // PRI (issue 21): the connection of B channel `channel` of `span`, as open_media() for a circuit.
  void open_channel_media(Call& c, const q931::Span& span, std::uint8_t channel, const std::string& remote,
                          MediaMode mode);
  void track_media(Call& c, std::optional<CallMedia::Id> id);
  // Leg B's connection of a TDM-TDM call: `open` is given the ready callback (call_engine_media.cpp).
  void open_transit_media(Call& c, const std::function<std::optional<CallMedia::Id>(CallMedia::Ready)>& open);
  void transit_media_ready(std::uint64_t call_id, CallMedia::Id id, const std::optional<std::string>& sdp);
  void close_media(Call& c);  // both connections, if any
  // The MG's SDP (c.sdp) as the offer of every INVITE built before it was known (ISUP/PRI -> SIP).
  void invites_with_mg_sdp(Call& c);
  void media_ready(std::uint64_t call_id, const std::optional<std::string>& sdp);
  // An INFO with a DTMF body (application/dtmf-relay, application/dtmf): played on the MG;
  // nullopt for any other INFO (call_engine_dtmf.cpp).
  std::optional<sip::InfoAnswer> dtmf_info(Call& c, const sip::Message& info);
  void t38_result(std::uint64_t call_id, sip::SessionId s, const std::optional<std::string>& mg_sdp);
  void media_lost(std::uint64_t call_id, int cause, CallMedia::Id which = 0);
  // Hold and retrieval (Q.733.2 / RFC 3264 8.4): the MG mode both holds allow,
  // the CPG notification for a hold by SIP, the re-INVITE for a hold by ISUP.
  void isup_notification(Call& c, std::uint8_t notification);
  void signal_hold_to_sip(Call& c);
  void apply_hold_mode(Call& c, const std::string& remote_sdp = {});
  // Runs `fn` now, or once the MG has given our SDP (only then is it stored in
  // a std::function: the common path allocates nothing).
  template <class F>
  void when_media_ready(Call& c, F&& fn) {
    if (c.media_pending)
      c.deferred.emplace_back(std::forward<F>(fn));
    else
      fn(c);
  }
  // Every callback enters through this guard: calls released by an earlier
  // event are destroyed here, never while a callback still holds one.
  struct Entry {
    explicit Entry(CallEngine& e) : engine(e) {
      if (engine.depth_++ == 0) engine.dead_.clear();
    }
    ~Entry() { --engine.depth_; }
    CallEngine& engine;
  };

  EngineConfig cfg_;  // its trunks and router moved into routing_
  std::shared_ptr<const Routing> routing_;
  SteadyClock steady_;
  const Clock* clock_ = &steady_;
  CallTimings timings_;
  CdrSink cdr_sink_;
  AnswerSink answer_sink_;
  trace::Capture* trace_ = nullptr;
  std::set<std::string, std::less<>> out_of_service_groups_;
  std::map<std::string, std::chrono::seconds, std::less<>> out_of_service_trunks_;  // -> Retry-After
  Admission admission_;
  OverloadControl overload_;
  LogThrottle admission_log_;
  std::map<std::string, std::unique_ptr<TrunkHealth>, std::less<>> health_;  // by trunk name
  Logger& log_;
  Counters& counters_;
  CallMeter meter_;  // before the calls: their machines use it
  sip::SessionApi* sip_ = nullptr;
  isup::IsupCallControl* isup_ = nullptr;
  CallMedia* media_ = nullptr;
  std::unordered_map<CallMedia::Id, std::uint64_t> by_media_;  // -> call id
  TimerService* timers_ = nullptr;
  const sip::TrunkTargets* trunk_targets_ = nullptr;
  EnumLookup enum_lookup_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Call>> calls_;
  std::unordered_map<sip::SessionId, Call*> by_sid_;
  std::unordered_map<isup::CallId, Call*> by_cid_;
  std::map<std::string, q931::Span*, std::less<>> spans_;               // PRI spans by name
  std::set<const q931::Span*> trusted_spans_;                           // trust_calling_number
  std::map<std::pair<const q931::Span*, std::uint32_t>, Call*> by_pri_;  // PRI legs
  struct AwaitingRlc {
    cdr::CdrRecord rec;
    Clock::time_point released{};
  };
  std::map<std::pair<isup::GroupId, std::uint16_t>, AwaitingRlc> awaiting_rlc_;  // by circuit
  // The records' kRlcWait deadlines in release order (one wait for all: the same delay for every record,
  // so the first due is always at the front), and the one timer for the front (issue 17 cost: no timer
  // started and cancelled per call).
  std::deque<std::pair<Clock::time_point, std::pair<isup::GroupId, std::uint16_t>>> rlc_due_;
  TimerService::Id rlc_timer_ = 0;
  void cdr_hand_over(std::pair<isup::GroupId, std::uint16_t> circuit, bool rlc);
  void rlc_wait_expired();
  std::vector<std::unique_ptr<Call>> dead_;  // destroyed at the next event, outside the callbacks that ended them
  std::uint64_t next_id_ = 1;
  unsigned depth_ = 0;
  Counter& attempted_;
  Counter& answered_;
  Counter& failed_;
  Counter& completed_;
  Counter& ignored_;
};

}  // namespace isupgw::engine
