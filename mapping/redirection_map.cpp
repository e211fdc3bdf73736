#include "mapping/redirection_map.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <string>
#include <utility>
#include <vector>

#include "isup/codes.h"
#include "sip/grammar.h"
#include "sip/headers.h"
#include "sip/uri.h"

namespace isupgw::mapping {
namespace {

constexpr std::array<std::pair<std::uint8_t, int>, 7> kReasonToCause = {{
    {0, 404},
    {1, 486},
    {2, 408},
    {3, 302},
    {4, 487},
    {5, 480},
    {6, 503},
}};

constexpr std::array<std::pair<std::uint8_t, std::string_view>, 7> kReasonToDiversion = {{
    {0, "unknown"},
    {1, "user-busy"},
    {2, "no-answer"},
    {3, "unconditional"},
    {4, "deflection"},
    {5, "deflection"},
    {6, "unavailable"},
}};

bool restricted_info(const Redirection& r) {
  return r.info && (r.info->redirecting_indicator == kRedirReroutedAllRestricted ||
                    r.info->redirecting_indicator == kRedirDivertedAllRestricted);
}
bool restricted(const std::optional<isup::Number>& n, const Redirection& r) {
  return restricted_info(r) || (n && n->apri == 1);
}

std::optional<isup::Number> number_param(const isup::Message& m, std::uint8_t code) {
  const isup::Param* p = m.find(code);
  if (p == nullptr) return std::nullopt;
  auto n = isup::Number::decode(isup::NumberKind::kRedirecting, p->value);
  if (!n) return std::nullopt;
  return *n;
}

std::optional<isup::Number> number_from_user(std::string_view user, const SipProfile& profile) {
  auto n = isup_number_for(user, profile, false);
  if (!n) return std::nullopt;
  return to_isup(*n, isup::NumberKind::kRedirecting);
}

std::string uri_for(const isup::Number& n, const SipProfile& profile) {
  return phone_uri(sip_user_for(from_isup(n), profile), profile);
}

int parse_int(std::string_view s, int fallback) {
  s = sip::grammar::unquote(s);
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() ? v : fallback;
}

struct HiEntry {
  std::string index;
  std::optional<std::string> user;
  std::optional<int> cause;
  bool privacy = false;
};

// "1.1.2" compares level by level.
bool index_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    std::size_t ei = a.find('.', i), ej = b.find('.', j);
    if (ei == std::string::npos) ei = a.size();
    if (ej == std::string::npos) ej = b.size();
    int x = parse_int(std::string_view(a).substr(i, ei - i), 0),
        y = parse_int(std::string_view(b).substr(j, ej - j), 0);
    if (x != y) return x < y;
    i = ei + 1;
    j = ej + 1;
  }
  return a.size() < b.size();
}

