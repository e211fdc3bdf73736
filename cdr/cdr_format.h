// The text of a CDR: one CSV line (RFC 4180 quoting, the configured columns) or one JSON object per
// line (JSON Lines). Each line ends in '\n' and holds no other newline, so a reader splits records on
// '\n' alone and a torn tail is recognisable (no final '\n').
#pragma once

#include <span>
#include <string>

#include "cdr/cdr_record.h"

namespace isupgw::cdr {

// "2026-12-06T11:06:34.123Z"; empty for 0.
std::string format_time(EpochMs t);

// The header line of a CSV file: the column names.
std::string csv_header(std::span<const Column> columns);
// Appends one record's CSV line to out.
void append_csv(std::string& out, const CdrRecord& r, std::span<const Column> columns);
// Appends one record's JSON line (every column; absent values are null) to out.
void append_json(std::string& out, const CdrRecord& r);

}  // namespace isupgw::cdr
