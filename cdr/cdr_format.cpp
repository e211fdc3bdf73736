#include "cdr/cdr_format.h"

#include <charconv>
#include <cstdio>
#include <ctime>
#include <variant>

namespace isupgw::cdr {

namespace {

// A column's value: absent, a number, a text or a time.
struct Time {
  EpochMs ms;
};
using Value = std::variant<std::monostate, std::int64_t, std::string_view, Time>;

template <class T>
Value opt(const std::optional<T>& v) {
  if (!v) return std::monostate{};
  return static_cast<std::int64_t>(*v);
}
Value text(const std::string& s) {
  if (s.empty()) return std::monostate{};
  return std::string_view(s);
}
Value time(EpochMs t) {
  if (t == 0) return std::monostate{};
  return Time{t};
}

Value value_of(const CdrRecord& r, Column c) {
  switch (c) {
    case Column::kCallId: return text(r.call_id);
    case Column::kDirection: return text(r.direction);
    case Column::kSipCallId: return text(r.sip_call_id);
    case Column::kSipFromTag: return text(r.sip_from_tag);
    case Column::kSipToTag: return text(r.sip_to_tag);
    case Column::kOpc: return opt(r.opc);
    case Column::kDpc: return opt(r.dpc);
    case Column::kCic: return opt(r.cic);
    case Column::kMgEndpoint: return text(r.mg_endpoint);
    case Column::kMgConnectionId: return text(r.mg_connection_id);
    case Column::kCallingIn: return text(r.calling_in);
    case Column::kCallingOut: return text(r.calling_out);
    case Column::kCalledIn: return text(r.called_in);
    case Column::kCalledOut: return text(r.called_out);
    case Column::kPresentation: return text(r.presentation);
    case Column::kIngressTrunk: return text(r.ingress_trunk);
    case Column::kEgressTrunk: return text(r.egress_trunk);
    case Column::kRoute: return text(r.route);
    case Column::kSeizure: return time(r.seizure);
    case Column::kSetup: return time(r.setup);
    case Column::kProgress: return time(r.progress);
    case Column::kAnswer: return time(r.answer);
    case Column::kRelease: return time(r.release);
    case Column::kReleaseComplete: return time(r.release_complete);
    case Column::kPostDialDelayMs: return opt(r.post_dial_delay_ms());
    case Column::kDurationMs: return r.duration_ms();
    case Column::kCause: return opt(r.cause);
    case Column::kCauseLocation: return opt(r.cause_location);
    case Column::kReleasedBy: return text(r.released_by);
    case Column::kSipStatus: return opt(r.sip_status);
    case Column::kCodec: return text(r.codec);
    case Column::kChargeMessages: return static_cast<std::int64_t>(r.charge_messages);
    case Column::kChargeInfo: return text(r.charge_info);
  }
  return std::monostate{};
}

// No printf on the call path's records (issue 17 cost): to_chars and fixed-width digits write the same text.
void append_number(std::string& out, std::int64_t n) {
  char buf[24];
  out.append(buf, static_cast<std::size_t>(std::to_chars(buf, buf + sizeof buf, n).ptr - buf));
}

void put_digits(char* at, int value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// Days since 1970-01-01 -> proleptic Gregorian year, month, day (H. Hinnant's civil_from_days, exact for
// every int64 day count in range): what gmtime_r computes, without its locking and struct tm.
void civil_from_days(std::int64_t z, std::int64_t& y, int& m, int& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

// ISO 8601 UTC with milliseconds, "YYYY-MM-DDTHH:MM:SS.mmmZ"; t != 0.
void append_time(std::string& out, EpochMs t) {
  std::int64_t secs = t / 1000;
  int ms = static_cast<int>(t % 1000);
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  std::int64_t days = secs / 86400;
  std::int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  std::int64_t year = 0;
  int month = 0, day = 0;
  civil_from_days(days, year, month, day);
  const int hour = static_cast<int>(rem / 3600), minute = static_cast<int>(rem / 60 % 60),
            second = static_cast<int>(rem % 60);
  if (year < 0 || year > 9999) {  // outside %04d's fixed width: as printf writes it
    char buf[48];
    int len = std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", static_cast<long long>(year),
                            month, day, hour, minute, second, ms);
    out.append(buf, static_cast<std::size_t>(len));
    return;
  }
  char buf[24] = {'0', '0', '0', '0', '-', '0', '0', '-', '0', '0', 'T', '0',
                  '0', ':', '0', '0', ':', '0', '0', '.', '0', '0', '0', 'Z'};
  put_digits(buf, static_cast<int>(year), 4);
  put_digits(buf + 5, month, 2);
  put_digits(buf + 8, day, 2);
  put_digits(buf + 11, hour, 2);
  put_digits(buf + 14, minute, 2);
  put_digits(buf + 17, second, 2);
  put_digits(buf + 20, ms, 3);
  out.append(buf, sizeof buf);
}

// RFC 4180 2.6/2.7: a field holding a comma, quote or line break is quoted, quotes doubled. A line break
// inside a field would still split the record for a line reader: it is written as a space.
void append_csv_text(std::string& out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {  // the usual field: as it is, in one piece
    out.append(s);
    return;
  }
  out += '"';
  for (char ch : s) {
    if (ch == '"')
      out += "\"\"";
    else if (ch == '\r' || ch == '\n')
      out += ' ';
    else
      out += ch;
  }
  out += '"';
}

// RFC 8259 7: quote, backslash and control characters escaped; other bytes as they are (in runs).
void append_json_text(std::string& out, std::string_view s) {
  out += '"';
  std::size_t from = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char ch = s[i];
    const auto u = static_cast<unsigned char>(ch);
    if (ch != '"' && ch != '\\' && u >= 0x20) continue;
    out.append(s.data() + from, i - from);
    from = i + 1;
    if (u >= 0x20) {
      out += '\\';
      out += ch;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    }
  }
  out.append(s.data() + from, s.size() - from);
  out += '"';
}

}  // namespace

std::string format_time(EpochMs t) {
  std::string out;
  if (t != 0) append_time(out, t);
  return out;
}

std::string csv_header(std::span<const Column> columns) {
  std::string out;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i) out += ',';
    out += column_name(columns[i]);
  }
  out += '\n';
  return out;
}

void append_csv(std::string& out, const CdrRecord& r, std::span<const Column> columns) {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i) out += ',';
    Value v = value_of(r, columns[i]);
    if (auto* n = std::get_if<std::int64_t>(&v))
      append_number(out, *n);
    else if (auto* s = std::get_if<std::string_view>(&v))
      append_csv_text(out, *s);
    else if (auto* t = std::get_if<Time>(&v))
      append_time(out, t->ms);
  }
  out += '\n';
}

void append_json(std::string& out, const CdrRecord& r) {
  out += '{';
  bool first = true;
  for (Column c : all_columns()) {
    if (!first) out += ',';
    first = false;
    out += '"';
    out += column_name(c);
    out += "\":";
    Value v = value_of(r, c);
    if (auto* n = std::get_if<std::int64_t>(&v))
      append_number(out, *n);
    else if (auto* s = std::get_if<std::string_view>(&v))
      append_json_text(out, *s);
    else if (auto* t = std::get_if<Time>(&v)) {
      out += '"';  // digits, '-', ':', '.', 'T', 'Z': nothing to escape
      append_time(out, t->ms);
      out += '"';
    } else
      out += "null";
  }
  out += "}\n";
}

}  // namespace isupgw::cdr
