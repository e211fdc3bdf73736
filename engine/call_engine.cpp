#include "engine/call_engine.h"

#include <charconv>

#include "engine/basic_interworking.h"
#include "isup/builder.h"
#include "isup/codes.h"
#include "mapping/cause_map.h"
#include "mapping/reason_header.h"
#include "sip/sdp.h"

namespace isupgw::engine {

namespace {

// Called digits without the ST (end of pulsing) signal.
std::string_view digits_of(const isup::Number& n) {
  auto d = n.digits.view();
  if (!d.empty() && d.back() == 'F') d.remove_suffix(1);
  return d;
}

// Applies a route target's manipulation to an ISUP called party number.
void manipulate(isup::Number& n, const RouteTarget& t) {
  const bool st = n.has_st();
  std::string d = t.manipulate(digits_of(n));
  if (st) d += 'F';
  n.digits.assign(d);
  if (t.nai) n.nai = *t.nai;
}

// The RTP address and port of the MG's SDP (its answer to CRCX/MDCX). Read
// leniently: osmo-mgw writes its hexadecimal connection id as the o= session
// id, which RFC 4566 5.2 wants numeric, so when the strict parser refuses the
// description the first c= and m= lines are taken as they are.
bool read_mg_media(std::string_view sdp, sip::LocalMedia& local) {
  if (auto mg = sip::parse_sdp(sdp); mg && !mg->media.empty()) {
    if (const auto* conn = mg->connection_for(mg->media.front())) {
      local.address = conn->address;
      local.addr_type = conn->addr_type;
    }
    local.port = mg->media.front().port;
    return true;
  }
  std::string address, addr_type;
  std::optional<std::uint16_t> port;
  while (!sdp.empty()) {
    auto eol = sdp.find('\n');
    std::string_view line = sdp.substr(0, eol);
    sdp.remove_prefix(eol == std::string_view::npos ? sdp.size() : eol + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    auto field = [&line](std::size_t i) {  // i-th space-separated field after "x="
      std::string_view rest = line.substr(2);
      for (; i > 0; --i) {
        auto sp = rest.find(' ');
        if (sp == std::string_view::npos) return std::string_view();
        rest.remove_prefix(sp + 1);
      }
      return rest.substr(0, rest.find(' '));
    };
    if (line.starts_with("c=IN ") && address.empty()) {
      addr_type = std::string(field(1));
      address = std::string(field(2));
    } else if (line.starts_with("m=audio ") && !port) {
      unsigned v = 0;
      auto f = field(1);
      auto [ptr, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
      if (ec == std::errc() && ptr == f.data() + f.size() && v > 0 && v <= 65535) port = static_cast<std::uint16_t>(v);
    }
  }
  if (address.empty() || !port || (addr_type != "IP4" && addr_type != "IP6")) return false;
  local.address = std::move(address);
  local.addr_type = std::move(addr_type);
  local.port = *port;
  return true;
}

int cause_for(isup::CcError e) {
  switch (e) {
    case isup::CcError::kNoCircuit: return 34;               // no circuit/channel available
    case isup::CcError::kDestinationUnavailable: return 34;  // MTP-PAUSE: no circuit usable towards the DPC
    case isup::CcError::kCongestion: return 42;              // switching equipment congestion (Q.764 2.13.3)
    default: return 41;                                      // temporary failure
  }
}

// Cause for a SIP session that ended without a response or BYE.
int cause_for(sip::EndReason why) {
  switch (why) {
    case sip::EndReason::kTimeout: return 102;         // recovery on timer expiry (408)
    case sip::EndReason::kTransportError: return 38;   // network out of order (503)
    case sip::EndReason::kSessionExpired: return 102;  // RFC 4028 10
    case sip::EndReason::kShutdown: return 41;
  }
  return 41;
}

// The SDP of a received message (alone or in a multipart body); empty if none.
std::string sdp_of(const sip::Message& m) {
  if (auto b = mapping::received_bodies(m); b && b->sdp) return std::string(*b->sdp);
  if (auto s = sdp_body(m)) return std::string(*s);
  return {};
}

sip::HeaderList with(sip::HeaderList h, const sip::HeaderList& more) {
  h.insert(h.end(), more.begin(), more.end());
  return h;
}

}  // namespace

EngineConfig make_engine_config(const config::Config& cfg, std::map<std::string, isup::GroupId, std::less<>> groups) {
  EngineConfig ec;
  for (const auto& t : cfg.sip().trunks()) {
    SipTrunkInfo ti;
    ti.name = t.name();
    ti.peer.host = t.address();
    ti.peer.port = static_cast<std::uint16_t>(t.port() == 0 ? 5060 : t.port());
    ti.peer.transport = t.transport() == config::TRANSPORT_TCP ? sip::Transport::kTcp : sip::Transport::kUdp;
    if (t.allowed_sources().empty()) ti.acl.add(t.address());
    for (const auto& s : t.allowed_sources()) ti.acl.add(s);
    auto& p = ti.profile;
    p.kind = t.profile() == config::SIP_PROFILE_SIP_I   ? mapping::SipProfile::kSipI
             : t.profile() == config::SIP_PROFILE_SIP_T ? mapping::SipProfile::kSipT
                                                        : mapping::SipProfile::kSip;
    if (!t.number_plan().country_code().empty()) p.plan.country_code = t.number_plan().country_code();
    p.plan.area_code = t.number_plan().area_code();
    p.host = t.domain().empty() ? t.address() : t.domain();
    p.append_st = !t.overlap();  // overlap: the number may grow (RFC 3578)
    ec.trunks.push_back(std::move(ti));
  }
  ec.groups = std::move(groups);
  ec.router = Router(cfg.routes());
  if (cfg.sip().listeners_size() > 0) ec.media_address = cfg.sip().listeners(0).address();
  return ec;
}

CallEngine::CallEngine(EngineConfig cfg, Logger& log, Counters& counters)
    : cfg_(std::move(cfg)),
      log_(log),
      counters_(counters),
      attempted_(counters.get("call.attempted")),
      answered_(counters.get("call.answered")),
      failed_(counters.get("call.failed")),
      completed_(counters.get("call.completed")),
      ignored_(counters.get("call.ignored_events")) {}

CallEngine::~CallEngine() {
  if (timers_)
    for (auto& [id, c] : calls_)
      if (c->digit_timer != 0) timers_->cancel(c->digit_timer);
}

CallEngine::Call& CallEngine::new_call() {
  auto c = std::make_unique<Call>();
  c->id = next_id_++;
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

const SipTrunkInfo* CallEngine::trunk_for_source(const std::string& host) const {
  for (const auto& t : cfg_.trunks)
    if (t.acl.allows(host)) return &t;
  return nullptr;
}

const SipTrunkInfo* CallEngine::trunk_named(std::string_view name) const {
  for (const auto& t : cfg_.trunks)
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
  auto t = call_transition(c.state, e);
  if (!t) {
    ignored_.inc();
    if (log_.enabled(Subsystem::kCall, LogLevel::kDebug))
      log_.debug(Subsystem::kCall, "event_ignored",
                 {{"call", c.id}, {"state", to_string(c.state)}, {"event", to_string(e)}});
    return;
  }
  if (log_.enabled(Subsystem::kCall, LogLevel::kInfo))
    log_.info(Subsystem::kCall, "state",
              {{"call", c.id},
               {"from", to_string(t->from)},
               {"event", to_string(e)},
               {"to", to_string(t->to)},
               {"action", to_string(t->action)},
               {"cause", d.cause}});
  c.state = t->to;
  perform(c, *t, d);
  if (c.state == CallState::kReleased && t->to == CallState::kReleased) finish(c);
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
          sip_->reject(c.a.sid, d.status, std::move(h));
        } else {
          const auto prof = tr ? tr->profile : mapping::SipProfile{};
          auto fr = mapping::response_for_release(static_cast<std::uint8_t>(d.cause), prof, sip_location(c));
          auto body = mapping::make_body(std::nullopt, fr.isup, prof);  // SIP-I/SIP-T: the REL
          auto headers = with(std::move(fr.headers), mapping::body_headers(body));
          sip_->reject(c.a.sid, fr.status, std::move(headers), std::move(body));
        }
      } else if (isup_) {
        (void)isup_->release(c.a.cid, d.cause, isup_location(c));
      }
      return;
    }

