#include "media-gw/mg_simulator.h"

#include <charconv>
#include <cstdio>

#include "media-gw/endpoint_map.h"
#include "media-gw/mgcp_codec.h"
#include "media-gw/mgcp_media_options.h"

namespace isupgw::mediagw {

namespace param = mgcp::param;
using mgcp::Command;
using mgcp::ConnectionMode;
using mgcp::Response;
using mgcp::Verb;

namespace {

Response reply(const Command& c, std::uint16_t code, std::string_view comment = {}) {
  Response r;
  r.code = code;
  r.transaction_id = c.transaction_id;
  r.comment = std::string(comment.empty() ? (code < 300 ? std::string_view("OK") : mgcp::code_text(code)) : comment);
  return r;
}

// Canonical decimal/hex number (no leading zeros, no sign).
std::optional<std::uint32_t> number(std::string_view s, int base) {
  if (s.empty() || s.size() > 8 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  std::uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  if (base == 16)
    for (char c : s)
      if (c >= 'A' && c <= 'F') return std::nullopt;
  return v;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && mgcp::iequals(s.substr(0, prefix.size()), prefix);
}

}  // namespace

MgSimulator::MgSimulator(SimConfig cfg, Clock& clock) : cfg_(std::move(cfg)), clock_(clock) {}

MgSimulator::EndpointKind MgSimulator::classify(std::string_view endpoint) const {
  auto at = endpoint.rfind('@');
  if (at == std::string_view::npos || !mgcp::iequals(endpoint.substr(at + 1), cfg_.domain)) return EndpointKind::kNone;
  std::string_view local = endpoint.substr(0, at);
  if (istarts_with(local, cfg_.e1_prefix)) {
    std::string_view rest = local.substr(cfg_.e1_prefix.size());
    auto slash = rest.find('/');
    if (slash == std::string_view::npos) return EndpointKind::kNone;
    auto span = number(rest.substr(0, slash), 10);
    auto ts = number(rest.substr(slash + 1), 10);
    if (span && ts && *span < cfg_.spans && *ts >= 1 && *ts <= 31) return EndpointKind::kE1;
    return EndpointKind::kNone;
  }
  if (istarts_with(local, cfg_.rtp_prefix)) {
    auto idx = number(local.substr(cfg_.rtp_prefix.size()), 16);
    if (idx && *idx >= 1 && *idx <= cfg_.rtp_endpoints) return EndpointKind::kRtp;
  }
  return EndpointKind::kNone;
}

bool MgSimulator::matches(std::string_view pattern, std::string_view endpoint) const {
  return endpoint_matches(pattern, endpoint);
}

std::vector<std::string> MgSimulator::expand(std::string_view endpoint) const {
  std::vector<std::string> out;
  if (!is_wildcard(endpoint)) {
    if (classify(endpoint) != EndpointKind::kNone) out.emplace_back(endpoint);
    return out;
  }
  for (std::uint32_t span = 0; span < cfg_.spans; ++span)
    for (std::uint32_t ts = 1; ts <= 31; ++ts) {
      std::string ep = cfg_.e1_prefix + std::to_string(span) + "/" + std::to_string(ts) + "@" + cfg_.domain;
      if (matches(endpoint, ep)) out.push_back(std::move(ep));
    }
  for (std::uint32_t i = 1; i <= cfg_.rtp_endpoints; ++i) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "%x", i);
    std::string ep = cfg_.rtp_prefix + hex + "@" + cfg_.domain;
    if (matches(endpoint, ep)) out.push_back(std::move(ep));
  }
  return out;
}

std::size_t MgSimulator::connection_count(std::string_view endpoint) const {
  std::size_t n = 0;
  for (const auto& [id, c] : connections_)
    if (mgcp::iequals(c.endpoint, endpoint)) ++n;
  return n;
}

const SimConnection* MgSimulator::connection(std::string_view id) const {
  auto it = connections_.find(id);
  return it == connections_.end() ? nullptr : &it->second;
}

std::optional<std::string> MgSimulator::pick_rtp_endpoint() const {
  for (std::uint32_t i = 1; i <= cfg_.rtp_endpoints; ++i) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "%x", i);
    std::string ep = cfg_.rtp_prefix + hex + "@" + cfg_.domain;
    if (connection_count(ep) == 0) return ep;
  }
  return std::nullopt;
}