Redirection from_history_info(const sip::Message& m, const SipProfile& profile) {
  std::vector<HiEntry> entries;
  for (std::string_view v : m.values(sip::HeaderId::kHistoryInfo)) {
    auto na = sip::parse_name_addr(v);
    if (!na) continue;
    HiEntry e;
    e.index = std::string(na->params.get("index").value_or("1"));
    e.user = phone_user(na->uri);
    // RFC 4458: cause is a URI parameter of the retargeted-to URI.
    if (auto c = na->uri.params.get("cause")) e.cause = parse_int(*c, 0);
    // RFC 7044 10.1: privacy in the escaped Privacy header of the hi-targeted-to-uri.
    std::string headers = sip::grammar::unescape(na->uri.headers);
    e.privacy = headers.find("history") != std::string::npos || headers.find("Privacy=id") != std::string::npos;
    entries.push_back(std::move(e));
  }
  Redirection r;
  std::stable_sort(entries.begin(), entries.end(),
                   [](const HiEntry& a, const HiEntry& b) { return index_less(a.index, b.index); });
  unsigned diversions = 0;
  for (const auto& e : entries)
    if (e.cause && reason_for_history_cause(*e.cause)) ++diversions;
  if (entries.size() < 2 || diversions == 0) return r;
  bool any_private = false;
  if (entries.front().user) {
    r.original_called = number_from_user(*entries.front().user, profile);
    any_private = any_private || entries.front().privacy;
  }
  const HiEntry& last = entries.back();
  const HiEntry& diverting = entries[entries.size() - 2];
  if (diverting.user) r.redirecting = number_from_user(*diverting.user, profile);
  any_private = any_private || diverting.privacy;
  isup::RedirectionInformation info;
  info.redirecting_indicator = any_private ? kRedirDivertedAllRestricted : kRedirDiverted;
  info.redirection_reason = last.cause ? reason_for_history_cause(*last.cause).value_or(0) : 0;
  // The first diversion's reason is the cause on the entry after the original target.
  info.original_redirection_reason =
      entries[1].cause ? reason_for_history_cause(*entries[1].cause).value_or(0) : info.redirection_reason;
  info.redirection_counter = static_cast<std::uint8_t>(std::min<unsigned>(diversions, kMaxRedirectionCounter));
  r.info = info;
  if (any_private) {
    if (r.original_called) r.original_called->apri = 1;
    if (r.redirecting) r.redirecting->apri = 1;
  }
  return r;
}

Redirection from_diversion(const sip::Message& m, const SipProfile& profile) {
  struct Div {
    std::optional<std::string> user;
    std::uint8_t reason = 0;
    int counter = 1;
    bool privacy = false;
  };
  std::vector<Div> divs;
  for (std::string_view v : m.values(sip::HeaderId::kDiversion)) {
    auto na = sip::parse_name_addr(v);
    if (!na) continue;
    Div d;
    d.user = phone_user(na->uri);
    d.reason = reason_for_diversion(sip::grammar::unquote(na->params.get("reason").value_or("unknown")));
    d.counter = parse_int(na->params.get("counter").value_or("1"), 1);
    auto priv = sip::grammar::unquote(na->params.get("privacy").value_or("off"));
    d.privacy = sip::grammar::iequals(priv, "full") || sip::grammar::iequals(priv, "name") ||
                sip::grammar::iequals(priv, "uri");
    divs.push_back(std::move(d));
  }
  Redirection r;
  if (divs.empty()) return r;
  const Div& top = divs.front();    // most recent diversion (RFC 5806 3)
  const Div& bottom = divs.back();  // the first one: the original called number
  if (top.user) r.redirecting = number_from_user(*top.user, profile);
  if (divs.size() > 1 && bottom.user) r.original_called = number_from_user(*bottom.user, profile);
  int counter = 0;
  bool any_private = false;
  for (const auto& d : divs) {
    counter += std::max(d.counter, 1);
    any_private = any_private || d.privacy;
  }
  isup::RedirectionInformation info;
  info.redirecting_indicator = any_private ? kRedirDivertedAllRestricted : kRedirDiverted;
  info.redirection_reason = top.reason;
  info.original_redirection_reason = bottom.reason;
  info.redirection_counter = static_cast<std::uint8_t>(std::min<int>(counter, kMaxRedirectionCounter));
  r.info = info;
  if (any_private) {
    if (r.original_called) r.original_called->apri = 1;
    if (r.redirecting) r.redirecting->apri = 1;
  }
  return r;
}

}  // namespace

int history_cause_for_reason(std::uint8_t reason) {
  for (auto [r, c] : kReasonToCause)
    if (r == reason) return c;
  return 404;
}

std::optional<std::uint8_t> reason_for_history_cause(int cause) {
  for (auto [r, c] : kReasonToCause)
    if (c == cause) return r;
  return std::nullopt;
}

std::string_view diversion_reason_for(std::uint8_t reason) {
  for (auto [r, s] : kReasonToDiversion)
    if (r == reason) return s;
  return "unknown";
}