    case CallAction::kForwardProgress:
      if (c.a.sip) {  // B is ISUP: ACM/CPG -> 18x
        if (!sip_ || d.ind == nullptr) return;
        const auto& prof = c.a.trunk->profile;
        auto pf = mapping::provisional_from_backward(*d.ind, false, prof);
        if (pf.kind != mapping::ProvisionalFields::kProvisional) return;
        when_media_ready(c, [this, pf = std::move(pf)](Call& call) mutable {
          const auto& profile = call.a.trunk->profile;
          std::optional<std::string> sdp;
          if (pf.early_media) sdp = call.sdp;
          auto body = mapping::make_body(sdp, pf.isup, profile);
          auto headers = with(std::move(pf.headers), mapping::body_headers(body));
          sip_->provisional(call.a.sid, pf.status, std::move(headers), std::move(body), true);
        });
      } else {  // B is SIP: 18x -> ACM/CPG
        if (!isup_ || d.msg == nullptr) return;
        auto ba = mapping::backward_from_provisional(*d.msg, c.answered, c.b.trunk->profile);
        // Early media from the SIP side is played into the circuit (RFC 3960 gateway model).
        if (c.media != 0 && media_)
          if (auto sdp = sdp_of(*d.msg); !sdp.empty()) media_->update(c.media, sdp, MediaMode::kRecvOnly);
        if (ba.kind == mapping::BackwardAction::kAlert)
          (void)isup_->alert(c.a.cid, ba.inband);
        else if (ba.kind == mapping::BackwardAction::kProgress)
          (void)isup_->progress(c.a.cid, ba.event, ba.inband);
      }
      return;

