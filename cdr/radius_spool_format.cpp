#include "cdr/radius_spool_format.h"

#include <charconv>
#include <optional>

namespace isupgw::cdr::radius {

namespace {

constexpr char kHex[] = "0123456789abcdef";

void put_hex(std::string& out, std::string_view s) {
  out += ' ';
  if (s.empty()) {
    out += '-';
    return;
  }
  for (unsigned char c : s) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
}

template <class N>
void put_num(std::string& out, N v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out += ' ';
  out.append(buf, end);
}

int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::optional<std::string> from_hex(std::string_view h) {
  if (h == "-") return std::string();
  if (h.empty() || h.size() % 2 != 0 || h.size() > 2 * 253) return std::nullopt;
  std::string s;
  s.reserve(h.size() / 2);
  for (std::size_t i = 0; i < h.size(); i += 2) {
    const int a = nibble(h[i]), b = nibble(h[i + 1]);
    if (a < 0 || b < 0) return std::nullopt;
    s += static_cast<char>(a * 16 + b);
  }
  return s;
}

template <class N>
std::optional<N> number(std::string_view t) {
  N v{};
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size() || t.empty()) return std::nullopt;
  return v;
}

std::optional<SpoolRecord> parse_record(std::string_view line) {
  std::vector<std::string_view> f;
  while (!line.empty()) {
    const auto sp = line.find(' ');
    f.push_back(line.substr(0, sp));
    if (sp == std::string_view::npos) break;
    line.remove_prefix(sp + 1);
  }
  if ((f.size() != 9 && f.size() != 11) || f[0] != "R") return std::nullopt;
  SpoolRecord r;
  auto ms = number<std::int64_t>(f[1]);
  auto status = number<std::uint32_t>(f[2]);
  if (!ms || *ms < 0 || !status || *status < 1 || *status > 3) return std::nullopt;
  r.event_ms = *ms;
  r.acct.status = static_cast<StatusType>(*status);
  r.acct.event_timestamp = static_cast<std::uint32_t>(*ms / 1000);
  if (f[3] != "-") {
    auto t = number<std::uint32_t>(f[3]);
    if (!t) return std::nullopt;
    r.acct.session_time_s = *t;
  }
  if (f[4] != "-") {
    auto t = number<std::uint32_t>(f[4]);
    if (!t) return std::nullopt;
    r.acct.terminate_cause = static_cast<TerminateCause>(*t);
  }
  auto session = from_hex(f[5]), nas = from_hex(f[6]), calling = from_hex(f[7]), called = from_hex(f[8]);
  if (!session || session->empty() || !nas || !calling || !called) return std::nullopt;
  r.acct.session_id = std::move(*session);
  r.acct.nas_identifier = std::move(*nas);
  r.acct.calling = std::move(*calling);
  r.acct.called = std::move(*called);
  if (f.size() == 11) {  // issue 20: the charge information of a Stop
    auto n = number<std::uint32_t>(f[9]);
    auto info = from_hex(f[10]);
    if (!n || *n == 0 || !info) return std::nullopt;
    r.acct.charge_messages = *n;
    r.acct.charge_info = std::move(*info);
  }
  return r;
}

}  // namespace

std::string spool_line(const SpoolRecord& r) {
  std::string out = "R";
  put_num(out, r.event_ms);
  put_num(out, static_cast<std::uint32_t>(r.acct.status));
  if (r.acct.session_time_s) {
    put_num(out, *r.acct.session_time_s);
  } else {
    out += " -";
  }
  if (r.acct.terminate_cause) {
    put_num(out, static_cast<std::uint32_t>(*r.acct.terminate_cause));
  } else {
    out += " -";
  }
  put_hex(out, r.acct.session_id);
  put_hex(out, r.acct.nas_identifier);
  put_hex(out, r.acct.calling);
  put_hex(out, r.acct.called);
  if (r.acct.charge_messages > 0) {
    put_num(out, r.acct.charge_messages);
    put_hex(out, r.acct.charge_info);
  }
  out += '\n';
  return out;
}

SpoolContents parse_spool(std::string_view text) {
  SpoolContents c;
  std::size_t head = 0;  // index of the oldest record not acknowledged
  std::size_t pos = 0;
  for (;;) {
    const auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) break;  // torn (or nothing) after the last newline
    const std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    c.whole_bytes = pos;
    if (line == "A") {
      if (head < c.pending.size()) {
        ++head;
        ++c.acknowledged;
      } else {
        ++c.bad_lines;  // an acknowledgement of nothing
      }
    } else if (auto r = parse_record(line)) {
      c.pending.push_back(std::move(*r));
    } else {
      ++c.bad_lines;
    }
  }
  c.pending.erase(c.pending.begin(), c.pending.begin() + static_cast<std::ptrdiff_t>(head));
  return c;
}

}  // namespace isupgw::cdr::radius
