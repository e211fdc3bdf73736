// The call engine, SIP side: events from the SIP stack (sip::SessionUser) and
// RFC 3578 overlap INVITEs.
#include "engine/call_engine.h"

#include <charconv>

#include "engine/basic_interworking.h"
#include "engine/call_engine_helpers.h"
#include "isup/builder.h"
#include "isup/codes.h"
#include "mapping/cause_map.h"
#include "mapping/colp_map.h"
#include "mapping/np_interworking.h"
#include "mapping/reason_header.h"
#include "sip/sdp.h"

namespace isupgw::engine {

// RFC 3578 2: a further INVITE of a call in progress (same Call-ID and From
// tag) whose Request-URI extends the number: the new digits go in a SAM
// (Q.764 2.1.2) and the earlier INVITE is answered 484 Address Incomplete.
// `fresh` is the call on_invite just made for it; it is dropped when the
// INVITE belongs to an earlier call. False: an ordinary new call.
bool CallEngine::overlap_invite(Call& fresh, sip::SessionId s, const sip::Message& invite) {
  const std::string_view tag = invite.from.tag();
  for (auto& [id, up] : calls_) {
    Call& c = *up;
    if (&c == &fresh || !c.a.sip || c.a_call_id != invite.call_id || c.a_from_tag != tag) continue;
    const bool pri = c.b.span != nullptr && c.b.pri != 0;  // issue 21: INFORMATION towards the PBX
    if ((c.state() != CallState::kOutgoing && c.state() != CallState::kEarly) || c.b.sip || (c.b.cid == 0 && !pri) ||
        !c.setup)
      continue;
    auto more = mapping::overlap_digits(c.setup->called, invite, c.a.trunk->profile);
    if (!more) return false;  // not an extension: a call of its own
    if (pri ? !pri_send_digits(c, *more) : !isup_ || !isup_->send_digits(c.b.cid, *more)) return false;
    std::string digits(digits_of(c.setup->called));
    digits += digits_of(*more);
    c.setup->called.digits.assign(digits);
    counters_.get("call.overlap_digits").inc();
    log_.info(Subsystem::kCall, "overlap",
              {{"call", c.id}, {"added", std::string(digits_of(*more))}, {"called", digits}});
    // The new INVITE takes over the call; the earlier one is answered 484.
    const sip::SessionId old = c.a.sid;
    by_sid_.erase(old);
    c.a.sid = s;
    by_sid_[s] = &c;
    if (sip_) sip_->reject(old, 484, {{"Reason", mapping::format_q850_reason(28)}});
    // The call on_invite opened for this INVITE is not a call: retired like a finished one.
    if (auto it = calls_.find(fresh.id); it != calls_.end()) {
      dead_.push_back(std::move(it->second));
      calls_.erase(it);
    }
    return true;
  }
  return false;
}

// --- SIP side ---

void CallEngine::on_invite(sip::SessionId s, const sip::Message& invite, const sip::Peer& from) {
  Entry guard(*this);
  Call& c = new_call();
  c.a.sip = true;
  c.a.sid = s;
  by_sid_[s] = &c;
  trace_sip(c, invite.call_id);
  cdr_sip_a(c, s, invite);
  EventData refuse;
  c.a.trunk = c.routing->trunk_for_source(from.host);
  if (c.a.trunk == nullptr) {
    counters_.get("call.refused_acl").inc();
    log_.notice(Subsystem::kCall, "invite_refused",
                {{"call", c.id}, {"source", from.host}, {"reason", "no trunk allows this source"}});
    refuse.status = 403;
    refuse.cause = 21;  // call rejected
    refuse.warning = "source not allowed";
    return fire(c, CallEvent::kRefused, refuse);
  }
  const auto& prof = c.a.trunk->profile;
  if (!out_of_service_trunks_.empty()) {
    if (auto oos = out_of_service_trunks_.find(c.a.trunk->name); oos != out_of_service_trunks_.end()) {
      // Drained (issue 16): new calls refused, 503 with Retry-After (RFC 3261 21.5.4, 20.33).
      counters_.get("call.refused_out_of_service").inc();
      log_.info(Subsystem::kCall, "invite_refused",
                {{"call", c.id}, {"trunk", c.a.trunk->name}, {"reason", "trunk out of service"}});
      refuse.status = 503;
      refuse.cause = 41;  // temporary failure (RFC 3398 7.2.6.1: 503 <-> 41)
      refuse.warning = "trunk out of service";
      refuse.retry_after = static_cast<int>(oos->second.count());
      return fire(c, CallEvent::kRefused, refuse);
    }
  }
  if (!prof.append_st && overlap_invite(c, s, invite)) return;
  if (admission_.any()) {
    if (AdmissionGate* gate = admission_.sip_trunk(c.a.trunk->name)) {
      if (!admit(*gate, c, c.a.trunk->name, refuse.warning, refuse.retry_after)) {
        // Over the trunk's limit (issue 18): 503 with Retry-After (RFC 3261 21.5.4, 20.33), Reason cause 34
        // no circuit/channel available (the cause RFC 3398 7.2.4.1 maps to 503).
        refuse.status = 503;
        refuse.cause = 34;
        return fire(c, CallEvent::kRefused, refuse);
      }
      c.gate_a = gate;
    }
  }
  auto req = mapping::setup_from_invite(invite, prof);
  if (!req && not_implemented(req.error())) req = basic_setup_from_invite(invite, prof);
  if (!req) {
    refuse.status = req.error().status;
    refuse.warning = req.error().warning;
    refuse.cause = mapping::cause_for_sip_status(refuse.status).value_or(127);
    return fire(c, CallEvent::kRefused, refuse);
  }
  const std::string digits(digits_of(req->called));
  c.called = digits;
  c.rec.presentation = req->calling ? presentation_of(req->calling->apri) : "";
  // Issue 20: a ported number routes on its routing number (the rn the IAM will carry, Q.763 3.90).
  const std::string rn = mapping::routing_number_of(req->optional);
  c.route = c.routing->router.lookup(c.a.trunk->name, digits, rn);
  if (c.route == nullptr) {
    counters_.get("call.no_route").inc();
    log_.notice(Subsystem::kCall, "no_route",
                {{"call", c.id}, {"trunk", c.a.trunk->name}, {"called", digits}, {"rn", rn}});
    auto fr = mapping::response_for_release(3, prof);
    refuse.status = fr.status;
    refuse.cause = 3;
    refuse.warning = "no route for " + digits;
    return fire(c, CallEvent::kRefused, refuse);
  }
  // The first target an ANSI trunk group (issue 20): the INVITE is mapped again with the ANSI rules (LNP as
  // LRN + GAP, JIP, no ITU additional calling party number); routing used the form above (rn as 0x84).
  if (isup_ != nullptr && !c.route->targets.empty() &&
      c.route->targets.front().kind == RouteTarget::Kind::kTrunkGroup)
    if (auto g = cfg_.groups.find(c.route->targets.front().name); g != cfg_.groups.end())
      if (const isup::TrunkGroup* grp = isup_->group(g->second); grp && grp->config().variant == isup::Variant::kAnsi) {
        mapping::SipProfile ansi = prof;
        ansi.variant = isup::Variant::kAnsi;
        if (auto again = mapping::setup_from_invite(invite, ansi)) req = std::move(again);
      }
  // Our SDP: the answer to the offer, or an offer when the INVITE had none (then the ACK answers).
  auto media = media_for(c);
  auto bodies = mapping::received_bodies(invite);
  std::optional<std::string_view> offered = bodies && bodies->sdp ? bodies->sdp : sdp_body(invite);
  if (offered) {
    c.offer = std::string(*offered);
    auto offer = sip::parse_sdp(*offered);
    auto answer =
        offer ? sip::make_answer(*offer, media) : Result<sip::Answer, sip::OaError>(Err(sip::OaError::kNoAudio));
    if (!answer) {
      refuse.status = 488;
      refuse.cause = 65;  // bearer capability not implemented
      refuse.warning = offer ? std::string(sip::describe(answer.error())) : "unparseable SDP";
      return fire(c, CallEvent::kRefused, refuse);
    }
    c.sdp = sip::serialize_sdp(answer->sdp);
    c.rec.codec = answer->media.encoding;
  } else {
    c.sdp = sip::serialize_sdp(sip::make_offer(media));
  }
  if (log_.enabled(Subsystem::kCall, LogLevel::kInfo))
    log_.info(Subsystem::kCall, "incoming",
              {{"call", c.id}, {"leg", "sip"}, {"trunk", c.a.trunk->name}, {"called", digits}, {"source", from.host}});
  if (mapping::supports_from_change(invite)) c.from_change_called = req->called;
  c.setup = std::move(*req);
  c.a_call_id = std::string(invite.call_id);
  c.a_from_tag = std::string(invite.from.tag());
  fire(c, CallEvent::kSetup);
}

void CallEngine::on_cancel(sip::SessionId s, const sip::Message& cancel) {
  Entry guard(*this);
  if (Call* c = by_sid(s); c && c->a.sip && c->a.sid == s) {
    const mapping::SipProfile prof = c->a.trunk ? c->a.trunk->profile : mapping::SipProfile{};
    c->sip_cause_location = location_or_none(mapping::release_location(cancel, prof));
    cdr_released_by(*c, "sip");
    c->rec.sip_status = 487;  // the stack's answer to the INVITE (RFC 3261 9.2)
    fire(*c, CallEvent::kAReleased, EventData{mapping::cause_from_request(cancel), 0, {}, &cancel, nullptr, nullptr});
  } else
    ignored_.inc();
}

void CallEngine::on_provisional(sip::SessionId s, const sip::Message& response) {
  Entry guard(*this);
  if (transfer_progress(s, response)) return;  // a transfer's new leg (call_engine_transfer.cpp)
  if (Call* c = by_sid(s); c && c->b.sid == s && c->b.sip) {
    cdr_response(*c, response);
    fire(*c, CallEvent::kProgress, EventData{0, response.status, {}, &response, nullptr, nullptr});
  } else
    ignored_.inc();
}

void CallEngine::on_answered(sip::SessionId s, const sip::Message& response) {
  Entry guard(*this);
  if (transfer_answered(s, response)) return;
  Call* c = by_sid(s);
  if (c == nullptr || c->b.sid != s || !c->b.sip) {
    // A 2xx that raced our CANCEL (RFC 3261 9.1): the session exists, end it.
    counters_.get("call.answer_after_cancel").inc();
    if (sip_) sip_->bye(s, mapping::reason_for_release(16));
    return;
  }
  cdr_response(*c, response);
  fire(*c, CallEvent::kAnswer, EventData{0, response.status, {}, &response, nullptr, nullptr});
}

void CallEngine::on_rejected(sip::SessionId s, const sip::Message& response) {
  Entry guard(*this);
  if (transfer_failed(s, response.status, response.reason)) return;
  Call* c = by_sid(s);
  if (c == nullptr || c->b.sid != s || !c->b.sip) return ignored_.inc();
  const int cause = mapping::cause_from_response(response, c->b.trunk->profile).value_or(16);
  c->sip_cause_location = location_or_none(mapping::release_location(response, c->b.trunk->profile));
  cdr_response(*c, response);
  cdr_released_by(*c, "sip");
  by_sid_.erase(s);
  c->b.sid = 0;
  if (response.status >= 300 && response.status < 400 && on_redirect(*c, response)) return;  // issue 20
  b_failed_now(*c, cause, &response);  // its REL (SIP-I/SIP-T) is the basis of ours
}

void CallEngine::on_bye(sip::SessionId s, const sip::Message& bye) {
  Entry guard(*this);
  Call* c = by_sid(s);
  if (c == nullptr) return ignored_.inc();
  const bool from_a = c->a.sip && c->a.sid == s;
  if (!from_a && referrer_left(*c, s)) return;  // a transfer goes on without the referrer
  cdr_released_by(*c, "sip");
  // SIP-I/SIP-T: the encapsulated REL's cause before Reason (Q.1912.5).
  const SipTrunkInfo* trunk = from_a ? c->a.trunk : c->b.trunk;
  const int cause = mapping::cause_from_request(bye, trunk ? trunk->profile : mapping::SipProfile{});
  c->sip_cause_location =
      location_or_none(mapping::release_location(bye, trunk ? trunk->profile : mapping::SipProfile{}));
  fire(*c, from_a ? CallEvent::kAReleased : CallEvent::kBReleased, EventData{cause, 0, {}, &bye, nullptr, nullptr});
}

void CallEngine::on_ended(sip::SessionId s, sip::EndReason why) {
  Entry guard(*this);
  if (transfer_failed(s, why == sip::EndReason::kTimeout ? 408 : 503,
                      why == sip::EndReason::kTimeout ? "Request Timeout" : "Service Unavailable"))
    return;
  Call* c = by_sid(s);
  if (c == nullptr) return ignored_.inc();
  if (referrer_left(*c, s)) return;
  const int cause = cause_for(why);
  log_.info(Subsystem::kCall, "sip_session_ended", {{"call", c->id}, {"reason", sip::to_string(why)}});
  cdr_released_by(*c, "gateway");  // no answer, transport error, session timer: the stack's decision
  if (c->a.sip && c->a.sid == s) {
    by_sid_.erase(s);
    c->a.sid = 0;  // nothing more to send on it
    return fire(*c, CallEvent::kAReleased, EventData{cause, 0, {}, nullptr, nullptr, nullptr});
  }
  by_sid_.erase(s);
  c->b.sid = 0;
  // An INVITE to the trunk timed out (Timer B) or could not reach it (a transport error: an ICMP unreachable,
  // a refused or lost connection; RFC 3261 8.1.3.1): a failure of the trunk's health (issue 18).
  const bool unreached = why == sip::EndReason::kTimeout || why == sip::EndReason::kTransportError;
  if (unreached && c->state() != CallState::kActive && c->b.trunk != nullptr) trunk_failed(*c->b.trunk);
  if (c->state() == CallState::kActive)
    return fire(*c, CallEvent::kBReleased, EventData{cause, 0, {}, nullptr, nullptr, nullptr});
  // Nothing but 100 came from the target: the route's next target is tried, as RFC 3263 4.3 tries a
  // trunk's next address (hunted like a congested target).
  if (unreached && c->state() == CallState::kOutgoing && c->route != nullptr &&
      c->target + 1 < c->route->targets.size()) {
    ++c->target;
    counters_.get("call.target_unreached").inc();
    return fire(*c, CallEvent::kRetry, EventData{cause, 0, {}, nullptr, nullptr, nullptr});
  }
  b_failed_now(*c, cause);
}

}  // namespace isupgw::engine
