#include "mapping/number_portability.h"

#include <cctype>

namespace isupgw::mapping {

std::string_view to_string(NpError e) {
  switch (e) {
    case NpError::kBadRn: return "bad rn";
    case NpError::kLocalRn: return "local rn (no '+') not supported";
    case NpError::kForeignRn: return "rn outside own country";
    case NpError::kBadNpdi: return "npdi with a value";
    case NpError::kDuplicate: return "rn or npdi repeated";
    case NpError::kBadLength: return "bad parameter length";
    case NpError::kBadIndicator: return "indicator value not mapped";
  }
  return "?";
}

namespace {

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// RFC 3966 3 visual separators, which carry no meaning.
bool visual_separator(char c) { return c == '-' || c == '.' || c == '(' || c == ')'; }

}  // namespace

Result<TelNp, NpError> tel_np_from_user(std::string_view user) {
  TelNp np;
  bool have_rn = false;
  std::size_t pos = user.find(';');
  while (pos != std::string_view::npos) {
    const std::size_t next = user.find(';', pos + 1);
    const std::string_view par = user.substr(pos + 1, next == std::string_view::npos ? next : next - pos - 1);
    const std::size_t eq = par.find('=');
    const std::string_view name = par.substr(0, eq);
    if (iequal(name, "npdi")) {
      if (eq != std::string_view::npos) return Err(NpError::kBadNpdi);
      if (np.npdi) return Err(NpError::kDuplicate);
      np.npdi = true;
    } else if (iequal(name, "rn")) {
      if (have_rn) return Err(NpError::kDuplicate);
      if (eq == std::string_view::npos || eq + 1 == par.size()) return Err(NpError::kBadRn);
      np.rn = std::string(par.substr(eq + 1));
      have_rn = true;
    }
    pos = next;
  }
  return np;
}

std::string tel_user_with_np(std::string_view number, const TelNp& np) {
  std::string out(number);
  if (np.npdi) out += ";npdi";
  if (!np.rn.empty()) out += ";rn=" + np.rn;
  return out;
}

Result<IsupNp, NpError> isup_np_from_tel(const TelNp& np, const NumberPlan& plan) {
  IsupNp out;
  if (!np.rn.empty()) {
    if (np.rn.front() != '+') return Err(NpError::kLocalRn);
    std::string digits;
    for (char c : std::string_view(np.rn).substr(1)) {
      if (visual_separator(c)) continue;
      if (c < '0' || c > '9') return Err(NpError::kBadRn);
      digits += c;
    }
    if (digits.size() <= plan.country_code.size() ||
        digits.compare(0, plan.country_code.size(), plan.country_code) != 0)
      return Err(NpError::kForeignRn);
    out.rn = digits.substr(plan.country_code.size());
  }
  // RFC 4694 4/5.1: npdi says the NP database was dipped; an rn is the answer for
  // a ported number. An rn without npdi still comes from a dip.
  if (!out.rn.empty())
    out.status = NpStatus::kPorted;
  else if (np.npdi)
    out.status = NpStatus::kNotPorted;
  return out;
}

TelNp tel_np_from_isup(const IsupNp& np, const NumberPlan& plan) {
  TelNp out;
  out.npdi = np.status == NpStatus::kPorted || np.status == NpStatus::kNotPorted || !np.rn.empty();
  if (!np.rn.empty()) out.rn = "+" + plan.country_code + np.rn;
  return out;
}

std::vector<std::uint8_t> encode_np_forward_information(NpStatus s) {
  return {static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(s))};
}

Result<NpStatus, NpError> decode_np_forward_information(std::span<const std::uint8_t> in) {
  if (in.empty()) return Err(NpError::kBadLength);
  const std::uint8_t v = in[0] & 0x0f;
  if (v > 3) return Err(NpError::kBadIndicator);
  return static_cast<NpStatus>(v);
}

std::vector<std::uint8_t> encode_network_routing_number(std::string_view digits) {
  const bool odd = digits.size() % 2 == 1;
  std::vector<std::uint8_t> out{static_cast<std::uint8_t>((odd ? 0x80 : 0x00) | 0x10 | 0x01)};
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    std::uint8_t b = static_cast<std::uint8_t>(digits[i] - '0');
    if (i + 1 < digits.size()) b |= static_cast<std::uint8_t>((digits[i + 1] - '0') << 4);
    out.push_back(b);
  }
  return out;
}

Result<std::string, NpError> decode_network_routing_number(std::span<const std::uint8_t> in) {
  if (in.size() < 2) return Err(NpError::kBadLength);
  const std::uint8_t nai = in[0] & 0x0f;
  if (nai != 1 && nai != 2) return Err(NpError::kBadIndicator);
  const bool odd = (in[0] & 0x80) != 0;
  std::string digits;
  for (std::size_t i = 1; i < in.size(); ++i) {
    for (int half = 0; half < 2; ++half) {
      if (half == 1 && odd && i + 1 == in.size()) break;
      const std::uint8_t d = half == 0 ? (in[i] & 0x0f) : static_cast<std::uint8_t>(in[i] >> 4);
      if (d > 9) return Err(NpError::kBadRn);
      digits += static_cast<char>('0' + d);
    }
  }
  return digits;
}

std::string concatenate_rn(std::string_view rn, std::string_view called) {
  std::string out(rn);
  out += called;
  return out;
}

std::pair<std::string, std::string> split_rn(std::string_view called, std::size_t rn_length) {
  if (rn_length == 0 || called.size() <= rn_length) return {std::string(), std::string(called)};
  return {std::string(called.substr(0, rn_length)), std::string(called.substr(rn_length))};
}

}  // namespace isupgw::mapping