    case CallAction::kForwardAnswer:
      c.answered = true;
      answered_.inc();
      if (c.a.sip) {
        if (!sip_) return;
        const auto& prof = c.a.trunk->profile;
        // on_answer carries no message: a minimal ANM (no optional parameters) is
        // what SIP-I/SIP-T encapsulate in the 200 (Q.1912.5 profile C).
        isup::MessageBuilder anm(isup::msg::kAnm, 0);
        auto pf = mapping::answer_fields(&anm.message(), prof);
        if (c.media != 0 && media_) media_->update(c.media, {}, MediaMode::kSendRecv);
        when_media_ready(c, [this, pf = std::move(pf)](Call& call) mutable {
          const auto& profile = call.a.trunk->profile;
          auto body = mapping::make_body(call.sdp, pf.isup, profile);
          auto headers = with(std::move(pf.headers), mapping::body_headers(body));
          sip_->answer(call.a.sid, std::move(headers), std::move(body));
        });
      } else if (isup_) {
        if (c.media != 0 && media_ && d.msg != nullptr) media_->update(c.media, sdp_of(*d.msg), MediaMode::kSendRecv);
        (void)isup_->answer(c.a.cid);
      }
      return;

    case CallAction::kReleaseB:
      c.cause = d.cause;
      if (c.b.sip) {
        if (c.b.sid == 0 || !sip_) return;
        if (t.from == CallState::kActive)
          send_bye(c.b, d.cause, sip_location(c));
        else  // CANCEL carries no ISUP body (Q.1912.5): Reason only
          sip_->cancel(c.b.sid, mapping::reason_for_release(static_cast<std::uint8_t>(d.cause)));
      } else if (c.b.cid != 0 && isup_) {
        (void)isup_->release(c.b.cid, d.cause, isup_location(c));
      }
      return;

    case CallAction::kNone: c.cause = d.cause; return;

    case CallAction::kReleaseA:
      c.cause = d.cause;
      if (c.a.sip) {
        if (sip_) send_bye(c.a, d.cause, sip_location(c));
      } else if (isup_) {
        (void)isup_->release(c.a.cid, d.cause, isup_location(c));
      }
      return;
  }
}

// Starts leg B on the route's current target. Failures known at once (no
// circuit, congestion) go back through the table as b_failed or retry.
void CallEngine::start_b(Call& c) {
  const RouteTarget& t = c.route->targets[c.target];
  if (c.media != 0 && media_ && c.a.sip) {  // an alternate route: the previous circuit's connection goes
    media_->close(c.media);
    by_media_.erase(c.media);
    c.media = 0;
    c.media_pending = false;
  }
  if (t.kind == RouteTarget::Kind::kTrunkGroup) {
    auto g = cfg_.groups.find(t.name);
    if (!c.setup || !isup_ || g == cfg_.groups.end()) {
      log_.warn(Subsystem::kCall, "unsupported_route", {{"call", c.id}, {"target", t.name}});
      return b_failed_now(c, 3);  // no route to destination
    }
    // The last target consumes the request; earlier ones copy it for the alternates.
    isup::SetupRequest req = c.target + 1 < c.route->targets.size() ? *c.setup : std::move(*c.setup);
    manipulate(req.called, t);
    auto id = isup_->setup(g->second, std::move(req));
    if (!id) {
      log_.info(Subsystem::kCall, "setup_refused",
                {{"call", c.id}, {"trunk_group", t.name}, {"error", isup::to_string(id.error())}});
      return b_failed_now(c, cause_for(id.error()));
    }
    c.b = Leg{};
    c.b.cid = *id;
    c.b.group = g->second;
    by_cid_[*id] = &c;
    // The circuit's MG connection: A's offer as the remote SDP; the PSTN side is
    // heard (early media) before answer, both ways after (RFC 3398 5).
    if (const isup::Circuit* circuit = media_ ? isup_->circuit_of(*id) : nullptr)
      open_media(c, g->second, circuit->cic(), c.offer, MediaMode::kSendOnly);
    return;
  }
  const SipTrunkInfo* trunk = trunk_named(t.name);
  if (c.invites.size() <= c.target || !sip_ || trunk == nullptr) {
    log_.warn(Subsystem::kCall, "unsupported_route", {{"call", c.id}, {"target", t.name}});
    return b_failed_now(c, 3);
  }
  c.b = Leg{};
  c.b.sip = true;
  c.b.trunk = trunk;
  c.b.sid = sip_->invite(c.invites[c.target]);
  by_sid_[c.b.sid] = &c;
}

