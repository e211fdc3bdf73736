#include "sip/sdp.h"

#include <charconv>

#include "sip/grammar.h"

namespace isupgw::sip {

namespace g = grammar;

std::string_view to_string(Direction d) {
  switch (d) {
    case Direction::kSendRecv: return "sendrecv";
    case Direction::kSendOnly: return "sendonly";
    case Direction::kRecvOnly: return "recvonly";
    case Direction::kInactive: return "inactive";
  }
  return "sendrecv";
}

namespace {

std::vector<std::string_view> split_spaces(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t b = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > b) out.push_back(s.substr(b, i - b));
  }
  return out;
}

bool visible(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  return true;
}

std::optional<SdpConnection> parse_connection(std::string_view v) {
  auto f = split_spaces(v);
  if (f.size() != 3 || !visible(f[0]) || !visible(f[1]) || !visible(f[2])) return std::nullopt;
  return SdpConnection{std::string(f[0]), std::string(f[1]), std::string(f[2])};
}

SdpAttribute parse_attribute(std::string_view v) {
  std::size_t colon = v.find(':');
  if (colon == std::string_view::npos) return SdpAttribute{std::string(v), {}, false};
  return SdpAttribute{std::string(v.substr(0, colon)), std::string(v.substr(colon + 1)), true};
}

std::optional<std::string> find_attribute(const std::vector<SdpAttribute>& attrs, std::string_view name) {
  for (const auto& a : attrs)
    if (a.name == name) return a.value;
  return std::nullopt;
}

std::optional<Direction> direction_of(const std::vector<SdpAttribute>& attrs) {
  for (const auto& a : attrs) {
    if (a.has_value) continue;
    if (a.name == "sendrecv") return Direction::kSendRecv;
    if (a.name == "sendonly") return Direction::kSendOnly;
    if (a.name == "recvonly") return Direction::kRecvOnly;
    if (a.name == "inactive") return Direction::kInactive;
  }
  return std::nullopt;
}

// RFC 4566 5: the order of type letters. Repeatable letters keep their rank.
int session_rank(char t) {
  switch (t) {
    case 'v': return 0;
    case 'o': return 1;
    case 's': return 2;
    case 'i': return 3;
    case 'u': return 4;
    case 'e': return 5;
    case 'p': return 6;
    case 'c': return 7;
    case 'b': return 8;
    case 't':
    case 'r': return 9;
    case 'z': return 10;
    case 'k': return 11;
    case 'a': return 12;
  }
  return -1;
}
int media_rank(char t) {
  switch (t) {
    case 'i': return 1;
    case 'c': return 2;
    case 'b': return 3;
    case 'k': return 4;
    case 'a': return 5;
  }
  return -1;
}

}  // namespace

std::optional<std::string> SdpMedia::attribute(std::string_view name) const { return find_attribute(attributes, name); }

std::optional<RtpMap> SdpMedia::rtpmap(std::string_view pt) const {
  for (const auto& a : attributes) {
    if (a.name != "rtpmap" || !a.has_value) continue;
    std::string_view v = a.value;
    std::size_t sp = v.find(' ');
    if (sp == std::string_view::npos || v.substr(0, sp) != pt) continue;
    std::string_view enc = v.substr(sp + 1);
    RtpMap m;
    auto n = g::parse_uint(pt, 127);
    m.payload_type = n ? static_cast<int>(*n) : -1;
    std::size_t s1 = enc.find('/');
    m.encoding = std::string(enc.substr(0, s1));
    if (s1 != std::string_view::npos) {
      std::string_view rest = enc.substr(s1 + 1);
      std::size_t s2 = rest.find('/');
      auto clock = g::parse_uint(rest.substr(0, s2), 0xffffffffu);
      m.clock_rate = clock ? static_cast<std::uint32_t>(*clock) : 0;
      if (s2 != std::string_view::npos) m.encoding_params = std::string(rest.substr(s2 + 1));
    }
    return m;
  }
  // RFC 3551 6 static payload types a gateway meets.
  struct Static {
    std::string_view pt, enc;
    std::uint32_t clock;
  };
  static constexpr Static kStatic[] = {{"0", "PCMU", 8000}, {"8", "PCMA", 8000},  {"9", "G722", 8000},
                                       {"13", "CN", 8000},  {"18", "G729", 8000}, {"4", "G723", 8000}};
  for (const auto& s : kStatic)
    if (s.pt == pt) return RtpMap{static_cast<int>(*g::parse_uint(pt, 127)), std::string(s.enc), s.clock, {}};
  return std::nullopt;
}

