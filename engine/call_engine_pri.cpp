// The call engine, PRI side (issue 21): a Q.931 call on a PRI span (q931/pri_span.h) as leg A or leg B
// of a call, through the same state table (call_fsm.h) as the ISUP and SIP legs.
//
//   SIP -> PRI   the INVITE's ISUP form (setup_from_invite, Q.1912.5) -> SETUP (setup_from_isup, Q.699
//                rules of mapping/dss1_map.h) on a channel the span hunts; ALERTING/PROGRESS -> 180/183,
//                CONNECT -> 200, DISCONNECT/RELEASE -> final response or BYE with the mapped cause (Q.850
//                value unchanged, cause_map.h to SIP); CANCEL/BYE -> DISCONNECT.
//   ISUP -> PRI  the IAM's ISUP form (request_from_iam) -> SETUP as for SIP -> PRI; ALERTING -> ACM, PROGRESS ->
//                ACM or CPG (isup_backward_from_dss1), CONNECT -> ANM, DISCONNECT -> REL with its cause and
//                location; REL -> DISCONNECT; no channel -> REL 34. Media joined as PRI -> ISUP (media_b).
//   PRI -> SIP   SETUP -> CALL PROCEEDING at once (Q.931 5.2.5.2: the network has all it needs) and an
//                INVITE per the route `from: <span>` (invite_from_dss1); a SETUP without Sending complete
//                -> SETUP ACKNOWLEDGE (5.2.4 overlap receiving), the INFORMATION digits collected until
//                Sending complete or the engine's digit timeout, then CALL PROCEEDING and the INVITE en
//                bloc (as for ISUP overlap). 180/183 -> ALERTING/PROGRESS, 200 -> CONNECT, a final
//                error -> DISCONNECT with the mapped cause, BYE -> DISCONNECT.
// The span frees the B channel when its Q.931 call reaches the Null state, whatever ends it (our clearing,
// the peer's, a restart, the data link lost); the engine forgets its leg as soon as either side clears.
// Media: the B channel's connection on the span's MG endpoint (its media_gateway / endpoints, daemon/media_stack)
// is made as an ISUP circuit's: SIP -> PRI with A's offer, sendonly until CONNECT; PRI -> SIP before the INVITE,
// whose offer is the MG's SDP; PRI -> ISUP (and PRI -> PRI) joins both legs' connections (media_b).
// Without an MG for the span the SDP is the placeholder's.
#include <utility>

#include "engine/call_engine.h"
#include "engine/call_engine_helpers.h"
#include "mapping/dss1_map.h"
#include "q931/pri_span.h"
#include "sip/sdp.h"

