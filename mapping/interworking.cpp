// First landing: the API with partial implementations; filled in clause by clause.
#include "mapping/interworking.h"

#include "isup/codes.h"
#include "mapping/cause_map.h"
#include "mapping/reason_header.h"

namespace isupgw::mapping {

std::string_view to_string(Bearer b) {
  switch (b) {
    case Bearer::kSpeech: return "speech";
    case Bearer::kAudio31: return "3.1khz-audio";
    case Bearer::kUdi64: return "64k-unrestricted";
  }
  return "?";
}

Result<ReceivedBodies, Rejection> received_bodies(const sip::Message&) { return ReceivedBodies{}; }

sip::Body make_body(const std::optional<std::string>& sdp, std::span<const std::uint8_t>, const SipProfile&) {
  sip::Body b;
  if (sdp) {
    b.content_type = "application/sdp";
    b.content = *sdp;
  }
  return b;
}

sip::HeaderList body_headers(const sip::Body&) { return {}; }

std::vector<std::uint8_t> isup_body_octets(const isup::Message& m, isup::Variant v) {
  auto r = isup::encode(m, v, isup::Form::kBody);
  return r ? std::move(*r) : std::vector<std::uint8_t>{};
}

Result<isup::SetupRequest, Rejection> setup_from_invite(const sip::Message&, const SipProfile&) {
  return Err(Rejection{500, "not implemented"});
}

Result<isup::Number, Rejection> overlap_digits(const isup::Number&, const sip::Message&, const SipProfile&) {
  return Err(Rejection{484, "not implemented"});
}

BackwardAction backward_from_provisional(const sip::Message& r, bool acm_sent, const SipProfile&) {
  if (r.status == 180) return {BackwardAction::kAlert, static_cast<std::uint8_t>(acm_sent ? 1 : 0), false};
  if (r.status > 100 && r.status < 200)
    return {BackwardAction::kProgress, static_cast<std::uint8_t>(acm_sent ? 2 : 0), false};
  return {};
}

std::optional<std::uint8_t> cause_from_response(const sip::Message& r) {
  if (auto v = r.first(sip::HeaderId::kReason))
    if (auto c = parse_q850_reason(*v)) return c;
  return cause_for_sip_status(r.status);
}

std::uint8_t cause_from_request(const sip::Message& r) {
  if (auto v = r.first(sip::HeaderId::kReason))
    if (auto c = parse_q850_reason(*v)) return *c;
  return 16;
}

InviteFields invite_from_setup(const isup::IncomingSetup&, const SipProfile&) { return {}; }

InviteFields invite_with_more_digits(const InviteFields& previous, const isup::Number&, const SipProfile&) {
  return previous;
}

ProvisionalFields provisional_from_backward(const isup::BackwardIndication& ind, bool answered, const SipProfile&) {
  ProvisionalFields f;
  if (answered) return f;
  f.kind = ProvisionalFields::kProvisional;
  f.status = ind.alerting ? 180 : 183;
  f.early_media = ind.inband;
  return f;
}

ProvisionalFields answer_fields(const isup::Message*, const SipProfile&) { return {}; }

FinalResponse response_for_release(std::uint8_t cause, const SipProfile&) {
  FinalResponse f;
  f.status = sip_status_for_cause(cause).value_or(480);
  f.headers = reason_for_release(cause);
  return f;
}

sip::HeaderList reason_for_release(std::uint8_t cause) { return {{"Reason", format_q850_reason(cause)}}; }

std::optional<sip::Body> info_for_isup(const isup::Message&, const SipProfile&) { return std::nullopt; }

std::optional<Bearer> bearer_from_sdp(const sip::Sdp&, const SipProfile& p) { return p.audio_bearer; }
Bearer bearer_from_iam(const isup::Message&, isup::Variant) { return Bearer::kAudio31; }
std::uint8_t tmr_for(Bearer b) { return b == Bearer::kSpeech ? 0 : b == Bearer::kAudio31 ? 3 : 2; }
std::vector<std::uint8_t> usi_for(Bearer, bool) { return {0x90, 0x90, 0xa3}; }
std::vector<std::string> codecs_for(Bearer b, bool a_law) {
  if (b == Bearer::kUdi64) return {"CLEARMODE"};
  return a_law ? std::vector<std::string>{"PCMA", "PCMU"} : std::vector<std::string>{"PCMU", "PCMA"};
}

std::uint8_t hop_counter_from_max_forwards(std::uint32_t mf) { return static_cast<std::uint8_t>(mf > 31 ? 31 : mf); }
std::uint32_t max_forwards_from_hop_counter(std::uint8_t hc) { return hc; }

}  // namespace isupgw::mapping
