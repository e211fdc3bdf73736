#include "engine/call_engine_helpers.h"

#include "engine/basic_interworking.h"
#include "mapping/interworking.h"
#include "sip/sdp.h"

namespace isupgw::engine {

// Called digits without the ST (end of pulsing) signal.
std::string_view digits_of(const isup::Number& n) {
  auto d = n.digits.view();
  if (!d.empty() && d.back() == 'F') d.remove_suffix(1);
  return d;
}

// Applies a route target's manipulation to an ISUP called party number.
void manipulate(isup::Number& n, const RouteTarget& t) {
  const bool st = n.has_st();
  std::string d = t.manipulate(digits_of(n));
  if (st) d += 'F';
  n.digits.assign(d);
  if (t.nai) n.nai = *t.nai;
}

int cause_for(isup::CcError e) {
  switch (e) {
    case isup::CcError::kNoCircuit: return 34;               // no circuit/channel available
    case isup::CcError::kDestinationUnavailable: return 34;  // MTP-PAUSE: no circuit usable towards the DPC
    case isup::CcError::kCongestion: return 42;              // switching equipment congestion (Q.764 2.13.3)
    default: return 41;                                      // temporary failure
  }
}

// Cause for a SIP session that ended without a response or BYE.
int cause_for(sip::EndReason why) {
  switch (why) {
    case sip::EndReason::kTimeout: return 102;         // recovery on timer expiry (408)
    case sip::EndReason::kTransportError: return 38;   // network out of order (503)
    case sip::EndReason::kSessionExpired: return 102;  // RFC 4028 10
    case sip::EndReason::kShutdown: return 41;
  }
  return 41;
}

// The SDP of a received message (alone or in a multipart body); empty if none.
std::string sdp_of(const sip::Message& m) {
  if (auto b = mapping::received_bodies(m); b && b->sdp) return std::string(*b->sdp);
  if (auto s = sdp_body(m)) return std::string(*s);
  return {};
}

sip::HeaderList with(sip::HeaderList h, const sip::HeaderList& more) {
  h.insert(h.end(), more.begin(), more.end());
  return h;
}

// -1 when there is no location (value_or(-1) would give 255 from an optional<uint8_t>).
int location_or_none(std::optional<std::uint8_t> l) { return l ? int{*l} : -1; }

void secure_uri(std::string& uri) {
  const std::size_t at = uri.starts_with('<') ? 1 : 0;
  if (uri.compare(at, 4, "sip:") == 0) uri.insert(at + 3, "s");
}

}  // namespace isupgw::engine
