// Top-level interworking rules (Q.1912.5, RFC 3398, RFC 3372/3204, RFC 3578).
// The tables live in cause_map, number_map, identity_map, redirection_map;
// this file composes them per message.
#include "mapping/interworking.h"

#include <algorithm>

#include "isup/builder.h"
#include "isup/codes.h"
#include "isup/params.h"
#include "mapping/cause_map.h"
#include "mapping/colp_map.h"
#include "mapping/identity_map.h"
#include "mapping/reason_header.h"
#include "mapping/jip_map.h"
#include "mapping/np_ansi.h"
#include "mapping/np_interworking.h"
#include "mapping/redirection_map.h"
#include "sip/grammar.h"
#include "sip/multipart.h"

namespace isupgw::mapping {
namespace {

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

template <class T>
std::vector<std::uint8_t> encoded(const T& t) {
  isup::ParamBytes b;
  t.encode(b);
  return {b.begin(), b.end()};
}

}  // namespace

// ---------------------------------------------------------------- bodies

Result<ReceivedBodies, Rejection> received_bodies(const sip::Message& m) {
  ReceivedBodies out;
  if (m.body.empty()) return out;
  auto ct = m.first(sip::HeaderId::kContentType);
  if (!ct) return Err(Rejection{400, "body without Content-Type"});
  auto cd = m.first(sip::HeaderId::kContentDisposition).value_or(std::string_view{});
  auto g = sip::split_bodies(*ct, cd, m.body);
  if (!g) return Err(Rejection{400, "malformed message body"});
  // RFC 3204 / RFC 3261 20.11: a part we cannot handle marked handling=required -> 415.
  if (g->unknown_required_part) return Err(Rejection{415, "unsupported body part with handling=required"});
  out.sdp = g->sdp;
  if (g->isup) {
    out.isup = bytes_of(g->isup->bytes);
    out.isup_version = g->isup->version;
    out.isup_base = g->isup->base;
    out.isup_handling_required = g->isup->handling_required;
  }
  return out;
}

sip::Body make_body(const std::optional<std::string>& sdp, std::span<const std::uint8_t> isup_octets,
                    const SipProfile& profile) {
  std::optional<sip::IsupBody> isup;
  if (profile.kind != SipProfile::kSip && !isup_octets.empty()) {
    sip::IsupBody b;
    b.version = profile.isup_version;
    b.base = profile.isup_base;
    b.handling_required = profile.isup_handling_required;
    b.bytes.assign(reinterpret_cast<const char*>(isup_octets.data()), isup_octets.size());
    isup = std::move(b);
  }
  auto built = sip::build_gateway_body(sdp, isup);
  return sip::Body{std::move(built.content_type), std::move(built.body)};
}

sip::HeaderList body_headers(const sip::Body& body) {
  SipProfile p;
  p.isup_handling_required = true;
  return body_headers(body, p);
}

sip::HeaderList body_headers(const sip::Body& body, const SipProfile& profile) {
  sip::HeaderList out;
  std::string_view ct = body.content_type;
  auto starts = [&](std::string_view prefix) {
    return ct.size() >= prefix.size() && sip::grammar::iequals(ct.substr(0, prefix.size()), prefix);
  };
  if (starts("multipart/")) out.emplace_back("MIME-Version", "1.0");
  if (starts("application/isup"))
    out.emplace_back("Content-Disposition",
                     std::string("signal;handling=") + (profile.isup_handling_required ? "required" : "optional"));
  return out;
}

std::optional<isup::Message> decode_isup_body(std::span<const std::uint8_t> body, isup::Variant v) {
  isup::DecodeOptions opt;
  opt.form = isup::Form::kBody;
  auto m = isup::decode(body, v, opt);
  if (!m) return std::nullopt;
  return *m;
}

std::vector<std::uint8_t> isup_body_octets(const isup::Message& m, isup::Variant v) {
  isup::Message body = m;
  body.cic = 0;
  auto r = isup::encode(body, v, isup::Form::kBody);
  return r ? std::move(*r) : std::vector<std::uint8_t>{};
}

std::vector<std::uint8_t> isup_rel_octets(std::uint8_t cause, isup::Variant v, std::uint8_t location) {
  isup::CauseIndicators ci;
  ci.coding_standard = 0;  // ITU-T
  ci.location = location;
  ci.value = cause;
  isup::MessageBuilder b(isup::msg::kRel);
  b.variable(isup::par::kCauseIndicators, ci);
  return isup_body_octets(b.message(), v);
}

namespace {
std::optional<isup::CauseIndicators> rel_cause_of_body(std::span<const std::uint8_t> body, isup::Variant v) {
  auto m = decode_isup_body(body, v);
  if (!m || m->type != isup::msg::kRel) return std::nullopt;
  const isup::Param* p = m->find(isup::par::kCauseIndicators);
  if (p == nullptr) return std::nullopt;
  auto ci = isup::CauseIndicators::decode(p->value);
  if (!ci) return std::nullopt;
  return *ci;
}
}  // namespace

std::optional<std::uint8_t> cause_of_isup_body(std::span<const std::uint8_t> body, isup::Variant v) {
  if (auto ci = rel_cause_of_body(body, v)) return ci->value;
  return std::nullopt;
}

std::optional<std::uint8_t> release_location(const sip::Message& m, const SipProfile& profile) {
  if (profile.kind == SipProfile::kSip) return std::nullopt;
  auto b = received_bodies(m);
  if (!b || !b->isup) return std::nullopt;
  if (auto ci = rel_cause_of_body(*b->isup, profile.variant)) return ci->location;
  return std::nullopt;
}

// ---------------------------------------------------------------- SIP -> ISUP

Result<isup::SetupRequest, Rejection> setup_from_invite(const sip::Message& invite, const SipProfile& profile) {
  // RFC 3261 16.3 / Q.1912.5: Max-Forwards -> hop counter; exhausted -> 483.
  std::uint8_t hop = profile.initial_hop_counter;
  if (invite.max_forwards) {
    hop = hop_counter_from_max_forwards(*invite.max_forwards);
    if (hop == 0) return Err(Rejection{483, "Max-Forwards exhausted"});
  }
  auto bodies = received_bodies(invite);
  if (!bodies) return Err(bodies.error());

  // Called party number from the Request-URI (RFC 3398 7.2.1, Q.1912.5), without RFC 4694 rn / npdi.
  const PhoneNp pn = phone_np(invite.request_uri);
  const auto& user = pn.number;
  if (!user) return Err(Rejection{404, "Request-URI is not a telephone number"});
  auto called = isup_number_for(*user, profile, profile.append_st);
  if (!called) {
    const bool bad_char = called.error() == NumberError::kBadCharacter;
    return Err(Rejection{bad_char ? 404 : 484, std::string(to_string(called.error()))});
  }

  isup::SetupRequest req;
  req.called = to_isup(*called, isup::NumberKind::kCalled);
  req.called.inn_ni = true;  // INN: routing to an internal network number not allowed (Q.1912.5)
  // An interworking point: ISUP not used all the way (Q.763 3.23 bits D, F, HG).
  req.forward = isup::ForwardCallIndicators{};
  req.forward.interworking = true;
  req.forward.isup_all_the_way = false;
  req.forward.isup_preference = 1;  // ISUP not required all the way
  req.calling_category = 10;        // ordinary calling subscriber

  // Bearer from the SDP offer (late offer: the profile's audio bearer).
  Bearer bearer = profile.audio_bearer;
  if (bodies->sdp) {
    auto sdp = sip::parse_sdp(*bodies->sdp);
    if (!sdp) return Err(Rejection{400, "malformed SDP"});
    auto b = bearer_from_sdp(*sdp, profile);
    if (!b) return Err(Rejection{488, "no audio stream offered"});
    bearer = *b;
  }
  req.transmission_medium = tmr_for(bearer);
  req.user_service_information = usi_for(bearer, profile.a_law);

  IsupIdentity identity = isup_identity_from_sip(invite, profile);
  Redirection redirection = redirection_from_sip(invite, profile);

  // SIP-I / SIP-T: the encapsulated IAM is the base (Q.1912.5 transparency).
  std::optional<isup::Message> base;
  if (profile.kind != SipProfile::kSip && bodies->isup) {
    base = decode_isup_body(*bodies->isup, profile.variant);
    if (base && base->type != isup::msg::kIam) base.reset();
    if (!base && bodies->isup_handling_required) return Err(Rejection{400, "undecodable ISUP IAM body"});
  }
  bool base_calling = false;
  if (base) {
    if (const isup::Param* p = base->find(isup::par::kForwardCallIndicators))
      if (auto f = isup::ForwardCallIndicators::decode(p->value)) req.forward = *f;
    if (const isup::Param* p = base->find(isup::par::kCallingPartysCategory); p && p->value.size() == 1)
      req.calling_category = p->value[0];
    if (profile.variant == isup::Variant::kAnsi) {
      if (const isup::Param* p = base->find(isup::par::kUserServiceInformation))
        req.user_service_information.assign(p->value.begin(), p->value.end());
    } else if (const isup::Param* p = base->find(isup::par::kTransmissionMediumRequirement);
               p && p->value.size() == 1) {
      req.transmission_medium = p->value[0];
    }
    // The called number's INN comes from the body; digits and NAI from the Request-URI.
    if (const isup::Param* p = base->find(isup::par::kCalledPartyNumber))
      if (auto n = isup::Number::decode(isup::NumberKind::kCalled, p->value)) req.called.inn_ni = n->inn_ni;
    // A network-asserted identity (PAI) overrides the encapsulated calling number.
    if (const isup::Param* p = base->find(isup::par::kCallingPartyNumber);
        p && !(identity.calling && identity.calling->screening == kScreenNetworkProvided)) {
      if (auto n = isup::Number::decode(isup::NumberKind::kCalling, p->value)) {
        req.calling = *n;
        base_calling = true;
      }
    }
  }
  if (!base_calling && identity.calling) req.calling = identity.calling;
  // The From number as additional calling party number only when it says more
  // than the calling party number sent (Q.1912.5: From differing from it).
  if (identity.additional_calling && req.calling &&
      identity.additional_calling->digits.view() == req.calling->digits.view())
    identity.additional_calling.reset();

  // Optional parameters: passthrough first (wire order), then what SIP governs.
  const bool sip_redirection = redirection.present();
  const bool ansi = profile.variant == isup::Variant::kAnsi;
  auto np = np_params_for_iam(pn.np, profile);  // issue 20: Q.763 3.101 / 3.90 from RFC 4694
  if (base) {
    for (const auto& p : base->optional) {
      const std::uint8_t c = p.code;
      if (c == isup::par::kCallingPartyNumber || c == isup::par::kHopCounter) continue;
      if (sip_redirection && (c == isup::par::kRedirectingNumber || c == isup::par::kOriginalCalledNumber ||
                              c == isup::par::kRedirectionInformation))
        continue;
      if (!ansi && c == isup::par::kGenericNumber && identity.additional_calling) continue;
      if (!np.empty() && (c == 0x84 || c == 0x8d)) continue;  // the Request-URI's portability governs
      req.optional.emplace_back(c, std::vector<std::uint8_t>(p.value.begin(), p.value.end()));
    }
  }
  if (!ansi && identity.additional_calling)
    req.optional.emplace_back(isup::par::kGenericNumber, encoded(*identity.additional_calling));
  if (sip_redirection)
    for (auto& p : redirection_params(redirection)) req.optional.push_back(std::move(p));
  for (auto& p : np) req.optional.push_back(std::move(p));
  apply_ansi_lnp(pn.np, profile, req);  // issue 20: ANSI LNP (LRN in the called number, GAP, PNTI)
  if (ansi && profile.trust_pai)  // issue 20: the PAI's jip -> JIP (mapping/jip_map.h), over a body's own
    if (auto jip = jip_from_pai(invite))
      if (auto v = encode_jip(*jip)) {
        std::erase_if(req.optional, [](const isup::OwnedParam& p) { return p.code == isup::par::kAnsiJurisdiction; });
        req.optional.emplace_back(isup::par::kAnsiJurisdiction, std::move(*v));
      }
  // Issue 20, COLP: ask the far exchange for the connected number (Q.763 3.38 bit H) when the caller can take
  // it (RFC 4916 from-change) or the trunk always wants it. ITU/ETSI only: T1.113 has no such request.
  if (!ansi && colp_requested(invite, profile)) request_colp(req.optional);
  isup::HopCounter hc;
  hc.value = hop;
  req.optional.emplace_back(isup::par::kHopCounter, encoded(hc));
  return req;
}

Result<isup::Number, Rejection> overlap_digits(const isup::Number& previous_called, const sip::Message& invite,
                                               const SipProfile& profile) {
  auto user = phone_user(invite.request_uri);
  if (!user) return Err(Rejection{404, "Request-URI is not a telephone number"});
  auto now = isup_number_for(*user, profile, false);
  if (!now) return Err(Rejection{484, std::string(to_string(now.error()))});
  const IsupNumber before = from_isup(previous_called);
  // RFC 3578 2: the new Request-URI must extend the digits sent so far.
  if (now->digits.size() <= before.digits.size() || !now->digits.starts_with(before.digits))
    return Err(Rejection{484, "not an extension of the number sent so far"});
  isup::Number sam;
  sam.kind = isup::NumberKind::kSubsequent;
  sam.digits.assign(std::string_view(now->digits).substr(before.digits.size()));
  return sam;
}

BackwardAction backward_from_provisional(const sip::Message& response, bool acm_sent, const SipProfile& profile) {
  BackwardAction a;
  if (response.status <= 100 || response.status >= 200 || response.status == 199) return a;
  auto bodies = received_bodies(response);
  a.inband = bodies && bodies->sdp && !bodies->sdp->empty();
  // SIP-I/SIP-T: the encapsulated ACM/CPG says what the far exchange meant.
  if (profile.kind != SipProfile::kSip && bodies && bodies->isup) {
    if (auto m = decode_isup_body(*bodies->isup, profile.variant)) {
      bool inband = a.inband;
      if (const isup::Param* p = m->find(isup::par::kOptionalBackwardCallIndicators))
        if (auto o = isup::OptionalBackwardCallIndicators::decode(p->value)) inband = o->inband_information;
      if (m->type == isup::msg::kAcm) {
        if (const isup::Param* p = m->find(isup::par::kBackwardCallIndicators))
          if (auto bci = isup::BackwardCallIndicators::decode(p->value)) {
            const bool free = bci->called_status == 1;
            return {free ? BackwardAction::kAlert : BackwardAction::kProgress,
                    static_cast<std::uint8_t>(acm_sent ? (free     ? 1
                                                          : inband ? 3
                                                                   : 2)
                                                       : 0),
                    inband};
          }
      } else if (m->type == isup::msg::kCpg) {
        if (const isup::Param* p = m->find(isup::par::kEventInformation))
          if (auto ev = isup::EventInformation::decode(p->value))
            return {ev->event == 1 ? BackwardAction::kAlert : BackwardAction::kProgress, ev->event, inband};
      }
    }
  }
  switch (response.status) {
    case 180:  // ACM "subscriber free" / CPG alerting
      a.kind = BackwardAction::kAlert;
      a.event = acm_sent ? 1 : 0;
      return a;
    case 181: {  // call is being forwarded: CPG forwarded on busy / no reply / unconditional
      a.kind = BackwardAction::kProgress;
      std::uint8_t event = 6;
      Redirection r = redirection_from_sip(response, profile);
      if (r.info) {
        if (r.info->redirection_reason == 1) event = 4;
        if (r.info->redirection_reason == 2) event = 5;
      }
      a.event = acm_sent ? event : 0;
      return a;
    }
    default:  // 182, 183 and unknown 1xx: ACM "no indication" / CPG progress or in-band information
      a.kind = BackwardAction::kProgress;
      a.event = acm_sent ? (a.inband ? 3 : 2) : 0;
      return a;
  }
}

std::optional<std::uint8_t> cause_from_response(const sip::Message& response) {
  return cause_from_response(response, SipProfile{});
}

std::optional<std::uint8_t> cause_from_response(const sip::Message& response, const SipProfile& profile) {
  if (auto b = received_bodies(response); b && b->isup)
    if (auto c = cause_of_isup_body(*b->isup, profile.variant)) return c;
  for (std::string_view v : response.values(sip::HeaderId::kReason))
    if (auto c = parse_q850_reason(v)) return c;
  return cause_for_sip_status(response.status, profile.cause_table);
}

std::uint8_t cause_from_request(const sip::Message& request) {
  if (auto b = received_bodies(request); b && b->isup)
    if (auto c = cause_of_isup_body(*b->isup, isup::Variant::kItu)) return *c;
  for (std::string_view v : request.values(sip::HeaderId::kReason))
    if (auto c = parse_q850_reason(v)) return *c;
  return request.method == sip::Method::kCancel ? 31 : 16;
}

std::uint8_t cause_from_request(const sip::Message& request, const SipProfile& profile) {
  if (profile.kind != SipProfile::kSip)
    if (auto b = received_bodies(request); b && b->isup)
      if (auto c = cause_of_isup_body(*b->isup, profile.variant)) return *c;
  for (std::string_view v : request.values(sip::HeaderId::kReason))
    if (auto c = parse_q850_reason(v)) return *c;
  return request.method == sip::Method::kCancel ? 31 : 16;
}

// ---------------------------------------------------------------- ISUP -> SIP

InviteFields invite_from_setup(const isup::IncomingSetup& setup, const SipProfile& profile) {
  InviteFields f;
  // Issue 20, ANSI LNP: the called party number may be the LRN and the dialled number in the GAP.
  const std::optional<AnsiLnp> lnp = setup.iam != nullptr ? ansi_lnp_from_iam(*setup.iam, setup.called, profile)
                                                          : std::nullopt;
  const IsupNumber called = lnp ? lnp->dialled : from_isup(setup.called);
  if (called.digits.empty()) f.release_cause = 28;
  std::string user = sip_user_for(called, profile);
  f.to = "<" + phone_uri(user, profile) + ">";
  // Issue 20: the IAM's number portability as RFC 4694 rn / npdi on the Request-URI (not on To).
  if (lnp)
    user = tel_user_with_np(user, lnp->np);
  else if (setup.iam != nullptr)
    if (IsupNp np = np_from_iam(*setup.iam, profile); np.status != NpStatus::kNoIndication || !np.rn.empty())
      user = tel_user_with_np(user, tel_np_from_isup(np, profile.plan));
  f.request_uri = phone_uri(user, profile);

  std::uint32_t max_forwards = kDefaultMaxForwards;
  std::optional<isup::Number> additional;
  Bearer bearer = profile.audio_bearer;
  if (setup.iam != nullptr) {
    const isup::Message& iam = *setup.iam;
    if (const isup::Param* p = iam.find(isup::par::kHopCounter))
      if (auto hc = isup::HopCounter::decode(p->value)) {
        max_forwards = max_forwards_from_hop_counter(hc->value);
        if (max_forwards == 0) f.release_cause = 25;  // exchange routing error (Q.764 hop counter)
      }
    if (profile.variant != isup::Variant::kAnsi)
      for (const auto& p : iam.optional)
        if (p.code == isup::par::kGenericNumber)
          if (auto n = isup::Number::decode(isup::NumberKind::kGeneric, p.value);
              n && n->qualifier == kQualifierAdditionalCalling)
            additional = *n;
    bearer = bearer_from_iam(iam, profile.variant);
  }
  f.headers.emplace_back("Max-Forwards", std::to_string(max_forwards));
  SipIdentity id = sip_identity_from_isup(setup.calling, additional, profile);
  f.from = std::move(id.from);
  // Issue 20: the ANSI JIP in the PAI's user part (mapping/jip_map.h: a vendor practice, no standard).
  const std::optional<std::string> jip = profile.variant == isup::Variant::kAnsi && setup.iam != nullptr
                                             ? jip_of_iam(*setup.iam)
                                             : std::nullopt;
  for (auto& h : id.headers) {
    if (jip && h.first == "P-Asserted-Identity") h.second = pai_with_jip(h.second, *jip);
    f.headers.push_back(std::move(h));
  }
  if (setup.iam != nullptr)
    for (auto& h : redirection_headers(redirection_from_iam(*setup.iam), f.request_uri, profile))
      f.headers.push_back(std::move(h));
  f.bearer = bearer;
  f.codecs = codecs_for(bearer, profile.a_law);
  f.telephone_event = bearer != Bearer::kUdi64;
  if (profile.kind != SipProfile::kSip && setup.iam != nullptr) f.isup = isup_body_octets(*setup.iam, profile.variant);
  return f;
}

InviteFields invite_with_more_digits(const InviteFields& previous, const isup::Number& called_so_far,
                                     const SipProfile& profile) {
  InviteFields f = previous;
  f.request_uri = phone_uri(sip_user_for(from_isup(called_so_far), profile), profile);
  f.to = "<" + f.request_uri + ">";
  return f;
}

ProvisionalFields provisional_from_backward(const isup::BackwardIndication& ind, bool answered,
                                            const SipProfile& profile) {
  ProvisionalFields f;
  const bool encapsulate = profile.kind != SipProfile::kSip && ind.msg != nullptr;
  if (encapsulate) f.isup = isup_body_octets(*ind.msg, profile.variant);
  if (answered) {
    // Q.1912.5: a CPG after answer has no SIP equivalent: INFO in SIP-I/SIP-T.
    if (encapsulate) f.kind = ProvisionalFields::kInfo;
    return f;
  }
  f.kind = ProvisionalFields::kProvisional;
  f.early_media = ind.inband;
  const bool cpg = ind.msg != nullptr && ind.msg->type == isup::msg::kCpg;
  const std::uint8_t event = ind.event & 0x7f;
  if (cpg && event >= 4 && event <= 6) {
    f.status = 181;  // call forwarded on busy / no reply / unconditional
  } else if (ind.alerting || (cpg && event == 1)) {
    f.status = 180;
  } else {
    f.status = 183;
  }
  return f;
}

ProvisionalFields answer_fields(const isup::Message* anm_or_con, const SipProfile& profile) {
  ProvisionalFields f;
  f.kind = ProvisionalFields::kProvisional;
  f.status = 200;
  f.headers = colp_headers(anm_or_con, profile);  // issue 20: COLP/COLR, connected number -> PAI (+ Privacy)
  if (profile.kind == SipProfile::kSip) return f;
  if (anm_or_con != nullptr) {
    f.isup = isup_body_octets(*anm_or_con, profile.variant);
  } else {
    // Call control did not hand over its ANM: encapsulate a plain one (no optional parameters).
    isup::MessageBuilder anm(isup::msg::kAnm);
    f.isup = isup_body_octets(anm.message(), profile.variant);
  }
  return f;
}

FinalResponse response_for_release(std::uint8_t cause, const SipProfile& profile, std::uint8_t location,
                                   const isup::Message* rel) {
  FinalResponse f;
  // Cause 16 before answer has no status (RFC 3398: BYE/CANCEL); as UAS we must
  // still answer: 480 (our choice).
  f.status = sip_status_for_cause(cause, profile.cause_table, location).value_or(480);
  f.headers = reason_for_release(cause);
  if (profile.kind == SipProfile::kSip) return f;
  if (rel != nullptr) f.isup = isup_body_octets(*rel, profile.variant);
  if (f.isup.empty()) f.isup = isup_rel_octets(cause, profile.variant, location);
  return f;
}

sip::HeaderList reason_for_release(std::uint8_t cause) { return {{"Reason", format_q850_reason(cause)}}; }

ByeFields bye_for_release(std::uint8_t cause, const SipProfile& profile, std::uint8_t location,
                          const isup::Message* rel) {
  ByeFields f;
  f.headers = reason_for_release(cause);
  if (profile.kind == SipProfile::kSip) return f;
  std::vector<std::uint8_t> octets;
  if (rel != nullptr) octets = isup_body_octets(*rel, profile.variant);
  if (octets.empty()) octets = isup_rel_octets(cause, profile.variant, location);
  f.body = make_body(std::nullopt, octets, profile);
  for (auto& h : body_headers(f.body, profile)) f.headers.push_back(std::move(h));
  return f;
}

std::optional<sip::Body> info_for_isup(const isup::Message& m, const SipProfile& profile) {
  if (profile.kind == SipProfile::kSip) return std::nullopt;
  auto octets = isup_body_octets(m, profile.variant);
  if (octets.empty()) return std::nullopt;
  return make_body(std::nullopt, octets, profile);
}

std::optional<IsupMessageFromSip> isup_from_info(const sip::Message& info, const SipProfile& profile) {
  if (profile.kind == SipProfile::kSip) return std::nullopt;
  auto b = received_bodies(info);
  if (!b || !b->isup) return std::nullopt;
  auto m = decode_isup_body(*b->isup, profile.variant);
  if (!m) return std::nullopt;
  IsupMessageFromSip out;
  out.type = m->type;
  auto take = [&out](const auto& part) {
    for (const auto& p : part)
      out.params.emplace_back(p.code, std::vector<std::uint8_t>(p.value.begin(), p.value.end()));
  };
  take(m->fixed);
  take(m->variable);
  take(m->optional);
  return out;
}

// ---------------------------------------------------------------- media

std::optional<Bearer> bearer_from_sdp(const sip::Sdp& sdp, const SipProfile& profile) {
  bool fax = false;
  for (const auto& m : sdp.media) {
    if (m.port == 0) continue;
    if (sip::grammar::iequals(m.media, "image")) {
      fax = true;  // T.38: a 3.1 kHz audio bearer on the TDM side
      continue;
    }
    if (!sip::grammar::iequals(m.media, "audio")) continue;
    // The offerer's most preferred codec decides (RFC 3264 5.1 format order).
    for (const auto& fmt : m.formats) {
      auto rm = m.rtpmap(fmt);
      if (!rm) return profile.audio_bearer;
      if (sip::grammar::iequals(rm->encoding, "telephone-event") || sip::grammar::iequals(rm->encoding, "CN")) continue;
      // RFC 4040 CLEARMODE: 64 kbit/s unrestricted digital.
      if (sip::grammar::iequals(rm->encoding, "CLEARMODE")) return Bearer::kUdi64;
      return profile.audio_bearer;
    }
  }
  if (fax) return Bearer::kAudio31;
  return std::nullopt;
}

Bearer bearer_from_iam(const isup::Message& iam, isup::Variant v) {
  if (v == isup::Variant::kAnsi) {
    if (const isup::Param* p = iam.find(isup::par::kUserServiceInformation))
      if (auto usi = isup::UserServiceInformation::decode(p->value)) {
        switch (usi->information_transfer_capability) {
          case 0x00: return Bearer::kSpeech;
          case 0x08: return Bearer::kUdi64;
          default: return Bearer::kAudio31;
        }
      }
    return Bearer::kSpeech;
  }
  if (const isup::Param* p = iam.find(isup::par::kTransmissionMediumRequirement); p && p->value.size() == 1) {
    switch (p->value[0]) {
      case 0: return Bearer::kSpeech;
      case 2: return Bearer::kUdi64;
      default: return Bearer::kAudio31;  // 3 (3.1 kHz), 6 (64 kbit/s preferred) and others
    }
  }
  return Bearer::kAudio31;
}

std::uint8_t tmr_for(Bearer b) {
  // Q.763 3.54: 0 speech, 2 64 kbit/s unrestricted, 3 3.1 kHz audio.
  switch (b) {
    case Bearer::kSpeech: return 0;
    case Bearer::kUdi64: return 2;
    case Bearer::kAudio31: break;
  }
  return 3;
}

std::vector<std::uint8_t> usi_for(Bearer b, bool a_law) {
  // Q.931 4.5.5 bearer capability: octet 3 ext + ITU coding + ITC; octet 4
  // circuit mode 64 kbit/s; octet 5 layer 1 G.711 (0xA3 A-law, 0xA2 mu-law).
  const std::uint8_t law = a_law ? 0xa3 : 0xa2;
  switch (b) {
    case Bearer::kSpeech: return {0x80, 0x90, law};
    case Bearer::kUdi64: return {0x88, 0x90};
    case Bearer::kAudio31: break;
  }
  return {0x90, 0x90, law};
}

std::vector<std::string> codecs_for(Bearer b, bool a_law) {
  if (b == Bearer::kUdi64) return {"CLEARMODE"};
  return a_law ? std::vector<std::string>{"PCMA", "PCMU"} : std::vector<std::string>{"PCMU", "PCMA"};
}

// ---------------------------------------------------------------- hop counter

std::uint8_t hop_counter_from_max_forwards(std::uint32_t max_forwards) {
  if (max_forwards == 0) return 0;
  return static_cast<std::uint8_t>(std::min<std::uint32_t>(max_forwards, 31) - 1);
}

std::uint32_t max_forwards_from_hop_counter(std::uint8_t hop_counter) {
  const std::uint8_t hc = hop_counter & 0x1f;  // E..A
  return hc == 0 ? 0 : hc - 1u;
}

}  // namespace isupgw::mapping
