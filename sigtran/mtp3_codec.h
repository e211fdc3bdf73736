// MTP3 message codec (Q.704 clauses 2, 14, 15; Q.707 clause 5; ANSI T1.111.4):
// service information octet, routing label (ITU 14-bit point codes and 4-bit
// SLS, or ANSI 24-bit point codes and 8-bit SLS), and the signalling network
// management (SI 0) and signalling link test (SI 1 ITU / SI 2 ANSI) messages.
// Other service indicators (ISUP, SCCP, ...) carry their user data untouched.
//
// Errors are values. Decoders work on std::span; decode_label()/decode_user()
// are the allocation-free hot path for MSUs towards the user parts.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace isupgw::sigtran::mtp3 {

enum class Variant : std::uint8_t { kItu, kAnsi };

// Q.704 14.2.1 service indicators used here.
namespace si {
constexpr std::uint8_t kSnm = 0;       // signalling network management
constexpr std::uint8_t kSltmItu = 1;   // Q.707 signalling network testing and maintenance
constexpr std::uint8_t kSltmAnsi = 2;  // T1.111.7 special maintenance (SLTM/SLTA)
constexpr std::uint8_t kSccp = 3;
constexpr std::uint8_t kIsup = 5;
}  // namespace si
// SLTM/SLTA travel under SI 1 (ITU) or SI 2 (ANSI); an ANSI receiver takes either.
constexpr std::uint8_t slt_si(Variant v) { return v == Variant::kAnsi ? si::kSltmAnsi : si::kSltmItu; }

// SNM and test messages by (H0, H1) heading code (Q.704 15.2, Q.707 5.2, Q.2210 for XCO/XCA).
enum class MgmtType : std::uint8_t {
  kCoo,    // changeover order (H0 1, H1 1)
  kCoa,    // changeover acknowledgement (1, 2)
  kXco,    // extended changeover order, 24-bit FSN (1, 3)
  kXca,    // extended changeover acknowledgement (1, 4)
  kCbd,    // changeback declaration (1, 5)
  kCba,    // changeback acknowledgement (1, 6)
  kEco,    // emergency changeover order (2, 1)
  kEca,    // emergency changeover acknowledgement (2, 2)
  kRct,    // signalling-route-set-congestion-test (3, 1)
  kTfc,    // transfer-controlled (3, 2)
  kTfp,    // transfer-prohibited (4, 1)
  kTfr,    // transfer-restricted (4, 3)
  kTfa,    // transfer-allowed (4, 5)
  kRst,    // signalling-route-set-test for prohibited destination (5, 1)
  kRsr,    // signalling-route-set-test for restricted destination (5, 2)
  kTra,    // traffic-restart-allowed (7, 1)
  kTrw,    // traffic-restart-waiting, ANSI (7, 2)
  kUpu,    // user part unavailable (10, 1)
  kSltm,   // signalling link test message (Q.707: H0 1, H1 1 under SI 1)
  kSlta,   // signalling link test acknowledgement (1, 2)
  kOther,  // any other heading: kept as raw octets
};
std::string_view to_string(MgmtType t);

struct Management {
  MgmtType type = MgmtType::kTra;
  std::uint8_t h0 = 0;  // heading as received/sent
  std::uint8_t h1 = 0;
  std::uint8_t slc = 0;               // ITU: the label's SLS field; ANSI: in the message (COO, CBD, ECO, SLTM, ...)
  std::uint32_t fsn = 0;              // COO/COA 7 bits, XCO/XCA 24 bits
  std::uint8_t cbc = 0;               // CBD/CBA changeback code
  std::uint32_t destination = 0;      // TFP/TFR/TFA/TFC/RST/RSR/UPU affected destination
  std::uint8_t status = 0;            // TFC congestion status
  std::uint8_t user = 0;              // UPU user part identity (SI)
  std::uint8_t cause = 0;             // UPU cause: 0 unknown, 1 unequipped remote user, 2 inaccessible remote user
  std::vector<std::uint8_t> pattern;  // SLTM/SLTA test pattern (0..15 octets); kOther: octets after the heading
  friend bool operator==(const Management&, const Management&) = default;
};

struct Label {
  std::uint8_t si = si::kIsup;
  std::uint8_t ni = 2;        // Q.704 14.2.2: 0 international, 2 national
  std::uint8_t priority = 0;  // SIO bits 4-5 (ANSI message priority; ITU spare/national option)
  std::uint32_t dpc = 0;
  std::uint32_t opc = 0;
  std::uint8_t sls = 0;  // 4 bits ITU, 8 bits ANSI
  friend bool operator==(const Label&, const Label&) = default;
};

struct Message {
  Label label;
  std::optional<Management> mgmt;  // SI 0, or the SLT SI of the variant
  std::vector<std::uint8_t> data;  // user part SIF after the label (other SIs)
  friend bool operator==(const Message&, const Message&) = default;
};

enum class Fault : std::uint8_t {
  kTruncatedLabel,    // fewer octets than SIO + routing label
  kTruncatedMessage,  // management message shorter than its heading and fields
  kBadTestLength,     // SLTM/SLTA length indicator != pattern octets
  kBufferTooSmall,
};
std::string_view to_string(Fault f);

constexpr std::size_t label_size(Variant v) { return v == Variant::kAnsi ? 7 : 4; }
constexpr std::uint32_t max_pc(Variant v) { return v == Variant::kAnsi ? 0xFFFFFF : 0x3FFF; }

Result<Message, Fault> decode(std::span<const std::uint8_t> msu, Variant v);
void encode(const Message& m, Variant v, std::vector<std::uint8_t>& out);  // appends
std::vector<std::uint8_t> encode(const Message& m, Variant v);

// Hot path: SIO + label, and a view of the SIF after the label.
struct UserView {
  Label label;
  std::span<const std::uint8_t> data;
};
Result<UserView, Fault> decode_user(std::span<const std::uint8_t> msu, Variant v);
Result<std::size_t, Fault> encode_user(const Label& l, std::span<const std::uint8_t> data, Variant v,
                                       std::span<std::uint8_t> out);

}  // namespace isupgw::sigtran::mtp3
