// The call engine, issue 20: a 3xx final response to leg B's INVITE (RFC 3261 8.1.3.4, 16.6 step 5 q
// order; Q.1912.5 redirection), per the SIP trunk's `redirect` setting:
//   follow: a new INVITE to the best Contact not yet tried, at most max_redirects a call; the ISUP side
//           sees only the final outcome. The Request-URI is the Contact; it goes to the configured trunk
//           at that host and port, else through the trunk that redirected (its address as the next hop).
//           History-Info (RFC 7044 9.4, RFC 4458 cause) or Diversion (RFC 5806) record the retargeting.
//   isup:   the REL towards the ISUP caller carries cause 23 (Q.850 redirection to new destination), the
//           redirection number and the redirection information (Q.763 3.45, 3.46, Q.763 table 26 REL).
//   refuse: released like any failure (the cause table's cause for the status).
#include <algorithm>
#include <charconv>

#include "engine/call_engine.h"
#include "engine/call_engine_helpers.h"
#include "isup/builder.h"
#include "isup/codes.h"
#include "mapping/redirection_map.h"
#include "sip/headers.h"
#include "sip/uri.h"

namespace isupgw::engine {
namespace {

struct Contact {
  double q = 1.0;
  std::string uri;  // without "?headers" (RFC 3261 19.1.5: not copied into the new request here)
};

// The Contacts of a 3xx, best first (RFC 3261 16.6: higher q first; equal q keep their order).
std::vector<Contact> contacts_of(const sip::Message& response) {
  std::vector<Contact> out;
  for (std::string_view v : response.values(sip::HeaderId::kContact)) {
    auto na = sip::parse_name_addr(v);
    if (!na || na->star) continue;
    Contact c;
    std::string_view text = na->uri.text;
    c.uri = std::string(text.substr(0, text.find('?')));
    if (auto q = na->params.get("q")) {
      double d = 1.0;
      auto [p, ec] = std::from_chars(q->data(), q->data() + q->size(), d);
      if (ec == std::errc()) c.q = d;
    }
    out.push_back(std::move(c));
  }
  std::stable_sort(out.begin(), out.end(), [](const Contact& a, const Contact& b) { return a.q > b.q; });
  return out;
}

// user@host:port of a URI, the loop guard's key (parameters and case of the scheme aside).
std::string target_key(std::string_view uri) {
  auto u = sip::parse_uri(uri);
  if (!u) return std::string(uri);
  std::string k(u->user);
  k += '@';
  for (char ch : u->host) k += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  k += ':' + std::to_string(u->port != 0 ? u->port : u->scheme == sip::Scheme::kSips ? 5061 : 5060);
  return k;
}

}  // namespace

const SipTrunkInfo* CallEngine::trunk_at(const Call& c, const sip::Uri& u, const SipTrunkInfo* fallback) const {
  if (!u.is_sip()) return fallback;
  std::string host(u.host);
  if (u.ipv6()) host = host.substr(1, host.size() - 2);
  const std::uint16_t port = u.port != 0 ? u.port : u.scheme == sip::Scheme::kSips ? 5061 : 5060;
  for (const auto& t : c.routing->trunks)
    if (!t.by_name && t.peer.host == host && t.peer.port == port) return &t;
  return fallback;
}

bool CallEngine::on_redirect(Call& c, const sip::Message& response) {
  const SipTrunkInfo* trunk = c.b.trunk;
  if (trunk == nullptr || c.route == nullptr || c.state() == CallState::kActive) return false;
  switch (trunk->redirect) {
    case SipTrunkInfo::Redirect::kFollow: return follow_redirect(c, response);
    case SipTrunkInfo::Redirect::kIsup: return return_redirect(c, response);
    case SipTrunkInfo::Redirect::kRefuse: break;
  }
  counters_.get("call.redirect.refused").inc();
  log_.info(Subsystem::kCall, "redirect",
            {{"call", c.id}, {"status", response.status}, {"trunk", trunk->name}, {"outcome", "refused"},
             {"reason", "trunk setting redirect: refuse"}});
  return false;
}

bool CallEngine::follow_redirect(Call& c, const sip::Message& response) {
  const SipTrunkInfo& from = *c.b.trunk;
  if (!sip_ || c.target >= c.invites.size()) return false;
  const sip::OutgoingInvite& sent = c.invites[c.target];
  auto give_up = [&](const char* counter, const char* why) {
    counters_.get(counter).inc();
    log_.notice(Subsystem::kCall, "redirect",
                {{"call", c.id}, {"status", response.status}, {"trunk", from.name}, {"outcome", "not followed"},
                 {"reason", why}, {"redirects", c.redirects}});
    return false;
  };
  if (c.redirects >= from.max_redirects) return give_up("call.redirect.over_limit", "max_redirects reached");
  if (c.tried.empty()) c.tried.push_back(target_key(sent.request_uri));
  const Contact* next = nullptr;
  const auto contacts = contacts_of(response);
  for (const auto& ct : contacts)
    if (std::find(c.tried.begin(), c.tried.end(), target_key(ct.uri)) == c.tried.end()) {
      next = &ct;
      break;
    }
  if (next == nullptr)
    return give_up("call.redirect.unusable",
                   contacts.empty() ? "no Contact in the 3xx" : "every Contact already tried (loop)");
  auto u = sip::parse_uri(next->uri);
  if (!u || !(u->is_sip() || u->scheme == sip::Scheme::kTel))
    return give_up("call.redirect.unusable", "Contact is not a sip:, sips: or tel: URI");
  // The configured trunk at the Contact's host and port; else the redirecting trunk is the next hop.
  const SipTrunkInfo* to = trunk_at(c, *u, &from);
  if (!sip_trunk_in_service(to->name)) return give_up("call.redirect.unusable", "Contact's trunk out of service");
  if (auto h = health_.find(to->name); h != health_.end() && !h->second->up())
    return give_up("call.redirect.unusable", "Contact's trunk down");
  sip::OutgoingInvite inv = sent;
  if (to != &from) {
    inv.peer = to->peer;
    inv.alternates.clear();
  }
  inv.call_id.clear();  // a new dialog (RFC 3261 8.1.3.4: a new request, 8.1.1)
  inv.request_uri = next->uri;
  inv.headers = mapping::retarget_headers(sent.headers, sent.request_uri, next->uri, response.status, to->profile);
  ++c.redirects;
  c.tried.push_back(target_key(next->uri));
  counters_.get("call.redirect.followed").inc();
  log_.info(Subsystem::kCall, "redirect",
            {{"call", c.id}, {"status", response.status}, {"trunk", from.name}, {"outcome", "followed"},
             {"target", inv.request_uri}, {"via", to->name}, {"redirects", c.redirects}});
  c.invites[c.target] = std::move(inv);
  c.b = Leg{};
  c.b.sip = true;
  c.b.trunk = to;
  c.b.sid = sip_->invite(c.invites[c.target]);
  by_sid_[c.b.sid] = &c;
  trace_invite_sent(c);
  cdr_sip_b(c, c.invites[c.target]);
  return true;
}

bool CallEngine::return_redirect(Call& c, const sip::Message& response) {
  const SipTrunkInfo& from = *c.b.trunk;
  auto give_up = [&](const char* why) {
    counters_.get("call.redirect.unusable").inc();
    log_.notice(Subsystem::kCall, "redirect",
                {{"call", c.id}, {"status", response.status}, {"trunk", from.name}, {"outcome", "not returned"},
                 {"reason", why}});
    return false;
  };
  if (c.a.sip || c.a.cid == 0 || !isup_) return give_up("the caller is not on ISUP");
  const auto contacts = contacts_of(response);
  std::vector<isup::OwnedParam> params;
  std::string target;
  for (const auto& ct : contacts) {
    params = mapping::returned_redirection_params(ct.uri, response.status, c.iam_redirection, from.profile);
    if (!params.empty()) {
      target = ct.uri;
      break;
    }
  }
  if (params.empty()) return give_up(contacts.empty() ? "no Contact in the 3xx" : "no Contact names a number");
  isup::CauseIndicators ci;
  ci.location = isup_location(c);
  ci.value = 23;  // Q.850: redirection to new destination
  isup::MessageBuilder rel(isup::msg::kRel);
  rel.variable(isup::par::kCauseIndicators, ci);
  for (const auto& p : params) rel.optional(p.code, p.value);
  counters_.get("call.redirect.returned").inc();
  log_.info(Subsystem::kCall, "redirect",
            {{"call", c.id}, {"status", response.status}, {"trunk", from.name}, {"outcome", "returned to isup"},
             {"target", target}});
  EventData d{23, 0, {}, &response, nullptr, nullptr};
  d.isup_basis = &rel.message();
  fire(c, CallEvent::kBFailed, d);
  return true;
}

}  // namespace isupgw::engine
