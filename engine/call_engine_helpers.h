// Small helpers shared by the call engine's files (call_engine*.cpp); not an
// interface of the engine.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/router.h"
#include "isup/isup_cc.h"
#include "isup/number.h"
#include "sip/message.h"
#include "sip/session_api.h"

namespace isupgw::engine {

// Called digits without the ST (end of pulsing) signal.
std::string_view digits_of(const isup::Number& n);
// Applies a route target's manipulation to an ISUP called party number.
void manipulate(isup::Number& n, const RouteTarget& t);
int cause_for(isup::CcError e);
// Cause for a SIP session that ended without a response or BYE.
int cause_for(sip::EndReason why);
// The SDP of a received message (alone or in a multipart body); empty if none.
std::string sdp_of(const sip::Message& m);
sip::HeaderList with(sip::HeaderList h, const sip::HeaderList& more);
// "sip:x@h" or "<sip:x@h>" -> sips: (a TLS trunk, RFC 3261 19.1); tel: and others unchanged.
void secure_uri(std::string& uri);
// -1 when there is no location (value_or(-1) would give 255 from an optional<uint8_t>).
int location_or_none(std::optional<std::uint8_t> l);
// The first codec of an SDP's first audio stream ("PCMA"); empty if none (call_engine_cdr.cpp).
std::string codec_of(std::string_view sdp);
// Q.763 3.10 address presentation restricted indicator: "allowed", "restricted", "unavailable" or "".
const char* presentation_of(std::uint8_t apri);

}  // namespace isupgw::engine