std::uint8_t reason_for_diversion(std::string_view reason) {
  if (sip::grammar::iequals(reason, "user-busy")) return 1;
  if (sip::grammar::iequals(reason, "no-answer")) return 2;
  if (sip::grammar::iequals(reason, "unconditional")) return 3;
  // RFC 5806 "deflection" does not say when: read as deflection immediate response.
  if (sip::grammar::iequals(reason, "deflection")) return 5;
  if (sip::grammar::iequals(reason, "unavailable")) return 6;
  // time-of-day, do-not-disturb, follow-me, out-of-service, away, unknown: no ISUP equivalent.
  return 0;
}

Redirection redirection_from_iam(const isup::Message& iam) {
  Redirection r;
  r.original_called = number_param(iam, isup::par::kOriginalCalledNumber);
  r.redirecting = number_param(iam, isup::par::kRedirectingNumber);
  if (const isup::Param* p = iam.find(isup::par::kRedirectionInformation)) {
    if (auto ri = isup::RedirectionInformation::decode(p->value)) r.info = *ri;
  }
  return r;
}

std::vector<isup::OwnedParam> redirection_params(const Redirection& r) {
  std::vector<isup::OwnedParam> out;
  auto add = [&out](std::uint8_t code, const auto& v) {
    isup::ParamBytes b;
    v.encode(b);
    out.emplace_back(code, std::vector<std::uint8_t>(b.begin(), b.end()));
  };
  if (r.original_called) add(isup::par::kOriginalCalledNumber, *r.original_called);
  if (r.redirecting) add(isup::par::kRedirectingNumber, *r.redirecting);
  if (r.info) add(isup::par::kRedirectionInformation, *r.info);
  return out;
}

Redirection redirection_from_sip(const sip::Message& invite, const SipProfile& profile) {
  if (invite.has(sip::HeaderId::kHistoryInfo)) {
    Redirection r = from_history_info(invite, profile);
    if (r.present()) return r;
  }
  if (invite.has(sip::HeaderId::kDiversion)) return from_diversion(invite, profile);
  return {};
}

sip::HeaderList redirection_headers(const Redirection& r, std::string_view called_uri, const SipProfile& profile) {
  sip::HeaderList out;
  if (!r.redirecting && !r.original_called) return out;
  const std::uint8_t reason = r.info ? r.info->redirection_reason : 0;
  const std::uint8_t original_reason = r.info ? r.info->original_redirection_reason : reason;
  const unsigned counter = r.info && r.info->redirection_counter > 0 ? r.info->redirection_counter : 1;
  if (profile.redirection == RedirectionHeader::kDiversion) {
    auto div = [&](const isup::Number& n, std::uint8_t why, unsigned count, bool priv) {
      std::string v = "<" + uri_for(n, profile) + ">;reason=" + std::string(diversion_reason_for(why));
      v += ";counter=" + std::to_string(count);
      if (priv) v += ";privacy=full";
      out.emplace_back("Diversion", std::move(v));
    };
    const isup::Number& last = r.redirecting ? *r.redirecting : *r.original_called;
    const bool two = r.original_called && r.redirecting && !(r.original_called->digits == r.redirecting->digits);
    div(last, reason, two ? counter - 1 : counter, restricted(r.redirecting ? r.redirecting : r.original_called, r));
    if (two) div(*r.original_called, original_reason, 1, restricted(r.original_called, r));
    return out;
  }
  // History-Info (RFC 7044): 1 = original target, 1.1 = diverting user (when
  // different), last = current target with the RFC 4458 cause.
  std::string index = "1";
  auto entry = [&](std::string uri, std::optional<int> cause, bool priv) {
    if (cause) uri += ";cause=" + std::to_string(*cause);
    if (priv) uri += "?Privacy=history";
    out.emplace_back("History-Info", "<" + uri + ">;index=" + index);
    index += ".1";
  };
  const isup::Number& first = r.original_called ? *r.original_called : *r.redirecting;
  entry(uri_for(first, profile), std::nullopt, restricted(r.original_called ? r.original_called : r.redirecting, r));
  if (r.original_called && r.redirecting && !(r.original_called->digits == r.redirecting->digits))
    entry(uri_for(*r.redirecting, profile), history_cause_for_reason(original_reason), restricted(r.redirecting, r));
  entry(std::string(called_uri), history_cause_for_reason(reason), false);
  return out;
}

