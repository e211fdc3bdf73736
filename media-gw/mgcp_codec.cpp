#include "media-gw/mgcp_codec.h"

#include <array>
#include <charconv>

namespace isupgw::mediagw::mgcp {
namespace {

using Error = Err<ParseError>;

constexpr bool is_space(char c) { return c == ' ' || c == '\t'; }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A header line may hold printable ASCII, HT and UTF-8 octets (RFC 3435 3.1:
// comments and some values are UTF-8); anything below 0x20 or DEL is refused
// so that a re-serialized message cannot gain line breaks.
bool header_chars_ok(std::string_view line) {
  for (char ch : line) {
    auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Splits off the next line; `rest` moves past its LF. The CR of a CRLF is
// dropped (only one, a lone CR elsewhere stays and is caught as a bad char).
std::string_view next_line(std::string_view& rest) {
  auto nl = rest.find('\n');
  std::string_view line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::string_view next_token(std::string_view& s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  std::size_t n = 0;
  while (n < s.size() && !is_space(s[n])) ++n;
  auto tok = s.substr(0, n);
  s.remove_prefix(n);
  return tok;
}

// RFC 3435 3.2.1: transaction id is 1..999 999 999 (at most 9 digits).
bool parse_transaction_id(std::string_view tok, std::uint32_t& out) {
  if (tok.empty() || tok.size() > 9) return false;
  for (char c : tok)
    if (!is_digit(c)) return false;
  std::uint32_t v = 0;
  std::from_chars(tok.data(), tok.data() + tok.size(), v);
  if (v == 0) return false;
  out = v;
  return true;
}

bool valid_endpoint(std::string_view ep) {
  auto at = ep.rfind('@');
  return at != std::string_view::npos && at > 0 && at + 1 < ep.size();
}

// "1.0": digits '.' digits (RFC 3435 3.2.1 MGCPversion).
bool valid_version_number(std::string_view v) {
  auto dot = v.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == v.size()) return false;
  for (std::size_t i = 0; i < v.size(); ++i)
    if (i != dot && !is_digit(v[i])) return false;
  return true;
}

// Parameter names: letters and digits, '-'/'+' of extension parameters
// ("X-Osmo-IGN", "X+..."), '/' of package-qualified extension parameters
// (RFC 3435 3.2.2 and appendix A).
bool valid_param_name(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '+' || c == '/'))
      return false;
  return true;
}

bool is_separator(std::string_view line) { return line == "."; }

// Header lines (after the start line) up to the empty line, then the body.
Result<bool, ParseError> parse_rest(std::string_view rest, Parameters& params, std::string& sdp) {
  while (!rest.empty()) {
    std::string_view line = next_line(rest);
    if (line.empty()) {
      // RFC 3435 3.1: the session description follows the empty line.
      std::string_view body = rest;
      std::string_view scan = body;
      while (!scan.empty())
        if (is_separator(next_line(scan))) return Error(ParseError::kPiggybacked);
      sdp.assign(body);
      return true;
    }
    if (is_separator(line)) return Error(ParseError::kPiggybacked);
    if (!header_chars_ok(line)) return Error(ParseError::kBadCharacter);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return Error(ParseError::kBadParameterLine);
    std::string_view name = trim(line.substr(0, colon));
    if (!valid_param_name(name)) return Error(ParseError::kBadParameterLine);
    if (params.size() >= kMaxParameters) return Error(ParseError::kTooManyParameters);
    params.push_back(Parameter{std::string(name), std::string(trim(line.substr(colon + 1)))});
  }
  return true;
}

Result<Message, ParseError> parse_response(std::string_view first, std::string_view rest) {
  Response r;
  std::string_view code = next_token(first);
  if (code.size() != 3 || !is_digit(code[0]) || !is_digit(code[1]) || !is_digit(code[2]))
    return Error(ParseError::kBadResponseCode);
  r.code = static_cast<std::uint16_t>((code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0'));
  std::string_view tid = next_token(first);
  if (tid.empty()) return Error(ParseError::kBadStartLine);
  if (!parse_transaction_id(tid, r.transaction_id)) return Error(ParseError::kBadTransactionId);
  r.comment.assign(trim(first));
  auto ok = parse_rest(rest, r.params, r.sdp);
  if (!ok) return Error(ok.error());
  return Message(std::move(r));
}

Result<Message, ParseError> parse_command(std::string_view first, std::string_view rest) {
  Command c;
  std::string_view verb = next_token(first);
  std::string_view tid = next_token(first);
  std::string_view endpoint = next_token(first);
  std::string_view mgcp = next_token(first);
  std::string_view number = next_token(first);
  auto v = verb_from_string(verb);
  if (!v) return Error(ParseError::kUnknownVerb);
  if (number.empty()) return Error(ParseError::kBadStartLine);
  c.verb = *v;
  if (!parse_transaction_id(tid, c.transaction_id)) return Error(ParseError::kBadTransactionId);
  if (!valid_endpoint(endpoint)) return Error(ParseError::kBadEndpoint);
  c.endpoint.assign(endpoint);
  if (!iequals(mgcp, "MGCP") || !valid_version_number(number)) return Error(ParseError::kBadVersion);
  c.version.assign(mgcp);
  c.version += ' ';
  c.version.append(number);
  // Optional profile name(s), e.g. "MGCP 1.0 NCS 1.0" (RFC 3435 3.2.1).
  for (auto tok = next_token(first); !tok.empty(); tok = next_token(first)) {
    c.version += ' ';
    c.version.append(tok);
  }
  auto ok = parse_rest(rest, c.params, c.sdp);
  if (!ok) return Error(ok.error());
  return Message(std::move(c));
}

void append_uint(std::string& out, std::uint32_t v) {
  std::array<char, 16> buf;
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  (void)ec;
  out.append(buf.data(), end);
}

void append_params_and_body(std::string& out, const Parameters& ps, const std::string& sdp) {
  for (const auto& p : ps) {
    out += p.name;
    out += ": ";
    out += p.value;
    out += "\r\n";
  }
  if (!sdp.empty()) {
    out += "\r\n";
    out += sdp;
  }
}

}  // namespace

std::string_view to_string(ParseError e) {
  switch (e) {
    case ParseError::kEmpty: return "empty";
    case ParseError::kTooLong: return "too_long";
    case ParseError::kBadCharacter: return "bad_character";
    case ParseError::kBadStartLine: return "bad_start_line";
    case ParseError::kUnknownVerb: return "unknown_verb";
    case ParseError::kBadTransactionId: return "bad_transaction_id";
    case ParseError::kBadEndpoint: return "bad_endpoint";
    case ParseError::kBadVersion: return "bad_version";
    case ParseError::kBadResponseCode: return "bad_response_code";
    case ParseError::kBadParameterLine: return "bad_parameter_line";
    case ParseError::kTooManyParameters: return "too_many_parameters";
    case ParseError::kPiggybacked: return "piggybacked";
    case ParseError::kTooManyMessages: return "too_many_messages";
    case ParseError::kEmptyPiggybackPart: return "empty_piggyback_part";
  }
  return "?";
}

Result<Message, ParseError> parse(std::string_view text) {
  if (text.size() > kMaxMessageSize) return Error(ParseError::kTooLong);
  std::string_view rest = text;
  // Tolerate empty lines before the start line (a sender's stray CRLF).
  std::string_view first;
  while (!rest.empty() && first.empty()) first = next_line(rest);
  if (trim(first).empty()) return Error(ParseError::kEmpty);
  if (is_separator(first)) return Error(ParseError::kPiggybacked);
  if (!header_chars_ok(first)) return Error(ParseError::kBadCharacter);
  std::string_view probe = first;
  std::string_view tok = next_token(probe);
  if (!tok.empty() && is_digit(tok[0])) return parse_response(first, rest);
  return parse_command(first, rest);
}

Result<Message, ParseError> parse(std::span<const std::uint8_t> bytes) {
  return parse(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

Result<std::vector<Message>, ParseError> parse_datagram(std::span<const std::uint8_t> bytes) {
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (text.size() > kMaxMessageSize) return Error(ParseError::kTooLong);
  std::vector<Message> out;
  std::string_view rest = text;
  std::size_t part_start = 0;
  auto flush = [&](std::size_t end, bool last) -> Result<bool, ParseError> {
    std::string_view part = text.substr(part_start, end - part_start);
    if (trim(part).find_first_not_of("\r\n") == std::string_view::npos) {
      // Nothing after a final "." is tolerated; an empty part between separators is not.
      if (last && !out.empty()) return true;
      return Error(out.empty() && last ? ParseError::kEmpty : ParseError::kEmptyPiggybackPart);
    }
    if (out.size() >= kMaxPiggybacked) return Error(ParseError::kTooManyMessages);
    auto m = parse(part);
    if (!m) return Error(m.error());
    out.push_back(std::move(*m));
    return true;
  };
  while (!rest.empty()) {
    std::size_t line_start = text.size() - rest.size();
    std::string_view line = next_line(rest);
    if (is_separator(line)) {
      auto ok = flush(line_start, false);
      if (!ok) return Error(ok.error());
      part_start = text.size() - rest.size();
    }
  }
  auto ok = flush(text.size(), true);
  if (!ok) return Error(ok.error());
  return out;
}

void serialize_to(std::string& out, const Command& c) {
  out += to_string(c.verb);
  out += ' ';
  append_uint(out, c.transaction_id);
  out += ' ';
  out += c.endpoint;
  out += ' ';
  out += c.version;
  out += "\r\n";
  append_params_and_body(out, c.params, c.sdp);
}

void serialize_to(std::string& out, const Response& r) {
  char code[3] = {static_cast<char>('0' + r.code / 100 % 10), static_cast<char>('0' + r.code / 10 % 10),
                  static_cast<char>('0' + r.code % 10)};
  out.append(code, 3);
  out += ' ';
  append_uint(out, r.transaction_id);
  if (!r.comment.empty()) {
    out += ' ';
    out += r.comment;
  }
  out += "\r\n";
  append_params_and_body(out, r.params, r.sdp);
}

std::string serialize(const Command& c) {
  std::string out;
  out.reserve(128 + c.sdp.size());
  serialize_to(out, c);
  return out;
}

std::string serialize(const Response& r) {
  std::string out;
  out.reserve(128 + r.sdp.size());
  serialize_to(out, r);
  return out;
}

std::string serialize(const Message& m) {
  return std::visit([](const auto& x) { return serialize(x); }, m);
}

std::string serialize_datagram(const std::vector<Message>& ms) {
  std::string out;
  for (std::size_t i = 0; i < ms.size(); ++i) {
    if (i > 0) {
      // The previous message must end in a line break before the separator.
      if (!out.empty() && out.back() != '\n') out += "\r\n";
      out += ".\r\n";
    }
    std::visit([&](const auto& x) { serialize_to(out, x); }, ms[i]);
  }
  return out;
}

}  // namespace isupgw::mediagw::mgcp