std::string MgSimulator::local_sdp(const SimConnection& c) const {
  std::string sdp = "v=0\r\no=- " + c.id + " 1 IN IP4 " + cfg_.media_address + "\r\ns=-\r\nc=IN IP4 " +
                    cfg_.media_address + "\r\nt=0 0\r\n";
  const std::string port = std::to_string(c.media_port);
  if (c.t38)  // T.38 Annex D (SDP for T.38 over UDPTL), the attributes a T.38 gateway announces
    return sdp + "m=image " + port +
           " udptl t38\r\na=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\na=T38FaxRateManagement:transferredTCF\r\n"
           "a=T38FaxMaxDatagram:176\r\na=T38FaxUdpEC:t38UDPRedundancy\r\n";
  if (!cfg_.telephone_event) return sdp + "m=audio " + port + " RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\na=ptime:20\r\n";
  const std::string te = std::to_string(telephone_event_pt(c.remote_sdp).value_or(101));
  return sdp + "m=audio " + port + " RTP/AVP 8 " + te + "\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:" + te +
         " telephone-event/8000\r\na=fmtp:" + te + " 0-15\r\na=ptime:20\r\n";
}

void MgSimulator::erase_connections(const std::vector<std::string>& ids) {
  for (const auto& id : ids) connections_.erase(id);
}

Response MgSimulator::crcx(const Command& c) {
  const auto* call = c.param(param::kCallId);
  const auto* mode = c.param(param::kConnectionMode);
  if (call == nullptr || call->empty() || mode == nullptr) return reply(c, 510, "missing C or M");
  auto m = mgcp::connection_mode_from_string(*mode);
  if (!m) return reply(c, 517);
  std::string endpoint = c.endpoint;
  const bool wildcard = is_wildcard(endpoint);
  if (wildcard) {
    // Any-of: the RTP side picks a free virtual endpoint; a TDM wildcard is
    // resolved to the first free timeslot it names.
    std::optional<std::string> picked;
    auto at = endpoint.rfind('@');
    if (istarts_with(endpoint.substr(0, at), cfg_.rtp_prefix) && mgcp::iequals(endpoint.substr(at + 1), cfg_.domain)) {
      picked = pick_rtp_endpoint();
    } else {
      for (const auto& ep : expand(endpoint))
        if (connection_count(ep) == 0) {
          picked = ep;
          break;
        }
    }
    if (!picked) return reply(c, 403, "no free endpoint");
    endpoint = *picked;
  }
  const EndpointKind kind = classify(endpoint);
  if (kind == EndpointKind::kNone) return reply(c, 500);
  const std::size_t limit = kind == EndpointKind::kE1 ? 1 : cfg_.connections_per_rtp_endpoint;
  if (connection_count(endpoint) >= limit) return reply(c, 540);
  SimConnection conn;
  char id[16];
  std::snprintf(id, sizeof id, "%X", next_connection_++);
  conn.id = id;
  conn.call_id = *call;
  conn.endpoint = endpoint;
  conn.mode = *m;
  conn.remote_sdp = c.sdp;
  if (const auto* lco = c.param(param::kLocalConnectionOptions)) conn.local_options = *lco;
  conn.media_port = static_cast<std::uint16_t>(cfg_.media_port_base + 2 * (next_port_slot_++ % 4000));
  Response r = reply(c, 200);
  if (wildcard) r.set(param::kSpecificEndpointId, endpoint);
  r.set(param::kConnectionId, conn.id);
  r.sdp = local_sdp(conn);
  connections_.emplace(conn.id, std::move(conn));
  return r;
}

Response MgSimulator::mdcx(const Command& c) {
  if (is_wildcard(c.endpoint)) return reply(c, 503);
  if (classify(c.endpoint) == EndpointKind::kNone) return reply(c, 500);
  const auto* ci = c.param(param::kConnectionId);
  const auto* call = c.param(param::kCallId);
  if (ci == nullptr || call == nullptr) return reply(c, 510, "missing C or I");
  auto it = connections_.find(*ci);
  if (it == connections_.end() || !mgcp::iequals(it->second.endpoint, c.endpoint)) return reply(c, 515);
  if (!mgcp::iequals(it->second.call_id, *call)) return reply(c, 516);
  if (const auto* mode = c.param(param::kConnectionMode)) {
    auto m = mgcp::connection_mode_from_string(*mode);
    if (!m) return reply(c, 517);
    it->second.mode = *m;
  }
  const auto* lco = c.param(param::kLocalConnectionOptions);
  const bool wants_t38 = (lco != nullptr && lco->find("fxr/fx:t38") != std::string::npos) || offers_t38(c.sdp);
  if (wants_t38 && !cfg_.t38) return reply(c, 532, "T.38 not supported");
  if (lco != nullptr) {
    it->second.local_options = *lco;
    if (lco->find("fxr/fx:off") != std::string::npos) it->second.t38 = false;
  }
  if (wants_t38) it->second.t38 = true;
  if (!c.sdp.empty()) it->second.remote_sdp = c.sdp;
  Response r = reply(c, 200);
  r.sdp = local_sdp(it->second);
  return r;
}

