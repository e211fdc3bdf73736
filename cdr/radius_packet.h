// RADIUS accounting packets (RFC 2866; attribute format RFC 2865 5): the Accounting-Request the
// gateway sends for a call's Start and Stop, its Request Authenticator (RFC 2866 3), and the check of
// an Accounting-Response's Response Authenticator. Pure codec: no sockets, no clock.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "cdr/cdr_record.h"

namespace isupgw::cdr::radius {

// RFC 2866 3 / 4: packet codes.
inline constexpr std::uint8_t kAccountingRequest = 4;
inline constexpr std::uint8_t kAccountingResponse = 5;

// Attribute types (RFC 2865 5, RFC 2866 5).
enum class Attr : std::uint8_t {
  kUserName = 1,
  kNasIpAddress = 4,
  kCalledStationId = 30,
  kCallingStationId = 31,
  kNasIdentifier = 32,
  kAcctStatusType = 40,
  kAcctDelayTime = 41,
  kAcctSessionId = 44,
  kAcctSessionTime = 46,
  kAcctTerminateCause = 49,
  kVendorSpecific = 26,  // RFC 2865 5.26
  kEventTimestamp = 55,  // RFC 2869 5.3
};

// RFC 2865 5.26 Vendor-Specific: Cisco (SMI enterprise 9) attribute 1 "Cisco-AVPair", a "name=value" string
// (FreeRADIUS dictionary.cisco); the container many VoIP gateways' accounting uses for what RFC 2866 has
// no attribute for. No RADIUS dictionary has ISUP charging: the names are ours (isup-charge-*).
inline constexpr std::uint32_t kVendorCisco = 9;
inline constexpr std::uint8_t kCiscoAvPair = 1;

// RFC 2866 5.1 Acct-Status-Type values.
enum class StatusType : std::uint32_t { kStart = 1, kStop = 2, kInterimUpdate = 3 };

// RFC 2866 5.10 Acct-Terminate-Cause values used by the gateway.
enum class TerminateCause : std::uint32_t {
  kUserRequest = 1,
  kLostCarrier = 2,
  kLostService = 3,
  kSessionTimeout = 5,
  kAdminReset = 6,
  kNasError = 9,
  kNasRequest = 10,
  kServiceUnavailable = 15,
};

// One accounting event of a call, taken from its CDR.
struct Accounting {
  StatusType status = StatusType::kStart;
  std::string session_id;  // Acct-Session-Id: the gateway's call id (unique per call)
  std::string nas_identifier;
  std::string calling;                            // Calling-Station-Id
  std::string called;                             // Called-Station-Id
  std::uint32_t delay_s = 0;                      // Acct-Delay-Time
  std::optional<std::uint32_t> session_time_s;    // Stop and Interim-Update (RFC 2869 2.1)
  std::optional<TerminateCause> terminate_cause;  // Stop only
  // RFC 2869 5.3 Event-Timestamp: when the event happened (s since the epoch); with Acct-Session-Id and
  // Acct-Status-Type it names one event however often the record was resent (Acct-Delay-Time changes).
  std::optional<std::uint32_t> event_timestamp;
  // Stop only (issue 20): the ISUP charge information messages (CRG, national format) the call received, as
  // the CDR keeps them: how many, and their octets in hex (one group per message). Sent as Cisco-AVPair
  // "isup-charge-messages=N" and "isup-charge-info=HEX" when N > 0.
  std::uint32_t charge_messages = 0;
  std::string charge_info;
};

// Start (at answer) and Stop (at the end) of an answered call from its record.
Accounting start_of(const CdrRecord& r, std::string_view nas_identifier);
Accounting stop_of(const CdrRecord& r, std::string_view nas_identifier);
// Q.850 cause and releasing side -> RFC 2866 5.10 (16 normal clearing by a party: User-Request).
TerminateCause terminate_cause_of(const CdrRecord& r);

using Authenticator = std::array<std::uint8_t, 16>;

// The whole Accounting-Request datagram with its Request Authenticator =
// MD5(Code + Identifier + Length + 16 zero octets + attributes + secret) (RFC 2866 3).
std::vector<std::uint8_t> encode_request(const Accounting& a, std::uint8_t identifier, std::string_view secret);

// Checks an Accounting-Response to the request `request` (RFC 2866 3: Response Authenticator =
// MD5(Code + Identifier + Length + Request Authenticator + attributes + secret)). Error text on any
// mismatch: wrong code, identifier, length, or authenticator.
Result<bool, std::string> check_response(std::span<const std::uint8_t> response, std::span<const std::uint8_t> request,
                                         std::string_view secret);

}  // namespace isupgw::cdr::radius