Direction SdpMedia::direction(Direction session) const { return direction_of(attributes).value_or(session); }

std::optional<std::string> Sdp::attribute(std::string_view name) const { return find_attribute(attributes, name); }
Direction Sdp::direction() const { return direction_of(attributes).value_or(Direction::kSendRecv); }
const SdpConnection* Sdp::connection_for(const SdpMedia& m) const {
  if (m.connection) return &*m.connection;
  return connection ? &*connection : nullptr;
}

Result<Sdp, SdpError> parse_sdp(std::string_view text) {
  Sdp sdp;
  std::size_t line_no = 0;
  int rank = -1;
  bool in_media = false;
  bool have_origin = false, have_name = false, have_time = false;
  auto fail = [&](std::string_view what) { return Err(SdpError{line_no, what}); };
  std::size_t pos = 0;
  while (pos < text.size()) {
    ++line_no;
    std::size_t eol = text.find('\n', pos);
    std::string_view line = text.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? text.size() : eol + 1;
    // RFC 4566 5: CRLF, but parsers should accept a bare LF too.
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      if (pos >= text.size()) break;
      return fail("empty line");
    }
    if (line.size() < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z') return fail("not <type>=<value>");
    for (char c : line)
      if (c == '\0' || c == '\r') return fail("NUL or CR in line");
    const char type = line[0];
    const std::string_view v = line.substr(2);
    if (line_no == 1 && type != 'v') return fail("first line is not v=");
    if (type == 'm') {
      if (!have_origin || !have_name || !have_time) return fail("m= before o=, s= or t=");
      auto f = split_spaces(v);
      if (f.size() < 4) return fail("m= needs media, port, proto and a format");
      SdpMedia m;
      m.media = std::string(f[0]);
      std::string_view port = f[1];
      std::size_t slash = port.find('/');
      auto p = g::parse_uint(port.substr(0, slash), 65535);
      if (!p) return fail("m= port");
      m.port = static_cast<std::uint16_t>(*p);
      if (slash != std::string_view::npos) {
        auto n = g::parse_uint(port.substr(slash + 1), 65535);
        if (!n || *n == 0) return fail("m= port count");
        m.port_count = static_cast<std::uint16_t>(*n);
      }
      m.proto = std::string(f[2]);
      for (std::size_t i = 3; i < f.size(); ++i) m.formats.emplace_back(f[i]);
      if (!visible(m.media) || !visible(m.proto)) return fail("m= field");
      sdp.media.push_back(std::move(m));
      in_media = true;
      rank = 0;
      continue;
    }
    const int r = in_media ? media_rank(type) : session_rank(type);
    if (r < 0) return fail(in_media ? "type not allowed in a media description" : "unknown type");
    if (r < rank) return fail("type out of order");
    const bool repeatable =
        in_media ? (type == 'b' || type == 'a')
                 : (type == 'e' || type == 'p' || type == 'b' || type == 't' || type == 'r' || type == 'a');
    if (r == rank && !repeatable && !(type == 't' || type == 'r')) return fail("type repeated");
    if (!in_media && type == 'r' && !have_time) return fail("r= before t=");
    rank = r;
    if (in_media) {
      SdpMedia& m = sdp.media.back();
      switch (type) {
        case 'i': m.info = std::string(v); break;
        case 'c': {
          auto c = parse_connection(v);
          if (!c) return fail("c= needs nettype, addrtype, address");
          m.connection = std::move(*c);
          break;
        }
        case 'b': m.bandwidths.emplace_back(v); break;
        case 'k': m.key = std::string(v); break;
        case 'a': m.attributes.push_back(parse_attribute(v)); break;
      }
      continue;
    }
    switch (type) {
      case 'v':
        if (v != "0") return fail("v= must be 0");
        break;
      case 'o': {
        auto f = split_spaces(v);
        if (f.size() != 6) return fail("o= needs 6 fields");
        auto ver = g::parse_uint(f[2], ~std::uint64_t{0});
        if (!ver || !g::parse_uint(f[1], ~std::uint64_t{0})) return fail("o= session id/version");
        sdp.origin = SdpOrigin{std::string(f[0]), std::string(f[1]), *ver,
                               std::string(f[3]), std::string(f[4]), std::string(f[5])};
        have_origin = true;
        break;
      }
      case 's':
        if (v.empty()) return fail("s= empty");
        sdp.session_name = std::string(v);
        have_name = true;
        break;
      case 'i': sdp.info = std::string(v); break;
      case 'u': sdp.uri = std::string(v); break;
      case 'e': sdp.emails.emplace_back(v); break;
      case 'p': sdp.phones.emplace_back(v); break;
      case 'c': {
        auto c = parse_connection(v);
        if (!c) return fail("c= needs nettype, addrtype, address");
        sdp.connection = std::move(*c);
        break;
      }
      case 'b': sdp.bandwidths.emplace_back(v); break;
      case 't': {
        auto f = split_spaces(v);
        if (f.size() != 2 || !g::parse_uint(f[0], ~std::uint64_t{0}) || !g::parse_uint(f[1], ~std::uint64_t{0}))
          return fail("t= needs start and stop time");
        sdp.times.emplace_back(v);
        have_time = true;
        break;
      }
      case 'r': sdp.repeats.emplace_back(v); break;
      case 'z': sdp.zone = std::string(v); break;
      case 'k': sdp.key = std::string(v); break;
      case 'a': sdp.attributes.push_back(parse_attribute(v)); break;
    }
  }
  if (!have_origin || !have_name || !have_time) return Err(SdpError{0, "missing o=, s= or t="});
  // RFC 4566 5.7: c= at session level or in every media description.
  if (!sdp.connection)
    for (const auto& m : sdp.media)
      if (!m.connection) return Err(SdpError{0, "media without c="});
  return sdp;
}