Response MgSimulator::dlcx(const Command& c) {
  auto endpoints = expand(c.endpoint);
  if (endpoints.empty()) return reply(c, 500);
  const auto* ci = c.param(param::kConnectionId);
  const auto* call = c.param(param::kCallId);
  std::vector<std::string> doomed;
  if (ci != nullptr) {
    auto it = connections_.find(*ci);
    if (it == connections_.end() || !mgcp::iequals(it->second.endpoint, c.endpoint)) return reply(c, 515);
    if (call != nullptr && !mgcp::iequals(it->second.call_id, *call)) return reply(c, 516);
    doomed.push_back(it->first);
  } else {
    for (const auto& [id, conn] : connections_) {
      bool on_endpoint = false;
      for (const auto& ep : endpoints) on_endpoint = on_endpoint || mgcp::iequals(conn.endpoint, ep);
      if (on_endpoint && (call == nullptr || mgcp::iequals(conn.call_id, *call))) doomed.push_back(id);
    }
    if (call != nullptr && doomed.empty()) return reply(c, 516);
  }
  erase_connections(doomed);
  Response r = reply(c, 250);
  // RFC 3435 2.3.8: statistics of the deleted connection.
  if (ci != nullptr) r.set(param::kConnectionParameters, "PS=0, OS=0, PR=0, OR=0, PL=0, JI=0, LA=0");
  return r;
}

Response MgSimulator::auep(const Command& c) {
  auto endpoints = expand(c.endpoint);
  if (endpoints.empty()) return reply(c, 500);
  Response r = reply(c, 200);
  const auto* info = c.param(param::kRequestedInfo);
  if (info != nullptr && info->find_first_of("Ii") != std::string::npos) {
    // RFC 3435 2.3.10: I: lists the connections on the endpoint(s).
    std::string ids;
    for (const auto& [id, conn] : connections_)
      for (const auto& ep : endpoints)
        if (mgcp::iequals(conn.endpoint, ep)) ids += (ids.empty() ? "" : ", ") + id;
    if (!ids.empty()) r.set(param::kConnectionId, ids);
  }
  return r;
}

Response MgSimulator::aucx(const Command& c) {
  const auto* ci = c.param(param::kConnectionId);
  if (ci == nullptr) return reply(c, 510, "missing I");
  auto it = connections_.find(*ci);
  if (it == connections_.end() || !mgcp::iequals(it->second.endpoint, c.endpoint)) return reply(c, 515);
  Response r = reply(c, 200);
  r.set(param::kCallId, it->second.call_id);
  r.set(param::kConnectionMode, std::string(mgcp::to_string(it->second.mode)));
  r.sdp = local_sdp(it->second);
  return r;
}

Response MgSimulator::execute(const Command& c) {
  switch (c.verb) {
    case Verb::kCrcx: return crcx(c);
    case Verb::kMdcx: return mdcx(c);
    case Verb::kDlcx: return dlcx(c);
    case Verb::kAuep: return auep(c);
    case Verb::kAucx: return aucx(c);
    case Verb::kRqnt: return rqnt(c);
    case Verb::kEpcf: return expand(c.endpoint).empty() ? reply(c, 500) : reply(c, 200);
    case Verb::kNtfy:
    case Verb::kRsip: return reply(c, 504);  // gateway -> Call Agent verbs
  }
  return reply(c, 504);
}