namespace {
// The index of a History-Info entry as we wrote it ("<...>;index=1.1").
std::string hi_index(std::string_view value) {
  auto close = value.rfind('>');
  auto at = value.find(";index=", close == std::string_view::npos ? 0 : close);
  if (at == std::string_view::npos) return {};
  value.remove_prefix(at + 7);
  return std::string(value.substr(0, value.find_first_of(";, ")));
}

// `uri` with `param` added to its parameters (before any "?headers").
std::string with_uri_param(std::string_view uri, std::string_view param) {
  const auto q = uri.find('?');
  std::string out(uri.substr(0, q));
  out += param;
  if (q != std::string_view::npos) out += uri.substr(q);
  return out;
}

std::uint8_t reason_for_status(int status) { return reason_for_history_cause(status).value_or(0); }
}  // namespace

sip::HeaderList retarget_headers(const sip::HeaderList& sent, std::string_view old_uri, std::string_view new_uri,
                                 int status, const SipProfile& profile) {
  sip::HeaderList out;
  if (profile.redirection == RedirectionHeader::kDiversion) {
    // RFC 5806 3: the most recent diversion is the top Diversion header.
    bool added = false;
    auto add = [&] {
      out.emplace_back("Diversion", "<" + std::string(old_uri) + ">;reason=" +
                                        std::string(diversion_reason_for(reason_for_status(status))) + ";counter=1");
      added = true;
    };
    for (const auto& h : sent) {
      if (!added && sip::grammar::iequals(h.first, "Diversion")) add();
      out.push_back(h);
    }
    if (!added) add();
    return out;
  }
  std::string last;
  for (const auto& h : sent) {
    out.push_back(h);
    if (sip::grammar::iequals(h.first, "History-Info"))
      if (auto i = hi_index(h.second); !i.empty()) last = i;
  }
  if (last.empty()) {
    out.emplace_back("History-Info", "<" + std::string(old_uri) + ">;index=1");
    last = "1";
  }
  out.emplace_back("History-Info",
                   "<" + with_uri_param(new_uri, ";cause=" + std::to_string(status)) + ">;index=" + last + ".1");
  return out;
}

std::vector<isup::OwnedParam> returned_redirection_params(std::string_view contact_uri, int status,
                                                          const std::optional<isup::RedirectionInformation>& iam_info,
                                                          const SipProfile& profile) {
  std::vector<isup::OwnedParam> out;
  auto uri = sip::parse_uri(contact_uri);
  if (!uri) return out;
  auto user = phone_user(*uri);
  if (!user) return out;
  auto n = isup_number_for(*user, profile, false);
  if (!n) return out;
  isup::ParamBytes b;
  to_isup(*n, isup::NumberKind::kCalled).encode(b);
  out.emplace_back(isup::par::kRedirectionNumber, std::vector<std::uint8_t>(b.begin(), b.end()));
  isup::RedirectionInformation ri;
  ri.redirecting_indicator = kRedirDiverted;
  ri.redirection_reason = reason_for_status(status);
  ri.original_redirection_reason = iam_info ? iam_info->original_redirection_reason : ri.redirection_reason;
  const unsigned before = iam_info ? iam_info->redirection_counter : 0;
  ri.redirection_counter = static_cast<std::uint8_t>(std::min<unsigned>(before + 1, kMaxRedirectionCounter));
  isup::ParamBytes rb;
  ri.encode(rb);
  out.emplace_back(isup::par::kRedirectionInformation, std::vector<std::uint8_t>(rb.begin(), rb.end()));
  return out;
}

}  // namespace isupgw::mapping
