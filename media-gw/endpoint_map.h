// CIC <-> MGCP endpoint name mapping for one trunk group (RFC 3435 2.1.1
// local endpoint names, 2.1.2 wildcards).
//
// A configured pattern such as "ds/e1-{span}/{timeslot}@mg1" is expanded per
// circuit and matched back from an endpoint name to the CIC. Placeholders:
// {span} (alias {e1}), {timeslot} (alias {ts}); a ":x" suffix renders the
// number in lower-case hex ({timeslot:x}). Instead of span and timeslot,
// {cic} names one endpoint per circuit by its CIC ("rtpbridge/{cic:x}@mgw":
// osmo-mgw numbers its rtpbridge endpoints in hex from 1), for MGs without
// TDM where both ends of a circuit meet on the same RTP bridge. Layout: circuits are numbered from
// first_cic on span first_span, timeslots 1..31 (timeslot 0 carries framing),
// skipping 16 when it carries signalling; or, with kTimeslotAligned, the ITU
// convention CIC = first_cic + 32 x span index + timeslot (unconfirmed
// convention, gateway-local in practice).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace isupgw::mediagw {

struct E1EndpointPattern {
  std::string prefix = "ds/e1-";  // endpoint local name prefix before the span number
  std::string domain = "mg";      // after '@'
  std::uint32_t first_cic = 1;
  std::uint32_t first_span = 0;
  bool skip_ts16 = false;  // ts16 carries signalling on channel-associated E1s
};

// Endpoint for a CIC, e.g. "ds/e1-0/1@mg"; nullopt below first_cic.
std::optional<std::string> endpoint_for_cic(const E1EndpointPattern& p, std::uint32_t cic);

enum class CicNumbering : std::uint8_t {
  kPacked,           // consecutive CICs fill the usable timeslots of a span, then the next span
  kTimeslotAligned,  // CIC - first_cic = 32 x span index + timeslot
};

struct TrunkLayout {
  std::uint32_t first_cic = 1;
  std::uint32_t first_span = 0;
  std::uint32_t spans = 0;  // 0 = unbounded
  bool skip_ts16 = false;
  CicNumbering numbering = CicNumbering::kPacked;
};

enum class PatternError : std::uint8_t {
  kEmpty,
  kNoDomain,                 // no "@domain" after the local name
  kUnknownPlaceholder,       // {foo}
  kUnterminatedPlaceholder,  // "{span" or a stray '}'
  kMissingSpan,              // no {span}
  kMissingTimeslot,          // no {timeslot}
  kDuplicatePlaceholder,     // {span} twice
  kAdjacentPlaceholders,     // {span}{timeslot} or {span}0: a number followed by a digit is not reversible
  kWildcard,                 // '*' or '$' in a per-circuit pattern
  kMixedPlaceholders,        // {cic} together with {span} or {timeslot}
  kBadLayout,                // first_cic == 0
};
std::string_view to_string(PatternError e);

class EndpointPattern {
 public:
  // require_domain false: H.248 termination names, which have no "@domain".
  static Result<EndpointPattern, PatternError> parse(std::string_view pattern, TrunkLayout layout = {},
                                                     bool require_domain = true);

  // Endpoint name for a CIC, nullopt when the CIC is outside the trunk group.
  std::optional<std::string> endpoint_for_cic(std::uint32_t cic) const;
  // The reverse; endpoint names compare case-insensitively (RFC 3435 2.1.1).
  // Only the canonical spelling matches (no leading zeros).
  std::optional<std::uint32_t> cic_for_endpoint(std::string_view endpoint) const;

  // Every CIC whose endpoint a (possibly wildcard) name covers, ascending,
  // e.g. for an RSIP on "ds/e1-0/*@mg1" (RFC 3435 2.1.2, 2.3.12): call
  // control resets those circuits. Scans at most max_cics circuits when the
  // layout has no span bound.
  std::vector<std::uint32_t> cics_covered_by(std::string_view endpoint, std::uint32_t max_cics = 65536) const;

  // The pattern names endpoints by {cic} rather than by span and timeslot.
  bool by_cic() const { return by_cic_; }
  const std::string& text() const { return text_; }
  const TrunkLayout& layout() const { return layout_; }

 private:
  enum class Kind : std::uint8_t { kLiteral, kSpan, kTimeslot, kCic };
  struct Piece {
    Kind kind = Kind::kLiteral;
    std::string literal;
    bool hex = false;
  };
  EndpointPattern() = default;
  std::string render(std::uint32_t span, std::uint32_t ts, std::uint32_t cic = 0) const;

  std::string text_;
  TrunkLayout layout_;
  std::vector<Piece> pieces_;
  bool by_cic_ = false;
};

// RFC 3435 2.1.2: a local-name term of "*" (all of) or "$" (any of).
bool is_wildcard(std::string_view endpoint);
// True if `endpoint` is named by `name` (RFC 3435 2.1.2): equal ignoring
// case, or a wildcard whose "*"/"$" terms stand for any one term; a final "*"
// term stands for every name below it as well ("ds/e1-0/*@mg" covers
// "ds/e1-0/5@mg" and "ds/e1-0/5/1@mg", "*@mg" every endpoint of the domain).
bool endpoint_matches(std::string_view name, std::string_view endpoint);
// Domain part after the last '@' ("" if none).
std::string_view endpoint_domain(std::string_view endpoint);

}  // namespace isupgw::mediagw
