// What the Call Agent tells an MGCP media gateway about a call's media beyond
// the SDP, for DTMF and fax (issue 20):
//  - RFC 4733 telephone-event: the SDPs carry it; the MDCX that gives the MG the
//    SIP side's description also lists it in LocalConnectionOptions "a:" (RFC
//    3435 2.3.3: encoding names in order of preference, separated by ';') when
//    both the MG's own SDP and the SIP side's list it;
//  - a DTMF digit received out of band (SIP INFO) is played on the endpoint by
//    an RQNT with the RFC 3660 DTMF package signal (S: D/5; 2.3 "D" package);
//  - fax: the RFC 5347 fax package (FXR) LocalConnectionOption "fxr/fx:"
//    (2.1: t38 strict, t38-loose, gw, off), and the fallback to G.711
//    pass-through with echo cancellation and silence suppression off (RFC 3435
//    2.3.3 "e:off", "s:off").
// The SDP reading here is line-based and lenient: MGs write SDP that strict
// RFC 4566 parsers refuse (osmo-mgw's hexadecimal o= session id).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "media-gw/mgcp_message.h"

namespace isupgw::mediagw {

// The payload type of telephone-event/8000 on the first m=audio line, if listed.
std::optional<int> telephone_event_pt(std::string_view sdp);
// True when the description has an m=image line for udptl t38 with a port (T.38 Annex D).
bool offers_t38(std::string_view sdp);

// An MG's answer with an m=image udptl t38 line with a port (the connection switched to T.38).
inline bool answers_t38(std::string_view sdp) { return offers_t38(sdp); }
// The encoding name of the first format on the first m=audio line ("PCMA"), empty if none.
std::string first_codec(std::string_view sdp);

// L: for an MDCX handing the MG `remote_sdp` (the SIP side's): "a:PCMA;telephone-event"
// with the first of the remote's audio codecs the MG's SDP also lists, when both list
// telephone-event; empty (no L:) otherwise.
std::string telephone_event_options(std::string_view mg_sdp, std::string_view remote_sdp);

// RFC 5347 2.1: switch the connection to T.38 fax relay under Call Agent control ("strict").
inline constexpr std::string_view kFaxT38Options = "fxr/fx:t38";
// The fallback when the MG refuses T.38: G.711 pass-through (RFC 3435 2.3.3 a:, e:off, s:off)
// and no fax relay (RFC 5347 2.1.3 "off").
std::string fax_passthrough_options(std::string_view codec);

// RFC 3660 DTMF package signal for one digit: "D/0".."D/9", "D/*", "D/#", "D/A".."D/D";
// nullopt for anything else.
std::optional<std::string> dtmf_signal(char digit);
// RQNT playing `signal` on `endpoint` (RFC 3435 2.3.3 NotificationRequest: X: mandatory;
// R: empty = no events requested).
mgcp::Command make_rqnt_signal(std::string endpoint, std::string request_id, std::string signal);

}  // namespace isupgw::mediagw
