// The call engine, media: the MG connection of a call (issue 8) and hold
// (re-offers from SIP, CPG remote hold/retrieval from ISUP).
#include "engine/call_engine.h"

#include <charconv>
#include <memory>

#include "engine/basic_interworking.h"
#include "engine/call_engine_helpers.h"
#include "isup/builder.h"
#include "isup/codes.h"
#include "mapping/cause_map.h"
#include "mapping/reason_header.h"
#include "q931/pri_span.h"
#include "sip/grammar.h"
#include "sip/sdp.h"

namespace isupgw::engine {

namespace {

// The RTP address and port of the MG's SDP (its answer to CRCX/MDCX), and
// whether it lists RFC 4733 telephone-event: we offer or answer telephone-event
// towards SIP only then, with the MG's payload type in our offers (RFC 4733
// 7.1: events 0-15 at 8000 Hz). Read leniently: osmo-mgw writes its
// hexadecimal connection id as the o= session id, which RFC 4566 5.2 wants
// numeric, so when the strict parser refuses the description the first c= and
// m= lines are taken as they are (and an "a=rtpmap:PT telephone-event/8000").
bool read_mg_media(std::string_view sdp, sip::LocalMedia& local) {
  local.telephone_event = false;
  if (auto mg = sip::parse_sdp(sdp); mg && !mg->media.empty()) {
    const sip::SdpMedia& m = mg->media.front();
    if (const auto* conn = mg->connection_for(m)) {
      local.address = conn->address;
      local.addr_type = conn->addr_type;
    }
    local.port = m.port;
    for (const auto& f : m.formats)
      if (auto map = m.rtpmap(f);
          map && map->clock_rate == 8000 && sip::grammar::iequals(map->encoding, "telephone-event")) {
        local.telephone_event = true;
        local.telephone_event_pt = map->payload_type;
      }
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
    } else if (line.starts_with("a=rtpmap:") && line.ends_with(" telephone-event/8000")) {
      int pt = -1;
      auto f = line.substr(9);
      auto [ptr, ec] = std::from_chars(f.data(), f.data() + f.size(), pt);
      if (ec == std::errc() && *ptr == ' ' && pt >= 96 && pt <= 127) {
        local.telephone_event = true;
        local.telephone_event_pt = pt;
      }
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

// The MG mode towards SIP that an SDP from the SIP side asks for (its offer or
// its answer): the mirror of its direction (RFC 3264 6.1), c=0.0.0.0 (the RFC
// 2543 hold) inactive. `zero`: no address to send to. nullopt: no media.
struct SipMediaMode {
  MediaMode mode = MediaMode::kSendRecv;
  bool zero = false;
};
std::optional<SipMediaMode> sip_media_mode(const std::string& sdp) {
  auto parsed = sip::parse_sdp(sdp);
  if (!parsed || parsed->media.empty()) return std::nullopt;
  const auto& m = parsed->media.front();
  const auto* conn = parsed->connection_for(m);
  SipMediaMode out;
  out.zero = conn != nullptr && (conn->address == "0.0.0.0" || conn->address == "::");
  switch (out.zero ? sip::Direction::kInactive : m.direction(parsed->direction())) {
    case sip::Direction::kSendRecv: out.mode = MediaMode::kSendRecv; break;
    case sip::Direction::kSendOnly: out.mode = MediaMode::kRecvOnly; break;
    case sip::Direction::kRecvOnly: out.mode = MediaMode::kSendOnly; break;
    case sip::Direction::kInactive: out.mode = MediaMode::kInactive; break;
  }
  return out;
}
}  // namespace

// --- media (issue 8) ---

void CallEngine::attach_media(CallMedia* media) {
  media_ = media;
  if (media_ == nullptr) return;
  media_->set_lost_handler([this](CallMedia::Id id, int cause) {
    auto it = by_media_.find(id);
    if (it != by_media_.end()) media_lost(it->second, cause, id);
  });
}

void CallEngine::open_media(Call& c, isup::GroupId group, std::uint16_t cic, const std::string& remote,
                            MediaMode mode) {
  const std::uint64_t call_id = c.id;
  track_media(c, media_->open(group, cic, remote, mode, [this, call_id](const std::optional<std::string>& sdp) {
    media_ready(call_id, sdp);
  }));
}

void CallEngine::open_channel_media(Call& c, const q931::Span& span, std::uint8_t channel, const std::string& remote,
                                    MediaMode mode) {
  const std::uint64_t call_id = c.id;
  track_media(c, media_->open_channel(span.config().name, channel, remote, mode,
                                      [this, call_id](const std::optional<std::string>& sdp) {
                                        media_ready(call_id, sdp);
                                      }));
}

void CallEngine::track_media(Call& c, std::optional<CallMedia::Id> id) {
  if (!id) return;  // no media gateway for this trunk group or span
  c.media = *id;
  c.media_pending = true;
  trace_media_opened(c);
  by_media_[*id] = c.id;
}

// A TDM-TDM call (PRI -> ISUP or PRI; an ISUP caller reaches SIP targets only): A's connection is made (its SDP in c.sdp) before B is set up; B's
// connection gets it as the remote SDP and hears B's side (sendonly towards A) until the answer; once B's is
// made, A's connection gets B's SDP and plays what B's side sends (recvonly): the MG carries the speech path
// between the two endpoints over RTP.
void CallEngine::open_transit_media(Call& c,
                                    const std::function<std::optional<CallMedia::Id>(CallMedia::Ready)>& open) {
  const std::uint64_t call_id = c.id;
  auto id = std::make_shared<CallMedia::Id>(0);
  auto opened = open([this, call_id, id](const std::optional<std::string>& sdp) {
    transit_media_ready(call_id, *id, sdp);
  });
  if (!opened) return;
  *id = *opened;
  c.media_b = *opened;
  by_media_[*opened] = call_id;
}

void CallEngine::transit_media_ready(std::uint64_t call_id, CallMedia::Id id, const std::optional<std::string>& sdp) {
  Entry guard(*this);
  auto it = calls_.find(call_id);
  if (it == calls_.end() || id == 0 || it->second->media_b != id) return;
  Call& c = *it->second;
  if (!sdp) {
    counters_.get("call.media_failed").inc();
    log_.warn(Subsystem::kCall, "media_failed", {{"call", c.id}, {"leg", "b"}});
    return media_lost(call_id, 47, id);  // resource unavailable, unspecified (as for A's connection)
  }
  if (c.media != 0) media_->update(c.media, *sdp, c.answered ? MediaMode::kSendRecv : MediaMode::kRecvOnly);
}

void CallEngine::close_media(Call& c) {
  if (!media_) return;
  for (CallMedia::Id* id : {&c.media, &c.media_b})
    if (*id != 0) {
      media_->close(*id);
      by_media_.erase(*id);
      *id = 0;
    }
  c.media_pending = false;
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
  // ISUP -> SIP: the IAM's bearer decides the codecs (TMR 3.1 kHz / speech: PCMA, PCMU; 64 kbit/s
  // unrestricted: CLEARMODE alone, without telephone-event; mapping.md 4, Q.1912.5).
  if (!c.offer_codecs.empty()) local.codecs = c.offer_codecs;
  if (!c.offer_telephone_event) local.telephone_event = false;
  if (!c.offer.empty()) {
    auto offer = sip::parse_sdp(c.offer);
    auto answer =
        offer ? sip::make_answer(*offer, local) : Result<sip::Answer, sip::OaError>(Err(sip::OaError::kNoAudio));
    if (answer) {
      c.sdp = sip::serialize_sdp(answer->sdp);
      c.rec.codec = answer->media.encoding;
    }
  } else {
    c.sdp = sip::serialize_sdp(sip::make_offer(local));
  }
  if (auto mg = media_->describe(c.media)) {  // RFC 3435 endpoint and ConnectionId, for the CDR
    c.rec.mg_endpoint = std::move(mg->endpoint);
    c.rec.mg_connection_id = std::move(mg->connection_id);
  }
  log_.debug(Subsystem::kCall, "media_ready", {{"call", c.id}, {"address", local.address}, {"port", local.port}});
  auto run = std::move(c.deferred);
  c.deferred.clear();
  for (auto& fn : run) {
    if (c.state() == CallState::kReleased) break;
    fn(c);
  }
}

void CallEngine::media_lost(std::uint64_t call_id, int cause, CallMedia::Id which) {
  Entry guard(*this);
  auto it = calls_.find(call_id);
  if (it == calls_.end()) return;
  Call& c = *it->second;
  counters_.get("call.media_lost").inc();
  log_.notice(Subsystem::kCall, "media_lost", {{"call", c.id}, {"cause", cause}});
  // Gone on the MG (or never made): nothing to delete. The other connection of a TDM-TDM call stays for
  // finish() to delete.
  if (which != 0 && which == c.media_b) {
    by_media_.erase(c.media_b);
    c.media_b = 0;
  } else {
    by_media_.erase(c.media);
    c.media = 0;
    c.media_pending = false;
    c.deferred.clear();
  }
  const EventData d{cause, 0, {}, nullptr, nullptr, nullptr};
  // The ISUP/PRI leg is the one with media: release it with the cause and let the
  // table release the other leg as if the circuit or B channel had been cleared.
  if (!c.a.sip && c.a.cid != 0) {
    if (c.state() == CallState::kIdle) return fire(c, CallEvent::kRefused, d);
    if (isup_) (void)isup_->release(c.a.cid, cause);
    by_cid_.erase(c.a.cid);
    c.a.cid = 0;
    return fire(c, CallEvent::kAReleased, d);
  }
  if (c.a.span != nullptr && c.a.pri != 0) {  // PRI: DISCONNECT with the cause (Q.931 5.3.2)
    if (c.state() == CallState::kIdle) return fire(c, CallEvent::kRefused, d);
    pri_release(c.a, cause);
    return fire(c, CallEvent::kAReleased, d);
  }
  if (!c.b.sip && c.b.cid != 0) {
    if (isup_) (void)isup_->release(c.b.cid, cause);
    by_cid_.erase(c.b.cid);
    c.b.cid = 0;
    if (c.state() == CallState::kActive) return fire(c, CallEvent::kBReleased, d);
    return fire(c, CallEvent::kBFailed, d);
  }
  if (c.b.span != nullptr && c.b.pri != 0) {
    pri_release(c.b, cause);
    if (c.state() == CallState::kActive) return fire(c, CallEvent::kBReleased, d);
    return fire(c, CallEvent::kBFailed, d);
  }
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
  const auto offered = sip_media_mode(sdp);
  if (!offered) return ignored_.inc();
  const MediaMode mode = offered->mode;
  const bool held = mode == MediaMode::kRecvOnly || mode == MediaMode::kInactive;
  c->sip_mode = mode;
  apply_hold_mode(*c, offered->zero ? std::string() : sdp);  // 0.0.0.0 is no address to send to
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
  signal_hold_to_sip(c);
}

// The ISUP side's hold state goes to SIP in a re-INVITE offering a=sendonly /
// a=sendrecv. One at a time: while ours is out (the SIP stack refuses a second
// one, RFC 3261 14.1), a change waits for its result, which re-syncs.
void CallEngine::signal_hold_to_sip(Call& c) {
  const bool want = c.held_by_isup;
  if (c.sip_hold_offered ? *c.sip_hold_offered == want : c.sip_hold_agreed == want) return;
  const Leg& sip_leg = c.a.sip ? c.a : c.b;
  if (!sip_ || !sip_leg.sip || sip_leg.sid == 0) return;
  auto ours = sip::parse_sdp(c.sdp);
  if (!ours || ours->media.empty()) return;
  const auto dir = want ? sip::Direction::kSendOnly : sip::Direction::kSendRecv;
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
  std::string offer = sip::serialize_sdp(*ours);
  if (!sip_->reinvite(sip_leg.sid, sip::Body{"application/sdp", offer})) {
    counters_.get("call.reinvite_refused").inc();
    log_.notice(Subsystem::kCall, "reinvite_refused", {{"call", c.id}, {"pending", c.sip_hold_offered.has_value()}});
    return;
  }
  c.sdp = std::move(offer);
  c.sip_hold_offered = want;
}

// The final response to a re-INVITE/UPDATE of ours (after the stack's RFC 3261
// 14.1 glare retries). 2xx: the SIP side agreed; its answer's direction is what
// it will do now, so the MG follows it (RFC 3264 6.1: held both ways ->
// inactive), and a hold change that came meanwhile goes next. Failure: the
// session stays as it was (14.1): the MG keeps following the ISUP hold, the
// SIP side is not told -- counted and logged (Q.1912.5 has no ISUP message for
// it); it is told again when the ISUP hold changes. A 481/408 ends the dialog
// in the stack, which reports on_ended: the call is released there.
void CallEngine::on_refresh_result(sip::SessionId s, const sip::Message& response) {
  Entry guard(*this);
  Call* c = by_sid(s);
  if (c == nullptr || !c->answered) return ignored_.inc();
  const std::optional<bool> offered = std::exchange(c->sip_hold_offered, std::nullopt);
  if (response.status >= 200 && response.status < 300) {
    if (offered) {
      c->sip_hold_agreed = *offered;
      counters_.get("call.reinvite_ok").inc();
    }
    const std::string sdp = sdp_of(response);
    if (const auto answered = sip_media_mode(sdp)) {
      c->sip_mode = answered->mode;
      apply_hold_mode(*c, answered->zero ? std::string() : sdp);
    }
    signal_hold_to_sip(*c);
    return;
  }
  if (!offered) return;  // a session refresh of the stack's own
  counters_.get("call.reinvite_failed").inc();
  log_.notice(Subsystem::kCall, "reinvite_failed",
              {{"call", c->id}, {"status", response.status}, {"offer", *offered ? "sendonly" : "sendrecv"}});
  apply_hold_mode(*c);
  if (c->held_by_isup != *offered) signal_hold_to_sip(*c);  // it changed during the attempt
}

void CallEngine::apply_hold_mode(Call& c, const std::string& remote_sdp) {
  if (c.media == 0 || !media_) return;
  MediaMode mode = c.sip_mode;
  // Held by the ISUP side: nothing from SIP is to be played into the circuit.
  if (c.held_by_isup && mode == MediaMode::kSendRecv) mode = MediaMode::kSendOnly;
  if (c.held_by_isup && mode == MediaMode::kRecvOnly) mode = MediaMode::kInactive;
  media_->update(c.media, remote_sdp, mode);
}

}  // namespace isupgw::engine