// REL after answer -> BYE: Reason, and on SIP-I/SIP-T trunks the REL itself
// (Q.1912.5, RFC 3372).
void CallEngine::send_bye(const Leg& leg, int cause, std::uint8_t location) {
  auto f = mapping::bye_for_release(static_cast<std::uint8_t>(cause),
                                    leg.trunk ? leg.trunk->profile : mapping::SipProfile{}, location);
  sip_->bye(leg.sid, std::move(f.headers), std::move(f.body));
}

// -1 when there is no location (value_or(-1) would give 255 from an optional<uint8_t>).
static int location_or_none(std::optional<std::uint8_t> l) { return l ? int{*l} : -1; }

// The location for a REL towards ISUP: a SIP-I/SIP-T peer's, else ours.
std::uint8_t CallEngine::isup_location(const Call& c) {
  return c.sip_cause_location >= 0 ? static_cast<std::uint8_t>(c.sip_cause_location) : isup::kLocationPublicLocal;
}

// The location for the REL a SIP-I/SIP-T message encapsulates: the ISUP side's, else BI.
std::uint8_t CallEngine::sip_location(const Call& c) {
  return c.isup_cause_location >= 0 ? static_cast<std::uint8_t>(c.isup_cause_location)
                                    : mapping::kLocationBeyondInterworking;
}

void CallEngine::b_failed_now(Call& c, int cause) {
  if (c.state == CallState::kOutgoing && congestion_cause(cause) && c.target + 1 < c.route->targets.size()) {
    ++c.target;
    return fire(c, CallEvent::kRetry, EventData{cause, 0, {}, nullptr, nullptr});
  }
  fire(c, CallEvent::kBFailed, EventData{cause, 0, {}, nullptr, nullptr});
}

void CallEngine::finish(Call& c) {
  if (c.media != 0 && media_) {
    media_->close(c.media);
    by_media_.erase(c.media);
    c.media = 0;
  }
  c.deferred.clear();
  if (c.digit_timer != 0 && timers_) timers_->cancel(c.digit_timer);
  c.digit_timer = 0;
  if (c.answered)
    completed_.inc();
  else {
    failed_.inc();
    counters_.get("call.failed.cause_" + std::to_string(c.cause)).inc();
  }
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
  for (Call* c : all) fire(*c, CallEvent::kAReleased, EventData{16, 0, {}, nullptr, nullptr});
}

// --- media (issue 8) ---

void CallEngine::attach_media(CallMedia* media) {
  media_ = media;
  if (media_ == nullptr) return;
  media_->set_lost_handler([this](CallMedia::Id id, int cause) {
    auto it = by_media_.find(id);
    if (it != by_media_.end()) media_lost(it->second, cause);
  });
}

void CallEngine::open_media(Call& c, isup::GroupId group, std::uint16_t cic, const std::string& remote,
                            MediaMode mode) {
  const std::uint64_t call_id = c.id;
  auto id = media_->open(group, cic, remote, mode,
                         [this, call_id](const std::optional<std::string>& sdp) { media_ready(call_id, sdp); });
  if (!id) return;  // no media gateway for this trunk group
  c.media = *id;
  c.media_pending = true;
  by_media_[*id] = call_id;
}

