// Mid-call ISUP through SIP-I / SIP-T (RFC 3372, Q.1912.5 profile C): an INFO
// carrying CPG, USR, FAC, SUS, RES, SAM, INR or INF goes into ISUP through call
// control's procedure for it; an INFO body that is no usable ISUP is refused
// (415 with Accept, 400), never answered 200 and dropped. The reverse: CPG
// after answer, USR, FAC, SUS, RES and INF from ISUP reach the SIP side
// encapsulated unchanged, in INFO (or in a 183 while the SIP caller is not yet
// answered and has no confirmed dialog to carry an INFO).
#include "engine/call_engine.h"
#include "engine/call_engine_helpers.h"
#include "isup/codes.h"
#include "mapping/isup_transparency.h"

namespace isupgw::engine {

namespace {
sip::InfoAnswer refusal(int status, std::string_view why, std::string accept = {}) {
  sip::InfoAnswer a;
  a.status = status;
  if (status == 415) a.headers.emplace_back("Accept", std::move(accept));
  a.headers.emplace_back("Warning", "399 isupgw \"" + std::string(why) + "\"");
  return a;
}
}  // namespace

sip::InfoAnswer CallEngine::on_info(sip::SessionId s, const sip::Message& info) {
  Entry guard(*this);
  Call* c = by_sid(s);
  if (c == nullptr) return refusal(481, "no call for this dialog");
  if (auto dtmf = dtmf_info(*c, info)) return *dtmf;  // call_engine_dtmf.cpp
  const bool from_a = c->a.sip && c->a.sid == s;
  const Leg& here = from_a ? c->a : c->b;
  const Leg& other = from_a ? c->b : c->a;
  const mapping::SipProfile prof = here.trunk ? here.trunk->profile : mapping::SipProfile{};
  auto m = mapping::isup_in_info(info, prof);
  if (!m) {
    counters_.get("call.info_refused").inc();
    log_.notice(Subsystem::kCall, "info_refused",
                {{"call", c->id}, {"status", m.error().status}, {"reason", m.error().warning}});
    std::string accept = mapping::info_accept(prof);  // and the DTMF bodies of call_engine_dtmf.cpp
    accept += std::string(accept.empty() ? "" : ", ") + "application/dtmf-relay, application/dtmf";
    return refusal(m.error().status, m.error().warning, std::move(accept));
  }
  if (!*m) return {};  // no body: nothing to carry (RFC 6086 legacy INFO)
  const isup::Message& isup_msg = **m;
  if (other.sip) {  // SIP-I/SIP-T on both sides: the INFO goes on with the same ISUP message
    if (other.sid == 0 || !sip_ || other.trunk == nullptr) return refusal(481, "the other side is gone");
    auto body = mapping::info_for_isup(isup_msg, other.trunk->profile);
    if (!body) return refusal(403, "no ISUP beyond this gateway on that call");
    auto headers = mapping::body_headers(*body, other.trunk->profile);
    sip_->info(other.sid, std::move(headers), std::move(*body));
    return {};
  }
  if (other.cid == 0 || !isup_) return refusal(481, "the circuit is gone");
  auto r = isup_->forward(other.cid, isup_msg);
  const std::string_view type = isup::message_acronym(isup_msg.type, prof.variant);
  if (!r) {
    counters_.get("call.info_refused").inc();
    log_.notice(Subsystem::kCall, "info_refused",
                {{"call", c->id}, {"isup", type}, {"reason", isup::to_string(r.error())}});
    // Q.764 does not allow that message in the call's state: understood, refused.
    if (r.error() == isup::CcError::kWrongState) return refusal(403, std::string(type) + " not allowed in this state");
    if (r.error() == isup::CcError::kUnknownCall) return refusal(481, "the circuit is gone");
    return refusal(400, std::string(type) + " is not carried in INFO");
  }
  counters_.get("call.info_to_isup").inc();
  log_.info(Subsystem::kCall, "info_to_isup", {{"call", c->id}, {"isup", type}});
  return {};
}

void CallEngine::isup_to_sip(isup::CallId id, const isup::Message& m) {
  Call* c = by_cid(id);
  if (c == nullptr) return ignored_.inc();
  const bool from_a = c->a.cid == id && !c->a.sip;
  const Leg& leg = from_a ? c->b : c->a;
  if (!leg.sip || leg.sid == 0 || !sip_ || leg.trunk == nullptr) return ignored_.inc();
  const auto& prof = leg.trunk->profile;
  auto body = mapping::info_for_isup(m, prof);
  if (!body) {
    // A plain SIP trunk (Q.1912.5 profile A/B): no SIP equivalent for it.
    counters_.get("call.isup_not_carried").inc();
    return;
  }
  auto headers = mapping::body_headers(*body, prof);
  counters_.get("call.isup_to_sip").inc();
  log_.info(Subsystem::kCall, "isup_to_sip", {{"call", c->id}, {"isup", isup::message_acronym(m.type, prof.variant)}});
  if (!c->answered && &leg == &c->a)  // our unanswered caller: a 183 carries it (Q.1912.5, RFC 3372)
    return sip_->provisional(leg.sid, 183, std::move(headers), std::move(*body), false);
  sip_->info(leg.sid, std::move(headers), std::move(*body));
}

void CallEngine::on_suspend(isup::CallId id, bool, const isup::Message& sus) {
  Entry guard(*this);
  isup_to_sip(id, sus);
}
void CallEngine::on_resume(isup::CallId id, bool, const isup::Message& res) {
  Entry guard(*this);
  isup_to_sip(id, res);
}
void CallEngine::on_information(isup::CallId id, const isup::InformationIndicators&, const isup::Message& inf) {
  Entry guard(*this);
  isup_to_sip(id, inf);
}
void CallEngine::on_user_to_user(isup::CallId id, const isup::Message& usr) {
  Entry guard(*this);
  isup_to_sip(id, usr);
}
void CallEngine::on_facility(isup::CallId id, const isup::Message& fac) {
  Entry guard(*this);
  isup_to_sip(id, fac);
}

}  // namespace isupgw::engine
