// `isupgw decode PROTOCOL [OPTIONS] HEX` and `isupgw encode PROTOCOL [OPTIONS] JSON`:
// one JSON object per message. Each codec registers an entry in decode.cpp.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/hex.h"
#include "base/result.h"

namespace isupgw::cli {

using CliArgs = std::vector<std::string_view>;

struct Codec {
  std::string_view name;     // "m3ua"
  std::string_view summary;  // one line for `isupgw help`
  // args: everything after the protocol name (options such as --variant ansi, then
  // the hex, possibly split over several arguments). Returns JSON text or a one-line reason.
  Result<std::string, std::string> (*decode)(const CliArgs& args);
  // args: options then the JSON text. Returns lower-case hex or a one-line reason. May be null.
  Result<std::string, std::string> (*encode)(const CliArgs& args) = nullptr;
};

const std::vector<Codec>& codecs();

// Helpers for codec entries: split "--opt value" pairs from the rest, join hex.
struct ParsedArgs {
  std::vector<std::pair<std::string_view, std::string_view>> options;  // ("--variant", "ansi")
  std::string rest;                                                    // remaining arguments joined without separators
};
// Options listed in `known` take one value; any other "--x" is an error.
Result<ParsedArgs, std::string> parse_cli_args(const CliArgs& args, std::span<const std::string_view> known);

}  // namespace isupgw::cli
