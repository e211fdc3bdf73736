#include "engine/basic_interworking.h"

#include "mapping/number_map.h"

namespace isupgw::engine {

namespace {

std::string_view strip_st(std::string_view d) {
  if (!d.empty() && d.back() == 'F') d.remove_suffix(1);
  return d;
}

isup::Number basic_isup_number(const mapping::IsupNumber& n, isup::NumberKind kind) {
  isup::Number out;
  out.kind = kind;
  out.nai = static_cast<std::uint8_t>(n.nai);
  out.npi = n.npi;
  std::string d = n.digits;
  if (n.complete) d += 'F';
  out.digits.assign(d);
  return out;
}

}  // namespace

std::optional<std::string_view> sdp_body(const sip::Message& m) {
  if (m.body.empty()) return std::nullopt;
  auto ct = m.first(sip::HeaderId::kContentType);
  if (!ct) return std::nullopt;
  if (ct->find("application/sdp") != std::string_view::npos && ct->find("multipart") == std::string_view::npos)
    return m.body;
  // multipart/mixed (SIP-I): the SDP part starts at its "v=0" line.
  if (auto v = m.body.find("v=0"); v != std::string_view::npos) {
    auto rest = m.body.substr(v);
    auto end = rest.find("\r\n--");
    return end == std::string_view::npos ? rest : rest.substr(0, end + 2);
  }
  return std::nullopt;
}

Result<isup::SetupRequest, mapping::Rejection> basic_setup_from_invite(const sip::Message& invite,
                                                                       const mapping::SipProfile& profile) {
  if (invite.max_forwards && *invite.max_forwards == 0) return Err(mapping::Rejection{483, "Max-Forwards is 0"});
  std::string_view user = invite.request_uri.user;
  if (auto semi = user.find(';'); semi != std::string_view::npos) user = user.substr(0, semi);  // tel ;phone-context
  auto called = mapping::isup_number_from_sip_user(user, profile.plan, profile.append_st);
  if (!called) return Err(mapping::Rejection{484, "no usable called number in the Request-URI"});
  isup::SetupRequest req;
  req.called = basic_isup_number(*called, isup::NumberKind::kCalled);
  // Calling party: P-Asserted-Identity from a trusted peer (RFC 3325), else From.
  sip::NameAddr who = invite.from;
  if (auto pai = invite.first(sip::HeaderId::kPAssertedIdentity); pai && profile.trust_pai)
    if (auto na = sip::parse_name_addr(*pai)) who = *na;
  if (auto calling = mapping::isup_number_from_sip_user(who.uri.user, profile.plan, false)) {
    req.calling = basic_isup_number(*calling, isup::NumberKind::kCalling);
    req.calling->screening = 1;  // user provided, verified and passed (network provided would be 3)
  }
  req.transmission_medium = mapping::tmr_for(profile.audio_bearer);
  return req;
}

mapping::InviteFields basic_invite_from_setup(const isup::IncomingSetup& setup, const mapping::SipProfile& profile) {
  mapping::InviteFields f;
  auto to_user = [&](const isup::Number& n) {
    mapping::IsupNumber m;
    m.digits = std::string(strip_st(n.digits.view()));
    m.nai = n.nai >= 1 && n.nai <= 4 ? static_cast<mapping::Nai>(n.nai) : mapping::Nai::kUnknown;
    m.npi = n.npi;
    return mapping::sip_user_from_isup_number(m, profile.plan);
  };
  const std::string host = profile.host.empty() ? "invalid" : profile.host;
  const std::string called = to_user(setup.called);
  f.request_uri = "sip:" + called + "@" + host + ";user=phone";
  f.to = "<" + f.request_uri + ">";
  if (setup.calling && !setup.calling->digits.view().empty()) {
    const bool restricted = setup.calling->apri == 1;
    f.from = restricted ? "\"Anonymous\" <sip:anonymous@anonymous.invalid>"
                        : "<sip:" + to_user(*setup.calling) + "@" + host + ";user=phone>";
  } else {
    f.from = "<sip:unknown@" + host + ">";
  }
  f.codecs = mapping::codecs_for(f.bearer, profile.a_law);
  return f;
}

}  // namespace isupgw::engine
