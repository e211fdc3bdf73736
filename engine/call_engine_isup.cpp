// The call engine, ISUP side: events from ISUP call control
// (isup::CallControlUser) and routing of ISUP calls.
#include "engine/call_engine.h"

#include <charconv>

#include "base/ip_address.h"
#include "engine/basic_interworking.h"
#include "engine/call_engine_helpers.h"
#include "isup/builder.h"
#include "isup/codes.h"
#include "mapping/cause_map.h"
#include "mapping/colp_map.h"
#include "mapping/dss1_map.h"
#include "mapping/np_ansi.h"
#include "mapping/np_interworking.h"
#include "mapping/reason_header.h"
#include "sip/sdp.h"
#include "sip/uri.h"

namespace isupgw::engine {

// --- ISUP side ---

void CallEngine::on_setup(isup::CallId id, const isup::IncomingSetup& setup) {
  Entry guard(*this);
  Call& c = new_call();
  c.a.cid = id;
  c.a.group = setup.group;
  by_cid_[id] = &c;
  trace_circuit(c, id);
  cdr_seized(c, id);
  if (!setup.complete && timers_ != nullptr && setup.iam != nullptr && isup_ != nullptr) {
    // Overlap (Q.764 2.1.2): collect the SAMs, then one INVITE en bloc (Q.1912.5
    // allows the interworking unit to wait for the complete number).
    const auto* g = isup_->group(setup.group);
    if (auto bytes = isup::encode(*setup.iam, g ? g->config().variant : isup::Variant::kItu)) c.iam = std::move(*bytes);
    c.collecting = setup;
    c.collecting->iam = nullptr;
    log_.info(Subsystem::kCall, "collecting_digits",
              {{"call", c.id}, {"cic", setup.cic}, {"called", std::string(digits_of(setup.called))}});
    const auto call_id = c.id;
    c.digit_timer = timers_->start(cfg_.digit_timeout, [this, call_id] {
      auto it = calls_.find(call_id);
      if (it == calls_.end()) return;
      it->second->digit_timer = 0;
      Entry guard(*this);
      digits_done(*it->second);
    });
    return;
  }
  route_isup_call(c, setup);
}

void CallEngine::on_more_digits(isup::CallId id, std::string_view digits, bool complete) {
  Entry guard(*this);
  Call* c = by_cid(id);
  if (c == nullptr || !c->collecting || c->a.cid != id) return ignored_.inc();
  auto& called = c->collecting->called;
  std::string d(digits_of(called));
  d.append(digits);
  if (!d.empty() && d.back() == 'F') d.pop_back();
  if (complete) d += 'F';
  called.digits.assign(d);
  log_.info(Subsystem::kCall, "more_digits", {{"call", c->id}, {"called", d}, {"complete", complete ? 1 : 0}});
  if (timers_ && c->digit_timer != 0) timers_->cancel(c->digit_timer);
  c->digit_timer = 0;
  if (complete) return digits_done(*c);
  const auto call_id = c->id;
  c->digit_timer = timers_->start(cfg_.digit_timeout, [this, call_id] {
    auto it = calls_.find(call_id);
    if (it == calls_.end()) return;
    it->second->digit_timer = 0;
    Entry guard(*this);
    digits_done(*it->second);
  });
}

// The number is complete (ST) or no digit came within the timeout: route it.
void CallEngine::digits_done(Call& c) {
  if (!c.collecting || c.state() != CallState::kIdle) return;
  isup::IncomingSetup s = *c.collecting;
  c.collecting.reset();
  s.complete = true;
  c.started = clock_->now();  // the gateway's part of the setup starts with the complete number
  std::optional<isup::Message> iam;
  if (!c.iam.empty() && isup_) {
    const auto* g = isup_->group(s.group);
    if (auto m = isup::decode(c.iam, g ? g->config().variant : isup::Variant::kItu)) iam = *m;
  }
  s.iam = iam ? &*iam : nullptr;
  route_isup_call(c, s);
}

void CallEngine::route_isup_call(Call& c, const isup::IncomingSetup& setup) {
  const std::string group = group_name(setup.group);
  const std::string digits(digits_of(setup.called));
  c.called = digits;
  c.rec.called_in = digits;
  c.rec.calling_in = setup.calling ? std::string(digits_of(*setup.calling)) : std::string();
  c.rec.presentation = setup.calling ? presentation_of(setup.calling->apri) : "";
  if (!out_of_service_groups_.empty() && !group_in_service(group)) {
    // Drained (issue 16): new calls refused with cause 41 temporary failure.
    counters_.get("call.refused_out_of_service").inc();
    log_.info(Subsystem::kCall, "iam_refused", {{"call", c.id}, {"trunk_group", group}, {"reason", "out of service"}});
    return fire(c, CallEvent::kRefused, EventData{41, 0, {}, nullptr, nullptr});
  }
  if (overload_.refuse()) {
    // Node-wide overload (issue 19): REL cause 42 switching equipment congestion; call control adds the
    // automatic congestion level the engine gave it (Q.764 2.11, Q.763 3.4). Counted, never logged one by one.
    overload_.count_refused_isup();
    // On a group configured for OLM (national option, Q.763 Table 39): OLM instead of the REL, the circuit
    // held until the originating exchange's T3 releases it; the ISUP call is gone, so the REL that the
    // refusal below would send finds no call.
    const isup::TrunkGroup* tg = isup_ != nullptr ? isup_->group(setup.group) : nullptr;
    if (tg != nullptr && tg->config().overload_olm) (void)isup_->overload(c.a.cid);
    return fire(c, CallEvent::kRefused, EventData{42, 0, {}, nullptr, nullptr});
  }
  if (admission_.any()) {
    if (AdmissionGate* gate = admission_.group(group)) {
      std::string why;
      int retry_after = 0;
      // Over the group's limit (issue 18): the IAM is refused, REL cause 34 no circuit/channel available
      // (Q.764 2.2: unsuccessful call set-up, release with the cause).
      if (!admit(*gate, c, group, why, retry_after))
        return fire(c, CallEvent::kRefused, EventData{34, 0, {}, nullptr, nullptr});
      c.gate_a = gate;
    }
  }
  if (log_.enabled(Subsystem::kCall, LogLevel::kInfo))
    log_.info(Subsystem::kCall, "incoming",
              {{"call", c.id}, {"leg", "isup"}, {"trunk_group", group}, {"cic", setup.cic}, {"called", digits}});
  if (setup.iam != nullptr)
    if (const isup::Param* p = setup.iam->find(isup::par::kRedirectionInformation))
      if (auto ri = isup::RedirectionInformation::decode(p->value)) c.iam_redirection = *ri;
  if (setup.iam != nullptr) c.colp_requested = mapping::colp_requested(*setup.iam);
  // Issue 20: a ported number routes on its network routing number (Q.763 3.90); on an ANSI trunk group on
  // the LRN in the called party number, the dialled number (the GAP "ported number") matching the prefixes.
  const isup::TrunkGroup* g = isup_ != nullptr ? isup_->group(setup.group) : nullptr;
  const isup::Variant variant = g != nullptr ? g->config().variant : isup::Variant::kItu;
  std::string rn;
  std::string route_digits = digits;
  if (setup.iam != nullptr && variant == isup::Variant::kAnsi) {
    if (auto lnp = mapping::ansi_routing_of(*setup.iam, setup.called)) {
      rn = std::move(lnp->lrn);
      route_digits = std::move(lnp->dialled);
    }
  } else if (setup.iam != nullptr) {
    rn = mapping::routing_number_of(*setup.iam);
  }
  c.route = c.routing->router.lookup(group, route_digits, rn);
  if (c.route == nullptr) {
    counters_.get("call.no_route").inc();
    log_.notice(Subsystem::kCall, "no_route", {{"call", c.id}, {"trunk_group", group}, {"called", digits}, {"rn", rn}});
    return fire(c, CallEvent::kRefused, EventData{3, 0, {}, nullptr, nullptr, nullptr});
  }
  // ISUP -> PRI (issue 21): the IAM's ISUP form is what a span's SETUP is built from (pri_start_b, Q.699
  // through mapping/dss1_map.h), as for SIP -> PRI.
  for (const auto& t : c.route->targets)
    if (t.kind == RouteTarget::Kind::kPriSpan) {
      c.setup = mapping::request_from_iam(setup);
      break;
    }
  // One INVITE per target (each with its own number manipulation), built now
  // while the IAM is at hand.
  for (const auto& t : c.route->targets) {
    sip::OutgoingInvite inv;
    const SipTrunkInfo* trunk = t.kind == RouteTarget::Kind::kSipTrunk ? c.routing->trunk_named(t.name) : nullptr;
    if (trunk != nullptr) {
      isup::IncomingSetup s = setup;
      manipulate(s.called, t);
      // The ISUP side's variant governs how the IAM reads (ANSI LNP, USI, the SIP-T body's coding).
      mapping::SipProfile prof = trunk->profile;
      prof.variant = variant;
      auto f = mapping::invite_from_setup(s, prof);
      if (f.request_uri.empty()) f = basic_invite_from_setup(s, prof);
      inv.peer = trunk->peer;
      if (trunk->by_name && trunk_targets_ != nullptr) {
        auto targets = trunk_targets_->targets(trunk->name);
        if (!targets.empty()) {
          inv.peer = targets.front();
          inv.alternates.assign(targets.begin() + 1, targets.end());
        } else {
          counters_.get("call.sip_trunk_unresolved").inc();
          log_.warn(Subsystem::kCall, "trunk_unresolved", {{"call", c.id}, {"trunk", trunk->name}});
        }
      }
      if (inv.peer.transport == sip::Transport::kTls) {
        // RFC 3261 19.1 / RFC 5630: a TLS trunk is addressed with sips: URIs.
        secure_uri(f.request_uri);
        secure_uri(f.to);
      }
      inv.request_uri = std::move(f.request_uri);
      inv.from = std::move(f.from);
      inv.to = std::move(f.to);
      auto media = media_for(c);
      if (!f.codecs.empty()) media.codecs = f.codecs;
      media.telephone_event = f.telephone_event;
      c.offer_codecs = f.codecs;  // the MG's SDP, once ready, is offered with the bearer's codecs (media_ready)
      c.offer_telephone_event = f.telephone_event;
      auto body = mapping::make_body(sip::serialize_sdp(sip::make_offer(media)), f.isup, trunk->profile);
      inv.headers = with(std::move(f.headers), mapping::body_headers(body));
      inv.body = std::move(body);
      c.invite_isup.push_back(std::move(f.isup));
    } else {
      c.invite_isup.emplace_back();
    }
    c.invites.push_back(std::move(inv));
  }
  // The circuit's MG connection first: its SDP is the offer of every INVITE.
  auto proceed = [this, group = setup.group, cic = setup.cic](Call& call) {
    if (media_) open_media(call, group, cic, {}, MediaMode::kRecvOnly);
    when_media_ready(call, [this](Call& ready) {
      invites_with_mg_sdp(ready);
      fire(ready, CallEvent::kSetup);
    });
  };
  std::size_t enum_target = c.route->targets.size();
  for (std::size_t i = 0; i < c.route->targets.size() && i < c.invites.size(); ++i)
    if (c.route->targets[i].enum_lookup && c.routing->trunk_named(c.route->targets[i].name) != nullptr) {
      enum_target = i;
      break;
    }
  if (enum_target == c.route->targets.size()) return proceed(c);
  // ENUM (RFC 6116): the E.164 form of the number is the Request-URI's user part the trunk's profile wrote.
  std::string e164;
  if (auto u = sip::parse_uri(c.invites[enum_target].request_uri); u && u->user.starts_with('+'))
    e164 = std::string(u->user);
  auto refuse = [this](Call& call, std::string_view why) {
    counters_.get("call.enum_failed").inc();
    log_.notice(Subsystem::kCall, "enum_failed", {{"call", call.id}, {"called", call.called}, {"reason", why}});
    fire(call, CallEvent::kRefused, EventData{3, 0, {}, nullptr, nullptr, nullptr});
  };
  if (e164.empty() || !enum_lookup_) return refuse(c, e164.empty() ? "no E.164 number" : "no ENUM resolver");
  enum_lookup_(e164, [this, id = c.id, i = enum_target, proceed, refuse](Result<std::string, std::string> r) {
    auto it = calls_.find(id);
    if (it == calls_.end()) return;
    Entry guard(*this);
    Call& call = *it->second;
    if (call.state() != CallState::kIdle) return;  // released while the lookup ran
    if (!r) return refuse(call, r.error());
    auto& inv = call.invites[i];
    auto u = sip::parse_uri(*r);
    std::string host = u ? std::string(u->host) : std::string();
    if (u && u->ipv6()) host = host.substr(1, host.size() - 2);
    if (!u || !valid_ip(host)) return refuse(call, "ENUM URI host is not an IP address: " + *r);
    const bool tls = u->scheme == sip::Scheme::kSips;
    inv.peer.host = host;
    inv.peer.port = u->port != 0 ? u->port : tls ? 5061 : 5060;
    inv.alternates.clear();
    inv.request_uri = *r;
    counters_.get("call.enum_routed").inc();
    log_.info(Subsystem::kCall, "enum_routed", {{"call", call.id}, {"number", inv.request_uri}});
    proceed(call);
  });
}

void CallEngine::invites_with_mg_sdp(Call& c) {
  if (c.media == 0) return;  // no MG: the placeholder offer stays
  for (std::size_t i = 0; i < c.invites.size() && i < c.route->targets.size() && i < c.invite_isup.size(); ++i) {
    const SipTrunkInfo* trunk = c.routing->trunk_named(c.route->targets[i].name);
    if (trunk == nullptr || c.invites[i].body.empty()) continue;
    c.invites[i].body = mapping::make_body(c.sdp, c.invite_isup[i], trunk->profile);
  }
}

void CallEngine::on_progress(isup::CallId id, const isup::BackwardIndication& ind) {
  Entry guard(*this);
  if (Call* c = by_cid(id); c && c->answered && ind.msg != nullptr)
    if (const isup::Param* p = ind.msg->find(isup::par::kGenericNotificationIndicator); p && !p->value.empty()) {
      const std::uint8_t n = p->value[0] & 0x7f;
      if (n == isup::kNotificationRemoteHold || n == isup::kNotificationRemoteRetrieval)
        return isup_notification(*c, n);
    }
  // After answer a CPG has no SIP equivalent: INFO on SIP-I/SIP-T (Q.1912.5, RFC 3372).
  if (Call* c = by_cid(id); c && c->answered && ind.msg != nullptr) return isup_to_sip(id, *ind.msg);
  if (Call* c = by_cid(id); c && c->b.cid == id && !c->b.sip)
    fire(*c, CallEvent::kProgress, EventData{0, 0, {}, nullptr, &ind, nullptr});
  else
    ignored_.inc();
}

void CallEngine::on_answer(isup::CallId id, const isup::Message& answer) {
  Entry guard(*this);
  if (Call* c = by_cid(id); c && c->b.cid == id && !c->b.sip)
    fire(*c, CallEvent::kAnswer, EventData{0, 0, {}, nullptr, nullptr, &answer});
  else
    ignored_.inc();
}

void CallEngine::on_release(isup::CallId id, const isup::ReleaseIndication& rel) {
  Entry guard(*this);
  Call* c = by_cid(id);
  if (c == nullptr) return ignored_.inc();
  const int cause = rel.cause;
  // The location (Q.850 2.2.3) and the REL itself go on to SIP-I/SIP-T.
  c->isup_cause_location = rel.location;
  // A received REL is answered with RLC at once (Q.764 2.3.1 c); call control's own releases
  // (timers, reset, blocking) are the gateway's.
  cdr_released_by(*c, rel.rel != nullptr ? "isup" : "gateway");
  if (rel.rel != nullptr) c->rlc_at = clock_->now();
  // ISUP has released the circuit itself (REL answered with RLC): forget the id.
  by_cid_.erase(id);
  const EventData d{cause, 0, {}, nullptr, nullptr, rel.rel};
  if (c->a.cid == id && !c->a.sip) {
    c->a.cid = 0;
    // Still idle: the INVITE waits for the MG connection. Nothing to tell SIP.
    if (c->state() == CallState::kIdle) return fire(*c, CallEvent::kRefused, d);
    return fire(*c, CallEvent::kAReleased, d);
  }
  c->b.cid = 0;
  if (c->state() == CallState::kActive) return fire(*c, CallEvent::kBReleased, d);
  b_failed_now(*c, cause, nullptr, rel.rel);
}

}  // namespace isupgw::engine