void CallEngine::media_ready(std::uint64_t call_id, const std::optional<std::string>& sdp) {
  Entry guard(*this);
  auto it = calls_.find(call_id);
  if (it == calls_.end()) return;
  Call& c = *it->second;
  if (!c.media_pending) return;
  c.media_pending = false;
  if (!sdp) {
    counters_.get("call.media_failed").inc();
    log_.warn(Subsystem::kCall, "media_failed", {{"call", c.id}});
    c.deferred.clear();
    return media_lost(call_id, 47);  // resource unavailable, unspecified
  }
  // Our SDP: the MG's address and port, negotiated against A's offer (SIP ->
  // ISUP) or offered as is (ISUP -> SIP).
  sip::LocalMedia local = media_for(c);
  if (!read_mg_media(*sdp, local)) {
    counters_.get("call.media_sdp_unreadable").inc();
    log_.warn(Subsystem::kCall, "media_sdp_unreadable", {{"call", c.id}});
  }
  if (!c.offer.empty()) {
    auto offer = sip::parse_sdp(c.offer);
    auto answer =
        offer ? sip::make_answer(*offer, local) : Result<sip::Answer, sip::OaError>(Err(sip::OaError::kNoAudio));
    if (answer) c.sdp = sip::serialize_sdp(answer->sdp);
  } else {
    c.sdp = sip::serialize_sdp(sip::make_offer(local));
  }
  log_.debug(Subsystem::kCall, "media_ready", {{"call", c.id}, {"address", local.address}, {"port", local.port}});
  auto run = std::move(c.deferred);
  c.deferred.clear();
  for (auto& fn : run) {
    if (c.state == CallState::kReleased) break;
    fn(c);
  }
}

void CallEngine::media_lost(std::uint64_t call_id, int cause) {
  Entry guard(*this);
  auto it = calls_.find(call_id);
  if (it == calls_.end()) return;
  Call& c = *it->second;
  counters_.get("call.media_lost").inc();
  log_.notice(Subsystem::kCall, "media_lost", {{"call", c.id}, {"cause", cause}});
  by_media_.erase(c.media);
  c.media = 0;  // gone on the MG (or never made): nothing to delete
  c.media_pending = false;
  c.deferred.clear();
  // The ISUP leg is the one with media: release it with the cause and let the
  // table release the SIP leg as if the circuit had been cleared.
  if (!c.a.sip && c.a.cid != 0) {
    if (c.state == CallState::kIdle) return fire(c, CallEvent::kRefused, EventData{cause, 0, {}, nullptr, nullptr});
    if (isup_) (void)isup_->release(c.a.cid, cause);
    by_cid_.erase(c.a.cid);
    c.a.cid = 0;
    return fire(c, CallEvent::kAReleased, EventData{cause, 0, {}, nullptr, nullptr});
  }
  if (!c.b.sip && c.b.cid != 0) {
    if (isup_) (void)isup_->release(c.b.cid, cause);
    by_cid_.erase(c.b.cid);
    c.b.cid = 0;
    if (c.state == CallState::kActive) return fire(c, CallEvent::kBReleased, EventData{cause, 0, {}, nullptr, nullptr});
    return fire(c, CallEvent::kBFailed, EventData{cause, 0, {}, nullptr, nullptr});
  }
}

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
    if ((c.state != CallState::kOutgoing && c.state != CallState::kEarly) || c.b.sip || c.b.cid == 0 || !c.setup)
      continue;
    auto more = mapping::overlap_digits(c.setup->called, invite, c.a.trunk->profile);
    if (!more) return false;  // not an extension: a call of its own
    if (!isup_ || !isup_->send_digits(c.b.cid, *more)) return false;
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
  EventData refuse;
  c.a.trunk = trunk_for_source(from.host);
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
  if (!prof.append_st && overlap_invite(c, s, invite)) return;
  auto req = mapping::setup_from_invite(invite, prof);
  if (!req && not_implemented(req.error())) req = basic_setup_from_invite(invite, prof);
  if (!req) {
    refuse.status = req.error().status;
    refuse.warning = req.error().warning;
    refuse.cause = mapping::cause_for_sip_status(refuse.status).value_or(127);
    return fire(c, CallEvent::kRefused, refuse);
  }
  const std::string digits(digits_of(req->called));
  c.route = cfg_.router.lookup(c.a.trunk->name, digits);
  if (c.route == nullptr) {
    counters_.get("call.no_route").inc();
    log_.notice(Subsystem::kCall, "no_route", {{"call", c.id}, {"trunk", c.a.trunk->name}, {"called", digits}});
    auto fr = mapping::response_for_release(3, prof);
    refuse.status = fr.status;
    refuse.cause = 3;
    refuse.warning = "no route for " + digits;
    return fire(c, CallEvent::kRefused, refuse);
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
  } else {
    c.sdp = sip::serialize_sdp(sip::make_offer(media));
  }
  if (log_.enabled(Subsystem::kCall, LogLevel::kInfo))
    log_.info(Subsystem::kCall, "incoming",
              {{"call", c.id}, {"leg", "sip"}, {"trunk", c.a.trunk->name}, {"called", digits}, {"source", from.host}});
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
    fire(*c, CallEvent::kAReleased, EventData{mapping::cause_from_request(cancel), 0, {}, &cancel, nullptr});
  } else
    ignored_.inc();
}

