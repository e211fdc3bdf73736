// The call engine's call detail records (issue 17). Each item is stored in the call's record when it
// becomes known (circuit and point codes at seizure, numbers as received and as sent, tags with the
// messages that carry them, the MG connection once it is made, the final SIP status); finish() adds
// the times and the cause and hands the record over -- after the RLC when we released the ISUP leg,
// so that the record holds its time (Q.764 2.3.1 d).
#include "engine/call_engine.h"
#include "engine/call_engine_helpers.h"
#include "isup/codes.h"
#include "sip/sdp.h"

namespace isupgw::engine {

namespace {

// The engine's times are on its (steady, injectable) clock; a CDR's are wall-clock milliseconds.
struct WallFromSteady {
  Clock::time_point steady_now;
  std::chrono::system_clock::time_point wall_now;
  cdr::EpochMs operator()(Clock::time_point t) const {
    if (t == Clock::time_point{}) return 0;
    auto wall = wall_now - std::chrono::duration_cast<std::chrono::system_clock::duration>(steady_now - t);
    return std::chrono::duration_cast<std::chrono::milliseconds>(wall.time_since_epoch()).count();
  }
};

// The user part of a SIP URI, alone or in a name-addr ("<sip:+4930123@gw;user=phone>").
std::string uri_user(std::string_view text) {
  if (auto lt = text.find('<'); lt != std::string_view::npos) {
    text.remove_prefix(lt + 1);
    text = text.substr(0, text.find('>'));
  }
  auto uri = sip::parse_uri(text);
  return uri ? std::string(uri->user) : std::string();
}

}  // namespace

const char* presentation_of(std::uint8_t apri) {
  switch (apri) {
    case 0: return "allowed";
    case 1: return "restricted";
    case 2: return "unavailable";
    default: return "";
  }
}

// The first codec of an SDP's first audio stream (RFC 4566 m= formats, rtpmap or RFC 3551 static).
std::string codec_of(std::string_view sdp) {
  if (sdp.empty()) return {};
  auto parsed = sip::parse_sdp(sdp);
  if (!parsed) return {};
  for (const auto& m : parsed->media) {
    if (m.media != "audio" || m.port == 0 || m.formats.empty()) continue;
    auto map = m.rtpmap(m.formats.front());
    return map ? map->encoding : m.formats.front();
  }
  return {};
}

void CallEngine::cdr_seized(Call& c, isup::CallId cid) {
  if (isup_ == nullptr) return;
  const isup::Circuit* circuit = isup_->circuit_of(cid);
  if (circuit == nullptr) return;
  c.rec.cic = circuit->cic();
  c.rec.opc = circuit->group().config().opc;
  c.rec.dpc = circuit->group().config().dpc;
  c.cdr_group = circuit->group().id();
  c.seized_at = clock_->now();
}

void CallEngine::cdr_sip_a(Call& c, sip::SessionId s, const sip::Message& invite) {
  c.rec.sip_call_id = std::string(invite.call_id);
  c.rec.sip_from_tag = std::string(invite.from.tag());
  if (sip_ != nullptr) c.rec.sip_to_tag = sip_->dialog_ids(s).local_tag;  // ours, in every response
  c.rec.calling_in = std::string(invite.from.uri.user);
  c.rec.called_in = std::string(invite.request_uri.user);
}

void CallEngine::cdr_sip_b(Call& c, const sip::OutgoingInvite& inv) {
  c.rec.called_out = uri_user(inv.request_uri);
  c.rec.calling_out = uri_user(inv.from);
  c.rec.sip_to_tag.clear();  // an earlier target's
  if (sip_ == nullptr) return;
  auto ids = sip_->dialog_ids(c.b.sid);
  c.rec.sip_call_id = std::move(ids.call_id);
  c.rec.sip_from_tag = std::move(ids.local_tag);
}

void CallEngine::cdr_response(Call& c, const sip::Message& response) {
  if (auto tag = response.to.tag(); !tag.empty()) c.rec.sip_to_tag = std::string(tag);
  if (response.status >= 200) c.rec.sip_status = static_cast<std::uint16_t>(response.status);
}

// "sip-to-isup" / "isup-to-sip", and with a PRI leg (issue 21) "sip-to-pri", "pri-to-sip", "pri-to-isup".
std::string CallEngine::direction_of(const Call& c) const {
  if (c.a.span == nullptr && c.b.span == nullptr &&
      (c.route == nullptr || c.target >= c.route->targets.size() ||
       c.route->targets[c.target].kind != RouteTarget::Kind::kPriSpan))
    return c.a.sip ? "sip-to-isup" : "isup-to-sip";
  const char* a = c.a.sip ? "sip" : c.a.span != nullptr ? "pri" : "isup";
  auto kind = c.b.span != nullptr ? RouteTarget::Kind::kPriSpan
              : c.b.sip           ? RouteTarget::Kind::kSipTrunk
                                  : RouteTarget::Kind::kTrunkGroup;
  if (c.route != nullptr && c.target < c.route->targets.size()) kind = c.route->targets[c.target].kind;
  const char* b = kind == RouteTarget::Kind::kPriSpan ? "pri" : kind == RouteTarget::Kind::kSipTrunk ? "sip" : "isup";
  return std::string(a) + "-to-" + b;
}

cdr::CdrRecord CallEngine::cdr_of(Call& c) const {
  const WallFromSteady wall{clock_->now(), std::chrono::system_clock::now()};
  cdr::CdrRecord r = std::move(c.rec);
  r.call_id = std::to_string(c.id);
  r.direction = direction_of(c);
  r.ingress_trunk = summary_of(c.a).trunk;
  r.egress_trunk = summary_of(c.b).trunk;
  if (c.route != nullptr) {
    r.route = c.route->prefix;
    // A leg released before the end no longer names its trunk: the route target tried last does.
    if (r.egress_trunk.empty() && c.target < c.route->targets.size()) r.egress_trunk = c.route->targets[c.target].name;
  }
  r.seizure = wall(c.seized_at);
  r.setup = wall(c.started);
  r.progress = wall(c.progressed);
  r.answer = wall(c.answered_at);
  r.release = wall(clock_->now());
  r.release_complete = wall(c.rlc_at);
  if (c.cause != 0) {
    r.cause = static_cast<std::uint8_t>(c.cause);
    // As the ISUP side saw it: the received REL's location, else the one of ours (Q.850 2.2.3).
    r.cause_location = c.isup_cause_location >= 0 ? static_cast<std::uint8_t>(c.isup_cause_location) : isup_location(c);
  }
  if (r.released_by.empty()) r.released_by = "gateway";
  return r;
}

void CallEngine::cdr_answered(const Call& c) const {
  const WallFromSteady wall{clock_->now(), std::chrono::system_clock::now()};
  cdr::CdrRecord r = c.rec;
  r.call_id = std::to_string(c.id);
  r.direction = direction_of(c);
  r.setup = wall(c.started);
  r.progress = wall(c.progressed);
  r.answer = wall(c.answered_at);
  answer_sink_(r);
}

void CallEngine::cdr_emit(Call& c) {
  if (!cdr_sink_) return;
  // The ISUP leg still held at the end is one we released: its RLC is still to come.
  const Leg& isup_leg = c.a.sip ? c.b : c.a;
  const bool rlc_due = !isup_leg.sip && isup_leg.cid != 0 && c.rec.cic && c.rlc_at == Clock::time_point{};
  cdr::CdrRecord r = cdr_of(c);
  if (!rlc_due || timers_ == nullptr) return cdr_sink_(std::move(r));
  const auto key = std::make_pair(c.cdr_group, *r.cic);
  if (awaiting_rlc_.count(key) != 0) cdr_hand_over(key, false);  // an RLC never came for the one before
  auto& waiting = awaiting_rlc_[key];
  waiting.rec = std::move(r);
  waiting.released = clock_->now();
  rlc_due_.emplace_back(waiting.released + kRlcWait, key);
  if (rlc_timer_ == 0) rlc_timer_ = timers_->start(kRlcWait, [this] { rlc_wait_expired(); });
}

void CallEngine::rlc_wait_expired() {
  // The timer was set for the front's deadline: every record due by then is handed over. Deadlines are
  // compared with each other only (the engine's clock and the timer service's may differ in tests).
  rlc_timer_ = 0;
  const auto fired = rlc_due_.front().first;
  while (!rlc_due_.empty() && rlc_due_.front().first <= fired) {
    const auto [due, key] = rlc_due_.front();
    rlc_due_.pop_front();
    // Still waiting, and the same record (not a later call's on the circuit, handed over since).
    if (auto it = awaiting_rlc_.find(key); it != awaiting_rlc_.end() && it->second.released + kRlcWait <= due)
      cdr_hand_over(key, false);
  }
  if (!rlc_due_.empty()) rlc_timer_ = timers_->start(rlc_due_.front().first - fired, [this] { rlc_wait_expired(); });
}

void CallEngine::on_release_complete(isup::GroupId group, std::uint16_t cic) { cdr_hand_over({group, cic}, true); }

void CallEngine::cdr_hand_over(std::pair<isup::GroupId, std::uint16_t> circuit, bool rlc) {
  auto it = awaiting_rlc_.find(circuit);
  if (it == awaiting_rlc_.end()) return;
  cdr::CdrRecord r = std::move(it->second.rec);
  if (rlc)
    r.release_complete =
        r.release + std::chrono::duration_cast<std::chrono::milliseconds>(clock_->now() - it->second.released).count();
  awaiting_rlc_.erase(it);
  if (cdr_sink_) cdr_sink_(std::move(r));
}

void CallEngine::flush_cdrs() {
  while (!awaiting_rlc_.empty()) cdr_hand_over(awaiting_rlc_.begin()->first, false);
}

}  // namespace isupgw::engine

namespace isupgw::engine {

// Issue 20: charge information received on either ISUP leg during the call goes into its record. The CRG's
// format is national (Q.763 Table 1 lists it for national use): its octets are kept as received, not decoded.
void CallEngine::on_charge(isup::CallId id, const isup::Message& crg) {
  Entry guard(*this);
  Call* c = by_cid(id);
  if (c == nullptr) return ignored_.inc();
  counters_.get("call.charge_information").inc();
  auto& rec = c->rec;
  if (rec.charge_messages++ >= cdr::CdrRecord::kMaxChargeInfo) return;
  static constexpr char kHex[] = "0123456789abcdef";
  if (!rec.charge_info.empty()) rec.charge_info += ' ';
  for (std::uint8_t b : crg.body) {
    rec.charge_info += kHex[b >> 4];
    rec.charge_info += kHex[b & 0xf];
  }
  if (crg.body.empty()) rec.charge_info += '-';
}

}  // namespace isupgw::engine
