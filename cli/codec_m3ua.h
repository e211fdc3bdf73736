// `isupgw decode m3ua HEX` / `isupgw encode m3ua JSON`: M3UA messages as one JSON
// object {"class":1,"type":1,"params":{...}} with RFC 4666 parameter names in
// snake_case. The codec itself (sigtran/) knows nothing of JSON.
#pragma once

#include <string>

#include "base/result.h"
#include "cli/decode.h"
#include "sigtran/m3ua_message.h"

namespace isupgw::cli {

std::string m3ua_to_json(const sigtran::m3ua::Message& m);
Result<sigtran::m3ua::Message, std::string> m3ua_from_json(std::string_view text);

Result<std::string, std::string> decode_m3ua(const CliArgs& args);
Result<std::string, std::string> encode_m3ua(const CliArgs& args);

}  // namespace isupgw::cli