void CallEngine::on_provisional(sip::SessionId s, const sip::Message& response) {
  Entry guard(*this);
  if (Call* c = by_sid(s); c && c->b.sid == s && c->b.sip)
    fire(*c, CallEvent::kProgress, EventData{0, response.status, {}, &response, nullptr});
  else
    ignored_.inc();
}

void CallEngine::on_answered(sip::SessionId s, const sip::Message& response) {
  Entry guard(*this);
  Call* c = by_sid(s);
  if (c == nullptr || c->b.sid != s || !c->b.sip) {
    // A 2xx that raced our CANCEL (RFC 3261 9.1): the session exists, end it.
    counters_.get("call.answer_after_cancel").inc();
    if (sip_) sip_->bye(s, mapping::reason_for_release(16));
    return;
  }
  fire(*c, CallEvent::kAnswer, EventData{0, response.status, {}, &response, nullptr});
}

void CallEngine::on_rejected(sip::SessionId s, const sip::Message& response) {
  Entry guard(*this);
  Call* c = by_sid(s);
  if (c == nullptr || c->b.sid != s || !c->b.sip) return ignored_.inc();
  const int cause = mapping::cause_from_response(response, c->b.trunk->profile).value_or(16);
  c->sip_cause_location = location_or_none(mapping::release_location(response, c->b.trunk->profile));
  by_sid_.erase(s);
  c->b.sid = 0;
  b_failed_now(*c, cause);
}

void CallEngine::on_bye(sip::SessionId s, const sip::Message& bye) {
  Entry guard(*this);
  Call* c = by_sid(s);
  if (c == nullptr) return ignored_.inc();
  const bool from_a = c->a.sip && c->a.sid == s;
  // SIP-I/SIP-T: the encapsulated REL's cause before Reason (Q.1912.5).
  const SipTrunkInfo* trunk = from_a ? c->a.trunk : c->b.trunk;
  const int cause = mapping::cause_from_request(bye, trunk ? trunk->profile : mapping::SipProfile{});
  c->sip_cause_location =
      location_or_none(mapping::release_location(bye, trunk ? trunk->profile : mapping::SipProfile{}));
  fire(*c, from_a ? CallEvent::kAReleased : CallEvent::kBReleased, EventData{cause, 0, {}, &bye, nullptr});
}

void CallEngine::on_ended(sip::SessionId s, sip::EndReason why) {
  Entry guard(*this);
  Call* c = by_sid(s);
  if (c == nullptr) return ignored_.inc();
  const int cause = cause_for(why);
  log_.info(Subsystem::kCall, "sip_session_ended", {{"call", c->id}, {"reason", sip::to_string(why)}});
  if (c->a.sip && c->a.sid == s) {
    by_sid_.erase(s);
    c->a.sid = 0;  // nothing more to send on it
    return fire(*c, CallEvent::kAReleased, EventData{cause, 0, {}, nullptr, nullptr});
  }
  by_sid_.erase(s);
  c->b.sid = 0;
  if (c->state == CallState::kActive) return fire(*c, CallEvent::kBReleased, EventData{cause, 0, {}, nullptr, nullptr});
  b_failed_now(*c, cause);
}