namespace {
void line(std::string& out, char type, std::string_view value) {
  out.push_back(type);
  out.push_back('=');
  out.append(value);
  out.append("\r\n");
}
void attr_lines(std::string& out, const std::vector<SdpAttribute>& attrs) {
  for (const auto& a : attrs) {
    out.append("a=");
    out.append(a.name);
    if (a.has_value) {
      out.push_back(':');
      out.append(a.value);
    }
    out.append("\r\n");
  }
}
std::string conn(const SdpConnection& c) { return c.net_type + " " + c.addr_type + " " + c.address; }
}  // namespace

std::string serialize_sdp(const Sdp& s) {
  std::string out;
  out.reserve(256);
  line(out, 'v', std::to_string(s.version));
  const auto& o = s.origin;
  line(out, 'o',
       o.username + " " + o.session_id + " " + std::to_string(o.session_version) + " " + o.net_type + " " +
           o.addr_type + " " + o.address);
  line(out, 's', s.session_name.empty() ? std::string_view("-") : std::string_view(s.session_name));
  if (!s.info.empty()) line(out, 'i', s.info);
  if (!s.uri.empty()) line(out, 'u', s.uri);
  for (const auto& e : s.emails) line(out, 'e', e);
  for (const auto& p : s.phones) line(out, 'p', p);
  if (s.connection) line(out, 'c', conn(*s.connection));
  for (const auto& b : s.bandwidths) line(out, 'b', b);
  if (s.times.empty()) line(out, 't', "0 0");
  for (const auto& t : s.times) line(out, 't', t);
  for (const auto& r : s.repeats) line(out, 'r', r);
  if (!s.zone.empty()) line(out, 'z', s.zone);
  if (!s.key.empty()) line(out, 'k', s.key);
  attr_lines(out, s.attributes);
  for (const auto& m : s.media) {
    std::string v = m.media + " " + std::to_string(m.port);
    if (m.port_count) v += "/" + std::to_string(m.port_count);
    v += " " + m.proto;
    for (const auto& f : m.formats) v += " " + f;
    line(out, 'm', v);
    if (!m.info.empty()) line(out, 'i', m.info);
    if (m.connection) line(out, 'c', conn(*m.connection));
    for (const auto& b : m.bandwidths) line(out, 'b', b);
    if (!m.key.empty()) line(out, 'k', m.key);
    attr_lines(out, m.attributes);
  }
  return out;
}

}  // namespace isupgw::sip