namespace isupgw::engine {

namespace {

// The clearing message for a cause, its location ours (Q.850 2.2: 2 "public network serving the local
// user" on the network side, 0 "user" on the user side: the Call's own choice, q931/call_fsm.cpp).
q931::Message clearing(std::uint8_t type, int cause, q931::Side side, int location = -1) {
  q931::Message m;
  m.type = type;
  q931::Cause c;
  c.location = location >= 0 ? static_cast<std::uint8_t>(location & 0x0f) : side == q931::Side::kNetwork ? 2 : 0;
  c.value = static_cast<std::uint8_t>(cause > 0 && cause < 128 ? cause : 16);
  m.causes.push_back(c);
  return m;
}

std::optional<q931::CcEvent> request_of(std::uint8_t type) {
  switch (type) {
    case q931::msg::kAlerting: return q931::CcEvent::kAlertingReq;
    case q931::msg::kProgress: return q931::CcEvent::kProgressReq;
    case q931::msg::kConnect: return q931::CcEvent::kConnectReq;
    case q931::msg::kCallProceeding: return q931::CcEvent::kProceedingReq;
    case q931::msg::kSetupAck: return q931::CcEvent::kSetupAckReq;
    case q931::msg::kInformation: return q931::CcEvent::kInfoReq;
    case q931::msg::kDisconnect: return q931::CcEvent::kDisconnectReq;
    case q931::msg::kReleaseComplete: return q931::CcEvent::kRejectReq;
    case q931::msg::kRelease: return q931::CcEvent::kReleaseReq;
    default: return std::nullopt;
  }
}

}  // namespace

void CallEngine::add_pri_span(q931::Span* span, bool trust_calling) {
  if (span == nullptr) return;
  spans_[span->config().name] = span;
  if (trust_calling) trusted_spans_.insert(span);
}

CallEngine::Call* CallEngine::by_pri(const q931::Span* span, std::uint32_t id) {
  auto it = by_pri_.find({span, id});
  return it == by_pri_.end() ? nullptr : it->second;
}

bool CallEngine::pri_request(const Leg& leg, q931::Message m) {
  if (leg.span == nullptr || leg.pri == 0) return false;
  auto e = request_of(m.type);
  if (!e) return false;
  if (!leg.span->request(leg.pri, *e, std::move(m))) {
    counters_.get("call.pri_request_refused").inc();
    return false;
  }
  return true;
}

void CallEngine::pri_release(Leg& leg, int cause, int location) {
  if (leg.span == nullptr || leg.pri == 0) return;
  const std::uint32_t id = leg.pri;
  by_pri_.erase({leg.span, id});
  leg.pri = 0;
  const auto side = leg.span->config().side;
  // A SETUP not answered at all yet (call present): RELEASE COMPLETE -- the user side refusing the PBX's SETUP
  // (5.2.5.1), the network side abandoning its own before any answer (5.3.2, kReleaseReq in its table);
  // otherwise DISCONNECT (5.3.2), the span finishing the clearing (RELEASE / RELEASE COMPLETE) and freeing the
  // channel.
  const bool present = leg.span->call_state(id) == q931::CcState::k6CallPresent;
  const auto abandon = side == q931::Side::kUser ? q931::CcEvent::kRejectReq : q931::CcEvent::kReleaseReq;
  (void)leg.span->request(id, present ? abandon : q931::CcEvent::kDisconnectReq,
                          clearing(present ? q931::msg::kReleaseComplete : q931::msg::kDisconnect, cause, side,
                                   location));
}

// --- PRI -> SIP ---

std::optional<std::uint8_t> CallEngine::on_pri_setup(q931::Span& span, std::uint32_t id, const q931::Message& setup,
                                                     std::uint8_t channel) {
  Entry guard(*this);
  if (sip_ == nullptr) return std::uint8_t{47};  // resource unavailable: nothing to carry the call on
  Call& c = new_call();
  c.a.span = &span;
  c.a.pri = id;
  by_pri_[{&span, id}] = &c;
  c.rec.cic = channel;  // the B channel stands for the circuit in the record
  c.seized_at = clock_->now();
  if (!setup.sending_complete && timers_ != nullptr) {
    // Overlap receiving (Q.931 5.2.4): SETUP ACKNOWLEDGE, the digits come in INFORMATION messages.
    c.pri_collecting = setup;
    log_.info(Subsystem::kCall, "collecting_digits",
              {{"call", c.id},
               {"span", span.config().name},
               {"channel", static_cast<int>(channel)},
               {"called", setup.called ? setup.called->digits : std::string()}});
    q931::Message ack;
    ack.type = q931::msg::kSetupAck;
    pri_request(c.a, std::move(ack));
    pri_digit_timer(c);
    return std::nullopt;
  }
  q931::Message proceeding;  // 5.2.5.2: the number is complete (en bloc)
  proceeding.type = q931::msg::kCallProceeding;
  pri_request(c.a, std::move(proceeding));
  route_pri_call(c, setup);
  return std::nullopt;
}

void CallEngine::pri_digit_timer(Call& c) {
  if (timers_ == nullptr) return;
  if (c.digit_timer != 0) timers_->cancel(c.digit_timer);
  const auto call_id = c.id;
  c.digit_timer = timers_->start(cfg_.digit_timeout, [this, call_id] {
    auto it = calls_.find(call_id);
    if (it == calls_.end()) return;
    it->second->digit_timer = 0;
    Entry guard(*this);
    pri_digits_done(*it->second);
  });
}

// The number is complete (Sending complete) or no digit came within the timeout: CALL PROCEEDING (5.2.4:
// the network has determined that it received enough) and route it.
void CallEngine::pri_digits_done(Call& c) {
  if (!c.pri_collecting || c.state() != CallState::kIdle) return;
  q931::Message setup = std::move(*c.pri_collecting);
  c.pri_collecting.reset();
  if (c.digit_timer != 0 && timers_) timers_->cancel(c.digit_timer);
  c.digit_timer = 0;
  setup.sending_complete = true;
  c.started = clock_->now();  // as for ISUP overlap: the gateway's part starts with the complete number
  q931::Message proceeding;
  proceeding.type = q931::msg::kCallProceeding;
  pri_request(c.a, std::move(proceeding));
  route_pri_call(c, setup);
}

void CallEngine::route_pri_call(Call& c, const q931::Message& setup) {
  const std::string& span = c.a.span->config().name;
  const std::string digits = setup.called ? setup.called->digits : std::string();
  c.called = digits;
  c.rec.called_in = digits;
  c.rec.calling_in = setup.calling ? setup.calling->digits : std::string();
  if (setup.calling && setup.calling->presentation) c.rec.presentation = presentation_of(*setup.calling->presentation);
  if (log_.enabled(Subsystem::kCall, LogLevel::kInfo))
    log_.info(Subsystem::kCall, "incoming", {{"call", c.id}, {"leg", "pri"}, {"span", span}, {"called", digits}});
  c.route = c.routing->router.lookup(span, digits);
  if (c.route == nullptr) {
    counters_.get("call.no_route").inc();
    log_.notice(Subsystem::kCall, "no_route", {{"call", c.id}, {"span", span}, {"called", digits}});
    return fire(c, CallEvent::kRefused, EventData{3, 0, {}, nullptr, nullptr, nullptr});
  }
  mapping::PriNumbering numbering;  // E.164, no dial prefixes (README "PRI": not configurable yet)
  numbering.trust_user_numbers = trusted_spans_.count(c.a.span) != 0;
  // The call's ISUP form (Q.699): what an ISUP or PRI target is set up with (start_b).
  if (auto req = mapping::iam_from_setup(setup, numbering)) c.setup = std::move(*req);
  for (const auto& t : c.route->targets) {
    sip::OutgoingInvite inv;
    const SipTrunkInfo* trunk = t.kind == RouteTarget::Kind::kSipTrunk ? c.routing->trunk_named(t.name) : nullptr;
    if (trunk != nullptr) {
      q931::Message s = setup;
      if (s.called) s.called->digits = t.manipulate(s.called->digits);
      auto f = mapping::invite_from_dss1(s, numbering, trunk->profile);
      if (!f) {  // Q.699 refusals (96 missing IE, 28 bad number, 65 bearer): the call is refused with it
        log_.notice(Subsystem::kCall, "pri_setup_unmapped", {{"call", c.id}, {"cause", static_cast<int>(f.error())}});
        return fire(c, CallEvent::kRefused, EventData{f.error(), 0, {}, nullptr, nullptr, nullptr});
      }
      inv.peer = trunk->peer;
      if (inv.peer.transport == sip::Transport::kTls) {
        secure_uri(f->request_uri);
        secure_uri(f->to);
      }
      inv.request_uri = std::move(f->request_uri);
      inv.from = std::move(f->from);
      inv.to = std::move(f->to);
      auto media = media_for(c);
      if (!f->codecs.empty()) media.codecs = f->codecs;
      media.telephone_event = f->telephone_event;
      // The bearer capability's codecs (Q.699 / Q.1912.5: speech and 3.1 kHz audio -> PCMA/PCMU, unrestricted
      // digital -> CLEARMODE) are offered with the MG's address once its connection is made (media_ready).
      c.offer_codecs = f->codecs;
      c.offer_telephone_event = f->telephone_event;
      auto body = mapping::make_body(sip::serialize_sdp(sip::make_offer(media)), f->isup, trunk->profile);
      inv.headers = with(std::move(f->headers), mapping::body_headers(body));
      inv.body = std::move(body);
      c.invite_isup.push_back(std::move(f->isup));
    } else {
      c.invite_isup.emplace_back();
    }
    c.invites.push_back(std::move(inv));
  }
  // The B channel's MG connection first (issue 21, as for an ISUP circuit): its SDP is every INVITE's offer,
  // and an ISUP target's circuit is joined to it (open_transit_media).
  if (media_)
    if (auto ch = c.a.span->channel_of(c.a.pri)) open_channel_media(c, *c.a.span, *ch, {}, MediaMode::kRecvOnly);
  when_media_ready(c, [this](Call& ready) {
    invites_with_mg_sdp(ready);
    fire(ready, CallEvent::kSetup);
  });
}

// --- SIP -> PRI ---

void CallEngine::pri_start_b(Call& c, const RouteTarget& t) {
  auto s = spans_.find(t.name);
  if (!c.setup || s == spans_.end()) {
    log_.warn(Subsystem::kCall, "unsupported_route", {{"call", c.id}, {"target", t.name}});
    return b_failed_now(c, 3);  // no route to destination
  }
  isup::SetupRequest req = c.target + 1 < c.route->targets.size() ? *c.setup : std::move(*c.setup);
  manipulate(req.called, t);
  c.rec.called_out = digits_of(req.called);
  c.rec.calling_out = req.calling ? std::string(digits_of(*req.calling)) : std::string();
  const bool a_law = c.a.trunk != nullptr ? c.a.trunk->profile.a_law : true;
  q931::Message setup = mapping::setup_from_isup(req.called, req.calling, req.transmission_medium,
                                                 req.user_service_information, req.forward, a_law);
  q931::Span& span = *s->second;
  // Overlap sending (Q.931 5.2.4, the PBX receiving): a number without ST goes without Sending complete; the
  // rest follows in INFORMATION (pri_send_digits).
  c.pri_called_b.reset();
  c.pri_info_pending.clear();
  if (!setup.sending_complete && setup.called) c.pri_called_b = setup.called;
  auto id = span.setup(std::move(setup));
  if (!id) {  // 34 no channel idle, 41 data link down
    log_.info(Subsystem::kCall, "setup_refused",
              {{"call", c.id}, {"span", t.name}, {"cause", static_cast<int>(id.error())}});
    return b_failed_now(c, id.error());
  }
  if (c.target == 0 && c.a.sip) timings_.setup_sip_to_isup.observe(clock_->now() - c.started);
  c.b = Leg{};
  c.b.span = &span;
  c.b.pri = *id;
  by_pri_[{&span, *id}] = &c;
  c.seized_at = clock_->now();
  if (auto ch = span.channel_of(*id)) {
    c.rec.cic = *ch;
    // The B channel's MG connection (issue 21), as for an ISUP circuit (start_b): A's offer as the remote SDP,
    // the PBX's side heard before the answer; joined to A's connection when A is a PRI too (PRI -> PRI).
    if (media_ && !c.a.sip && c.media != 0)
      open_transit_media(c, [&](CallMedia::Ready ready) {
        return media_->open_channel(span.config().name, *ch, c.sdp, MediaMode::kSendOnly, std::move(ready));
      });
    else if (media_)
      open_channel_media(c, span, *ch, c.offer, MediaMode::kSendOnly);
  }
}

// --- Q.931 events ---

void CallEngine::on_pri_message(q931::Span& span, std::uint32_t id, const q931::Message& m) {
  Entry guard(*this);
  Call* c = by_pri(&span, id);
  if (c == nullptr) return ignored_.inc();
  const bool is_b = c->b.span == &span && c->b.pri == id;
  switch (m.type) {
    case q931::msg::kAlerting:
    case q931::msg::kProgress:
      if (is_b) fire(*c, CallEvent::kProgress, EventData{0, 0, {}, nullptr, nullptr, nullptr, 0, nullptr, &m});
      return;
    case q931::msg::kConnect:
      if (is_b) fire(*c, CallEvent::kAnswer, EventData{0, 0, {}, nullptr, nullptr, nullptr, 0, nullptr, &m});
      return;
    case q931::msg::kInformation:
      // Overlap receiving (5.2.4): the digits appended; Sending complete ends the number.
      if (!is_b && c->pri_collecting) {
        auto& called = c->pri_collecting->called;
        if (!called && m.called) called = q931::PartyNumber{m.called->type, m.called->plan, {}, {}, {}};
        const bool complete = called ? mapping::append_information(*called, m) : m.sending_complete;
        log_.info(Subsystem::kCall, "more_digits",
                  {{"call", c->id}, {"called", called ? called->digits : std::string()}, {"complete", complete ? 1 : 0}});
        if (complete) return pri_digits_done(*c);
        return pri_digit_timer(*c);
      }
      return ignored_.inc();
    case q931::msg::kDisconnect: {
      const int cause = m.causes.empty() ? 16 : m.causes.front().value;  // no cause: normal clearing
      if (is_b && !m.causes.empty()) c->pri_cause_location = m.causes.front().location;
      // The network side answers DISCONNECT with RELEASE itself (5.3.3, q931/call_fsm.cpp); the user side's
      // RELEASE is ours to send (5.3.4).
      if (span.config().side == q931::Side::kUser)
        (void)span.request(id, q931::CcEvent::kReleaseReq, clearing(q931::msg::kRelease, cause, q931::Side::kUser));
      return pri_cleared(*c, span, id, cause);
    }
    case q931::msg::kSetupAck:
      // The PBX collects the number (5.2.4): the digits that came meanwhile go now.
      if (is_b) {
        auto pending = std::move(c->pri_info_pending);
        c->pri_info_pending.clear();
        for (const auto& more : pending) pri_send_digits(*c, more);
      }
      return;
    default: return;  // CALL PROCEEDING, NOTIFY: nothing for the other leg
  }
}

// RFC 3578 / ISUP SAM -> INFORMATION with the new digits in a called party number of the SETUP's type and plan,
// Sending complete when ST ends them (mapping/dss1_map.h information_from_digits). Before the PBX's SETUP
// ACKNOWLEDGE (N6) they wait: the network sends INFORMATION only in overlap receiving (N25) or later.
bool CallEngine::pri_send_digits(Call& c, const isup::Number& more) {
  if (c.b.span == nullptr || c.b.pri == 0 || !c.pri_called_b) return false;
  const auto state = c.b.span->call_state(c.b.pri);
  if (state == q931::CcState::k6CallPresent) {
    c.pri_info_pending.push_back(more);
    counters_.get("call.pri_overlap_digits_held").inc();
    return true;
  }
  counters_.get("call.pri_overlap_digits").inc();
  return pri_request(c.b, mapping::information_from_digits(more, *c.pri_called_b));
}

void CallEngine::on_pri_released(q931::Span& span, std::uint32_t id, std::uint8_t cause) {
  Entry guard(*this);
  if (Call* c = by_pri(&span, id)) pri_cleared(*c, span, id, cause != 0 ? cause : 16);
}

void CallEngine::pri_cleared(Call& c, q931::Span& span, std::uint32_t id, int cause) {
  by_pri_.erase({&span, id});
  cdr_released_by(c, "pri");
  const EventData d{cause, 0, {}, nullptr, nullptr, nullptr};
  if (c.a.span == &span && c.a.pri == id) {
    c.a.pri = 0;
    if (c.state() == CallState::kIdle) return fire(c, CallEvent::kRefused, d);  // gave up while dialling
    return fire(c, CallEvent::kAReleased, d);
  }
  if (c.b.span == &span && c.b.pri == id) {
    c.b.pri = 0;
    if (c.state() == CallState::kActive) return fire(c, CallEvent::kBReleased, d);
    return b_failed_now(c, cause);
  }
}

}  // namespace isupgw::engine
