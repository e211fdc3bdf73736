// pri_spans (issue 21): each span's IUA association, D-channel interface, Q.931 side, B channels and their
// media gateway endpoints, checked and parsed once into PriSpanSettings.
#include <set>

#include "base/ip_address.h"
#include "config/media_config.h"
#include "config/validate.h"
#include "media-gw/endpoint_map.h"

namespace isupgw::config {

namespace {

// RFC 4233 1.4.8: the SCTP port registered for IUA; PPID 1 (1.4.7).
constexpr std::uint16_t kIuaPort = 9900;
constexpr std::uint32_t kIuaPpid = 1;

Result<std::vector<PriSpanSettings>, FieldError> fail(std::string path, std::string reason) {
  return Err(FieldError{std::move(path), std::move(reason)});
}

bool parse_uint(std::string_view s, unsigned& out) {
  if (s.empty() || s.size() > 3) return false;
  out = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
    out = out * 10 + static_cast<unsigned>(ch - '0');
  }
  return true;
}

// "1-15", "17", "1-15,17-31" -> channel numbers added to `out`; false on a bad range. E1 PRI (ETS 300 011,
// Q.931 4.5.13): B channels are timeslots 1..31 but 16, which carries the D channel.
std::optional<std::string> add_channels(std::string_view text, std::set<unsigned>& out) {
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    const auto dash = part.find('-');
    unsigned lo = 0, hi = 0;
    if (!parse_uint(part.substr(0, dash), lo) ||
        (dash != std::string_view::npos ? !parse_uint(part.substr(dash + 1), hi) : (hi = lo, false)) || lo == 0 ||
        hi > 31 || lo > hi)
      return "'" + std::string(part) + "' is not a B channel or range within 1..31";
    for (unsigned ch = lo; ch <= hi; ++ch) {
      if (ch == 16) return "'" + std::string(part) + "' includes timeslot 16, the E1 PRI's D channel";
      if (!out.insert(ch).second) return "B channel " + std::to_string(ch) + " is listed twice";
    }
  }
  return std::nullopt;
}

}  // namespace

Result<std::vector<PriSpanSettings>, FieldError> build_pri(const Config& cfg) {
  std::vector<PriSpanSettings> out;
  std::set<std::string> names;  // routes name spans, SIP trunks and trunk groups in one name space
  for (const auto& t : cfg.sip().trunks()) names.insert(t.name());
  for (const auto& g : cfg.ss7().trunk_groups()) names.insert(g.name());
  for (int i = 0; i < cfg.pri_spans_size(); ++i) {
    const auto& x = cfg.pri_spans(i);
    const std::string p = "pri_spans[" + std::to_string(i) + "]";
    if (x.name().empty()) return fail(p, "PRI span needs a 'name'");
    if (!names.insert(x.name()).second)
      return fail(p + ".name", "duplicate name '" + x.name() + "' (spans, SIP trunks and trunk groups share one)");
    PriSpanSettings s;
    s.name = x.name();
    if (!x.has_iua()) return fail(p, "PRI span '" + x.name() + "' needs 'iua' (the signalling gateway's address)");
    const auto& a = x.iua();
    if (auto e = check_endpoint(a.remote(), p + ".iua.remote", true, false)) return Err(*e);
    if (auto e = check_endpoint(a.local(), p + ".iua.local", false, false)) return Err(*e);
    s.transport.kind = a.transport() == SIGTRAN_TRANSPORT_TCP ? sigtran::TransportSpec::Kind::kTcp
                                                              : sigtran::TransportSpec::Kind::kSctp;
    s.transport.server = false;
    s.transport.address = a.remote().address();
    s.transport.port = static_cast<std::uint16_t>(a.remote().port() == 0 ? kIuaPort : a.remote().port());
    s.transport.local_address = a.local().address();
    s.transport.local_port = static_cast<std::uint16_t>(a.local().port());
    s.transport.ppid = kIuaPpid;
    s.transport.streams = 2;  // RFC 4233 1.4.5: management on stream 0, each interface's QPTM on another
    s.transport.name = x.name();
    if (a.asp_identifier() != 0) s.asp_identifier = a.asp_identifier();
    if (a.beat_interval_ms() != 0 && a.beat_interval_ms() < 100)
      return fail(p + ".iua.beat_interval_ms", "beat_interval_ms must be 0 (none) or at least 100");
    s.beat = std::chrono::milliseconds(a.beat_interval_ms());

    // RFC 4233 3.1.3: an Integer or a Text interface identifier (text: 1..255 octets, printable here).
    const auto& iid = x.interface_id();
    if (iid.empty()) return fail(p, "PRI span '" + x.name() + "' needs 'interface_id' (integer or text, RFC 4233 3.1.3)");
    if (iid.find_first_not_of("0123456789") == std::string::npos) {
      if (iid.size() > 10 || std::stoull(iid) > 0xffffffffull)
        return fail(p + ".interface_id", "interface_id " + iid + " is beyond 32 bits");
      s.interface = static_cast<std::uint32_t>(std::stoul(iid));
    } else {
      if (iid.size() > 255) return fail(p + ".interface_id", "a text interface_id is at most 255 characters");
      for (char ch : iid)
        if (ch < 0x21 || ch > 0x7e)
          return fail(p + ".interface_id", "a text interface_id is printable ASCII without spaces");
      s.interface = iid;
    }
    s.user_side = x.side() == PRI_SIDE_USER;
    s.trust_calling_number = x.trust_calling_number();

    std::set<unsigned> channels;
    for (int j = 0; j < x.channels_size(); ++j)
      if (auto e = add_channels(x.channels(j), channels))
        return fail(p + ".channels[" + std::to_string(j) + "]", *e);
    if (x.channels_size() == 0) add_channels("1-15,17-31", channels);
    for (unsigned ch : channels) s.channels.push_back(static_cast<std::uint8_t>(ch));

    if (x.media_gateway().empty()) {
      if (!x.endpoints().empty())
        return fail(p + ".endpoints", "'endpoints' needs 'media_gateway' (which MG carries the B channels)");
    } else {
      const MediaGateway* mg = nullptr;
      for (const auto& m : cfg.media_gateways())
        if (m.name() == x.media_gateway()) mg = &m;
      if (mg == nullptr) return fail(p + ".media_gateway", "unknown media gateway '" + x.media_gateway() + "'");
      if (x.endpoints().empty())
        return fail(p, "PRI span '" + x.name() + "' needs 'endpoints' (\"ds/e1-{span}/{timeslot}@mg1\")");
      const bool h248 = mg->protocol() == "h248";
      mediagw::TrunkLayout layout;  // channel N = "CIC" N = timeslot N of E1 mg_span
      layout.first_cic = 1;
      layout.first_span = x.mg_span();
      layout.spans = 1;
      auto pattern = mediagw::EndpointPattern::parse(x.endpoints(), layout, !h248);
      if (!pattern)
        return fail(p + ".endpoints",
                    "endpoint pattern '" + x.endpoints() + "': " + describe_pattern_error(pattern.error()));
      if (pattern->by_cic())
        return fail(p + ".endpoints", "a PRI's B channels are named by {span} and {timeslot}, not {cic}");
      s.media_gateway = x.media_gateway();
      s.endpoints = std::move(*pattern);
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace isupgw::config
