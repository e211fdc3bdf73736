#include "sip/offer_answer.h"

#include "sip/grammar.h"

namespace isupgw::sip {

namespace g = grammar;

std::string_view describe(OaError e) {
  switch (e) {
    case OaError::kNoAudio: return "no audio stream offered";
    case OaError::kNoCommonCodec: return "no common codec";
    case OaError::kStreamCountChanged: return "answer does not have the offer's media lines";
    case OaError::kCodecNotOffered: return "answer uses a codec that was not offered";
    case OaError::kRejected: return "audio stream rejected";
  }
  return "offer/answer failure";
}

namespace {

std::optional<int> static_pt(std::string_view enc) {
  if (g::iequals(enc, "PCMU")) return 0;
  if (g::iequals(enc, "PCMA")) return 8;
  if (g::iequals(enc, "G722")) return 9;
  if (g::iequals(enc, "G729")) return 18;
  return std::nullopt;
}

Direction complement(Direction offered) {
  switch (offered) {
    case Direction::kSendOnly: return Direction::kRecvOnly;
    case Direction::kRecvOnly: return Direction::kSendOnly;
    case Direction::kInactive: return Direction::kInactive;
    case Direction::kSendRecv: return Direction::kSendRecv;
  }
  return Direction::kSendRecv;
}

// Our direction may narrow what the offer allows (e.g. local inactive).
Direction narrow(Direction answer, Direction local) {
  auto sends = [](Direction d) { return d == Direction::kSendRecv || d == Direction::kSendOnly; };
  auto recvs = [](Direction d) { return d == Direction::kSendRecv || d == Direction::kRecvOnly; };
  bool s = sends(answer) && sends(local), r = recvs(answer) && recvs(local);
  return s && r ? Direction::kSendRecv : s ? Direction::kSendOnly : r ? Direction::kRecvOnly : Direction::kInactive;
}

bool is_audio_rtp(const SdpMedia& m) {
  return m.media == "audio" && (m.proto == "RTP/AVP" || m.proto == "RTP/AVPF") && m.port != 0;
}

SdpAttribute attr(std::string name, std::string value = {}) {
  bool has = !value.empty();
  return SdpAttribute{std::move(name), std::move(value), has};
}

Sdp base_sdp(const LocalMedia& local) {
  Sdp s;
  s.origin = SdpOrigin{local.username, local.session_id, local.session_version, "IN", local.addr_type, local.address};
  s.session_name = "-";
  s.connection = SdpConnection{"IN", local.addr_type, local.address};
  s.times = {"0 0"};
  return s;
}

// The telephone-event payload type the offer lists at 8000 Hz, if any.
std::optional<int> offered_telephone_event(const SdpMedia& m) {
  for (const auto& f : m.formats) {
    auto map = m.rtpmap(f);
    if (map && g::iequals(map->encoding, "telephone-event") && map->clock_rate == 8000) return map->payload_type;
  }
  return std::nullopt;
}

}  // namespace

Sdp make_offer(const LocalMedia& local) {
  Sdp s = base_sdp(local);
  SdpMedia m;
  m.media = "audio";
  m.port = local.port;
  m.proto = "RTP/AVP";
  // Encodings without a static payload type (CLEARMODE, RFC 4040 3) get dynamic ones from 97
  // (RFC 3551 3), skipping telephone-event's.
  int dynamic = 97;
  for (const auto& c : local.codecs) {
    std::optional<int> pt = static_pt(c);
    if (!pt) {
      if (local.telephone_event && dynamic == local.telephone_event_pt) ++dynamic;
      if (dynamic > 127) continue;
      pt = dynamic++;
    }
    m.formats.push_back(std::to_string(*pt));
    m.attributes.push_back(attr("rtpmap", std::to_string(*pt) + " " + c + "/8000"));
  }
  if (local.telephone_event) {
    const std::string pt = std::to_string(local.telephone_event_pt);
    m.formats.push_back(pt);
    m.attributes.push_back(attr("rtpmap", pt + " telephone-event/8000"));
    m.attributes.push_back(attr("fmtp", pt + " 0-15"));
  }
  if (local.ptime) m.attributes.push_back(attr("ptime", std::to_string(*local.ptime)));
  m.attributes.push_back(attr(std::string(to_string(local.direction))));
  s.media.push_back(std::move(m));
  return s;
}

Result<Answer, OaError> make_answer(const Sdp& offer, const LocalMedia& local) {
  Answer a;
  a.sdp = base_sdp(local);
  bool any_audio = false, chosen = false;
  for (std::size_t i = 0; i < offer.media.size(); ++i) {
    const SdpMedia& om = offer.media[i];
    SdpMedia am;
    am.media = om.media;
    am.proto = om.proto;
    am.port = 0;  // rejected unless accepted below (RFC 3264 6)
    if (!chosen && is_audio_rtp(om)) {
      any_audio = true;
      // First offered format whose encoding we accept: the offerer's order wins (RFC 3264 6.1).
      for (const auto& f : om.formats) {
        auto map = om.rtpmap(f);
        if (!map || map->clock_rate != 8000) continue;
        bool ok = false;
        for (const auto& c : local.codecs) ok |= g::iequals(map->encoding, c);
        if (!ok) continue;
        Negotiated& n = a.media;
        n.payload_type = map->payload_type;
        n.encoding = map->encoding;
        n.clock_rate = map->clock_rate;
        n.stream_index = i;
        const Direction offered = om.direction(offer.direction());
        n.direction = narrow(complement(offered), local.direction);
        if (const SdpConnection* c = offer.connection_for(om)) {
          n.remote_address = c->address;
          n.remote_hold = c->address == "0.0.0.0";
        }
        n.remote_port = om.port;
        am.port = local.port;
        am.formats.push_back(f);
        am.attributes.push_back(attr("rtpmap", f + " " + map->encoding + "/8000"));
        if (local.telephone_event)
          if (auto te = offered_telephone_event(om)) {
            n.telephone_event_pt = *te;
            const std::string pt = std::to_string(*te);
            am.formats.push_back(pt);
            am.attributes.push_back(attr("rtpmap", pt + " telephone-event/8000"));
            am.attributes.push_back(attr("fmtp", pt + " 0-15"));
          }
        if (local.ptime) am.attributes.push_back(attr("ptime", std::to_string(*local.ptime)));
        am.attributes.push_back(attr(std::string(to_string(n.direction))));
        chosen = true;
        break;
      }
    }
    if (am.port == 0) am.formats = om.formats.empty() ? std::vector<std::string>{"0"} : om.formats;
    a.sdp.media.push_back(std::move(am));
  }
  if (!any_audio) return Err(OaError::kNoAudio);
  if (!chosen) return Err(OaError::kNoCommonCodec);
  return a;
}

Result<Negotiated, OaError> accept_answer(const Sdp& offer, const Sdp& answer, const LocalMedia& local) {
  if (answer.media.size() != offer.media.size()) return Err(OaError::kStreamCountChanged);
  for (std::size_t i = 0; i < answer.media.size(); ++i) {
    const SdpMedia& om = offer.media[i];
    const SdpMedia& am = answer.media[i];
    if (om.media != am.media) return Err(OaError::kStreamCountChanged);
    if (!is_audio_rtp(om)) continue;
    if (am.port == 0 || am.formats.empty()) return Err(OaError::kRejected);
    Negotiated n;
    n.stream_index = i;
    n.remote_port = am.port;
    if (const SdpConnection* c = answer.connection_for(am)) {
      n.remote_address = c->address;
      n.remote_hold = c->address == "0.0.0.0";
    }
    n.direction = narrow(complement(am.direction(answer.direction())), local.direction);
    for (const auto& f : am.formats) {
      auto map = am.rtpmap(f);
      if (!map) continue;
      // Answer codecs must be a subset of the offer's (RFC 3264 6.1).
      bool offered = false;
      for (const auto& of : om.formats) {
        auto omap = om.rtpmap(of);
        offered |= omap && g::iequals(omap->encoding, map->encoding) && omap->clock_rate == map->clock_rate;
      }
      if (!offered) return Err(OaError::kCodecNotOffered);
      if (g::iequals(map->encoding, "telephone-event")) {
        n.telephone_event_pt = map->payload_type;
      } else if (n.payload_type < 0) {
        n.payload_type = map->payload_type;
        n.encoding = map->encoding;
        n.clock_rate = map->clock_rate;
      }
    }
    if (n.payload_type < 0) return Err(OaError::kNoCommonCodec);
    return n;
  }
  return Err(OaError::kNoAudio);
}

Sdp answer_reoffer(const Sdp& ours, const Sdp& offer) {
  Sdp answer = ours;
  auto is_direction = [](const SdpAttribute& a) {
    return a.name == "sendrecv" || a.name == "sendonly" || a.name == "recvonly" || a.name == "inactive";
  };
  const Direction session = ours.direction();
  std::erase_if(answer.attributes, is_direction);
  for (std::size_t i = 0; i < answer.media.size(); ++i) {
    auto& am = answer.media[i];
    Direction d = am.direction(session);
    if (i < offer.media.size()) {
      const auto& om = offer.media[i];
      Direction offered = om.direction(offer.direction());
      const auto* c = offer.connection_for(om);
      if (c != nullptr && (c->address == "0.0.0.0" || c->address == "::")) {
        // 8.4: an offerer with no address receives nothing.
        offered = narrow(offered, Direction::kSendOnly);
      }
      d = narrow(complement(offered), d);
    }
    std::erase_if(am.attributes, is_direction);
    am.attributes.push_back(attr(std::string(to_string(d))));
  }
  return answer;
}

}  // namespace isupgw::sip
