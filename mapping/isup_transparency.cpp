#include "mapping/isup_transparency.h"

#include <array>

#include "isup/codes.h"
#include "sip/grammar.h"

namespace isupgw::mapping {

namespace {

std::optional<isup::Message> of_types(std::optional<isup::Message> m, std::initializer_list<std::uint8_t> types) {
  if (m)
    for (auto t : types)
      if (m->type == t) return m;
  return std::nullopt;
}

// RFC 3204 Table 1 base tokens a trunk of that variant can parse.
std::span<const std::string_view> bases_for(isup::Variant v) {
  static constexpr std::array<std::string_view, 2> kItu = {"itu-t92+", "itu-t88"};
  static constexpr std::array<std::string_view, 3> kEtsi = {"etsi356", "etsi121", "itu-t92+"};
  static constexpr std::array<std::string_view, 3> kAnsi = {"ansi00", "ansi88", "gr317"};
  switch (v) {
    case isup::Variant::kEtsi: return kEtsi;
    case isup::Variant::kAnsi: return kAnsi;
    case isup::Variant::kItu: break;
  }
  return kItu;
}

}  // namespace

std::optional<isup::Message> encapsulated_isup(const sip::Message& m, const SipProfile& profile) {
  if (profile.kind == SipProfile::kSip) return std::nullopt;
  auto b = received_bodies(m);
  if (!b || !b->isup) return std::nullopt;
  return decode_isup_body(*b->isup, profile.variant);
}

std::optional<isup::Message> backward_basis(const sip::Message& response, const SipProfile& profile) {
  namespace msg = isup::msg;
  return of_types(encapsulated_isup(response, profile), {msg::kAcm, msg::kCpg, msg::kAnm, msg::kCon});
}

std::optional<isup::Message> release_basis(const sip::Message& m, const SipProfile& profile) {
  return of_types(encapsulated_isup(m, profile), {isup::msg::kRel});
}

bool isup_version_usable(std::string_view version, std::string_view base, const SipProfile& profile) {
  using sip::grammar::iequals;
  if (!version.empty() && iequals(version, profile.isup_version)) return true;
  for (auto token : bases_for(profile.variant))
    if (iequals(version, token) || iequals(base, token)) return true;
  return false;
}

std::string info_accept(const SipProfile& profile) {
  if (profile.kind == SipProfile::kSip) return {};  // RFC 3261 20.1: empty = no body acceptable
  return "application/ISUP;version=" + profile.isup_version;
}

Result<std::optional<isup::Message>, Rejection> isup_in_info(const sip::Message& info, const SipProfile& profile) {
  namespace msg = isup::msg;
  if (info.body.empty()) return std::optional<isup::Message>{};
  auto unsupported = [](std::string why) { return Err(Rejection{415, std::move(why)}); };
  if (profile.kind == SipProfile::kSip) return unsupported("no ISUP on this trunk");
  auto b = received_bodies(info);
  if (!b) return Err(b.error());
  if (!b->isup) return unsupported("INFO body carries no application/ISUP");
  if (!isup_version_usable(b->isup_version, b->isup_base, profile))
    return unsupported("application/ISUP version " + std::string(b->isup_version) + " not supported");
  auto m = decode_isup_body(*b->isup, profile.variant);
  if (!m) return Err(Rejection{400, "undecodable ISUP body"});
  switch (m->type) {
    case msg::kCpg:
    case msg::kUsr:
    case msg::kFac:
    case msg::kSus:
    case msg::kRes:
    case msg::kSam:
    case msg::kInr:
    case msg::kInf: return std::optional<isup::Message>(*m);
    default: break;
  }
  return Err(Rejection{
      400, "ISUP " + std::string(isup::message_acronym(m->type, profile.variant)) + " is not carried in INFO"});
}

}  // namespace isupgw::mapping
