// `isupgw decode iua HEX` / `isupgw encode iua JSON`: IUA (RFC 4233) messages as
// one JSON object {"message":"DATA_IND","interface_id":1,"dlci":{"sapi":0,"tei":0},
// "protocol_data":"08..."}; a Data/Unit Data message's Q.931 is also shown decoded
// ("q931") when it parses. Keys follow RFC 4233's parameter names in snake_case.
#pragma once

#include <string>

#include "base/result.h"
#include "cli/decode.h"
#include "sigtran/iua_message.h"

namespace isupgw::cli {

std::string iua_to_json(const sigtran::iua::Message& m);
Result<sigtran::iua::Message, std::string> iua_from_json(std::string_view text);

Result<std::string, std::string> decode_iua(const CliArgs& args);
Result<std::string, std::string> encode_iua(const CliArgs& args);

}  // namespace isupgw::cli