// A re-INVITE or UPDATE with a new offer, already answered by the stack
// (hold, retrieval, codec change). The MG connection towards SIP takes the
// mirror of the offered direction (RFC 3264 6.1); c=0.0.0.0 is the RFC 2543
// hold. A change of hold state is notified to the ISUP side with CPG (Q.1912.5
// / Q.733.2 "remote hold"/"remote retrieval"); a codec change alone is not.
void CallEngine::on_reoffer(sip::SessionId s, const sip::Message& request) {
  Entry guard(*this);
  Call* c = by_sid(s);
  if (c == nullptr || !c->answered) return ignored_.inc();
  const std::string sdp = sdp_of(request);
  auto offer = sip::parse_sdp(sdp);
  if (!offer || offer->media.empty()) return ignored_.inc();
  const auto& m = offer->media.front();
  const auto* conn = offer->connection_for(m);
  const bool zero = conn != nullptr && (conn->address == "0.0.0.0" || conn->address == "::");
  MediaMode mode = MediaMode::kSendRecv;
  switch (zero ? sip::Direction::kInactive : m.direction(offer->direction())) {
    case sip::Direction::kSendRecv: mode = MediaMode::kSendRecv; break;
    case sip::Direction::kSendOnly: mode = MediaMode::kRecvOnly; break;
    case sip::Direction::kRecvOnly: mode = MediaMode::kSendOnly; break;
    case sip::Direction::kInactive: mode = MediaMode::kInactive; break;
  }
  const bool held = mode == MediaMode::kRecvOnly || mode == MediaMode::kInactive;
  c->sip_mode = mode;
  apply_hold_mode(*c, zero ? std::string() : sdp);  // 0.0.0.0 is no address to send to
  if (held == c->held_by_sip) return;
  c->held_by_sip = held;
  counters_.get(held ? "call.hold" : "call.retrieve").inc();
  log_.info(Subsystem::kCall, held ? "hold" : "retrieve", {{"call", c->id}, {"by", "sip"}});
  const Leg& other = c->a.sip && c->a.sid == s ? c->b : c->a;
  if (isup_ && !other.sip && other.cid != 0)
    (void)isup_->notify(other.cid, held ? isup::kNotificationRemoteHold : isup::kNotificationRemoteRetrieval);
}

// CPG "remote hold"/"remote retrieval" from the ISUP side of an answered call:
// our MG stops/resumes receiving from SIP and the SIP side gets a re-INVITE
// offering sendonly/sendrecv (Q.1912.5, mapping.md).
void CallEngine::isup_notification(Call& c, std::uint8_t notification) {
  const bool held = notification == isup::kNotificationRemoteHold;
  if (held == c.held_by_isup) return;
  c.held_by_isup = held;
  counters_.get(held ? "call.hold" : "call.retrieve").inc();
  log_.info(Subsystem::kCall, held ? "hold" : "retrieve", {{"call", c.id}, {"by", "isup"}});
  apply_hold_mode(c);
  const Leg& sip_leg = c.a.sip ? c.a : c.b;
  if (!sip_ || !sip_leg.sip || sip_leg.sid == 0) return;
  auto ours = sip::parse_sdp(c.sdp);
  if (!ours || ours->media.empty()) return;
  const auto dir = held ? sip::Direction::kSendOnly : sip::Direction::kSendRecv;
  auto strip = [](std::vector<sip::SdpAttribute>& attrs) {
    std::erase_if(attrs, [](const sip::SdpAttribute& a) {
      return a.name == "sendrecv" || a.name == "sendonly" || a.name == "recvonly" || a.name == "inactive";
    });
  };
  strip(ours->attributes);
  for (auto& m : ours->media) {
    strip(m.attributes);
    m.attributes.push_back(sip::SdpAttribute{std::string(sip::to_string(dir)), {}, false});
  }
  ++ours->origin.session_version;  // RFC 3264 8: a new offer
  c.sdp = sip::serialize_sdp(*ours);
  if (!sip_->reinvite(sip_leg.sid, sip::Body{"application/sdp", c.sdp})) {
    counters_.get("call.reinvite_refused").inc();
    log_.notice(Subsystem::kCall, "reinvite_refused", {{"call", c.id}});
  }
}

void CallEngine::apply_hold_mode(Call& c, const std::string& remote_sdp) {
  if (c.media == 0 || !media_) return;
  MediaMode mode = c.sip_mode;
  // Held by the ISUP side: nothing from SIP is to be played into the circuit.
  if (c.held_by_isup && mode == MediaMode::kSendRecv) mode = MediaMode::kSendOnly;
  if (c.held_by_isup && mode == MediaMode::kRecvOnly) mode = MediaMode::kInactive;
  media_->update(c.media, remote_sdp, mode);
}

// --- ISUP side ---

