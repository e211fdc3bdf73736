// The call engine, fax (issue 20): a re-INVITE from the SIP side offering
// T.38 (m=image udptl t38, ITU-T T.38 Annex D) in an answered call switches
// the call's MG connection to T.38 fax relay (RFC 5347 fax package,
// LocalConnectionOptions fxr/fx:t38) before it is answered: 200 with the MG's
// m=image when the MG agrees; when it refuses, 488 (RFC 3261 21.4.26: the
// offer is not acceptable; the session stays as it was, RFC 3264 8) and the
// connection goes G.711 pass-through with echo cancellation and silence
// suppression off (RFC 3435 2.3.3 e:off s:off), so the fax can still pass in
// band. Audio re-offers (hold, retrieval) stay the stack's, answered from our
// last SDP (call_engine_media.cpp).
#include "engine/call_engine.h"
#include "engine/call_engine_helpers.h"
#include "sip/grammar.h"
#include "sip/sdp.h"

namespace isupgw::engine {

namespace {

bool is_t38(const sip::SdpMedia& m) {
  return m.media == "image" && m.port != 0 && sip::grammar::iequals(m.proto, "udptl") && m.formats.size() == 1 &&
         sip::grammar::iequals(m.formats.front(), "t38");
}

// An offer whose only accepted stream would be T.38: an m=image udptl t38 line and no audio with a port.
bool t38_only(const sip::Sdp& sdp) {
  bool t38 = false;
  for (const auto& m : sdp.media) {
    if (m.media == "audio" && m.port != 0) return false;
    t38 |= is_t38(m);
  }
  return t38;
}

// The MG's SDP, read leniently: osmo-mgw writes its hexadecimal connection id as the o= session
// id, which RFC 4566 5.2 wants numeric (as read_mg_media in call_engine_media.cpp).
std::optional<sip::Sdp> parse_mg_sdp(std::string text) {
  if (auto s = sip::parse_sdp(text)) return std::move(*s);
  const auto o = text.find("o=");
  const auto sp1 = o == std::string::npos ? o : text.find(' ', o);
  const auto sp2 = sp1 == std::string::npos ? sp1 : text.find(' ', sp1 + 1);
  if (sp2 == std::string::npos) return std::nullopt;
  text.replace(sp1 + 1, sp2 - sp1 - 1, "0");
  if (auto s = sip::parse_sdp(text)) return std::move(*s);
  return std::nullopt;
}

sip::ReofferDecision refuse(std::string_view why) {
  sip::ReofferDecision d;
  d.kind = sip::ReofferDecision::kRefuse;
  d.status = 488;
  d.headers.emplace_back("Warning", "399 isupgw \"" + std::string(why) + "\"");
  return d;
}

}  // namespace

sip::ReofferDecision CallEngine::screen_reoffer(sip::SessionId s, const sip::Message& request) {
  Entry guard(*this);
  Call* c = by_sid(s);
  if (c == nullptr || !c->answered) return {};
  const std::string sdp = sdp_of(request);
  auto offer = sip::parse_sdp(sdp);
  if (!offer || !t38_only(*offer)) return {};
  counters_.get("call.t38_offered").inc();
  log_.info(Subsystem::kCall, "t38_offered", {{"call", c->id}});
  if (!media_ || c->media == 0 || c->media_pending) {
    counters_.get("call.t38_refused").inc();
    return refuse("no media gateway connection for T.38");
  }
  const std::uint64_t call_id = c->id;
  const bool started = media_->start_t38(
      c->media, sdp, [this, call_id, s](const std::optional<std::string>& mg) { t38_result(call_id, s, mg); });
  if (!started) {
    counters_.get("call.t38_refused").inc();
    return refuse("the media gateway cannot switch this call to T.38");
  }
  sip::ReofferDecision d;
  d.kind = sip::ReofferDecision::kDefer;
  return d;
}

// The MG's answer to the switch: our 200 carries its m=image (address, port, T.38 attributes
// as it announced them, T.38 Annex D), or the re-INVITE is refused.
void CallEngine::t38_result(std::uint64_t call_id, sip::SessionId s, const std::optional<std::string>& mg_sdp) {
  Entry guard(*this);
  auto it = calls_.find(call_id);
  if (it == calls_.end() || !sip_) return;  // released meanwhile: the stack answered the re-INVITE 487
  Call& c = *it->second;
  std::optional<sip::Sdp> answer;
  if (mg_sdp) {
    auto mg = parse_mg_sdp(*mg_sdp);
    auto ours = sip::parse_sdp(c.sdp);
    if (mg && ours) {
      for (const auto& m : mg->media)
        if (is_t38(m)) {
          sip::SdpMedia image = m;
          if (const auto* conn = mg->connection_for(m)) image.connection = *conn;
          if (ours->connection && image.connection && ours->connection->address == image.connection->address)
            image.connection.reset();
          ours->media = {image};
          answer = std::move(*ours);
          break;
        }
    }
  }
  if (!answer) {
    counters_.get("call.t38_refused").inc();
    log_.notice(Subsystem::kCall, "t38_refused", {{"call", c.id}, {"fallback", "g711-passthrough"}});
    sip_->answer_reoffer(s, 488, {}, {{"Warning", "399 isupgw \"T.38 refused by the media gateway\""}});
    return;
  }
  ++answer->origin.session_version;  // RFC 3264 8
  c.sdp = sip::serialize_sdp(*answer);
  counters_.get("call.t38_switched").inc();
  log_.info(Subsystem::kCall, "t38_switched", {{"call", c.id}});
  sip_->answer_reoffer(s, 200, sip::Body{"application/sdp", c.sdp});
}

}  // namespace isupgw::engine
