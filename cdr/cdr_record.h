// One call detail record per call attempt, answered or not (issue 17). A value type the engine fills
// as the call goes and hands over once at its end; the writer formats it off the signalling path's
// per-message work. Times are wall-clock milliseconds since the Unix epoch (UTC); 0 = did not happen.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace isupgw::cdr {

using EpochMs = std::int64_t;

struct CdrRecord {
  std::string call_id;    // the gateway's call id
  std::string direction;  // "sip-to-isup" or "isup-to-sip"
  // SIP leg.
  std::string sip_call_id;
  std::string sip_from_tag;
  std::string sip_to_tag;
  // ISUP leg (Q.704 routing label, Q.763 CIC); absent before a circuit was seized.
  std::optional<std::uint32_t> opc;
  std::optional<std::uint32_t> dpc;
  std::optional<std::uint16_t> cic;
  // Media gateway (RFC 3435 endpoint name, ConnectionId).
  std::string mg_endpoint;
  std::string mg_connection_id;
  // Numbers as received and as sent (after manipulation); presentation (Q.763 3.10 APRI).
  std::string calling_in;
  std::string calling_out;
  std::string called_in;
  std::string called_out;
  std::string presentation;  // "allowed", "restricted", "unavailable" or empty
  std::string ingress_trunk;
  std::string egress_trunk;
  std::string route;
  // Times (ms since epoch, 0 = did not happen): circuit seizure, INVITE/IAM, first 18x/ACM|CPG,
  // 200/ANM, release (BYE/CANCEL/REL or final failure), RLC.
  EpochMs seizure = 0;
  EpochMs setup = 0;
  EpochMs progress = 0;
  EpochMs answer = 0;
  EpochMs release = 0;
  EpochMs release_complete = 0;
  // Q.850 cause value and location; which side released first: "sip", "isup" or "gateway".
  std::optional<std::uint8_t> cause;
  std::optional<std::uint8_t> cause_location;
  std::string released_by;
  std::optional<std::uint16_t> sip_status;  // final SIP status sent or received
  std::string codec;
  // Issue 20: ISUP charge information (CRG, national format) received during the call: how many, and
  // their octets after the message type as hex, space-separated in arrival order (at most kMaxChargeInfo).
  std::uint32_t charge_messages = 0;
  std::string charge_info;
  static constexpr std::uint32_t kMaxChargeInfo = 16;

  // Post-dial delay: setup -> first progress or answer; empty when neither happened.
  std::optional<std::int64_t> post_dial_delay_ms() const;
  // Answer -> release; 0 for an unanswered call.
  std::int64_t duration_ms() const;
};

// The columns a CSV file may carry, in the order the configuration lists them.
enum class Column : std::uint8_t {
  kCallId,
  kDirection,
  kSipCallId,
  kSipFromTag,
  kSipToTag,
  kOpc,
  kDpc,
  kCic,
  kMgEndpoint,
  kMgConnectionId,
  kCallingIn,
  kCallingOut,
  kCalledIn,
  kCalledOut,
  kPresentation,
  kIngressTrunk,
  kEgressTrunk,
  kRoute,
  kSeizure,
  kSetup,
  kProgress,
  kAnswer,
  kRelease,
  kReleaseComplete,
  kPostDialDelayMs,
  kDurationMs,
  kCause,
  kCauseLocation,
  kReleasedBy,
  kSipStatus,
  kCodec,
  kChargeMessages,
  kChargeInfo,
};

// Every column in record order: the default CSV layout and the JSON member order.
std::span<const Column> all_columns();
std::string_view column_name(Column c);
std::optional<Column> column_from_name(std::string_view name);
// "call_id,cause,..." names -> columns; the error names the unknown or repeated column.
Result<std::vector<Column>, std::string> parse_columns(std::span<const std::string> names);

}  // namespace isupgw::cdr
