// The RADIUS accounting spool file's text (issue 17): Accounting-Requests no server answered, kept on
// disk until an Accounting-Response acknowledges them. Append-only lines, each written whole by one
// write(2):
//   R EVENT_MS STATUS SESSION_TIME TERMINATE_CAUSE SESSION_ID NAS CALLING CALLED   a record (strings hex, "-" empty)
//     [CHARGE_MESSAGES CHARGE_INFO]                                               a Stop with charge information
//   A                                                                             the oldest record is acknowledged
// Records are sent in file order, one at a time, so an acknowledgement needs no name. A last line
// without its newline is torn (a crash in the write) and is not part of the spool. Pure: no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cdr/radius_packet.h"

namespace isupgw::cdr::radius {

// One spooled request: the attributes and the event's wall-clock time (ms since the epoch), from which
// each send computes Acct-Delay-Time (RFC 2866 5.2) -- the Identifier and authenticator change with it.
struct SpoolRecord {
  Accounting acct;
  std::int64_t event_ms = 0;
};

std::string spool_line(const SpoolRecord& r);
inline constexpr std::string_view kSpoolAck = "A\n";

struct SpoolContents {
  std::vector<SpoolRecord> pending;  // records not yet acknowledged, in file order
  std::size_t acknowledged = 0;      // records acknowledged
  std::size_t whole_bytes = 0;       // bytes up to the end of the last whole line (the rest is torn)
  std::size_t bad_lines = 0;         // whole lines that are neither a record nor an acknowledgement
};

SpoolContents parse_spool(std::string_view text);

}  // namespace isupgw::cdr::radius