std::vector<std::string> MgSimulator::handle(std::span<const std::uint8_t> datagram) {
  std::vector<std::string> out;
  auto parsed = mgcp::parse_datagram(datagram);
  if (!parsed) return out;
  const auto now = clock_.now();
  std::erase_if(history_, [&](const auto& kv) { return now - kv.second.at >= cfg_.response_history; });
  for (const auto& m : *parsed) {
    const auto* c = std::get_if<Command>(&m);
    if (c == nullptr) continue;  // answers to our RSIP/NTFY, 000 acknowledgements
    ++commands_received_;
    if (drop_next_ > 0) {
      --drop_next_;
      ++dropped_;
      continue;
    }
    if (auto h = history_.find(c->transaction_id); h != history_.end()) {
      ++duplicates_;
      if (h->second.provisional_pending) {
        h->second.provisional_pending = false;
        h->second.wire = mgcp::serialize(h->second.final);
      }
      out.push_back(h->second.wire);
      continue;
    }
    Response r;
    if (fail_next_ > 0) {
      --fail_next_;
      r = reply(*c, fail_code_);
    } else if (auto f = fail_verb_.find(c->verb); f != fail_verb_.end() && f->second) {
      r = reply(*c, *f->second);
    } else {
      r = execute(*c);
    }
    Sent s;
    s.at = now;
    if (provisional_next_ > 0) {
      --provisional_next_;
      r.set(param::kResponseAck, "");
      s.final = std::move(r);
      s.provisional_pending = true;
      s.wire = "100 " + std::to_string(c->transaction_id) + " executing\r\n";
    } else {
      s.wire = mgcp::serialize(r);
    }
    const bool answered_ok = !s.provisional_pending && r.code == 200;
    out.push_back(s.wire);
    history_[c->transaction_id] = std::move(s);
    if (answered_ok && c->verb == Verb::kRqnt)
      if (auto ntfy = continuity_result(*c)) out.push_back(mgcp::serialize(*ntfy));
  }
  return out;
}

// RFC 3435 2.3.3: X: is mandatory. Signals other than the continuity tones (RFC 3660 DTMF
// "D/5", generic "G/rt", ...) are recorded, for tests to judge what the MG was told to play.
Response MgSimulator::rqnt(const Command& c) {
  if (expand(c.endpoint).empty()) return reply(c, 500);
  if (c.param(param::kRequestIdentifier) == nullptr) return reply(c, 510, "missing X");
  if (const auto* s = c.param(param::kSignalRequests); s != nullptr && !s->empty() && !istarts_with(*s, "T/co"))
    signals_.push_back(SimSignal{c.endpoint, *s});
  return reply(c, 200);
}

std::optional<Command> MgSimulator::continuity_result(const Command& rqnt) {
  const auto* signals = rqnt.param(param::kSignalRequests);
  const auto* requested = rqnt.param(param::kRequestedEvents);
  if (signals == nullptr || requested == nullptr) return std::nullopt;
  auto has = [](const std::string& list, std::string_view item) {
    for (std::size_t i = 0; i + item.size() <= list.size(); ++i)
      if (mgcp::iequals(std::string_view(list).substr(i, item.size()), item)) return true;
    return false;
  };
  if ((!has(*signals, "T/co1") && !has(*signals, "T/co2")) || !has(*requested, "T/oc")) return std::nullopt;
  const auto* x = rqnt.param(param::kRequestIdentifier);
  return make_ntfy(rqnt.endpoint, x ? *x : "0", fail_continuity_ ? "T/of" : "T/oc");
}

Command MgSimulator::make_rsip(mgcp::RestartMethod m, std::string endpoint, std::optional<std::uint32_t> delay) {
  Command c;
  c.verb = Verb::kRsip;
  c.transaction_id = next_tid_++;
  c.endpoint = endpoint.empty() ? "*@" + cfg_.domain : std::move(endpoint);
  c.set(param::kRestartMethod, std::string(mgcp::to_string(m)));
  if (delay) c.set(param::kRestartDelay, std::to_string(*delay));
  if (m == mgcp::RestartMethod::kForced || m == mgcp::RestartMethod::kRestart) {
    std::vector<std::string> doomed;
    for (const auto& [id, conn] : connections_)
      if (matches(c.endpoint, conn.endpoint)) doomed.push_back(id);
    erase_connections(doomed);
  }
  return c;
}

Command MgSimulator::make_ntfy(std::string endpoint, std::string request_id, std::string observed) {
  Command c;
  c.verb = Verb::kNtfy;
  c.transaction_id = next_tid_++;
  c.endpoint = std::move(endpoint);
  c.set(param::kRequestIdentifier, std::move(request_id));
  c.set(param::kObservedEvents, std::move(observed));
  return c;
}

}  // namespace isupgw::mediagw