void CallEngine::on_setup(isup::CallId id, const isup::IncomingSetup& setup) {
  Entry guard(*this);
  Call& c = new_call();
  c.a.cid = id;
  c.a.group = setup.group;
  by_cid_[id] = &c;
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
  if (!c.collecting || c.state != CallState::kIdle) return;
  isup::IncomingSetup s = *c.collecting;
  c.collecting.reset();
  s.complete = true;
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
  if (log_.enabled(Subsystem::kCall, LogLevel::kInfo))
    log_.info(Subsystem::kCall, "incoming",
              {{"call", c.id}, {"leg", "isup"}, {"trunk_group", group}, {"cic", setup.cic}, {"called", digits}});
  c.route = cfg_.router.lookup(group, digits);
  if (c.route == nullptr) {
    counters_.get("call.no_route").inc();
    log_.notice(Subsystem::kCall, "no_route", {{"call", c.id}, {"trunk_group", group}, {"called", digits}});
    return fire(c, CallEvent::kRefused, EventData{3, 0, {}, nullptr, nullptr});
  }
  // One INVITE per target (each with its own number manipulation), built now
  // while the IAM is at hand.
  for (const auto& t : c.route->targets) {
    sip::OutgoingInvite inv;
    const SipTrunkInfo* trunk = t.kind == RouteTarget::Kind::kSipTrunk ? trunk_named(t.name) : nullptr;
    if (trunk != nullptr) {
      isup::IncomingSetup s = setup;
      manipulate(s.called, t);
      auto f = mapping::invite_from_setup(s, trunk->profile);
      if (f.request_uri.empty()) f = basic_invite_from_setup(s, trunk->profile);
      inv.peer = trunk->peer;
      inv.request_uri = std::move(f.request_uri);
      inv.from = std::move(f.from);
      inv.to = std::move(f.to);
      auto media = media_for(c);
      if (!f.codecs.empty()) media.codecs = f.codecs;
      media.telephone_event = f.telephone_event;
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
  if (media_) open_media(c, setup.group, setup.cic, {}, MediaMode::kRecvOnly);
  when_media_ready(c, [this](Call& call) {
    if (call.media != 0) {
      for (std::size_t i = 0; i < call.invites.size() && i < call.route->targets.size(); ++i) {
        const SipTrunkInfo* trunk = trunk_named(call.route->targets[i].name);
        if (trunk == nullptr || call.invites[i].body.empty()) continue;
        call.invites[i].body = mapping::make_body(call.sdp, call.invite_isup[i], trunk->profile);
      }
    }
    fire(call, CallEvent::kSetup);
  });
}

void CallEngine::on_progress(isup::CallId id, const isup::BackwardIndication& ind) {
  Entry guard(*this);
  if (Call* c = by_cid(id); c && c->answered && ind.msg != nullptr)
    if (const isup::Param* p = ind.msg->find(isup::par::kGenericNotificationIndicator); p && !p->value.empty()) {
      const std::uint8_t n = p->value[0] & 0x7f;
      if (n == isup::kNotificationRemoteHold || n == isup::kNotificationRemoteRetrieval)
        return isup_notification(*c, n);
    }
  if (Call* c = by_cid(id); c && c->b.cid == id && !c->b.sip)
    fire(*c, CallEvent::kProgress, EventData{0, 0, {}, nullptr, &ind});
  else
    ignored_.inc();
}

void CallEngine::on_answer(isup::CallId id) {
  Entry guard(*this);
  if (Call* c = by_cid(id); c && c->b.cid == id && !c->b.sip)
    fire(*c, CallEvent::kAnswer);
  else
    ignored_.inc();
}

void CallEngine::on_release_located(isup::CallId id, int cause, std::uint8_t location) {
  if (Call* c = by_cid(id)) c->isup_cause_location = location;
  on_release(id, cause);
}

void CallEngine::on_release(isup::CallId id, int cause) {
  Entry guard(*this);
  Call* c = by_cid(id);
  if (c == nullptr) return ignored_.inc();
  // ISUP has released the circuit itself (REL answered with RLC): forget the id.
  by_cid_.erase(id);
  if (c->a.cid == id && !c->a.sip) {
    c->a.cid = 0;
    // Still idle: the INVITE waits for the MG connection. Nothing to tell SIP.
    if (c->state == CallState::kIdle) return fire(*c, CallEvent::kRefused, EventData{cause, 0, {}, nullptr, nullptr});
    return fire(*c, CallEvent::kAReleased, EventData{cause, 0, {}, nullptr, nullptr});
  }
  c->b.cid = 0;
  if (c->state == CallState::kActive) return fire(*c, CallEvent::kBReleased, EventData{cause, 0, {}, nullptr, nullptr});
  b_failed_now(*c, cause);
}

}  // namespace isupgw::engine
