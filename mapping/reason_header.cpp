#include "mapping/reason_header.h"

#include <array>
#include <cctype>
#include <charconv>
#include <utility>

namespace isupgw::mapping {
namespace {

constexpr std::array<std::pair<std::uint8_t, std::string_view>, 49> kCauseText = {{
    {1, "Unallocated (unassigned) number"},
    {2, "No route to specified transit network"},
    {3, "No route to destination"},
    {4, "Send special information tone"},
    {5, "Misdialled trunk prefix"},
    {6, "Channel unacceptable"},
    {7, "Call awarded and being delivered in an established channel"},
    {8, "Preemption"},
    {9, "Preemption - circuit reserved for reuse"},
    {16, "Normal call clearing"},
    {17, "User busy"},
    {18, "No user responding"},
    {19, "No answer from user (user alerted)"},
    {20, "Subscriber absent"},
    {21, "Call rejected"},
    {22, "Number changed"},
    {23, "Redirection to new destination"},
    {25, "Exchange routing error"},
    {26, "Non-selected user clearing"},
    {27, "Destination out of order"},
    {28, "Invalid number format (address incomplete)"},
    {29, "Facility rejected"},
    {31, "Normal, unspecified"},
    {34, "No circuit/channel available"},
    {38, "Network out of order"},
    {41, "Temporary failure"},
    {42, "Switching equipment congestion"},
    {44, "Requested circuit/channel not available"},
    {47, "Resource unavailable, unspecified"},
    {55, "Incoming calls barred within CUG"},
    {57, "Bearer capability not authorized"},
    {58, "Bearer capability not presently available"},
    {63, "Service or option not available, unspecified"},
    {65, "Bearer capability not implemented"},
    {69, "Requested facility not implemented"},
    {70, "Only restricted digital information bearer capability is available"},
    {79, "Service or option not implemented, unspecified"},
    {87, "User not member of CUG"},
    {88, "Incompatible destination"},
    {91, "Invalid transit network selection"},
    {95, "Invalid message, unspecified"},
    {97, "Message type non-existent or not implemented"},
    {99, "Information element/parameter non-existent or not implemented"},
    {102, "Recovery on timer expiry"},
    {103, "Parameter non-existent or not implemented, passed on"},
    {110, "Message with unrecognized parameter, discarded"},
    {111, "Protocol error, unspecified"},
    {127, "Interworking, unspecified"},
    {100, "Invalid information element contents"},
}};

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits on `sep` outside double quotes.
template <class F>
void split_unquoted(std::string_view s, char sep, F&& f) {
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && quoted) {
      ++i;
    } else if (s[i] == '"') {
      quoted = !quoted;
    } else if (s[i] == sep && !quoted) {
      f(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  f(trim(s.substr(start)));
}

}  // namespace

std::string_view q850_cause_text(std::uint8_t cause) {
  for (auto [c, t] : kCauseText)
    if (c == cause) return t;
  return "";
}

std::string format_q850_reason(std::uint8_t cause) {
  std::string out = "Q.850;cause=" + std::to_string(cause);
  if (auto t = q850_cause_text(cause); !t.empty()) out += ";text=\"" + std::string(t) + "\"";
  return out;
}

std::optional<std::uint8_t> parse_q850_reason(std::string_view header_value) {
  std::optional<std::uint8_t> found;
  split_unquoted(header_value, ',', [&](std::string_view value) {
    if (found) return;
    bool first = true, q850 = false;
    split_unquoted(value, ';', [&](std::string_view part) {
      if (first) {
        q850 = iequals(part, "Q.850");
        first = false;
        return;
      }
      if (!q850 || found) return;
      auto eq = part.find('=');
      if (eq == std::string_view::npos || !iequals(trim(part.substr(0, eq)), "cause")) return;
      auto v = trim(part.substr(eq + 1));
      unsigned n = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec == std::errc() && p == v.data() + v.size() && n <= 127) found = static_cast<std::uint8_t>(n);
    });
  });
  return found;
}

}  // namespace isupgw::mapping
