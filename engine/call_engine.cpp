// The call engine: configuration, lookups, the call state table driver
// (fire/perform), leg B start and release, finish.
#include "engine/call_engine.h"

#include <charconv>

#include "base/ip_address.h"
#include "config/config.pb.h"
#include "config/sip_peer.h"
#include "engine/basic_interworking.h"
#include "engine/call_engine_helpers.h"
#include "isup/builder.h"
#include "isup/codes.h"
#include "mapping/cause_map.h"
#include "mapping/colp_map.h"
#include "mapping/dss1_map.h"
#include "mapping/isup_transparency.h"
#include "mapping/np_ansi.h"
#include "mapping/reason_header.h"
#include "sip/sdp.h"

namespace isupgw::engine {

EngineConfig make_engine_config(const config::Config& cfg, const config::Settings& settings,
                                std::map<std::string, isup::GroupId, std::less<>> groups) {
  EngineConfig ec;
  for (int i = 0; i < cfg.sip().trunks_size(); ++i) {
    const auto& t = cfg.sip().trunks(i);
    SipTrunkInfo ti;
    ti.name = t.name();
    ti.peer = config::trunk_peer(t);
    ti.by_name = !valid_ip(t.address());
    for (const auto& net : settings.sip_trunks.at(static_cast<std::size_t>(i)).allowed_sources) ti.acl.add(net);
    auto& p = ti.profile;
    p.kind = t.profile() == config::SIP_PROFILE_SIP_I   ? mapping::SipProfile::kSipI
             : t.profile() == config::SIP_PROFILE_SIP_T ? mapping::SipProfile::kSipT
                                                        : mapping::SipProfile::kSip;
    if (!t.number_plan().country_code().empty()) p.plan.country_code = t.number_plan().country_code();
    p.plan.area_code = t.number_plan().area_code();
    p.host = t.domain().empty() ? t.address() : t.domain();
    p.append_st = !t.overlap();  // overlap: the number may grow (RFC 3578)
    p.request_colp = t.request_colp();
    if (t.redirection_header() == config::REDIRECTION_HEADER_DIVERSION)
      p.redirection = mapping::RedirectionHeader::kDiversion;
    ti.redirect = t.redirect() == config::SIP_REDIRECT_FOLLOW ? SipTrunkInfo::Redirect::kFollow
                  : t.redirect() == config::SIP_REDIRECT_ISUP ? SipTrunkInfo::Redirect::kIsup
                                                              : SipTrunkInfo::Redirect::kRefuse;
    if (t.max_redirects() != 0) ti.max_redirects = t.max_redirects();
    ti.transfer = t.transfer() == config::SIP_TRANSFER_PERFORM;
    ti.monitored = t.options_interval_ms() != 0;
    if (t.down_after() != 0) ti.down_after = t.down_after();
    if (t.up_after() != 0) ti.up_after = t.up_after();
    ec.trunks.push_back(std::move(ti));
  }
  for (const auto& t : cfg.sip().trunks())
    if (t.has_admission()) ec.sip_admission.emplace(t.name(), AdmissionLimits::from(t.admission()));
  for (const auto& g : cfg.ss7().trunk_groups())
    if (g.has_admission()) ec.group_admission.emplace(g.name(), AdmissionLimits::from(g.admission()));
  ec.overload = OverloadConfig::from(cfg.overload());
  // Opt-in (an `overload` section turns it on): its signals also rise when the host starves the process
  // (a loaded machine, a VM under TCG), and its refusals then spread to the peers through the ACL
  // (Q.764 2.11.2): at 20-25 calls/s in the CI's VM one or two late samples cost 46 of 200 and 92 of 400 calls.
  ec.overload.enabled = cfg.has_overload() && !cfg.overload().disabled();
  ec.groups = std::move(groups);
  ec.router = Router(cfg.routes());
  if (cfg.sip().listeners_size() > 0) ec.media_address = cfg.sip().listeners(0).address();
  return ec;
}

CallEngine::CallEngine(EngineConfig cfg, Logger& log, Counters& counters)
    : cfg_(std::move(cfg)),
      routing_(std::make_shared<const Routing>(Routing{std::move(cfg_.trunks), std::move(cfg_.router)})),
      admission_(counters),
      overload_(cfg_.overload, log, counters),
      log_(log),
      counters_(counters),
      meter_(make_call_meter(log, counters)),
      attempted_(counters.get("call.attempted")),
      answered_(counters.get("call.answered")),
      failed_(counters.get("call.failed")),
      completed_(counters.get("call.completed")),
      ignored_(counters.get("call.ignored_events")) {
  admission_.configure(cfg_.sip_admission, cfg_.group_admission);
  sync_health();
}

CallEngine::~CallEngine() {
  if (timers_) {
    for (auto& [id, c] : calls_)
      if (c->digit_timer != 0) timers_->cancel(c->digit_timer);
    if (rlc_timer_ != 0) timers_->cancel(rlc_timer_);
  }
}

CallEngine::Call& CallEngine::new_call() {
  auto c = std::make_unique<Call>(meter_, next_id_++);
  c->started = clock_->now();
  c->routing = routing_;
  auto& ref = *c;
  calls_.emplace(ref.id, std::move(c));
  attempted_.inc();
  return ref;
}

CallEngine::Call* CallEngine::by_sid(sip::SessionId s) {
  auto it = by_sid_.find(s);
  return it == by_sid_.end() ? nullptr : it->second;
}

CallEngine::Call* CallEngine::by_cid(isup::CallId id) {
  auto it = by_cid_.find(id);
  return it == by_cid_.end() ? nullptr : it->second;
}

const SipTrunkInfo* Routing::trunk_for_source(const std::string& host) const {
  for (const auto& t : trunks)
    if (t.acl.allows(host)) return &t;
  return nullptr;
}

const SipTrunkInfo* Routing::trunk_named(std::string_view name) const {
  for (const auto& t : trunks)
    if (t.name == name) return &t;
  return nullptr;
}

std::string CallEngine::group_name(isup::GroupId g) const {
  for (const auto& [name, id] : cfg_.groups)
    if (id == g) return name;
  return {};
}

sip::LocalMedia CallEngine::media_for(const Call& c) const {
  sip::LocalMedia m;
  m.address = cfg_.media_address;
  m.port = static_cast<std::uint16_t>(16384 + 2 * (c.id % 8000));  // placeholder until media-gw drives RTP
  m.session_id = std::to_string(c.id);
  return m;
}

// --- the state table driver ---

void CallEngine::fire(Call& c, CallEvent e) { fire(c, e, EventData{}); }

void CallEngine::fire(Call& c, CallEvent e, const EventData& d) {
  // The kit refuses (counts call.ignored_events, logs event_ignored) or moves,
  // counts and logs "state" with the action and the cause; then the action runs.
  const CallState from = c.state();
  const CallRow* r = c.fsm.step(e, "cause", d.cause);
  if (r == nullptr) return;
  const CallState to = c.state();
  perform(c, CallTransition{from, e, to, r->action}, d);
  if (to == CallState::kReleased && c.state() == CallState::kReleased) finish(c);
}

void CallEngine::perform(Call& c, const CallTransition& t, const EventData& d) {
  switch (t.action) {
    case CallAction::kStartB:
    case CallAction::kTryNext: start_b(c); return;

    case CallAction::kRefuseA:
    case CallAction::kRefuseAWithCause: {
      c.cause = d.cause;
      if (c.a.sip) {
        if (!sip_) return;
        const SipTrunkInfo* tr = c.a.trunk;
        if (t.action == CallAction::kRefuseA && d.status != 0) {
          sip::HeaderList h;
          if (d.cause != 0) h.emplace_back("Reason", mapping::format_q850_reason(static_cast<std::uint8_t>(d.cause)));
          if (!d.warning.empty()) h.emplace_back("Warning", "399 isupgw \"" + d.warning + "\"");
          if (d.retry_after > 0) h.emplace_back("Retry-After", std::to_string(d.retry_after));
          c.rec.sip_status = static_cast<std::uint16_t>(d.status);
          sip_->reject(c.a.sid, d.status, std::move(h));
        } else {
          const auto prof = tr ? tr->profile : mapping::SipProfile{};
          // The exchange's REL, unchanged, when one caused this (RFC 3372 transparency).
          auto fr = mapping::response_for_release(static_cast<std::uint8_t>(d.cause), prof, sip_location(c), d.isup);
          auto body = mapping::make_body(std::nullopt, fr.isup, prof);  // SIP-I/SIP-T: the REL
          auto headers = with(std::move(fr.headers), mapping::body_headers(body));
          // Congestion further on (cause 42: an exchange's REL 42 + ACL, a trunk's RFC 7339 reduction, our own
          // traffic reduction towards it): the 503 says when to retry (RFC 3261 21.5.4, 20.33), as our own
          // overload's stateless 503 does (issue 19).
          if (fr.status == 503 && d.cause == 42)
            headers.emplace_back("Retry-After", std::to_string(overload_.config().retry_after_s));
          if (c.a.sid != 0) c.rec.sip_status = static_cast<std::uint16_t>(fr.status);
          sip_->reject(c.a.sid, fr.status, std::move(headers), std::move(body));
        }
      } else if (c.a.span != nullptr) {
        pri_release(c.a, d.cause, d.isup != nullptr ? c.isup_cause_location : -1);
      } else if (isup_) {
        release_isup(c, c.a.cid, d.cause, d.msg, c.b, d.isup_basis);
      }
      return;
    }

    case CallAction::kForwardProgress:
      observe_pdd(c);
      if (c.progressed == Clock::time_point{}) c.progressed = clock_->now();
      if (c.a.sip) {  // B is ISUP: ACM/CPG -> 18x; B is PRI: ALERTING/PROGRESS -> 18x (Q.699 + Q.1912.5)
        if (!sip_ || (d.ind == nullptr && d.q931 == nullptr)) return;
        const auto& prof = c.a.trunk->profile;
        mapping::ProvisionalFields pf;
        if (d.ind != nullptr)
          pf = mapping::provisional_from_backward(*d.ind, false, prof);
        else if (auto f = mapping::provisional_from_dss1(*d.q931, prof))
          pf = std::move(*f);
        if (pf.kind != mapping::ProvisionalFields::kProvisional) return;
        when_media_ready(c, [this, pf = std::move(pf)](Call& call) mutable {
          const auto& profile = call.a.trunk->profile;
          std::optional<std::string> sdp;
          if (pf.early_media) sdp = call.sdp;
          auto body = mapping::make_body(sdp, pf.isup, profile);
          auto headers = with(std::move(pf.headers), mapping::body_headers(body));
          sip_->provisional(call.a.sid, pf.status, std::move(headers), std::move(body), true);
        });
      } else if (c.a.span != nullptr) {  // A is PRI: 18x / ACM / CPG -> ALERTING or PROGRESS (Q.699)
        // Early media from the SIP side is played into the B channel (RFC 3960 gateway model), as for ISUP.
        if (c.media != 0 && media_ && d.msg != nullptr)
          if (auto sdp = sdp_of(*d.msg); !sdp.empty()) media_->update(c.media, sdp, MediaMode::kRecvOnly);
        std::optional<q931::Message> m;
        if (d.msg != nullptr && c.b.trunk != nullptr)
          m = mapping::dss1_backward_from_sip(*d.msg, c.b.trunk->profile);
        else if (d.ind != nullptr)
          m = mapping::dss1_backward_from_isup(*d.ind, nullptr);
        if (m) pri_request(c.a, std::move(*m));
      } else if (c.b.span != nullptr) {  // ISUP -> PRI: ALERTING / PROGRESS -> ACM or CPG (Q.699)
        // The same mapping as PRI -> SIP (isup_backward_from_dss1): ALERTING -> ACM subscriber free or CPG
        // alerting, PROGRESS -> ACM or CPG progress / in-band information; call control sends the ACM first.
        if (!isup_ || d.q931 == nullptr) return;
        auto b = mapping::isup_backward_from_dss1(*d.q931, true);
        if (!b) return;
        if (b->indication.alerting)
          (void)isup_->alert(c.a.cid, b->indication.inband);
        else
          (void)isup_->progress(c.a.cid, b->indication.event, b->indication.inband);
      } else {  // B is SIP: 18x -> ACM/CPG
        if (!isup_ || d.msg == nullptr) return;
        auto ba = mapping::backward_from_provisional(*d.msg, c.answered, c.b.trunk->profile);
        // Early media from the SIP side is played into the circuit (RFC 3960 gateway model).
        if (c.media != 0 && media_)
          if (auto sdp = sdp_of(*d.msg); !sdp.empty()) media_->update(c.media, sdp, MediaMode::kRecvOnly);
        // SIP-I/SIP-T: the encapsulated ACM/CPG is the basis of ours (Q.1912.5 profile C, RFC 3372 2).
        const auto basis = mapping::backward_basis(*d.msg, c.b.trunk->profile);
        const isup::Message* b = basis ? &*basis : nullptr;
        if (ba.kind == mapping::BackwardAction::kAlert)
          (void)isup_->alert(c.a.cid, ba.inband, b);
        else if (ba.kind == mapping::BackwardAction::kProgress)
          (void)isup_->progress(c.a.cid, ba.event, ba.inband, b);
      }
      return;

    case CallAction::kForwardAnswer:
      observe_pdd(c);
      c.answered = true;
      c.answered_at = clock_->now();
      answered_.inc();
      if (answer_sink_) cdr_answered(c);
      if (c.media_b != 0 && media_) {  // a TDM-TDM call: the speech path both ways
        media_->update(c.media_b, {}, MediaMode::kSendRecv);
        if (c.media != 0) media_->update(c.media, {}, MediaMode::kSendRecv);
      }
      if (c.a.sip) {
        if (!sip_) return;
        const auto& prof = c.a.trunk->profile;
        // The exchange's ANM or CON, encapsulated unchanged in the 200 (Q.1912.5 profile C).
        auto pf = mapping::answer_fields(d.isup, prof);
        // Issue 20, RFC 4916: a connected party other than the one called, told by UPDATE after the 200.
        std::optional<mapping::IdentityUpdate> moved;
        if (c.from_change_called) moved = mapping::identity_update(d.isup, *c.from_change_called, prof);
        c.rec.sip_status = 200;
        if (c.media != 0 && media_) media_->update(c.media, {}, MediaMode::kSendRecv);
        when_media_ready(c, [this, pf = std::move(pf), moved = std::move(moved)](Call& call) mutable {
          const auto& profile = call.a.trunk->profile;
          auto body = mapping::make_body(call.sdp, pf.isup, profile);
          auto headers = with(std::move(pf.headers), mapping::body_headers(body));
          sip_->answer(call.a.sid, std::move(headers), std::move(body));
          if (moved && sip_->update_identity(call.a.sid, std::move(moved->from_uri), std::move(moved->headers)))
            counters_.get("call.identity_update").inc();
        });
      } else if (c.a.span != nullptr) {  // A is PRI: CONNECT (5.2.8)
        if (d.msg != nullptr) c.rec.codec = codec_of(sdp_of(*d.msg));
        // The callee's answer to the MG's offer: the B channel's connection sends and receives.
        if (c.media != 0 && media_ && d.msg != nullptr) media_->update(c.media, sdp_of(*d.msg), MediaMode::kSendRecv);
        q931::Message connect;
        connect.type = q931::msg::kConnect;
        pri_request(c.a, std::move(connect));
      } else if (isup_) {
        if (d.msg != nullptr) c.rec.codec = codec_of(sdp_of(*d.msg));  // the callee's answer
        if (c.media != 0 && media_ && d.msg != nullptr) media_->update(c.media, sdp_of(*d.msg), MediaMode::kSendRecv);
        // SIP-I/SIP-T: the 200's ANM/CON is the basis of ours (a CON when no ACM went yet).
        std::optional<isup::Message> basis;
        if (d.msg != nullptr && c.b.trunk != nullptr) basis = mapping::backward_basis(*d.msg, c.b.trunk->profile);
        // Issue 20, COLP/COLR: the 200's trusted P-Asserted-Identity -> the ANM's connected number (Q.763 3.16),
        // when the IAM asked for it (Q.763 3.38 bit H; Q.731.5: not asked, not sent).
        std::optional<isup::Number> connected;
        if (c.colp_requested && d.msg != nullptr && c.b.trunk != nullptr &&
            (!basis || basis->find(isup::par::kConnectedNumber) == nullptr))
          connected = mapping::connected_from_answer(*d.msg, c.b.trunk->profile);
        if (connected) {
          isup::MessageBuilder anm(basis ? basis->type : isup::msg::kAnm);
          if (basis) {
            for (const auto& p : basis->fixed) anm.fixed(p.code, p.value);
            for (const auto& p : basis->variable) anm.variable(p.code, p.value);
            for (const auto& p : basis->optional) anm.optional(p.code, p.value);
          }
          anm.optional(isup::par::kConnectedNumber, *connected);
          (void)isup_->answer(c.a.cid, &anm.message());
          return;
        }
        (void)isup_->answer(c.a.cid, basis ? &*basis : nullptr);
      }
      return;

    case CallAction::kReleaseB:
      c.cause = d.cause;
      if (c.b.sip) {
        if (c.b.sid == 0 || !sip_) return;
        if (t.from == CallState::kActive)
          send_bye(c.b, d.cause, sip_location(c), d.isup);
        else {  // CANCEL carries no ISUP body (Q.1912.5): Reason only
          sip_->cancel(c.b.sid, mapping::reason_for_release(static_cast<std::uint8_t>(d.cause)));
          if (!c.rec.sip_status) c.rec.sip_status = 487;  // what the cancelled INVITE gets (RFC 3261 9.2)
        }
      } else if (c.b.span != nullptr) {
        pri_release(c.b, d.cause);
      } else if (c.b.cid != 0 && isup_) {
        release_isup(c, c.b.cid, d.cause, d.msg, c.a);
      }
      return;

    case CallAction::kNone: c.cause = d.cause; return;

    case CallAction::kClearBoth: {
      CallTransition part = t;
      part.action = CallAction::kReleaseB;
      perform(c, part, d);
      part.action = c.answered ? CallAction::kReleaseA : CallAction::kRefuseAWithCause;
      perform(c, part, d);
      return;
    }

    case CallAction::kReleaseA:
      c.cause = d.cause;
      if (c.a.sip) {
        if (sip_) send_bye(c.a, d.cause, sip_location(c), d.isup);
      } else if (c.a.span != nullptr) {
        pri_release(c.a, d.cause, d.isup != nullptr ? c.isup_cause_location : -1);
      } else if (isup_) {
        release_isup(c, c.a.cid, d.cause, d.msg, c.b);
      }
      return;
  }
}

// Starts leg B on the route's current target. Failures known at once (no
// circuit, congestion) go back through the table as b_failed or retry.
void CallEngine::start_b(Call& c) {
  const RouteTarget& t = c.route->targets[c.target];
  if (c.gate_b != nullptr) {  // an alternate: the previous target no longer carries the call
    c.gate_b->release();
    c.gate_b = nullptr;
  }
  if (c.media != 0 && media_ && c.a.sip) {  // an alternate route: the previous circuit's connection goes
    media_->close(c.media);
    by_media_.erase(c.media);
    c.media = 0;
    c.media_pending = false;
  }
  if (c.media_b != 0 && media_) {  // the same for leg B's connection of a TDM-TDM call
    media_->close(c.media_b);
    by_media_.erase(c.media_b);
    c.media_b = 0;
  }
  if (!out_of_service_groups_.empty() || !out_of_service_trunks_.empty()) {
    const bool drained =
        t.kind == RouteTarget::Kind::kTrunkGroup ? !group_in_service(t.name) : !sip_trunk_in_service(t.name);
    if (drained) {  // hunted elsewhere: the next target, or no circuit/channel available
      counters_.get("call.target_out_of_service").inc();
      log_.info(Subsystem::kCall, "target_out_of_service", {{"call", c.id}, {"target", t.name}});
      return b_failed_now(c, 34);
    }
  }
  if (!health_.empty() && t.kind == RouteTarget::Kind::kSipTrunk) {
    if (auto h = health_.find(t.name); h != health_.end() && !h->second->up()) {
      // Down or probing (issue 18): hunted like a congested target -- the next one, or cause 34.
      counters_.get("call.target_down").inc();
      log_.info(Subsystem::kCall, "target_down", {{"call", c.id}, {"target", t.name}});
      return b_failed_now(c, 34);
    }
  }
  if (admission_.any()) {
    AdmissionGate* gate =
        t.kind == RouteTarget::Kind::kTrunkGroup ? admission_.group(t.name) : admission_.sip_trunk(t.name);
    std::string why;
    int retry_after = 0;
    if (gate != nullptr && !admit(*gate, c, t.name, why, retry_after)) {
      counters_.get("call.target_refused_admission").inc();
      return b_failed_now(c, 34);  // over its limit: hunted like a congested target (the next one, or cause 34)
    }
    c.gate_b = gate;
  }
  const bool first_attempt = c.target == 0;
  if (t.kind == RouteTarget::Kind::kPriSpan) return pri_start_b(c, t);
  if (t.kind == RouteTarget::Kind::kTrunkGroup) {
    auto g = cfg_.groups.find(t.name);
    if (!c.setup || !isup_ || g == cfg_.groups.end()) {
      log_.warn(Subsystem::kCall, "unsupported_route", {{"call", c.id}, {"target", t.name}});
      return b_failed_now(c, 3);  // no route to destination
    }
    // The last target consumes the request; earlier ones copy it for the alternates.
    isup::SetupRequest req = c.target + 1 < c.route->targets.size() ? *c.setup : std::move(*c.setup);
    manipulate(req.called, t);
    c.rec.called_out = digits_of(req.called);
    c.rec.calling_out = req.calling ? std::string(digits_of(*req.calling)) : std::string();
    // Issue 20: on an ANSI trunk group the portability of the INVITE (mapped in Q.763 form) goes out as ANSI
    // LNP: the LRN in the called party number, the dialled number in the GAP, PNTI (T1.113, RFC 4694 1).
    if (const auto* grp = isup_->group(g->second); grp != nullptr && grp->config().variant == isup::Variant::kAnsi)
      mapping::ansi_lnp_from_itu_form(req);
    auto id = isup_->setup(g->second, std::move(req));
    if (!id) {
      log_.info(Subsystem::kCall, "setup_refused",
                {{"call", c.id}, {"trunk_group", t.name}, {"error", isup::to_string(id.error())}});
      return b_failed_now(c, cause_for(id.error()));
    }
    if (first_attempt && c.a.sip) timings_.setup_sip_to_isup.observe(clock_->now() - c.started);
    c.b = Leg{};
    c.b.cid = *id;
    c.b.group = g->second;
    by_cid_[*id] = &c;
    trace_circuit(c, *id);
    cdr_seized(c, *id);
    // The circuit's MG connection: A's offer as the remote SDP; the PSTN side is
    // heard (early media) before answer, both ways after (RFC 3398 5).
    if (const isup::Circuit* circuit = media_ ? isup_->circuit_of(*id) : nullptr) {
      if (!c.a.sip && c.media != 0)  // PRI -> ISUP: the circuit joined to A's B channel connection on the MG
        open_transit_media(c, [&](CallMedia::Ready ready) {
          return media_->open(g->second, circuit->cic(), c.sdp, MediaMode::kSendOnly, std::move(ready));
        });
      else
        open_media(c, g->second, circuit->cic(), c.offer, MediaMode::kSendOnly);
    }
    return;
  }
  const SipTrunkInfo* trunk = c.routing->trunk_named(t.name);
  if (c.invites.size() <= c.target || !sip_ || trunk == nullptr) {
    log_.warn(Subsystem::kCall, "unsupported_route", {{"call", c.id}, {"target", t.name}});
    return b_failed_now(c, 3);
  }
  c.b = Leg{};
  c.b.sip = true;
  c.b.trunk = trunk;
  c.b.sid = sip_->invite(c.invites[c.target]);
  by_sid_[c.b.sid] = &c;
  trace_invite_sent(c);
  cdr_sip_b(c, c.invites[c.target]);
  if (first_attempt && !c.a.sip) timings_.setup_isup_to_sip.observe(clock_->now() - c.started);
}

// REL after answer -> BYE: Reason, and on SIP-I/SIP-T trunks the REL itself
// (Q.1912.5, RFC 3372).
void CallEngine::send_bye(const Leg& leg, int cause, std::uint8_t location, const isup::Message* rel) {
  auto f = mapping::bye_for_release(static_cast<std::uint8_t>(cause),
                                    leg.trunk ? leg.trunk->profile : mapping::SipProfile{}, location, rel);
  sip_->bye(leg.sid, std::move(f.headers), std::move(f.body));
}

void CallEngine::release_isup(const Call& c, isup::CallId id, int cause, const sip::Message* msg, const Leg& from,
                              const isup::Message* own_basis) {
  std::optional<isup::Message> basis;
  if (msg != nullptr && from.sip && from.trunk != nullptr) basis = mapping::release_basis(*msg, from.trunk->profile);
  const isup::Message* b = own_basis != nullptr ? own_basis : basis ? &*basis : nullptr;
  (void)isup_->release(id, cause, isup_location(c), b);
}

// The location for a REL towards ISUP: a SIP-I/SIP-T peer's, a PRI's DISCONNECT's, else ours.
std::uint8_t CallEngine::isup_location(const Call& c) {
  if (c.sip_cause_location >= 0) return static_cast<std::uint8_t>(c.sip_cause_location);
  if (c.pri_cause_location >= 0) return static_cast<std::uint8_t>(c.pri_cause_location);
  return isup::kLocationPublicLocal;
}

// The location for the REL a SIP-I/SIP-T message encapsulates: the ISUP side's, else BI.
std::uint8_t CallEngine::sip_location(const Call& c) {
  return c.isup_cause_location >= 0 ? static_cast<std::uint8_t>(c.isup_cause_location)
                                    : mapping::kLocationBeyondInterworking;
}

void CallEngine::b_failed_now(Call& c, int cause, const sip::Message* msg, const isup::Message* rel) {
  if (c.state() == CallState::kOutgoing && congestion_cause(cause) && c.target + 1 < c.route->targets.size()) {
    ++c.target;
    return fire(c, CallEvent::kRetry, EventData{cause, 0, {}, nullptr, nullptr, nullptr});
  }
  fire(c, CallEvent::kBFailed, EventData{cause, 0, {}, msg, nullptr, rel});
}

void CallEngine::finish(Call& c) {
  release_gates(c);
  close_media(c);
  c.deferred.clear();
  if (c.transfer_sid != 0) {  // a transfer still ringing (call_engine_transfer.cpp): cancelled with the call
    by_sid_.erase(c.transfer_sid);
    if (sip_) sip_->cancel(c.transfer_sid, mapping::reason_for_release(16));
    c.transfer_sid = 0;
  }
  if (c.digit_timer != 0 && timers_) timers_->cancel(c.digit_timer);
  c.digit_timer = 0;
  // A PRI leg still held (none should be: every release path clears it) is cleared with the call's cause.
  pri_release(c.a, c.cause);
  pri_release(c.b, c.cause);
  if (c.answered)
    completed_.inc();
  else {
    failed_.inc();
    counters_.get("call.failed.cause_" + std::to_string(c.cause)).inc();
  }
  cdr_emit(c);
  trace_end(c);
  if (c.a.sid) by_sid_.erase(c.a.sid);
  if (c.b.sid) by_sid_.erase(c.b.sid);
  if (c.a.cid) by_cid_.erase(c.a.cid);
  if (c.b.cid) by_cid_.erase(c.b.cid);
  auto it = calls_.find(c.id);
  if (it != calls_.end()) {
    dead_.push_back(std::move(it->second));
    calls_.erase(it);
  }
}

void CallEngine::release_all() {
  std::vector<Call*> all;
  for (auto& [id, c] : calls_) all.push_back(c.get());
  for (Call* c : all) fire(*c, CallEvent::kAReleased, EventData{16, 0, {}, nullptr, nullptr, nullptr});
}

}  // namespace isupgw::engine
