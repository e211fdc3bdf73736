// The call engine, DTMF (issue 20): a digit the SIP side sends out of band in
// an INFO (RFC 6086) is played on the call's MG endpoint (RFC 3660 DTMF
// package, media-gw/mgcp_media_options.h). Two bodies are understood, the
// ones SIP trunks use in practice (neither is an IETF standard):
//   application/dtmf-relay   "Signal=5\r\nDuration=160\r\n" (Cisco; Signal 0-9 * # A-D, Duration in ms)
//   application/dtmf         "5" (the digit alone)
// Other INFO bodies go the SIP-I/SIP-T way (call_engine_info.cpp); their 415
// lists these two types in Accept. RFC 4733 telephone-event in the media is
// negotiated by the offer/answer (sip/offer_answer.cpp) when the MG's SDP
// lists it (call_engine_media.cpp) and is the MG's business from there.
#include <cctype>

#include "engine/call_engine.h"
#include "engine/call_engine_helpers.h"

namespace isupgw::engine {

namespace {

bool media_type_is(std::string_view content_type, std::string_view type) {
  auto semi = content_type.find(';');
  std::string_view t = content_type.substr(0, semi);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  if (t.size() != type.size()) return false;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(t[i])) != type[i]) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool dtmf_char(std::string_view v) {
  if (v.size() != 1) return false;
  const char d = static_cast<char>(std::toupper(static_cast<unsigned char>(v[0])));
  return (d >= '0' && d <= '9') || d == '*' || d == '#' || (d >= 'A' && d <= 'D');
}

// The digit of a dtmf-relay body: the "Signal=" line (names case-insensitive, blanks around '=').
std::optional<char> relay_digit(std::string_view body) {
  while (!body.empty()) {
    auto eol = body.find('\n');
    std::string_view line = trim(body.substr(0, eol));
    body.remove_prefix(eol == std::string_view::npos ? body.size() : eol + 1);
    auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = trim(line.substr(0, eq));
    if (name.size() != 6) continue;
    std::string lower;
    for (char ch : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (lower != "signal") continue;
    std::string_view v = trim(line.substr(eq + 1));
    if (!dtmf_char(v)) return std::nullopt;
    return v[0];
  }
  return std::nullopt;
}

}  // namespace

std::optional<sip::InfoAnswer> CallEngine::dtmf_info(Call& c, const sip::Message& info) {
  auto ct = info.first(sip::HeaderId::kContentType);
  if (!ct || info.body.empty()) return std::nullopt;
  const bool relay = media_type_is(*ct, "application/dtmf-relay");
  if (!relay && !media_type_is(*ct, "application/dtmf")) return std::nullopt;
  auto refuse = [&](int status, std::string_view why) {
    counters_.get("call.dtmf_refused").inc();
    log_.notice(Subsystem::kCall, "dtmf_refused", {{"call", c.id}, {"status", status}, {"reason", why}});
    sip::InfoAnswer a;
    a.status = status;
    a.headers.emplace_back("Warning", "399 isupgw \"" + std::string(why) + "\"");
    return a;
  };
  std::optional<char> digit;
  if (relay) {
    digit = relay_digit(info.body);
  } else if (auto v = trim(info.body); dtmf_char(v)) {
    digit = v[0];
  }
  if (!digit) return refuse(400, "no DTMF digit (0-9 * # A-D) in the body");
  if (!media_ || c.media == 0 || c.media_pending || !media_->play_digit(c.media, *digit))
    return refuse(403, "no media gateway connection to play the digit on");
  counters_.get("call.dtmf_info").inc();
  log_.info(Subsystem::kCall, "dtmf_info", {{"call", c.id}, {"digit", std::string(1, *digit)}});
  return sip::InfoAnswer{};
}

}  // namespace isupgw::engine
