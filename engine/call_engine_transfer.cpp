// The call engine, issue 20: blind transfer by REFER (RFC 3515) from the SIP leg of an answered call
// whose other leg is ISUP. With the trunk's `transfer: perform` the REFER gets 202 (the stack sends the
// NOTIFY 100 Trying), the gateway sends a new INVITE to the Refer-To target with our offer (the circuit's
// MG connection) and the REFER's Referred-By (RFC 3892 3); each response of that INVITE is a NOTIFY
// (message/sipfrag, RFC 3515 2.4.5) to the referrer. When the target answers, the MG connection takes its
// SDP, the call's SIP leg becomes the new one and the referrer gets its BYE; the ISUP side sees nothing
// (no REL: the circuit stays answered). When the target refuses, the final NOTIFY says so and the call
// stays with the referrer (RFC 5589 6: the transferor may retrieve the call), unless the referrer has
// already left: then the call is released as by its BYE. `transfer: refuse` (default): 603 Decline.
#include "engine/call_engine.h"
#include "engine/call_engine_helpers.h"
#include "mapping/reason_header.h"
#include "sip/headers.h"
#include "sip/uri.h"

namespace isupgw::engine {

sip::ReferAnswer CallEngine::on_refer(sip::SessionId s, const sip::Message& refer) {
  Entry guard(*this);
  Call* c = by_sid(s);
  if (c == nullptr) return {481, {}};
  const bool from_b = c->b.sip && c->b.sid == s;
  const SipTrunkInfo* trunk = from_b ? c->b.trunk : c->a.trunk;
  auto refuse = [&](int status, const char* counter, const char* why) {
    counters_.get(counter).inc();
    log_.info(Subsystem::kCall, "transfer",
              {{"call", c->id}, {"outcome", "refused"}, {"status", status}, {"reason", why}});
    return sip::ReferAnswer{status, {{"Warning", std::string("399 isupgw \"") + why + "\""}}};
  };
  if (trunk == nullptr || !trunk->transfer) return refuse(603, "call.transfer.refused", "transfer refused by trunk setting");
  if (!from_b || c->a.sip || c->state() != CallState::kActive)
    return refuse(603, "call.transfer.refused", "transfer only of an answered call from ISUP");
  if (c->transfer_sid != 0) return refuse(603, "call.transfer.refused", "a transfer is in progress");
  if (refer.count(sip::HeaderId::kReferTo) != 1)
    return refuse(400, "call.transfer.bad_request", "REFER needs exactly one Refer-To");  // RFC 3515 2.4.1
  auto to = sip::parse_name_addr(*refer.first(sip::HeaderId::kReferTo));
  if (!to || !(to->uri.is_sip() || to->uri.scheme == sip::Scheme::kTel))
    return refuse(400, "call.transfer.bad_request", "Refer-To is not a sip:, sips: or tel: URI");
  if (!to->uri.headers.empty())  // Replaces (RFC 3891) and other embedded headers: attended transfer
    return refuse(603, "call.transfer.refused", "Refer-To with headers (attended transfer) not supported");
  if (!sip_ || c->target >= c->invites.size()) return refuse(603, "call.transfer.refused", "no SIP stack");
  const SipTrunkInfo* next = trunk_at(*c, to->uri, trunk);
  if (!sip_trunk_in_service(next->name)) return refuse(603, "call.transfer.refused", "target trunk out of service");
  const std::string target(to->uri.text);
  sip::OutgoingInvite inv = c->invites[c->target];
  if (next != trunk) {
    inv.peer = next->peer;
    inv.alternates.clear();
  }
  inv.call_id.clear();
  inv.request_uri = target;
  inv.to = "<" + target + ">";
  std::erase_if(inv.headers, [](const auto& h) { return h.first == "Referred-By"; });
  // RFC 3892 3: the Referred-By of the REFER is copied; without one, the referrer's From.
  if (auto rb = refer.first(sip::HeaderId::kReferredBy))
    inv.headers.emplace_back("Referred-By", std::string(*rb));
  else
    inv.headers.emplace_back("Referred-By", "<" + std::string(refer.from.uri.text) + ">");
  c->transfer_trunk = next;
  c->transfer_sid = sip_->invite(inv);
  c->transfer_invite = std::move(inv);
  by_sid_[c->transfer_sid] = c;
  trace_invite_sent(*c);
  counters_.get("call.transfer.accepted").inc();
  log_.info(Subsystem::kCall, "transfer",
            {{"call", c->id}, {"outcome", "accepted"}, {"target", target}, {"via", next->name}});
  return {202, {}};
}

bool CallEngine::transfer_progress(sip::SessionId s, const sip::Message& response) {
  Call* c = by_sid(s);
  if (c == nullptr || c->transfer_sid != s) return false;
  if (c->b.sid != 0 && sip_) sip_->refer_progress(c->b.sid, response.status, response.reason, false);
  return true;
}

bool CallEngine::transfer_answered(sip::SessionId s, const sip::Message& response) {
  Call* c = by_sid(s);
  if (c == nullptr || c->transfer_sid != s) return false;
  const sip::SessionId referrer = c->b.sid;
  if (referrer != 0 && sip_) {
    sip_->refer_progress(referrer, response.status, response.reason, true);
    by_sid_.erase(referrer);
    sip_->bye(referrer, mapping::reason_for_release(16));
  }
  // The circuit's MG connection now sends to the new leg (the existing CallMedia interface).
  if (c->media != 0 && media_) media_->update(c->media, sdp_of(response), MediaMode::kSendRecv);
  c->b = Leg{};
  c->b.sip = true;
  c->b.sid = s;
  c->b.trunk = c->transfer_trunk;
  c->transfer_sid = 0;
  if (c->transfer_invite) {
    c->invites[c->target] = std::move(*c->transfer_invite);
    c->transfer_invite.reset();
    cdr_sip_b(*c, c->invites[c->target]);
  }
  cdr_response(*c, response);
  counters_.get("call.transfer.completed").inc();
  log_.info(Subsystem::kCall, "transfer", {{"call", c->id}, {"outcome", "completed"}, {"status", response.status}});
  return true;
}

bool CallEngine::transfer_failed(sip::SessionId s, int status, std::string_view reason) {
  Call* c = by_sid(s);
  if (c == nullptr || c->transfer_sid != s) return false;
  by_sid_.erase(s);
  c->transfer_sid = 0;
  c->transfer_invite.reset();
  counters_.get("call.transfer.failed").inc();
  log_.info(Subsystem::kCall, "transfer", {{"call", c->id}, {"outcome", "failed"}, {"status", status}});
  if (c->b.sid != 0) {
    if (sip_) sip_->refer_progress(c->b.sid, status, reason, true);
    return true;  // the call stays with the referrer
  }
  // The referrer left meanwhile: the call ends as its BYE would have ended it.
  fire(*c, CallEvent::kBReleased, EventData{16, 0, {}, nullptr, nullptr, nullptr});
  return true;
}

bool CallEngine::referrer_left(Call& c, sip::SessionId s) {
  if (c.transfer_sid == 0 || !c.b.sip || c.b.sid != s) return false;
  by_sid_.erase(s);
  c.b.sid = 0;
  log_.info(Subsystem::kCall, "transfer", {{"call", c.id}, {"outcome", "referrer left"}});
  return true;
}

}  // namespace isupgw::engine
