// Outbound registration per trunk (RFC 3261 10.2): REGISTER with one Call-ID
// and a growing CSeq (10.2.4), credentials answered as for other requests
// (22.2, sip/ua_auth.cpp), refreshed at half the time the registrar granted;
// after a 403, a 5xx, a refused challenge or a timeout, again after a backoff
// that doubles (up to 16 times the first). Logged and counted (sip.register.*).
// A trunk resolved by DNS (RFC 3263) registers at the first of its targets; a
// target that failed is reported, so the next attempt goes to the next one.
#include "sip/rfc3263.h"
#include "sip/ua_session.h"

namespace isupgw::sip {

using namespace ua;

void UserAgent::send_register(std::size_t i, std::string credentials_header, std::string credentials) {
  if (i >= options_.registrations.size() || i >= regs_.size()) return;
  const RegistrationTarget& t = options_.registrations[i];
  RegState& st = regs_[i];
  if (stopped_ && !st.unregistering) return;
  if (st.call_id.empty()) {
    st.call_id = new_call_id(t.peer);
    st.from_tag = new_tag();
  }
  st.peer = t.peer;
  if (t.resolve && options_.trunk_targets != nullptr) {
    const auto targets = options_.trunk_targets->targets(t.trunk);
    if (targets.empty()) {  // not resolved yet: ask again shortly, not a failure
      if (st.timer) timers_->cancel(st.timer);
      st.next_at = clock_.now() + std::chrono::seconds(1);
      st.timer = timers_->start(std::chrono::seconds(1), [this, i] {
        regs_[i].timer = 0;
        send_register(i);
      });
      return;
    }
    st.peer = targets.front();
  }
  const std::string branch = new_branch();
  OutMessage m = OutMessage::request("REGISTER", t.registrar);
  m.add(HeaderId::kVia, via(t.peer.transport, branch));
  m.add(HeaderId::kMaxForwards, "70");
  m.add(HeaderId::kFrom, "<" + t.aor + ">;tag=" + st.from_tag);
  m.add(HeaderId::kTo, "<" + t.aor + ">");
  m.add(HeaderId::kCallId, st.call_id);
  m.add(HeaderId::kCSeq, std::to_string(++st.cseq) + " REGISTER");
  // 10.2.2: removing our binding is Expires 0, on the Contact and the request.
  m.add(HeaderId::kContact, st.unregistering ? contact(t.peer.transport) + ";expires=0" : contact(t.peer.transport));
  m.add(HeaderId::kExpires, st.unregistering ? std::string("0") : std::to_string(t.expires));
  add_agent(m, HeaderId::kUserAgent, st.peer);
  if (!credentials_header.empty()) add_headers(m, {{credentials_header, credentials}});
  const TransactionId tx = tx_.send_request(Method::kRegister, branch, st.peer, m.serialize());
  tx_refs_[tx] = TxRef{0, Purpose::kRegister, i, st.auth_tries};
  st.tx = tx;
  counters_.get("sip.register.sent").inc();
}

void UserAgent::register_failed(std::size_t i, std::string_view reason) {
  RegState& st = regs_[i];
  const RegistrationTarget& t = options_.registrations[i];
  if (st.unregistering) {  // stopping: no retry
    st.unregistering = false;
    counters_.get("sip.register.failed").inc();
    log_.warn(Subsystem::kSip, "unregistration_failed", {{"trunk", t.trunk}, {"reason", reason}});
    close_when_unregistered();
    return;
  }
  st.registered = false;
  st.granted = 0;
  st.auth_tries = 0;
  const unsigned doublings = std::min(st.failures, 4u);
  ++st.failures;
  const Clock::duration first = t.backoff.count() != 0 ? t.backoff : options_.registration_backoff;
  const Clock::duration wait = first * (1u << doublings);
  counters_.get("sip.register.failed").inc();
  if (t.resolve && options_.trunk_targets != nullptr) options_.trunk_targets->failed(st.peer, reason);
  log_.warn(Subsystem::kSip, "registration_failed",
            {{"trunk", t.trunk},
             {"reason", reason},
             {"retry_ms", std::chrono::duration_cast<std::chrono::milliseconds>(wait).count()}});
  if (st.timer) timers_->cancel(st.timer);
  st.next_at = clock_.now() + wait;
  st.timer = timers_->start(wait, [this, i] {
    regs_[i].timer = 0;
    send_register(i);
  });
}

void UserAgent::on_register_response(std::size_t i, const TxRef& ref, const Message& r) {
  if (i >= regs_.size() || r.status < 200) return;
  RegState& st = regs_[i];
  const RegistrationTarget& t = options_.registrations[i];
  st.last_status = std::to_string(r.status);
  if (success(r.status) && st.unregistering) {
    st.unregistering = false;
    st.registered = false;
    st.granted = 0;
    counters_.get("sip.register.removed").inc();
    log_.notice(Subsystem::kSip, "unregistered", {{"trunk", t.trunk}, {"aor", t.aor}});
    close_when_unregistered();
    return;
  }
  if (success(r.status)) {
    // 10.3: the registrar may shorten the time: our Contact's expires, else Expires.
    std::uint32_t granted = t.expires;
    if (auto e = r.first(HeaderId::kExpires))
      if (auto n = parse_number(*e, 0xffffffffu)) granted = *n;
    for (std::string_view c : r.values(HeaderId::kContact)) {
      const auto at = c.find("expires=");
      if (at == std::string_view::npos) continue;
      std::string_view v = c.substr(at + 8);
      v = v.substr(0, v.find_first_not_of("0123456789"));
      if (auto n = parse_number(v, 0xffffffffu)) granted = std::min(granted, *n);
    }
    const bool first = !st.registered;
    st.registered = true;
    st.granted = granted;
    st.failures = 0;
    st.auth_tries = 0;
    counters_.get("sip.register.ok").inc();
    log_.notice(Subsystem::kSip, first ? "registered" : "registration_refreshed",
                {{"trunk", t.trunk}, {"aor", t.aor}, {"expires", granted}});
    const Clock::duration refresh =
        std::max<Clock::duration>(std::chrono::seconds(granted) / 2, std::chrono::seconds(1));
    if (st.timer) timers_->cancel(st.timer);
    st.next_at = clock_.now() + refresh;
    st.timer = timers_->start(refresh, [this, i] {
      regs_[i].timer = 0;
      send_register(i);
    });
    return;
  }
  if (r.status == 401 || r.status == 407) {
    const DigestClientTrunk* cred = credentials_for(t.peer.host);
    std::string why;
    std::optional<DigestChallenge> ch = first_challenge(r, why);
    if (cred == nullptr) return register_failed(i, "challenged, no credentials");
    if (!ch) return register_failed(i, "no Digest challenge we can answer");
    if (ref.auth_tries > 0 && !ch->stale) return register_failed(i, "credentials refused");
    st.auth_tries = static_cast<std::uint8_t>(ref.auth_tries + 1);
    const auto creds = sip::answer_challenge(*ch, cred->user.username, cred->user.password, "REGISTER", t.registrar,
                                             new_tag() + new_tag());
    send_register(i, r.status == 401 ? "Authorization" : "Proxy-Authorization", format_credentials(creds));
    return;
  }
  register_failed(i, std::to_string(r.status));
}

std::string_view to_string(RegistrationState s) {
  switch (s) {
    case RegistrationState::kRegistering: return "registering";
    case RegistrationState::kRegistered: return "registered";
    case RegistrationState::kRetrying: return "retrying";
    case RegistrationState::kUnregistering: return "unregistering";
    case RegistrationState::kUnregistered: return "unregistered";
  }
  return "?";
}

std::vector<RegistrationStatus> UserAgent::registrations() const {
  std::vector<RegistrationStatus> out;
  const auto now = clock_.now();
  for (std::size_t i = 0; i < regs_.size() && i < options_.registrations.size(); ++i) {
    const RegState& st = regs_[i];
    const RegistrationTarget& t = options_.registrations[i];
    RegistrationStatus v;
    v.trunk = t.trunk;
    v.aor = t.aor;
    v.registrar = t.registrar;
    v.target = st.peer.host.empty() ? t.peer : st.peer;
    v.state = st.unregistering  ? RegistrationState::kUnregistering
              : st.registered   ? RegistrationState::kRegistered
              : stopped_        ? RegistrationState::kUnregistered
              : st.failures > 0 ? RegistrationState::kRetrying
                                : RegistrationState::kRegistering;
    v.expires = st.registered ? st.granted : 0;
    v.last_status = st.last_status;
    if (st.timer != 0) v.next_in = std::max<Clock::duration>(st.next_at - now, Clock::duration::zero());
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace isupgw::sip
